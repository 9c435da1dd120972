//! Staff accounts, departments, login sessions and API tokens. Secrets are stored only as
//! hashes: passwords by the caller (argon2id), session and API tokens as SHA-256 here.

use crate::sql::{from_ms, ms};
use crate::{Reader, Store, StoreError};
use loopdesk_core::{DepartmentId, Principal, Role, Timestamp, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
}

/// A staff user (never carries the password hash out of the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub active: bool,
}

impl User {
    /// The principal this user acts as.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            name: self.display_name.clone(),
            role: self.role,
            department_id: self.department_id,
            intake_only: false,
        }
    }
}

/// What is needed to create a user.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    /// An argon2id PHC string.
    pub password_hash: String,
}

/// A live login session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: User,
    pub expires_at: Timestamp,
}

/// An API token's metadata (the secret itself is shown once, at creation).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub user_id: UserId,
    pub intake_only: bool,
}

/// SHA-256 of a bearer secret: tokens are long random strings, so a fast hash is enough.
pub(crate) fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

type UserRow = (i64, String, String, String, Option<i64>, i64);
/// A user row followed by one more column (password hash, expiry, token scope).
type UserRowAnd<T> = (i64, String, String, String, Option<i64>, i64, T);
const USER_COLS: &str = "u.id, u.username, u.display_name, u.role, u.department_id, u.active";

fn user_from_row((id, username, display_name, role, department_id, active): UserRow) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(id),
        username,
        display_name,
        role: role.parse()?,
        department_id: department_id.map(DepartmentId),
        active: active != 0,
    })
}

impl Store {
    /// Creates a department.
    pub async fn create_department(&self, name: &str, now: Timestamp) -> Result<Department, StoreError> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO departments (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(ms(now))
            .fetch_one(&self.pool)
            .await
            .map_err(|e| StoreError::on_unique(e, "name"))?;
        Ok(Department { id: DepartmentId(id), name: name.to_string() })
    }

    /// Creates a user.
    pub async fn create_user(&self, new: &NewUser, now: Timestamp) -> Result<User, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, display_name, role, department_id, password_hash, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
        )
        .bind(&new.username)
        .bind(&new.display_name)
        .bind(new.role.as_str())
        .bind(new.department_id.map(|d| d.0))
        .bind(&new.password_hash)
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::on_unique(e, "username"))?;
        self.user(UserId(id)).await
    }

    /// Replaces a user's password hash.
    pub async fn set_password(&self, id: UserId, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a new login session for `secret` (kept only as a hash).
    pub async fn create_session(
        &self,
        secret: &str,
        user: UserId,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(secret))
            .bind(user.0)
            .bind(ms(now))
            .bind(ms(expires))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&self, secret: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(secret)).execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a new API token for `secret` (kept only as a hash).
    pub async fn create_api_token(
        &self,
        secret: &str,
        name: &str,
        user: UserId,
        intake_only: bool,
        now: Timestamp,
    ) -> Result<ApiToken, StoreError> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_tokens (token_hash, name, user_id, intake_only, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash(secret))
        .bind(name)
        .bind(user.0)
        .bind(i64::from(intake_only))
        .bind(ms(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(ApiToken { id, name: name.to_string(), user_id: user, intake_only })
    }

    /// Revokes an API token.
    pub async fn revoke_api_token(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        let r = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(ms(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "token" });
        }
        Ok(())
    }
}

impl Reader {
    /// Every department, by name.
    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM departments ORDER BY name").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|(id, name)| Department { id: DepartmentId(id), name }).collect())
    }

    /// One user by id.
    pub async fn user(&self, id: UserId) -> Result<User, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1");
        let row: Option<UserRow> = sqlx::query_as(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        user_from_row(row.ok_or(StoreError::NotFound { what: "user" })?)
    }

    /// Every user, by username.
    pub async fn users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLS} FROM users u ORDER BY u.username");
        let rows: Vec<UserRow> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        rows.into_iter().map(user_from_row).collect()
    }

    /// Number of users (zero on a fresh database).
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// An active user and their password hash, for login.
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let sql = format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = $1 AND u.active = 1");
        let row: Option<UserRowAnd<String>> = sqlx::query_as(&sql).bind(username).fetch_optional(&self.pool).await?;
        row.map(|(a, b, c, d, e, f, hash)| Ok((user_from_row((a, b, c, d, e, f))?, hash))).transpose()
    }

    /// The live session for `secret`, if any.
    pub async fn session(&self, secret: &str, now: Timestamp) -> Result<Option<SessionInfo>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLS}, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1"
        );
        let row: Option<UserRowAnd<i64>> =
            sqlx::query_as(&sql).bind(token_hash(secret)).bind(ms(now)).fetch_optional(&self.pool).await?;
        row.map(|(a, b, c, d, e, f, exp)| {
            Ok(SessionInfo { user: user_from_row((a, b, c, d, e, f))?, expires_at: from_ms(exp) })
        })
        .transpose()
    }

    /// The principal an API token acts as, if the token is valid.
    pub async fn principal_for_token(&self, secret: &str) -> Result<Option<Principal>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLS}, t.intake_only FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1"
        );
        let row: Option<UserRowAnd<i64>> =
            sqlx::query_as(&sql).bind(token_hash(secret)).fetch_optional(&self.pool).await?;
        row.map(|(a, b, c, d, e, f, intake_only)| {
            let mut p = user_from_row((a, b, c, d, e, f))?.principal();
            p.intake_only = intake_only != 0;
            Ok(p)
        })
        .transpose()
    }
}
