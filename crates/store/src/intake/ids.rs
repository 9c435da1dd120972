//! Ticket ids for intake, reserved in blocks: a request takes its id before it reaches the
//! writer, so everything that depends on the id (the tracking number, the documents, the
//! acknowledgement) is built in the request's own task, in parallel, and the single writer
//! only writes. A block is reserved from the database's counter (SQLite) or sequence
//! (PostgreSQL) in its own short transaction, so other processes (the demo loader, other
//! nodes) never get the same ids; ids unused at shutdown are simply skipped.
//!
//! The next block is reserved in the background when the current one runs low: reserving
//! waits for the write connection, and every request needing an id would wait with it (a
//! stall of the whole intake every [`BLOCK`] tickets, seen at p99).

use crate::{Backend, StoreError};
use sqlx::AnyPool;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Ids reserved per block.
const BLOCK: usize = 1024;

/// Ids left when the next block is reserved in the background.
const LOW: usize = BLOCK / 4;

/// A process's reserved ids.
#[derive(Default)]
pub(crate) struct IdBlocks {
    free: Mutex<VecDeque<i64>>,
    /// A background reservation is under way.
    refilling: AtomicBool,
}

impl IdBlocks {
    /// The next id, reserving a new block when the current one is used up, and the one
    /// after it in the background when it runs low.
    pub(crate) async fn next(self: &Arc<Self>, pool: &AnyPool, backend: Backend) -> Result<i64, StoreError> {
        let mut free = self.free.lock().await;
        if free.is_empty() {
            free.extend(reserve(pool, backend).await?);
        }
        if free.len() == LOW && !self.refilling.swap(true, Ordering::AcqRel) {
            let (blocks, pool) = (Arc::clone(self), pool.clone());
            tokio::spawn(async move {
                match reserve(&pool, backend).await {
                    // Appended after what is left: a later block has higher ids.
                    Ok(ids) => blocks.free.lock().await.extend(ids),
                    // The next request that finds none reserves one itself.
                    Err(e) => tracing::warn!(error = %e, "reserving the next block of ticket ids failed"),
                }
                blocks.refilling.store(false, Ordering::Release);
            });
        }
        free.pop_front().ok_or(StoreError::Config("no ticket id reserved".into()))
    }
}

/// Reserves a block of ids in its own transaction.
async fn reserve(pool: &AnyPool, backend: Backend) -> Result<Vec<i64>, StoreError> {
    let start = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    let ids = backend.allocate_ids(&mut tx, BLOCK).await?;
    tx.commit().await?;
    crate::stage::done("ids.block", start);
    Ok(ids)
}
