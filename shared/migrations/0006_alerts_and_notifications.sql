-- Alerts (the alert service) and notifications (the notifier).

-- The outbox serves several services: each relays its own rows.
ALTER TABLE outbox ADD COLUMN producer text NOT NULL DEFAULT 'indicators';
ALTER TABLE outbox ALTER COLUMN producer DROP DEFAULT;
CREATE INDEX outbox_producer ON outbox (producer, id);

-- One row per alert. At most one open alert (not resolved) per fingerprint (rule + subject).
-- 'pending' is a condition seen once by a rule that must hold at two evaluations before firing.
CREATE TABLE alert (
    alert_id          uuid        PRIMARY KEY,
    fingerprint       text        NOT NULL,
    rule              text        NOT NULL,
    severity          text        NOT NULL,
    initiative_code   text        NOT NULL,
    subject_code      text        NOT NULL,
    state             text        NOT NULL CHECK (state IN ('pending', 'firing', 'acknowledged', 'resolved')),
    consecutive       integer     NOT NULL,
    title             text        NOT NULL,
    message           text        NOT NULL,
    explanation       text        NOT NULL,
    action            text        NOT NULL,
    details           jsonb       NOT NULL,
    first_seen_at     timestamptz NOT NULL,
    raised_at         timestamptz,
    last_evaluated_at timestamptz NOT NULL,
    announced         boolean     NOT NULL DEFAULT false, -- alert.raised published (not while silenced)
    acknowledged_at   timestamptz,
    acknowledged_by   text,
    escalation_level  integer     NOT NULL DEFAULT 0,
    escalated_at      timestamptz,
    resolved_at       timestamptz,
    resolution        text
);
CREATE UNIQUE INDEX alert_open_fingerprint ON alert (fingerprint) WHERE state <> 'resolved';
CREATE INDEX alert_open_initiative ON alert (initiative_code) WHERE state <> 'resolved';

-- Silences mute a rule, an initiative, or a rule for an initiative, until a date; they expire,
-- they are not deleted (who silenced what, and why, stays on record).
CREATE TABLE alert_silence (
    silence_id      uuid        PRIMARY KEY,
    rule            text,
    initiative_code text,
    ends_at         timestamptz NOT NULL,
    created_by      text        NOT NULL,
    reason          text        NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK (rule IS NOT NULL OR initiative_code IS NOT NULL)
);

-- What the notifier must tell whom: one row per alert event and recipient, until it goes out.
CREATE TABLE notification_item (
    item_id         bigserial   PRIMARY KEY,
    event_id        uuid        NOT NULL,
    alert_id        uuid        NOT NULL,
    recipient_email text        NOT NULL,
    recipient_name  text        NOT NULL,
    recipient_role  text        NOT NULL,
    kind            text        NOT NULL CHECK (kind IN ('raised', 'escalated', 'reminder', 'resolved')),
    item            jsonb       NOT NULL,
    created_at      timestamptz NOT NULL,
    group_id        uuid,                                -- the notice it went out in (one per channel)
    dropped         boolean     NOT NULL DEFAULT false, -- resolved before it was ever sent
    UNIQUE (event_id, recipient_email, kind)
);
CREATE INDEX notification_item_unsent ON notification_item (recipient_email) WHERE group_id IS NULL AND NOT dropped;
CREATE INDEX notification_item_group ON notification_item (group_id);

-- Every notification, recorded before it is sent: its Message-ID is the idempotency key.
CREATE TABLE notification (
    notification_id uuid        PRIMARY KEY,
    group_id        uuid        NOT NULL,
    recipient_email text        NOT NULL,
    recipient_name  text        NOT NULL,
    recipient_role  text        NOT NULL,
    channel         text        NOT NULL,
    message_id      text        NOT NULL UNIQUE,
    subject         text        NOT NULL,
    item_count      integer     NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE INDEX notification_due ON notification (next_attempt_at) WHERE status = 'pending';

-- The notifier's view of each alert per recipient, for the repeat interval and resolved notices.
CREATE TABLE notifier_alert (
    alert_id         uuid        NOT NULL,
    recipient_email  text        NOT NULL,
    state            text        NOT NULL,
    item             jsonb       NOT NULL,
    last_notified_at timestamptz,
    PRIMARY KEY (alert_id, recipient_email)
);
