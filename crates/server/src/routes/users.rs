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
use serde_json::json;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{id}", post(update))
        .route("/users/{id}/deactivate", post(deactivate))
        .route("/users/{id}/reactivate", post(reactivate))
        .route("/users/{id}/reset-password", post(reset_password))
        .route("/users/{id}/audit", get(audit))
}

async fn update(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
    Json(b): Json<UserEdit>,
) -> Result<axum::Json<UserDetail>, ApiError> {
    Ok(axum::Json(users::apply_edit(&state, &auth.0, UserId(id), b).await?))
}

async fn deactivate(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>, ApiError> {
    Ok(axum::Json(users::set_active(&state, &auth.0, UserId(id), false).await?))
}

async fn reactivate(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<User>, ApiError> {
    Ok(axum::Json(users::set_active(&state, &auth.0, UserId(id), true).await?))
}

async fn reset_password(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let pw = users::new_password(&state, &auth.0, UserId(id)).await?;
    Ok(axum::Json(json!({ "password": pw })))
}

async fn audit(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<UserAudit>>, ApiError> {
    Ok(axum::Json(users::audit(&state, &auth.0, Some(UserId(id))).await?))
}
