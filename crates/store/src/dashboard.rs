//! The supervisor dashboard's figures for a period, read from the per-hour rollups (see
//! `rollup.rs`): a month reads a few thousand rows whatever the number of tickets. The
//! period is widened to whole hours (UTC), which is exact for periods starting at a
//! midnight of a whole-hour time zone and ending now.

use crate::rollup::HOUR_MS;
use crate::sql::{arguments, ms, Conditions, Value};
use crate::{Reader, StoreError};
use loopdesk_core::{Priority, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// Figures of one priority.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PriorityFigures {
    pub priority: Option<Priority>,
    /// Tickets recorded in the period that got a first reply, and their mean wait.
    pub first_responses: i64,
    pub first_response_avg_ms: i64,
    /// Tickets whose latest resolution falls in the period, and their mean handling time.
    pub resolved: i64,
    pub handling_avg_ms: i64,
    /// Result targets met in the period, of `on_time_of` completed (met or breached): the
    /// SLA results recorded when the clocks stopped.
    pub on_time: i64,
    pub on_time_of: i64,
}

impl PriorityFigures {
    /// Share of the completed result targets that were met (0–1), `None` when none
    /// completed: the one definition of "on time" that the dashboard's tile, table and
    /// chart all show.
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.on_time, self.on_time_of)
    }
}

/// The reports' definition of a share, so the dashboard and the reports divide alike.
pub use loopdesk_core::report::rate;

/// Met and breached SLA results of one target in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetFigures {
    pub met: i64,
    pub breached: i64,
}

/// A problem cluster and how many of its tickets arrived in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemCount {
    pub cluster_id: i64,
    pub tickets: i64,
}

/// Everything the dashboard shows for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dashboard {
    pub total: i64,
    pub intake_on_time: i64,
    pub by_channel: BTreeMap<String, i64>,
    pub by_category: BTreeMap<String, i64>,
    pub per_priority: Vec<PriorityFigures>,
    pub resolved: i64,
    pub surveys: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub unsatisfied: i64,
    pub scored: i64,
    pub score_sum: i64,
    pub top_problems: Vec<ProblemCount>,
    /// SLA results per target (`first_response`, `result`, …).
    pub sla: BTreeMap<String, TargetFigures>,
}

/// Answered, satisfied, neutral, unsatisfied, scored answers, score sum.
type SurveyRow = (Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// The rollup hours covering `[from, to)`.
fn hours(from: Timestamp, to: Timestamp) -> (i64, i64) {
    (ms(from).div_euclid(HOUR_MS), (ms(to) + HOUR_MS - 1).div_euclid(HOUR_MS))
}

impl Reader {
    /// The dashboard for tickets recorded (and results, answers happening) in `[from, to)`.
    pub async fn dashboard(&self, from: Timestamp, to: Timestamp) -> Result<Dashboard, StoreError> {
        let (from, to) = hours(from, to);
        let mut d = Dashboard::default();
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT channel, CAST(SUM(n) AS BIGINT), CAST(SUM(intake_on_time) AS BIGINT) FROM dashboard_channels \
             WHERE hour >= $1 AND hour < $2 GROUP BY channel",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for (channel, n, on_time) in rows.into_iter().filter(|r| r.1 != 0) {
            d.total += n;
            d.intake_on_time += on_time;
            d.by_channel.insert(channel, n);
        }
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT category, CAST(SUM(n) AS BIGINT) FROM dashboard_categories \
             WHERE hour >= $1 AND hour < $2 GROUP BY category",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        d.by_category = rows.into_iter().filter(|r| r.1 != 0).collect();

        let mut per: BTreeMap<i64, PriorityFigures> = Priority::ALL
            .iter()
            .map(|p| (p.rank(), PriorityFigures { priority: Some(*p), ..Default::default() }))
            .collect();
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT priority_rank, CAST(SUM(first_responses) AS BIGINT), CAST(SUM(first_response_ms) AS BIGINT), \
             CAST(SUM(resolved) AS BIGINT), CAST(SUM(handling_ms) AS BIGINT) FROM dashboard_priorities \
             WHERE hour >= $1 AND hour < $2 GROUP BY priority_rank",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for (rank, fr, fr_ms, resolved, handling_ms) in rows {
            if let Some(p) = per.get_mut(&rank) {
                p.first_responses = fr;
                p.first_response_avg_ms = if fr > 0 { fr_ms / fr } else { 0 };
                p.resolved = resolved;
                p.handling_avg_ms = if resolved > 0 { handling_ms / resolved } else { 0 };
            }
        }
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT priority_rank, target, CAST(SUM(met) AS BIGINT), CAST(SUM(breached) AS BIGINT) \
             FROM dashboard_sla WHERE hour >= $1 AND hour < $2 GROUP BY priority_rank, target",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        for (rank, target, met, breached) in rows {
            if target == "result" {
                if let Some(p) = per.get_mut(&rank) {
                    p.on_time = met;
                    p.on_time_of = met + breached;
                }
            }
            let f = d.sla.entry(target).or_default();
            f.met += met;
            f.breached += breached;
        }
        d.per_priority = per.into_values().collect();
        d.resolved = d.per_priority.iter().map(|p| p.resolved).sum();

        let row: SurveyRow = sqlx::query_as(
            "SELECT CAST(SUM(answered) AS BIGINT), CAST(SUM(satisfied) AS BIGINT), CAST(SUM(neutral) AS BIGINT), \
             CAST(SUM(unsatisfied) AS BIGINT), CAST(SUM(scored) AS BIGINT), CAST(SUM(score_sum) AS BIGINT) \
             FROM dashboard_surveys WHERE hour >= $1 AND hour < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(&self.pool)
        .await?;
        d.surveys = row.0.unwrap_or(0);
        d.satisfied = row.1.unwrap_or(0);
        d.neutral = row.2.unwrap_or(0);
        d.unsatisfied = row.3.unwrap_or(0);
        d.scored = row.4.unwrap_or(0);
        d.score_sum = row.5.unwrap_or(0);

        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT cluster_id, CAST(SUM(n) AS BIGINT) AS tickets FROM dashboard_problems \
             WHERE hour >= $1 AND hour < $2 GROUP BY cluster_id HAVING SUM(n) > 1 \
             ORDER BY tickets DESC, cluster_id LIMIT 5",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        d.top_problems = rows.into_iter().map(|(cluster_id, tickets)| ProblemCount { cluster_id, tickets }).collect();
        Ok(d)
    }

    /// Tickets per hour of `[from, to)` in each of the problem clusters `ids`:
    /// `(cluster, hour, tickets)`, what the top problems' sparklines draw.
    pub async fn problem_hours(
        &self,
        from: Timestamp,
        to: Timestamp,
        ids: &[i64],
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut c = Conditions::default();
        let a = c.arg(Value::Int(ms(from).div_euclid(HOUR_MS)));
        let b = c.arg(Value::Int((ms(to) + HOUR_MS - 1).div_euclid(HOUR_MS)));
        let list = ids.iter().map(|id| c.arg(Value::Int(*id))).collect::<Vec<_>>().join(", ");
        c.push(format!("hour >= {a} AND hour < {b} AND cluster_id IN ({list})"));
        let sql = format!(
            "SELECT cluster_id, hour, CAST(SUM(n) AS BIGINT) FROM dashboard_problems{} GROUP BY cluster_id, hour",
            c.where_sql()
        );
        Ok(sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?)
    }
}
