-- Retention (issue 20): when a finished ticket's personal data was removed, the legal
-- holds that keep it, and what each run did.
ALTER TABLE tickets ADD COLUMN anonymised_at BIGINT;

-- Finished tickets that still hold personal data, by their last change: what the daily
-- run reads. A new or open ticket is not in it, so intake writes nothing here.
CREATE INDEX tickets_retention ON tickets (updated_at, id)
    WHERE anonymised_at IS NULL AND state IN ('closed', 'rejected', 'merged');

-- A hold on one ticket, or on every ticket of a customer (their phone in E.164 or their
-- e-mail in lower case, as the tickets' contact columns hold them). Released holds stay,
-- with who released them and why.
CREATE TABLE legal_holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT,
    customer TEXT,
    reason TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    released_by BIGINT,
    released_at BIGINT,
    release_reason TEXT,
    CHECK ((ticket_id IS NULL) <> (customer IS NULL))
);
CREATE INDEX legal_holds_ticket ON legal_holds (ticket_id) WHERE released_at IS NULL;
CREATE INDEX legal_holds_customer ON legal_holds (customer) WHERE released_at IS NULL;

-- One row per run: the time it judged by, and its counts (added chunk by chunk, in each
-- chunk's transaction, so a run resumed after a crash counts nothing twice).
CREATE TABLE retention_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    as_of BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    tickets BIGINT NOT NULL DEFAULT 0,
    events BIGINT NOT NULL DEFAULT 0,
    attachments BIGINT NOT NULL DEFAULT 0,
    deliveries BIGINT NOT NULL DEFAULT 0
);

