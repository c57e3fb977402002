-- Foundation: exactly-once bookkeeping for consumers, and the accepted progress reports.

-- Every consumer records the id of each event it applied in the same transaction as the change
-- the event caused; a redelivered or duplicated event finds its id here and changes nothing.
CREATE TABLE processed_event (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Accepted progress reports as the indicator service received them: the history every indicator
-- is computed from. One row per event; an older as-of date arriving late is kept as history.
CREATE TABLE progress_report (
    event_id              uuid        PRIMARY KEY,
    initiative_code       text        NOT NULL,
    as_of                 date        NOT NULL,
    physical_progress_pct numeric(5, 2) CHECK (physical_progress_pct BETWEEN 0 AND 100),
    spent_to_date_clp     bigint      CHECK (spent_to_date_clp >= 0),
    reporter              text        NOT NULL,
    source_system         text        NOT NULL,
    occurred_at           timestamptz NOT NULL,
    recorded_at           timestamptz NOT NULL,
    payload               jsonb       NOT NULL,
    source_topic          text        NOT NULL,
    source_partition      integer     NOT NULL,
    source_offset         bigint      NOT NULL,
    applied_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX progress_report_initiative_as_of ON progress_report (initiative_code, as_of);
