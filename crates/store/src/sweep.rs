//! Walking open tickets in id order, a page at a time (keyset pagination on the primary
//! key), for sweeps such as rescheduling every SLA timer after a calendar edit.

use crate::{Reader, StoreError};
use loopdesk_core::TicketId;

impl Reader {
    /// Ids of open tickets (not closed, rejected or merged) above `after`, ascending.
    pub async fn open_ticket_ids(&self, after: TicketId, limit: usize) -> Result<Vec<TicketId>, StoreError> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM tickets WHERE id > $1 AND state NOT IN ('closed', 'rejected', 'merged') \
             ORDER BY id LIMIT $2",
        )
        .bind(after.0)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| TicketId(id)).collect())
    }
}
