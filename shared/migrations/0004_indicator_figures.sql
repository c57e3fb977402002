-- The indicator service's projection of progress: what each report said (history, kept whole) and
-- the figures computed from it (services/indicators/scorecard.py). Figures are recomputed from the
-- whole history of an initiative whenever an event touches it, so an update that arrives late (an
-- older as-of date) takes its place in the history and never overwrites a newer state.

-- Milestone updates and indicator measurements, one row per event and code (history).
CREATE TABLE milestone_report (
    event_id        uuid        NOT NULL,
    milestone_code  text        NOT NULL,
    initiative_code text        NOT NULL,
    status          text        NOT NULL,
    status_date     date,
    as_of           date        NOT NULL,
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (event_id, milestone_code)
);
CREATE INDEX milestone_report_initiative ON milestone_report (initiative_code);

CREATE TABLE indicator_measurement (
    event_id        uuid             NOT NULL,
    indicator_code  text             NOT NULL,
    initiative_code text             NOT NULL,
    period          text             NOT NULL,
    value           double precision NOT NULL,
    as_of           date             NOT NULL,
    recorded_at     timestamptz      NOT NULL,
    PRIMARY KEY (event_id, indicator_code, period)
);
CREATE INDEX indicator_measurement_initiative ON indicator_measurement (initiative_code);

-- Current figures of each initiative (earned value at its data date: the as-of date of its latest
-- progress report). Deterministic from the history: a replay computes the same rows.
CREATE TABLE initiative_figures (
    initiative_code            text PRIMARY KEY,
    data_date                  date,
    physical_progress_pct      double precision,
    planned_progress_pct       double precision,
    budget_clp                 bigint NOT NULL,
    earned_value_clp           double precision,
    planned_value_clp          double precision,
    actual_cost_clp            bigint,
    spi                        double precision,
    cpi                        double precision,
    schedule_variance_clp      double precision,
    cost_variance_clp          double precision,
    financial_execution_pct    double precision,
    estimate_at_completion_clp double precision,
    status                     text NOT NULL,
    report_count               integer NOT NULL,
    last_report_as_of          date,
    last_recorded_at           timestamptz
);

CREATE TABLE indicator_figures (
    indicator_code  text PRIMARY KEY,
    initiative_code text NOT NULL,
    value           double precision,
    period          text,
    as_of           date,
    efficacy_pct    double precision,
    light           text NOT NULL,
    target_reached  boolean NOT NULL
);
CREATE INDEX indicator_figures_initiative ON indicator_figures (initiative_code);

-- The latest reported state of each milestone; whether it is overdue depends on today, so the
-- scorecard views decide that.
CREATE TABLE milestone_figures (
    milestone_code  text PRIMARY KEY,
    initiative_code text NOT NULL,
    status          text NOT NULL,
    status_date     date,
    reported_as_of  date NOT NULL
);
CREATE INDEX milestone_figures_initiative ON milestone_figures (initiative_code);

-- The S-curve: planned and actual figures at the end of each month, per initiative.
CREATE TABLE initiative_monthly (
    initiative_code       text             NOT NULL,
    month                 date             NOT NULL, -- first day of the month
    planned_progress_pct  double precision NOT NULL,
    physical_progress_pct double precision,
    planned_value_clp     double precision NOT NULL,
    earned_value_clp      double precision,
    actual_cost_clp       bigint,
    PRIMARY KEY (initiative_code, month)
);

-- Events to publish, written in the same transaction as the change that caused them and deleted
-- once Kafka confirmed them (transactional outbox): a crash between the database commit and the
-- publish delays an event, never loses it.
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    topic      text        NOT NULL,
    key        bytea,
    value      bytea       NOT NULL,
    headers    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
