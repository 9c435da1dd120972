-- Issue 18 §1: SLA urgency in every queue. A ticket's due time as queues show and sort it
-- (loopdesk_core::sla::due_at: the earliest due time of a clock still counting, past when
-- overdue; NULL when none counts, so closed and waiting tickets are not in the index). It
-- is written with every change the SLA timer is, in the same transaction. Tickets recorded
-- before this column get theirs from the recompute sweep queued here (only when there are
-- any: a new database needs none).
ALTER TABLE tickets ADD COLUMN sla_due BIGINT;
CREATE INDEX tickets_sla_due ON tickets (sla_due, id) WHERE sla_due IS NOT NULL;
INSERT INTO jobs (kind, dedup_key, payload, run_at, attempts, state, created_at)
SELECT 'sla.recompute', 'sla.recompute', '{"after":0}', 0, 0, 'pending', 0
WHERE EXISTS (SELECT 1 FROM tickets)
ON CONFLICT DO NOTHING;
