//! Failed sign-ins per account name, for the per-account login limit: every node reads and
//! counts through the database, so the limit holds whatever the number of nodes.

use crate::sql::{from_ms, ms};
use crate::{Store, StoreError};
use loopdesk_core::Timestamp;

/// Hours after which a name's failures are forgotten.
pub const FAILURE_WINDOW_HOURS: i64 = 24;

/// The failures recorded for a name after one more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Consecutive failures (since the last success).
    pub failures: i64,
    /// When the name may try again (in the past when it is not locked).
    pub locked_until: Timestamp,
}

impl Store {
    /// Until when `username` is locked, if it is locked at `now`.
    pub async fn login_locked_until(&self, username: &str, now: Timestamp) -> Result<Option<Timestamp>, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT locked_until FROM login_failures WHERE username = $1 AND locked_until > $2")
                .bind(username)
                .bind(ms(now))
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(t,)| from_ms(t)))
    }

    /// Counts one more failure for `username` at `now`; `lock_for` turns the new count into
    /// how long the name is locked (zero: not locked). Failures count as consecutive while
    /// each comes within [`FAILURE_WINDOW_HOURS`] of the one before; names idle longer than
    /// that are forgotten. One statement per step, so two nodes counting at once both count.
    pub async fn login_failed(
        &self,
        username: &str,
        now: Timestamp,
        lock_for: impl Fn(i64) -> chrono::Duration,
    ) -> Result<LoginFailures, StoreError> {
        let stale = ms(now - chrono::Duration::hours(FAILURE_WINDOW_HOURS));
        sqlx::query("DELETE FROM login_failures WHERE last_failed_at < $1 AND locked_until < $2")
            .bind(stale)
            .bind(ms(now))
            .execute(&self.pool)
            .await?;
        let (failures,): (i64,) = sqlx::query_as(
            "INSERT INTO login_failures (username, failures, last_failed_at, locked_until) VALUES ($1, 1, $2, 0) \
             ON CONFLICT (username) DO UPDATE SET failures = login_failures.failures + 1, last_failed_at = $2 \
             RETURNING failures",
        )
        .bind(username)
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        let locked_until = now + lock_for(failures);
        sqlx::query("UPDATE login_failures SET locked_until = $2 WHERE username = $1")
            .bind(username)
            .bind(ms(locked_until))
            .execute(&self.pool)
            .await?;
        Ok(LoginFailures { failures, locked_until })
    }

    /// Forgets the failures of `username` (it signed in).
    pub async fn login_succeeded(&self, username: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1").bind(username).execute(&self.pool).await?;
        Ok(())
    }
}
