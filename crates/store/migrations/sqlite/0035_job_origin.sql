-- The request (its X-Request-Id) that caused a job, so a request's log lines and the jobs
-- it caused can be read together.
ALTER TABLE jobs ADD COLUMN origin TEXT;
