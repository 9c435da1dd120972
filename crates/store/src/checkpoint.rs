//! SQLite checkpoints off the write path. Left to itself, SQLite checkpoints inside the
//! commit that grows the write-ahead log past 1,000 pages: that commit copies the log into
//! the database file and syncs it while holding the one write lock, so every intake
//! waiting behind it waits for the copy too (under load, every few batches). The writer
//! therefore never checkpoints (`wal_autocheckpoint = 0`), and this task does, on its own
//! connection, a few times a second. A passive checkpoint copies what no reader still needs
//! without blocking writers; durability is unchanged, since a commit is synced to the log
//! before it returns.

use sqlx::AnyPool;
use std::time::Duration;

/// How often the log is copied into the database file.
const EVERY: Duration = Duration::from_millis(250);

/// Checkpoints through `pool` (one connection of its own) until the pool is closed.
pub(crate) fn spawn(pool: AnyPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "checkpoint failed; retrying");
            }
        }
    });
}
