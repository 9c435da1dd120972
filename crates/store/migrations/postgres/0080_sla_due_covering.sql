-- Issue 18: the SLA tabs' counts read the due index alone. A count groups the matching
-- tickets by state; with the state carried in the index (INCLUDE: the due order and its
-- cursor are unchanged) PostgreSQL can answer the count with an index-only scan instead
-- of one heap row per ticket.
DROP INDEX tickets_sla_due;
CREATE INDEX tickets_sla_due ON tickets (sla_due, id) INCLUDE (state) WHERE sla_due IS NOT NULL;
