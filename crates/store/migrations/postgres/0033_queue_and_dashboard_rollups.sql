-- Issue 6 at a million tickets.
-- Queue indexes that carry the priority: each (state, priority) part of a queue reads its
-- rows already in order, for one assignee (or none: the unassigned queue), one department,
-- or the tickets waiting for manual triage (a partial index: they are few).
DROP INDEX tickets_assignee;
CREATE INDEX tickets_assignee ON tickets (assignee_id, state, priority_rank, id);
DROP INDEX tickets_department;
CREATE INDEX tickets_department ON tickets (department_id, state, priority_rank, id);
DROP INDEX tickets_needs_triage;
CREATE INDEX tickets_needs_triage ON tickets (state, priority_rank, id) WHERE needs_triage = 1;

-- Per-state counts by owner (assignee and department, 0 for none) and manual triage, kept
-- in the same transaction as every ticket change: the counts of "mine", "unassigned" and
-- "needs manual triage" read a few rows.
CREATE TABLE ticket_owner_counts (
    state TEXT NOT NULL,
    assignee_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    needs_triage BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (state, assignee_id, department_id, needs_triage)
);
INSERT INTO ticket_owner_counts (state, assignee_id, department_id, needs_triage, n)
SELECT state, COALESCE(assignee_id, 0), COALESCE(department_id, 0), needs_triage, COUNT(*)
FROM tickets GROUP BY state, COALESCE(assignee_id, 0), COALESCE(department_id, 0), needs_triage;

-- The dashboard's per-hour rollups (hour = unix ms / 3,600,000), maintained in the same
-- transaction as every ticket change from what the ticket is now, so a period's figures
-- read a few thousand rows instead of scanning tickets and events. `loopdesk rollup
-- rebuild` fills them for tickets written before this migration.
CREATE TABLE dashboard_channels (
    hour BIGINT NOT NULL,
    channel TEXT NOT NULL,
    n BIGINT NOT NULL,
    intake_on_time BIGINT NOT NULL,
    PRIMARY KEY (hour, channel)
);
CREATE TABLE dashboard_categories (
    hour BIGINT NOT NULL,
    category TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (hour, category)
);
-- First responses by the hour the ticket was recorded, resolutions by the hour of the
-- (latest) resolution; both by the ticket's current priority.
CREATE TABLE dashboard_priorities (
    hour BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    first_responses BIGINT NOT NULL,
    first_response_ms BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    handling_ms BIGINT NOT NULL,
    PRIMARY KEY (hour, priority_rank)
);
-- The latest survey answer of each ticket, by the hour it was given.
CREATE TABLE dashboard_surveys (
    hour BIGINT NOT NULL PRIMARY KEY,
    answered BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    neutral BIGINT NOT NULL,
    unsatisfied BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score_sum BIGINT NOT NULL
);
-- Tickets per problem cluster by the hour they were recorded.
CREATE TABLE dashboard_problems (
    hour BIGINT NOT NULL,
    cluster_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (hour, cluster_id)
);
-- SLA results: every target clock that stopped (met or breached), recorded with the
-- change that stopped it, and their rollup by hour, priority and target.
CREATE TABLE sla_results (
    ticket_id BIGINT NOT NULL,
    target TEXT NOT NULL,
    stopped_at BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    met BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, target, stopped_at)
);
CREATE TABLE dashboard_sla (
    hour BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    target TEXT NOT NULL,
    met BIGINT NOT NULL,
    breached BIGINT NOT NULL,
    PRIMARY KEY (hour, priority_rank, target)
);
