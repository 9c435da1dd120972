//! A staff member's TOTP second factor: the sealed secret (the application seals and opens
//! it; the store never sees it in the clear), one awaiting confirmation, and the last time
//! step a code was accepted for. Accepting a step is a conditional update, so two nodes (or
//! two requests) cannot both accept the same code. Enabling, disabling and an admin's reset
//! are audited on the account in the same transaction.

use crate::user_admin::{audit, AuditEntry};
use crate::{Reader, Store, StoreError};
use loopdesk_core::{Timestamp, UserId};
use serde_json::json;

/// A user's second-factor state, secrets still sealed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TotpState {
    /// The confirmed secret: codes are asked for at sign-in.
    pub secret: Option<String>,
    /// A secret shown for enrolment, not yet confirmed with a code.
    pub pending: Option<String>,
    /// The last time step a code was accepted for (0: none).
    pub last_step: i64,
}

impl Reader {
    /// The second-factor state of `user` (the default for an unknown user).
    pub async fn totp_state(&self, user: UserId) -> Result<TotpState, StoreError> {
        let row: Option<(Option<String>, Option<String>, i64)> =
            sqlx::query_as("SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(secret, pending, last_step)| TotpState { secret, pending, last_step }).unwrap_or_default())
    }
}

impl Store {
    /// Keeps `sealed` as the secret awaiting confirmation (replacing an earlier one).
    pub async fn set_totp_pending(&self, user: UserId, sealed: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2")
            .bind(sealed)
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Accepts a code of time step `step` for `user` unless a code of this or a later step
    /// was accepted already; `true` when accepted.
    pub async fn use_totp_step(&self, user: UserId, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
            .bind(step)
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes the pending secret the confirmed one with the step its code was of; audited.
    /// `false` when there was no pending secret or the step was used already.
    pub async fn confirm_totp(&self, user: UserId, step: i64, by: &str, now: Timestamp) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1 \
             WHERE id = $2 AND totp_pending IS NOT NULL AND totp_last_step < $1",
        )
        .bind(step)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        audit(&mut tx, AuditEntry { user, by, at: now, action: "totp_enabled", detail: &json!({}) }).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes the second factor (confirmed and pending); audited as `action`
    /// (`totp_disabled` by the user, `totp_reset` by an admin).
    pub async fn clear_totp(&self, user: UserId, by: &str, action: &str, now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, AuditEntry { user, by, at: now, action, detail: &json!({}) }).await?;
        tx.commit().await?;
        Ok(())
    }
}
