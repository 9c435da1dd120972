-- Issue 16: the open backlog per report key over all time, i.e. what the backlog deltas of
-- report_facts add up to, kept in the same transactions. A report's opening backlog (the
-- open tickets when its period begins) is then this less the deltas since the period
-- began, a read as long as the time since then, instead of the sum of every hour row
-- before it, which grows with the whole history (seconds at a million tickets).
CREATE TABLE report_backlog (
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    subtag TEXT NOT NULL,
    product TEXT NOT NULL,
    department_id BIGINT NOT NULL,
    agent_id BIGINT NOT NULL,
    priority_rank BIGINT NOT NULL,
    tier TEXT NOT NULL,
    backlog BIGINT NOT NULL,
    PRIMARY KEY (channel, category, subtag, product, department_id, agent_id, priority_rank, tier)
) WITHOUT ROWID;
INSERT INTO report_backlog
    (channel, category, subtag, product, department_id, agent_id, priority_rank, tier, backlog)
SELECT channel, category, subtag, product, department_id, agent_id, priority_rank, tier, CAST(SUM(backlog) AS BIGINT)
FROM report_facts
GROUP BY channel, category, subtag, product, department_id, agent_id, priority_rank, tier
HAVING SUM(backlog) <> 0;
