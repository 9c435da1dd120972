-- Issue 16: the first-response wait sketch per local day summed across priorities, kept
-- with report_day_waits in the same transactions. A trend shows its figures across
-- priorities: a year's daily trend reads these (a quarter of the rows of report_day_waits,
-- and no sort to sum them) unless it is narrowed to a priority or a department.
CREATE TABLE report_day_waits_all (
    day BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (day, bucket)
) WITHOUT ROWID;
INSERT INTO report_day_waits_all (day, bucket, n)
SELECT day, bucket, CAST(SUM(n) AS BIGINT) FROM report_day_waits GROUP BY day, bucket;
