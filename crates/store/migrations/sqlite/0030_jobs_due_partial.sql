-- Due-time lookups by state use one small partial index each: the worker's "next due"
-- (pending and expired leases) and the purge of done jobs are index-only seeks that never
-- walk past the done/failed history. Replaces the (state, run_at) index of 0007.
DROP INDEX jobs_due;
CREATE INDEX jobs_pending_run_at ON jobs (run_at) WHERE state = 'pending';
CREATE INDEX jobs_running_run_at ON jobs (run_at) WHERE state = 'running';
CREATE INDEX jobs_done_run_at ON jobs (run_at) WHERE state = 'done';
