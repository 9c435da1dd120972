-- Issue 18: what the receiving side reported about an e-mail delivery (RFC 3464 delivery
-- status notifications read from the support mailbox): `delivered`, `relayed`, `delayed` or
-- `failed` (a bounce), with the enhanced status code, the remote server's diagnostic and
-- when it happened. One row per delivery: a final report (delivered, relayed, failed)
-- replaces a delay warning, never the other way round.
CREATE TABLE delivery_reports (
    delivery_id BIGINT PRIMARY KEY,
    outcome TEXT NOT NULL,
    status TEXT,
    diagnostic TEXT,
    reported_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL
);
