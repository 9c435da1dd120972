//! Self-service tracking use: a customer's look-up of a ticket's status by its tracking
//! number, logged (ticket and instant only) and counted in the report rollups in one
//! transaction (migration 0056).

use super::deltas::ReportDeltas;
use crate::sql::ms;
use crate::{Store, StoreError};
use loopdesk_core::{Ticket, Timestamp};

impl Store {
    /// Records that the customer looked `t` up at `at`: one row in the log a rollup rebuild
    /// counts again, and `tracked` + 1 in the hour and day rows of the ticket's key now.
    #[tracing::instrument(skip_all, fields(ticket = t.id.0))]
    pub async fn record_tracking_lookup(&self, t: &Ticket, at: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO tracking_lookups (ticket_id, at) VALUES ($1, $2)")
            .bind(t.id.0)
            .bind(ms(at))
            .execute(&mut *tx)
            .await?;
        let mut deltas = ReportDeltas::default();
        deltas.add_lookup(t, at);
        deltas.flush(&mut tx, self.backend, self.day_zone.get()).await?;
        tx.commit().await?;
        Ok(())
    }
}
