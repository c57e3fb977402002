-- The history auditors can trust: every plan and progress event the system applied, in the order
-- it applied them, each row chained to the previous one by a hash (shared/audit.py).
-- `pladeco audit verify` walks the chain and names the first row that was changed, deleted or
-- inserted. The trigger refuses updates and deletes; an administrator can disable it, and then
-- the chain is what tells.
CREATE TABLE event_log (
    seq            bigint      PRIMARY KEY,
    event_id       uuid        NOT NULL UNIQUE,
    event_type     text        NOT NULL,
    initiative_code text,
    source_topic   text        NOT NULL,
    source_partition integer   NOT NULL,
    source_offset  bigint      NOT NULL,
    recorded_at    timestamptz NOT NULL,
    content        text        NOT NULL, -- the event as canonical JSON (sorted keys, no spaces)
    content_sha256 text        NOT NULL,
    prev_hash      text        NOT NULL,
    hash           text        NOT NULL, -- sha256(prev_hash || content_sha256)
    logged_at      timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION event_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event_log is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_append_only();
