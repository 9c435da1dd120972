//! Ticket ids for intake, reserved in blocks: a request takes its id before it reaches the
//! writer, so everything that depends on the id (the tracking number, the documents, the
//! acknowledgement) is built in the request's own task, in parallel, and the single writer
//! only writes. A block is reserved from the database's counter (SQLite) or sequence
//! (PostgreSQL) in its own short transaction, so other processes (the demo loader, other
//! nodes) never get the same ids; ids unused at shutdown are simply skipped.

use crate::{Backend, StoreError};
use sqlx::AnyPool;
use std::collections::VecDeque;
use tokio::sync::Mutex;

/// Ids reserved per block.
const BLOCK: usize = 1024;

/// A process's reserved ids.
#[derive(Default)]
pub(crate) struct IdBlocks {
    free: Mutex<VecDeque<i64>>,
}

impl IdBlocks {
    /// The next id, reserving a new block when the current one is used up.
    pub(crate) async fn next(&self, pool: &AnyPool, backend: Backend) -> Result<i64, StoreError> {
        let mut free = self.free.lock().await;
        if free.is_empty() {
            let start = std::time::Instant::now();
            let mut tx = pool.begin().await?;
            let ids = backend.allocate_ids(&mut tx, BLOCK).await?;
            tx.commit().await?;
            crate::stage::done("ids.block", start);
            free.extend(ids);
        }
        free.pop_front().ok_or(StoreError::Config("no ticket id reserved".into()))
    }
}
