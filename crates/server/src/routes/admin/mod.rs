//! Users, departments and API tokens.

use crate::auth::{new_secret, password, Admin, Supervisor};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Router;
use loopdesk_core::access::Permission;
use loopdesk_core::{DepartmentId, Role, UserId};
use loopdesk_store::{Department, NewUser, User};
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/departments", get(list_departments).post(create_department))
        .route("/tokens", post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

async fn list_users(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
) -> Result<axum::Json<Vec<User>>, ApiError> {
    auth.require(Permission::Supervise)?;
    Ok(axum::Json(state.store.users().await?))
}

/// Body of `POST /users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserIn {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub department_id: Option<i64>,
    pub password: String,
}

/// Checks a username: 2–64 of letters, digits, `.`, `_`, `-`.
pub fn valid_username(u: &str) -> Result<(), ApiError> {
    let ok = (2..=64).contains(&u.len()) && u.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid("username", "use 2 to 64 letters, digits, '.', '_' or '-'"))
    }
}

async fn create_user(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<UserIn>,
) -> Result<(StatusCode, axum::Json<User>), ApiError> {
    auth.require(Permission::Administer)?;
    valid_username(&b.username)?;
    if b.display_name.trim().is_empty() || b.display_name.chars().count() > 100 {
        return Err(ApiError::invalid("display_name", "must be 1 to 100 characters"));
    }
    if let Some(d) = b.department_id {
        if !state.store.departments().await?.iter().any(|x| x.id == DepartmentId(d)) {
            return Err(ApiError::invalid("department_id", "no such department"));
        }
    }
    let password_hash = password::hash(b.password).await?;
    let new = NewUser {
        username: b.username,
        display_name: b.display_name.trim().to_string(),
        role: b.role,
        department_id: b.department_id.map(DepartmentId),
        password_hash,
    };
    let user = state.store.create_user(&new, state.now()).await?;
    let by = state.store.user(auth.0.user_id).await?.username;
    audit_created(&state, &by, &user).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// Audits the creation of `user` by `by`.
pub async fn audit_created(state: &AppState, by: &str, user: &User) -> Result<(), ApiError> {
    let detail = json!({"username": user.username, "role": user.role.as_str(), "department_id": user.department_id.map(|d| d.0)});
    state.store.audit_user(user.id, by, state.now(), "created", &detail).await?;
    Ok(())
}

async fn list_departments(
    State(state): State<AppState>,
    auth: crate::auth::Auth,
) -> Result<axum::Json<Vec<Department>>, ApiError> {
    auth.require(Permission::Read)?;
    Ok(axum::Json(state.store.departments().await?))
}

/// Body of `POST /departments`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentIn {
    name: String,
}

async fn create_department(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<DepartmentIn>,
) -> Result<(StatusCode, axum::Json<Department>), ApiError> {
    auth.require(Permission::Administer)?;
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "must be 1 to 100 characters"));
    }
    Ok((StatusCode::CREATED, axum::Json(state.store.create_department(name, state.now()).await?)))
}

/// Body of `POST /tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenIn {
    name: String,
    /// The user the token acts as (default: the caller).
    #[serde(default)]
    user_id: Option<i64>,
    /// Limit the token to submitting feedback (channel integrations).
    #[serde(default)]
    intake_only: bool,
}

async fn create_token(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<TokenIn>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let p = auth.require(Permission::Administer)?;
    if b.name.trim().is_empty() || b.name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "must be 1 to 100 characters"));
    }
    let user = UserId(b.user_id.unwrap_or(p.user_id.0));
    state.store.user(user).await.map_err(|_| ApiError::invalid("user_id", "no such user"))?;
    let secret = new_secret("ldk_");
    let token = state.store.create_api_token(&secret, b.name.trim(), user, b.intake_only, state.now()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(
            json!({ "token": secret, "id": token.id, "name": token.name, "user_id": token.user_id, "intake_only": token.intake_only }),
        ),
    ))
}

async fn revoke_token(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    auth.require(Permission::Administer)?;
    state.store.revoke_api_token(id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
