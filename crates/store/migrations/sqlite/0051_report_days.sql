-- Issue 16: the report rollups summed per local day of the company's time zone, by
-- department and priority (day = the rollup hour the local day starts at, unix ms /
-- 3,600,000). Kept in the same transactions as the hour rows they sum; a month summary or
-- a year's daily trend reads these and the hour rows of its partial days only
-- (loopdesk_core::report::day). `report_day_zone` names the zone the days are cut in:
-- when the company's zone changes the day rows are cut again from the hour rows.
CREATE TABLE report_day_facts (
    day BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
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
    PRIMARY KEY (day, department_id, priority_rank)
) WITHOUT ROWID;
CREATE TABLE report_day_sla (
    day BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    target TEXT NOT NULL,
    met BIGINT NOT NULL,
    breached BIGINT NOT NULL,
    PRIMARY KEY (day, department_id, priority_rank, target)
) WITHOUT ROWID;
-- Waits by day and priority only: a day holds up to a few hundred (priority, bucket) pairs,
-- and by department too it held thousands; a department's percentiles read the hour rows.
CREATE TABLE report_day_waits (
    day BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, priority_rank, bucket)
) WITHOUT ROWID;
CREATE TABLE report_day_zone (
    id BIGINT PRIMARY KEY,
    zone TEXT NOT NULL
);
