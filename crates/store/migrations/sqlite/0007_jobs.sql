-- The persisted job queue: timers (SLA checks, follow-ups) and the outbox (notifications).
-- A pending job is due at run_at; a running one holds a lease until run_at (= lease_until),
-- after which another worker may reclaim it. One index on (state, run_at) answers both
-- "what is due" and "when is the next one" without scanning.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    dedup_key TEXT,
    payload TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    state TEXT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE UNIQUE INDEX jobs_pending_key ON jobs (dedup_key) WHERE state = 'pending' AND dedup_key IS NOT NULL;
CREATE INDEX jobs_key ON jobs (dedup_key);
