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
    /// Waits for this ticket's turn.
    pub(crate) async fn lock(&self, id: TicketId) -> MutexGuard<'_, ()> {
        self.stripes[(id.0.unsigned_abs() as usize) % STRIPES].lock().await
    }
}
