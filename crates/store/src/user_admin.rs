//! Changing staff users after creation — name, role, department, deactivation, password
//! resets — each with an audit row (who changed what, when) in the same transaction.
//! Deactivating a user or resetting their password ends their sessions.

use crate::sql::{from_ms, ms};
use crate::{Reader, Store, StoreError, User};
use loopdesk_core::{DepartmentId, Role, Timestamp, UserId};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sqlx::AnyConnection;

/// What to change on a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// `Some(None)` removes the department.
    pub department_id: Option<Option<DepartmentId>>,
}

/// One audited change to a user.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserAudit {
    pub id: i64,
    pub user_id: UserId,
    pub changed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub changed_at: Timestamp,
    /// `created`, `updated`, `skills`, `deactivated`, `reactivated`, `password_reset`.
    pub action: String,
    /// For `updated` and `skills`: `{field: [before, after]}`.
    pub detail: Value,
}

/// One audit row: who changed which user, when, how.
#[derive(Debug, Clone, Copy)]
pub struct AuditEntry<'a> {
    pub user: UserId,
    pub by: &'a str,
    pub at: Timestamp,
    pub action: &'a str,
    pub detail: &'a Value,
}

pub(crate) async fn audit(conn: &mut AnyConnection, e: AuditEntry<'_>) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO user_audit (user_id, changed_by, changed_at, action, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(e.user.0)
        .bind(e.by)
        .bind(ms(e.at))
        .bind(e.action)
        .bind(serde_json::to_string(e.detail)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Records an audit row for a change made elsewhere (creation, skills in the staffing
    /// document).
    pub async fn audit_user(&self, entry: AuditEntry<'_>) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        audit(&mut conn, entry).await
    }

    /// Applies `change`; audits the fields that actually changed. Returns the user after.
    pub async fn update_user(
        &self,
        id: UserId,
        change: &UserChange,
        by: &str,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let before = self.user(id).await?;
        let mut detail = Map::new();
        let name = change.display_name.clone().unwrap_or_else(|| before.display_name.clone());
        if name != before.display_name {
            detail.insert("display_name".into(), json!([before.display_name, name]));
        }
        let role = change.role.unwrap_or(before.role);
        if role != before.role {
            detail.insert("role".into(), json!([before.role.as_str(), role.as_str()]));
        }
        let dept = change.department_id.unwrap_or(before.department_id);
        if dept != before.department_id {
            detail.insert("department_id".into(), json!([before.department_id.map(|d| d.0), dept.map(|d| d.0)]));
        }
        if detail.is_empty() {
            return Ok(before);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET display_name = $1, role = $2, department_id = $3 WHERE id = $4")
            .bind(&name)
            .bind(role.as_str())
            .bind(dept.map(|d| d.0))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, AuditEntry { user: id, by, at: now, action: "updated", detail: &Value::Object(detail) }).await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Deactivates (cannot sign in, sessions ended, tokens stop working) or reactivates a
    /// user. Audited when it changes anything.
    pub async fn set_user_active(
        &self,
        id: UserId,
        active: bool,
        by: &str,
        now: Timestamp,
    ) -> Result<User, StoreError> {
        let before = self.user(id).await?;
        if before.active == active {
            return Ok(before);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
        }
        let action = if active { "reactivated" } else { "deactivated" };
        audit(&mut tx, AuditEntry { user: id, by, at: now, action, detail: &json!({}) }).await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Replaces a user's password hash, ends their sessions, audits the reset.
    pub async fn reset_user_password(
        &self,
        id: UserId,
        password_hash: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.user(id).await?;
        self.replace_password(id, password_hash, None, by, "password_reset", now).await
    }

    /// Replaces a user's own password hash, ends their sessions but the one held by `keep`,
    /// audits the change.
    pub async fn change_own_password(
        &self,
        id: UserId,
        password_hash: &str,
        keep: Option<&str>,
        by: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.replace_password(id, password_hash, keep, by, "password_changed", now).await
    }

    /// One transaction: the new hash, every session of the user ended but `keep`'s (no
    /// stored hash is empty), the audit row.
    async fn replace_password(
        &self,
        id: UserId,
        password_hash: &str,
        keep: Option<&str>,
        by: &str,
        action: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let kept = keep.map(crate::accounts::token_hash).unwrap_or_default();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id.0)
            .bind(kept)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, AuditEntry { user: id, by, at: now, action, detail: &json!({}) }).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Reader {
    /// Audit rows of one user (or of every user), newest first.
    pub async fn user_audit(&self, user: Option<UserId>, limit: usize) -> Result<Vec<UserAudit>, StoreError> {
        let cols = "id, user_id, changed_by, changed_at, action, detail";
        let rows: Vec<(i64, i64, String, i64, String, String)> = match user {
            Some(u) => {
                sqlx::query_as(&format!("SELECT {cols} FROM user_audit WHERE user_id = $1 ORDER BY id DESC LIMIT $2"))
                    .bind(u.0)
                    .bind(limit as i64)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query_as(&format!("SELECT {cols} FROM user_audit ORDER BY id DESC LIMIT $1"))
                    .bind(limit as i64)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.into_iter()
            .map(|(id, user_id, changed_by, at, action, detail)| {
                Ok(UserAudit {
                    id,
                    user_id: UserId(user_id),
                    changed_by,
                    changed_at: from_ms(at),
                    action,
                    detail: serde_json::from_str(&detail)?,
                })
            })
            .collect()
    }
}
