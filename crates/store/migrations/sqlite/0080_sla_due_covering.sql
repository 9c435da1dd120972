-- Issue 18: the SLA tabs' counts read the due index alone. A count groups the matching
-- tickets by state; with the state in the index (after the key, so the due order and its
-- cursor are unchanged) SQLite counts up to the cap from index pages instead of one table
-- row per ticket (an "overdue" page at 1,000,000 tickets counted 10,001 rows three times).
DROP INDEX tickets_sla_due;
CREATE INDEX tickets_sla_due ON tickets (sla_due, id, state) WHERE sla_due IS NOT NULL;
