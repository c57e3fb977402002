-- The plan catalogue: a projection of the `plan.revised` events on the pladeco.plan topic.
--
-- One plan per database (the commune's current PLADECO). Each record keeps its whole content as
-- written in the plan file (`spec`, plan-file field names) beside typed columns for queries; the
-- export rebuilds the plan file from `spec`. Nothing here is edited by hand: a change is a new plan
-- revision, so that the history below says who changed what and why.
-- No foreign keys between records: a revision is validated as a whole before it is published and
-- applied as a whole in one transaction; the catalogue must accept any valid revision in any order.

CREATE TABLE plan (
    code                  text        PRIMARY KEY,
    name                  text        NOT NULL,
    commune               text        NOT NULL,
    period_start          date        NOT NULL,
    period_end            date        NOT NULL,
    management_unit_name  text        NOT NULL,
    management_unit_email text        NOT NULL,
    commune_boundary      jsonb       NOT NULL, -- GeoJSON Polygon
    revision              integer     NOT NULL,
    content_sha256        text        NOT NULL,
    spec                  jsonb       NOT NULL
);

-- Every revision applied, newest last: who loaded it, why, and a fingerprint of the whole plan.
CREATE TABLE plan_revision (
    plan_code      text        NOT NULL,
    revision       integer     NOT NULL,
    base_revision  integer     NOT NULL,
    event_id       uuid        NOT NULL UNIQUE,
    actor          text        NOT NULL,
    source_system  text        NOT NULL,
    reason         text        NOT NULL,
    content_sha256 text        NOT NULL,
    change_count   integer     NOT NULL,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    applied_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_code, revision)
);

-- Every change of every revision: the auditor's answer to "when was this target moved, by whom".
CREATE TABLE plan_change (
    plan_code       text        NOT NULL,
    revision        integer     NOT NULL,
    seq             integer     NOT NULL,
    change_type     text        NOT NULL,
    entity          text        NOT NULL,
    code            text        NOT NULL,
    initiative_code text,
    fields          jsonb       NOT NULL,
    after           jsonb,
    before          jsonb,
    PRIMARY KEY (plan_code, revision, seq),
    FOREIGN KEY (plan_code, revision) REFERENCES plan_revision (plan_code, revision)
);
CREATE INDEX plan_change_record ON plan_change (entity, code);
CREATE INDEX plan_change_initiative ON plan_change (initiative_code);

CREATE TABLE department (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    head_name  text NOT NULL,
    head_email text NOT NULL,
    spec       jsonb NOT NULL
);

CREATE TABLE territory (
    code     text PRIMARY KEY,
    name     text NOT NULL,
    boundary jsonb NOT NULL, -- GeoJSON Polygon
    spec     jsonb NOT NULL
);

CREATE TABLE locality (
    code           text PRIMARY KEY,
    name           text NOT NULL,
    territory_code text NOT NULL,
    latitude       double precision NOT NULL,
    longitude      double precision NOT NULL,
    spec           jsonb NOT NULL
);

CREATE TABLE funding_source (
    code  text PRIMARY KEY,
    name  text NOT NULL,
    level text NOT NULL,
    spec  jsonb NOT NULL
);

CREATE TABLE strategic_axis (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL,
    spec        jsonb NOT NULL
);

CREATE TABLE objective (
    code            text   PRIMARY KEY,
    axis_code       text   NOT NULL,
    name            text   NOT NULL,
    territory_codes text[] NOT NULL,
    spec            jsonb  NOT NULL
);

CREATE TABLE programme (
    code           text PRIMARY KEY,
    objective_code text NOT NULL,
    name           text NOT NULL,
    spec           jsonb NOT NULL
);

-- The diagnosis: prioritised problems per territory (stage 1 of the plan).
CREATE TABLE problem (
    code           text     PRIMARY KEY,
    territory_code text     NOT NULL,
    locality_code  text,
    theme          text     NOT NULL,
    description    text     NOT NULL,
    severity       smallint NOT NULL,
    priority       integer  NOT NULL,
    spec           jsonb    NOT NULL
);

CREATE TABLE initiative (
    code                 text    PRIMARY KEY,
    name                 text    NOT NULL,
    kind                 text    NOT NULL,
    programme_code       text    NOT NULL,
    responsible_unit     text    NOT NULL,
    territory_code       text    NOT NULL,
    locality_code        text    NOT NULL,
    latitude             double precision, -- own site when given; else the locality's (see views)
    longitude            double precision,
    budget_clp           bigint  NOT NULL,
    start_date           date    NOT NULL,
    end_date             date    NOT NULL,
    curve                text    NOT NULL,
    beneficiaries        integer NOT NULL,
    beneficiary_groups   text[]  NOT NULL,
    predecessor_codes    text[]  NOT NULL,
    spec                 jsonb   NOT NULL
);
CREATE INDEX initiative_unit ON initiative (responsible_unit);
CREATE INDEX initiative_programme ON initiative (programme_code);

CREATE TABLE initiative_officer (
    initiative_code text    NOT NULL,
    position        integer NOT NULL,
    name            text    NOT NULL,
    email           text    NOT NULL,
    role            text,
    PRIMARY KEY (initiative_code, position)
);
CREATE INDEX initiative_officer_email ON initiative_officer (email);

CREATE TABLE initiative_funding (
    initiative_code text    NOT NULL,
    position        integer NOT NULL,
    source_code     text    NOT NULL,
    amount_clp      bigint  NOT NULL,
    PRIMARY KEY (initiative_code, position)
);

-- Explicit monthly plans (curve 'mensual'): planned cumulative progress at the end of each month.
CREATE TABLE initiative_monthly_plan (
    initiative_code text          NOT NULL,
    month           date          NOT NULL, -- first day of the month
    progress_pct    numeric(5, 2) NOT NULL,
    PRIMARY KEY (initiative_code, month)
);

CREATE TABLE milestone (
    code            text PRIMARY KEY,
    initiative_code text NOT NULL,
    name            text NOT NULL,
    due_date        date NOT NULL,
    owner_email     text NOT NULL,
    spec            jsonb NOT NULL
);
CREATE INDEX milestone_initiative ON milestone (initiative_code);

CREATE TABLE indicator (
    code             text    PRIMARY KEY,
    initiative_code  text    NOT NULL,
    name             text    NOT NULL,
    category         text    NOT NULL,
    dimension        text    NOT NULL,
    unit             text    NOT NULL,
    baseline         double precision NOT NULL,
    target           double precision NOT NULL,
    target_date      date    NOT NULL,
    direction        text    NOT NULL,
    periodicity      text    NOT NULL,
    green_threshold  double precision NOT NULL,
    yellow_threshold double precision NOT NULL,
    spec             jsonb   NOT NULL
);
CREATE INDEX indicator_initiative ON indicator (initiative_code);
