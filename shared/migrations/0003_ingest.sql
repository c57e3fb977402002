-- Ingest: the edge's memory of what it accepted (idempotency), and the API keys of source systems.

-- One row per accepted update, written in the same transaction that waits for Kafka to confirm the
-- event: a row here means the event is on pladeco.progress. A repeated event id finds its row and
-- is answered as a duplicate (or as a conflict, when the same id comes with other content).
CREATE TABLE ingest_event (
    event_id        uuid        PRIMARY KEY,
    initiative_code text        NOT NULL,
    content_sha256  text        NOT NULL,
    source_system   text        NOT NULL,
    channel         text        NOT NULL, -- http, upload, kafka
    received_at     timestamptz NOT NULL
);
CREATE INDEX ingest_event_received ON ingest_event (received_at);

-- API keys of the systems and offices that report progress. Only a SHA-256 of the secret is kept;
-- the whole key is shown once, when created. `units` limits the initiatives a key may report on
-- to those of its responsible units; NULL means every unit.
CREATE TABLE api_key (
    key_id        text        PRIMARY KEY,
    secret_sha256 text        NOT NULL,
    source_system text        NOT NULL,
    units         text[],
    description   text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text        NOT NULL,
    revoked_at    timestamptz,
    revoked_by    text
);
