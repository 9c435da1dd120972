-- Issue 16: the reports' per-hour rollups (hour = unix ms / 3,600,000), keyed by every
-- dimension a report filters and breaks down by (department and agent 0 for none, text
-- dimensions empty for none). Maintained in the same transaction as every ticket change
-- from what the ticket is now (loopdesk_core::report::fact decides what counts where);
-- `loopdesk rollup rebuild` fills them for tickets written before this migration.
CREATE TABLE report_facts (
    hour BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    subtag TEXT NOT NULL,
    product TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    agent_id BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    tier TEXT NOT NULL,
    recorded BIGINT NOT NULL,
    intake_on_time BIGINT NOT NULL,
    first_responses BIGINT NOT NULL,
    first_response_ms BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    handling_ms BIGINT NOT NULL,
    followed_up BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    neutral BIGINT NOT NULL,
    unsatisfied BIGINT NOT NULL,
    scored BIGINT NOT NULL,
    score_sum BIGINT NOT NULL,
    escalated BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    merged BIGINT NOT NULL,
    manual_triage BIGINT NOT NULL,
    backlog BIGINT NOT NULL,
    PRIMARY KEY (hour, channel, category, subtag, product, department_id, agent_id, priority_rank, tier)
);
-- Stopped SLA clocks by the hour they stopped, the ticket's key then, and the target.
CREATE TABLE report_sla (
    hour BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    subtag TEXT NOT NULL,
    product TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    agent_id BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    tier TEXT NOT NULL,
    target TEXT NOT NULL,
    met BIGINT NOT NULL,
    breached BIGINT NOT NULL,
    PRIMARY KEY (hour, channel, category, subtag, product, department_id, agent_id, priority_rank, tier, target)
);
-- First-response waits in log buckets (loopdesk_core::report::sketch), by the hour the
-- ticket was recorded: percentiles without reading tickets.
CREATE TABLE report_waits (
    hour BIGINT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    subtag TEXT NOT NULL,
    product TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    agent_id BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    tier TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (hour, channel, category, subtag, product, department_id, agent_id, priority_rank, tier, bucket)
);
