-- Versioned configuration documents (SLA policies, calendars, routing rules, triage rules,
-- templates, …): every change adds a row with who made it and why; the newest is in effect
-- and the older rows are the audit trail.
CREATE TABLE documents (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    comment TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
