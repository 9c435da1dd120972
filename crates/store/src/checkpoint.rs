//! SQLite checkpoints off the write path. Left to itself, SQLite checkpoints inside the
//! commit that grows the write-ahead log past 1,000 pages: that commit copies the log into
//! the database file and syncs it while holding the one write lock, so every intake
//! waiting behind it waits for the copy too (under load, every few batches). The writer
//! therefore never checkpoints (`wal_autocheckpoint = 0`), and this task does, on its own
//! connection, a few times a second. A passive checkpoint copies what no reader still needs
//! without blocking writers; durability is unchanged, since a commit is synced to the log
//! before it returns.
//!
//! Under steady writes that alone never lets the log start over: SQLite rewinds it only
//! when a write begins with every frame already copied, and by then the next commit has
//! always appended more. The log then grows without end (hundreds of MB a minute at full
//! intake), and every frame lands on newly allocated, zeroed file blocks. So once the log
//! is long, the task finishes the copy on the writer's own connection, between two write
//! transactions: only the frames of the last moments are left, and the next commit rewinds
//! the log and rewrites blocks the file already has.

use sqlx::{AnyPool, Row};
use std::time::Duration;

/// How often the log is copied into the database file.
const EVERY: Duration = Duration::from_millis(250);

/// Frames in the log (4 KiB each) past which the writer's connection finishes the copy.
/// Each finish holds the one write connection for a few milliseconds to tens of them
/// whatever the log's length: the passive copies keep up, so what is left to copy is the
/// last moments' frames, and the sync of the database file. At full intake the log gains
/// about 18,000 frames a second; at 4,096 frames the finish ran at every tick (4 a second,
/// 7% of the writer's time), at 16,384 about once a second. The log file then stays at
/// 64 MB, its blocks rewritten rather than newly allocated.
const REWIND_AT: i64 = 16_384;

/// Checkpoints through `pool` (one connection of its own) until the pool is closed; `writer`
/// is the pool of the one write connection.
pub(crate) fn spawn(pool: AnyPool, writer: AnyPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() || writer.is_closed() {
                return;
            }
            if let Err(e) = settle(&pool, &writer, REWIND_AT).await {
                if pool.is_closed() || writer.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "checkpoint failed; retrying");
            }
        }
    });
}

/// Copies the log into the database file on the checkpointer's connection; when the log
/// holds `rewind_at` frames or more, finishes on the writer's, so the next write rewinds it.
async fn settle(pool: &AnyPool, writer: &AnyPool, rewind_at: i64) -> Result<(), sqlx::Error> {
    if checkpoint(pool).await? >= rewind_at {
        // Timed: it holds the one write connection, so intakes wait for it (`begin`).
        let start = std::time::Instant::now();
        checkpoint(writer).await?;
        crate::stage::done("checkpoint.finish", start);
    }
    Ok(())
}

/// A passive checkpoint; answers how many frames the log holds.
async fn checkpoint(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(pool).await?;
    row.try_get::<i64, _>(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::any::AnyPoolOptions;
    use sqlx::Executor;

    async fn pool(url: &str, writer: bool) -> AnyPool {
        AnyPoolOptions::new()
            .max_connections(1)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if writer {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .expect("pool")
    }

    async fn write(writer: &AnyPool, rows: i64) {
        for i in 0..rows {
            sqlx::query("INSERT INTO t (v) VALUES ($1)")
                .bind(format!("{i:0>500}"))
                .execute(writer)
                .await
                .expect("insert");
        }
    }

    /// Frames in the log after a passive checkpoint on `pool`.
    async fn log_frames(pool: &AnyPool) -> i64 {
        checkpoint(pool).await.expect("checkpoint")
    }

    #[tokio::test]
    async fn once_the_copy_is_finished_the_next_write_starts_the_log_over() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("db").display());
        let writer = pool(&url, true).await;
        let checkpointer = pool(&url, false).await;
        let reader = pool(&url, false).await;
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").execute(&writer).await.expect("table");
        write(&writer, 50).await;

        // A copy that cannot finish (here a reader on an older snapshot; under load, the
        // commits that land while it runs): later writes append, the log grows.
        let mut snapshot = reader.begin().await.expect("read transaction");
        sqlx::query("SELECT count(*) FROM t").fetch_one(&mut *snapshot).await.expect("read");
        write(&writer, 5).await;
        let first = log_frames(&checkpointer).await;
        write(&writer, 5).await;
        let grown = log_frames(&checkpointer).await;
        assert!(grown > first, "log of {first} frames became {grown}");
        snapshot.rollback().await.expect("end of read");

        // Past the threshold, the copy is finished and the next write rewinds the log.
        settle(&checkpointer, &writer, 1).await.expect("settle");
        write(&writer, 1).await;
        let after = log_frames(&checkpointer).await;
        assert!(after < 10, "the log still holds {after} frames after the rewind (was {grown})");
    }
}
