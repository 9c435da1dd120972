//! Editing staff users (admin): name, role, department and skills; deactivation and
//! reactivation; password resets (the new password is shown once); the audit trail.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_app::accounts::users::{self, UserDetail, UserEdit};
use loopdesk_app::read::{User, UserAudit};
use loopdesk_core::UserId;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{id}", post(update))
        .route("/users/{id}/deactivate", post(deactivate))
        .route("/users/{id}/reactivate", post(reactivate))
        .route("/users/{id}/reset-password", post(reset_password))
        .route("/users/{id}/audit", get(audit))
}

/// `POST /api/v1/users/{id}`: change name, role, department or skills (admins; audited).
#[utoipa::path(post, path = "/users/{id}", tag = "users", params(("id" = i64, Path, description = "User id")), request_body = UserEdit, responses((status = 200, body = UserDetail), crate::openapi::Errors))]
pub async fn update(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
    Json(b): Json<UserEdit>,
) -> Result<axum::Json<UserDetail>, ApiError> {
    Ok(axum::Json(users::apply_edit(&state, &auth.0, UserId(id), b).await?))
}

/// `POST /api/v1/users/{id}/deactivate`: no sign-in, sessions ended.
#[utoipa::path(post, path = "/users/{id}/deactivate", tag = "users", params(("id" = i64, Path, description = "User id")), responses((status = 200, body = User), crate::openapi::Errors))]
pub async fn deactivate(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>, ApiError> {
    Ok(axum::Json(users::set_active(&state, &auth.0, UserId(id), false).await?))
}

/// `POST /api/v1/users/{id}/reactivate`.
#[utoipa::path(post, path = "/users/{id}/reactivate", tag = "users", params(("id" = i64, Path, description = "User id")), responses((status = 200, body = User), crate::openapi::Errors))]
pub async fn reactivate(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>, ApiError> {
    Ok(axum::Json(users::set_active(&state, &auth.0, UserId(id), true).await?))
}

/// A generated password, shown once.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct NewPassword {
    password: String,
}

/// `POST /api/v1/users/{id}/reset-password`: a new generated password; sessions ended.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "users", params(("id" = i64, Path, description = "User id")), responses((status = 200, body = NewPassword), crate::openapi::Errors))]
pub async fn reset_password(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<NewPassword>, ApiError> {
    let password = users::new_password(&state, &auth.0, UserId(id)).await?;
    Ok(axum::Json(NewPassword { password }))
}

/// `GET /api/v1/users/{id}/audit`: who changed this user, what and when (newest first).
#[utoipa::path(get, path = "/users/{id}/audit", tag = "users", params(("id" = i64, Path, description = "User id")), responses((status = 200, body = Vec<UserAudit>), crate::openapi::Errors))]
pub async fn audit(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<UserAudit>>, ApiError> {
    Ok(axum::Json(users::audit(&state, &auth.0, Some(UserId(id))).await?))
}
