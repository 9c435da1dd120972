//! Agents' open work, for routing by load, and the tickets awaiting a supervisor.

use crate::{Reader, StoreError};
use loopdesk_core::{Priority, State, Ticket, UserId};

/// States that count as open work for the assignee.
const OPEN: &str = "'assigned', 'in_progress', 'awaiting_customer', 'awaiting_approval', 'reopened'";

impl Reader {
    /// Open tickets per assignee and priority, for the given users.
    pub async fn open_load(&self, users: &[UserId]) -> Result<Vec<(UserId, Priority, u32)>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = users.iter().map(|u| u.0.to_string()).collect();
        let sql = format!(
            "SELECT assignee_id, priority_rank, COUNT(*) FROM tickets \
             WHERE assignee_id IN ({}) AND state IN ({OPEN}) GROUP BY assignee_id, priority_rank",
            list.join(", ")
        );
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(u, rank, n)| {
                let p = Priority::from_rank(rank)?;
                Some((UserId(u), p, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect())
    }

    /// Tickets in `state`, oldest change first, at most `limit`.
    pub async fn tickets_in_state(&self, state: State, limit: i64) -> Result<Vec<Ticket>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM tickets WHERE state = $1 ORDER BY updated_at, id LIMIT $2")
                .bind(state.as_str())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|(doc,)| serde_json::from_str(doc).map_err(StoreError::from)).collect()
    }
}
