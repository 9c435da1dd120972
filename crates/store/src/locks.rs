//! Striped per-ticket locks: concurrent changes to one ticket within a process queue up
//! instead of colliding on the optimistic version check and retrying.

use loopdesk_core::TicketId;
use tokio::sync::{Mutex, MutexGuard};

const STRIPES: usize = 256;

/// A fixed set of mutexes; a ticket maps to one by its id.
pub(crate) struct Striped {
    stripes: Vec<Mutex<()>>,
}

impl Default for Striped {
    fn default() -> Self {
        Striped { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect() }
    }
}

impl Striped {
    fn stripe(id: TicketId) -> usize {
        (id.0.unsigned_abs() as usize) % STRIPES
    }

    /// Waits for this ticket's turn.
    pub(crate) async fn lock(&self, id: TicketId) -> MutexGuard<'_, ()> {
        self.stripes[Self::stripe(id)].lock().await
    }

    /// Waits for the turn of every one of these tickets: their stripes once each, always
    /// in the same order, so two callers never wait for each other in a circle.
    pub(crate) async fn lock_many(&self, ids: &[TicketId]) -> Vec<MutexGuard<'_, ()>> {
        let mut stripes: Vec<usize> = ids.iter().map(|id| Self::stripe(*id)).collect();
        stripes.sort_unstable();
        stripes.dedup();
        let mut guards = Vec::with_capacity(stripes.len());
        for s in stripes {
            guards.push(self.stripes[s].lock().await);
        }
        guards
    }
}
