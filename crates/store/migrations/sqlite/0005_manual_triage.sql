-- The "needs manual triage" queue (人工辅助分派): tickets triage could not classify with
-- confidence, until a person chooses the category.
ALTER TABLE tickets ADD COLUMN needs_triage BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tickets_needs_triage ON tickets (needs_triage, id);
