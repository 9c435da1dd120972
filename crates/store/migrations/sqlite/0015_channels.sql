-- Channels: the outbox of customer notifications and staff alerts, inbound message keys
-- (threading and de-duplication), quarantined messages, stored attachments, webhook
-- nonces (replay refusal) and IMAP poll positions.

-- One row per outbound message. `key` makes enqueueing idempotent; the row is claimed
-- (state 'sending', lease) before the send and marked 'sent' after it, so a crash leaves
-- at most the in-flight rows ambiguous; they are re-sent with the same Message-ID /
-- Idempotency-Key and counted in `resends`.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    ticket_id BIGINT,
    transport TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    resends BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);
CREATE INDEX deliveries_ticket ON deliveries (ticket_id);

-- Keys of inbound messages already taken in (Message-ID, WeChat MsgId, external id) and
-- threads (the open ticket of a WeChat OpenID, the last customer Message-ID of a ticket).
CREATE TABLE channel_keys (
    key TEXT PRIMARY KEY,
    ticket_id BIGINT NOT NULL,
    value TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    size BIGINT NOT NULL,
    raw BLOB NOT NULL,
    received_at BIGINT NOT NULL
);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);

CREATE TABLE webhook_nonces (
    source TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (source, nonce)
);

CREATE TABLE imap_cursors (
    mailbox TEXT PRIMARY KEY,
    uid_validity BIGINT NOT NULL,
    last_uid BIGINT NOT NULL
);
