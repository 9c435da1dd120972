-- Issue 16 §4: self-service tracking use per channel. Each customer look-up of a ticket's
-- status by its tracking number (the portal's status page, GET /api/v1/track/…) is logged
-- here (ticket and instant only: no contact, no address) and counted in the report rollups
-- as `tracked`, at the look-up's hour under the ticket's key then
-- (loopdesk_core::report::fact::lookup). The log is what `loopdesk rollup rebuild` counts
-- again, as sla_results are for the SLA rollups.
CREATE TABLE tracking_lookups (
    ticket_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX tracking_lookups_ticket ON tracking_lookups (ticket_id);
ALTER TABLE report_facts ADD COLUMN tracked BIGINT NOT NULL DEFAULT 0;
ALTER TABLE report_day_facts ADD COLUMN tracked BIGINT NOT NULL DEFAULT 0;
