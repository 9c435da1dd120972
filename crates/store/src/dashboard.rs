//! The supervisor dashboard's figures for a period, each computed by the database with
//! SQL aggregates over indexed ranges (tickets by `recorded_at`, events by `(kind, at)`);
//! nothing is loaded row by row.

use crate::sql::ms;
use crate::{Store, StoreError};
use loopdesk_core::{Priority, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// Intake within this long counts as timely for forms the system captures (seed 003).
const INTAKE_SYSTEM_MS: i64 = 5 * 60 * 1000;
/// ... and for feedback staff record by hand.
const INTAKE_STAFF_MS: i64 = 30 * 60 * 1000;

/// Result deadline per priority, in calendar hours, for the on-time rate: the seed's
/// working-day budgets spread over a 7-day week (urgent runs round the clock).
fn result_budget_ms(p: Priority) -> i64 {
    let hours = match p {
        Priority::Urgent => 24,
        Priority::High => 3 * 24 * 7 / 5,
        Priority::Medium => 7 * 24 * 7 / 5,
        Priority::Low => 10 * 24 * 7 / 5,
    };
    hours * 3600 * 1000
}

/// Figures of one priority.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PriorityFigures {
    pub priority: Option<Priority>,
    /// Tickets recorded in the period that got a first reply, and their mean wait.
    pub first_responses: i64,
    pub first_response_avg_ms: i64,
    /// Tickets resolved in the period, mean handling time, and how many within the deadline.
    pub resolved: i64,
    pub handling_avg_ms: i64,
    pub on_time: i64,
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
}

/// Count, satisfied, neutral, unsatisfied, score sum, scored answers.
type SurveyRow = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

impl Store {
    /// The dashboard for tickets recorded (and events happening) in `[from, to)`.
    pub async fn dashboard(&self, from: Timestamp, to: Timestamp) -> Result<Dashboard, StoreError> {
        let mut d = Dashboard::default();
        self.volume(&mut d, from, to).await?;
        let mut per: BTreeMap<i64, PriorityFigures> = Priority::ALL
            .iter()
            .map(|p| (p.rank(), PriorityFigures { priority: Some(*p), ..Default::default() }))
            .collect();
        self.first_responses(&mut per, from, to).await?;
        self.resolutions(&mut per, from, to).await?;
        d.per_priority = per.into_values().collect();
        d.resolved = d.per_priority.iter().map(|p| p.resolved).sum();
        self.surveys(&mut d, from, to).await?;
        d.top_problems = self.top_problems(from, to, 5).await?;
        Ok(d)
    }

    async fn volume(&self, d: &mut Dashboard, from: Timestamp, to: Timestamp) -> Result<(), StoreError> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT channel, category, COUNT(*), CAST(SUM(CASE WHEN recorded_at - received_at <= \
             (CASE WHEN channel IN ('web', 'app') THEN $3 ELSE $4 END) THEN 1 ELSE 0 END) AS BIGINT) \
             FROM tickets WHERE recorded_at >= $1 AND recorded_at < $2 GROUP BY channel, category",
        )
        .bind(ms(from))
        .bind(ms(to))
        .bind(INTAKE_SYSTEM_MS)
        .bind(INTAKE_STAFF_MS)
        .fetch_all(&self.pool)
        .await?;
        for (channel, category, n, on_time) in rows {
            d.total += n;
            d.intake_on_time += on_time;
            *d.by_channel.entry(channel).or_default() += n;
            *d.by_category.entry(category).or_default() += n;
        }
        Ok(())
    }

    async fn first_responses(
        &self,
        per: &mut BTreeMap<i64, PriorityFigures>,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(), StoreError> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT t.priority_rank, COUNT(*), CAST(SUM(f.first_at - t.received_at) AS BIGINT) FROM tickets t \
             JOIN (SELECT ticket_id, MIN(at) AS first_at FROM events WHERE kind = 'replied' AND at >= $1 \
                   GROUP BY ticket_id) f ON f.ticket_id = t.id \
             WHERE t.recorded_at >= $1 AND t.recorded_at < $2 GROUP BY t.priority_rank",
        )
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(&self.pool)
        .await?;
        for (rank, n, sum) in rows {
            if let Some(p) = per.get_mut(&rank) {
                p.first_responses = n;
                p.first_response_avg_ms = if n > 0 { sum / n } else { 0 };
            }
        }
        Ok(())
    }

    async fn resolutions(
        &self,
        per: &mut BTreeMap<i64, PriorityFigures>,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(), StoreError> {
        let budget = |p: Priority| result_budget_ms(p);
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT t.priority_rank, COUNT(*), CAST(SUM(e.at - t.received_at) AS BIGINT), \
             CAST(SUM(CASE WHEN e.at - t.received_at <= (CASE t.priority_rank WHEN 0 THEN $3 WHEN 1 THEN $4 \
                  WHEN 2 THEN $5 ELSE $6 END) THEN 1 ELSE 0 END) AS BIGINT) \
             FROM events e JOIN tickets t ON t.id = e.ticket_id \
             WHERE e.kind = 'resolved' AND e.at >= $1 AND e.at < $2 GROUP BY t.priority_rank",
        )
        .bind(ms(from))
        .bind(ms(to))
        .bind(budget(Priority::Urgent))
        .bind(budget(Priority::High))
        .bind(budget(Priority::Medium))
        .bind(budget(Priority::Low))
        .fetch_all(&self.pool)
        .await?;
        for (rank, n, sum, on_time) in rows {
            if let Some(p) = per.get_mut(&rank) {
                p.resolved = n;
                p.handling_avg_ms = if n > 0 { sum / n } else { 0 };
                p.on_time = on_time;
            }
        }
        Ok(())
    }

    async fn surveys(&self, d: &mut Dashboard, from: Timestamp, to: Timestamp) -> Result<(), StoreError> {
        let score_cases: String =
            (1..=5).map(|s| format!("WHEN doc LIKE '%\"score\":{s}%' THEN {s} ")).collect::<Vec<_>>().concat();
        let sql = format!(
            "SELECT COUNT(*), \
             CAST(SUM(CASE WHEN doc LIKE '%\"rating\":\"satisfied\"%' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN doc LIKE '%\"rating\":\"neutral\"%' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN doc LIKE '%\"rating\":\"unsatisfied\"%' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE {score_cases}ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN doc LIKE '%\"score\":_%' AND doc NOT LIKE '%\"score\":null%' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM events WHERE kind = 'survey_answered' AND at >= $1 AND at < $2"
        );
        let row: SurveyRow = sqlx::query_as(&sql).bind(ms(from)).bind(ms(to)).fetch_one(&self.pool).await?;
        d.surveys = row.0;
        d.satisfied = row.1.unwrap_or(0);
        d.neutral = row.2.unwrap_or(0);
        d.unsatisfied = row.3.unwrap_or(0);
        d.score_sum = row.4.unwrap_or(0);
        d.scored = row.5.unwrap_or(0);
        Ok(())
    }

    async fn top_problems(&self, from: Timestamp, to: Timestamp, limit: i64) -> Result<Vec<ProblemCount>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT s.cluster_id, COUNT(*) AS n FROM tickets t JOIN ticket_signatures s ON s.ticket_id = t.id \
             WHERE t.recorded_at >= $1 AND t.recorded_at < $2 GROUP BY s.cluster_id HAVING COUNT(*) > 1 \
             ORDER BY n DESC, s.cluster_id LIMIT $3",
        )
        .bind(ms(from))
        .bind(ms(to))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(cluster_id, tickets)| ProblemCount { cluster_id, tickets }).collect())
    }
}
