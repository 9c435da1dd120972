//! Bulk import of fully formed tickets with their timelines (demo data, migrations from
//! other systems). Ids are reserved first so events can name their ticket. Each ticket's
//! timers (the change hook's jobs for its timeline, e.g. its SLA check) are written in the
//! same transaction, as for an intake or a change.

use crate::counts::CountDeltas;
use crate::jobs::JobOp;
use crate::tickets::{insert_events, insert_tickets, EventRow, TicketRow};
use crate::{Store, StoreError};
use loopdesk_core::{Event, EventData, Ticket};

/// Tickets handled per round of inserts (the insert helpers split statements further).
const ROWS_PER_STATEMENT: usize = 500;

impl Store {
    /// Reserves `n` ticket ids for tickets built outside the intake path.
    pub async fn reserve_ticket_ids(&self, n: usize) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let ids = self.backend.allocate_ids(&mut tx, n).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Writes tickets and their events in one transaction. Each ticket must equal what its
    /// events replay to (ids from [`Store::reserve_ticket_ids`]). What an imported ticket
    /// owes ([`crate::Effects::imported`]: its timers) is written in the same transaction.
    pub async fn import(&self, batch: &[(Ticket, Vec<Event>)]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut deltas = CountDeltas::default();
        let mut ops: Vec<JobOp> = Vec::new();
        for chunk in batch.chunks(ROWS_PER_STATEMENT) {
            let tickets: Vec<Ticket> = chunk.iter().map(|(t, _)| t.clone()).collect();
            let rows = tickets.iter().map(TicketRow::of).collect::<Result<Vec<_>, _>>()?;
            insert_tickets(&mut tx, self.backend, &rows).await?;
            let events: Vec<Event> = chunk.iter().flat_map(|(_, e)| e.iter().cloned()).collect();
            let rows = events.iter().map(EventRow::of).collect::<Result<Vec<_>, _>>()?;
            insert_events(&mut tx, self.backend, &rows).await?;
            crate::search::index_new(&mut tx, self.backend, &tickets, &events).await?;
            for t in &tickets {
                deltas.add(t, 1);
            }
            let mut dues = Vec::with_capacity(chunk.len());
            for (t, events) in chunk {
                let owed = self.hooks.effects.imported(t, events);
                dues.extend(owed.sla_due.map(|d| (t.id, d.ms())));
                ops.extend(owed.jobs);
            }
            crate::tickets::set_sla_due(&mut tx, self.backend, &dues).await?;
            for (t, events) in chunk {
                for e in events {
                    if let EventData::CollaboratorAdded { user_id } = e.data {
                        sqlx::query("INSERT INTO ticket_collaborators (ticket_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .bind(t.id.0)
                            .bind(user_id.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
        }
        deltas.flush(&mut tx, self.backend, self.day_zone.get()).await?;
        let earliest = crate::jobs::write_ops(&mut tx, &ops).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        Ok(())
    }
}
