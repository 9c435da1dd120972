//! Users, departments and API tokens; the channels' quarantine, stored attachments and a
//! ticket's deliveries (`channels`).

pub mod channels;

use crate::auth::{Admin, Auth, Supervisor};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Router;
use loopdesk_app::accounts::users::UserIn;
use loopdesk_app::accounts::{departments, tokens, users};
use loopdesk_app::read::{Department, User};
use loopdesk_core::UserId;
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/departments", get(list_departments).post(create_department))
        .route("/tokens", post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .merge(channels::router())
}

/// `GET /api/v1/users`: staff users (supervisors and admins).
#[utoipa::path(get, path = "/users", tag = "users", responses((status = 200, body = Vec<User>), crate::openapi::Errors))]
pub async fn list_users(
    State(state): State<AppState>,
    Supervisor(auth): Supervisor,
) -> Result<axum::Json<Vec<User>>, ApiError> {
    Ok(axum::Json(users::list(&state, &auth.0).await?))
}

/// `POST /api/v1/users`: a new staff user (admins).
#[utoipa::path(post, path = "/users", tag = "users", request_body = UserIn, responses((status = 201, body = User), crate::openapi::Errors))]
pub async fn create_user(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<UserIn>,
) -> Result<(StatusCode, axum::Json<User>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(users::create(&state, &auth.0, b).await?)))
}

/// `GET /api/v1/departments`.
#[utoipa::path(get, path = "/departments", tag = "users", responses((status = 200, body = Vec<Department>), crate::openapi::Errors))]
pub async fn list_departments(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<axum::Json<Vec<Department>>, ApiError> {
    Ok(axum::Json(departments::list(&state, &auth.0).await?))
}

/// Body of `POST /departments`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentIn {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
}

/// `POST /api/v1/departments` (admins).
#[utoipa::path(post, path = "/departments", tag = "users", request_body = DepartmentIn, responses((status = 201, body = Department), crate::openapi::Errors))]
pub async fn create_department(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<DepartmentIn>,
) -> Result<(StatusCode, axum::Json<Department>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(departments::create(&state, &auth.0, &b.name).await?)))
}

/// Body of `POST /tokens`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    #[schema(min_length = 1, max_length = 100)]
    name: String,
    /// The user the token acts as (default: the caller).
    #[serde(default)]
    user_id: Option<UserId>,
    /// Limit the token to submitting feedback (channel integrations).
    #[serde(default)]
    intake_only: bool,
}

/// A new API token: its secret, shown this once, and its metadata.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TokenOut {
    /// The bearer secret; only its hash is kept.
    token: String,
    id: i64,
    name: String,
    user_id: UserId,
    intake_only: bool,
}

/// `POST /api/v1/tokens` (admins).
#[utoipa::path(post, path = "/tokens", tag = "users", request_body = TokenIn, responses((status = 201, body = TokenOut), crate::openapi::Errors))]
pub async fn create_token(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<TokenIn>,
) -> Result<(StatusCode, axum::Json<TokenOut>), ApiError> {
    let issued = tokens::issue(&state, &auth.0, &b.name, b.user_id, b.intake_only).await?;
    let t = issued.token;
    let out = TokenOut { token: issued.secret, id: t.id, name: t.name, user_id: t.user_id, intake_only: t.intake_only };
    Ok((StatusCode::CREATED, axum::Json(out)))
}

/// `DELETE /api/v1/tokens/{id}` (admins).
#[utoipa::path(delete, path = "/tokens/{id}", tag = "users", params(("id" = i64, Path, description = "Token id")), responses((status = 204, description = "Revoked"), crate::openapi::Errors))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke(&state, &auth.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
