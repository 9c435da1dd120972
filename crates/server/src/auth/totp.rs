//! The TOTP second factor over the API: the caller's state, enrolment (the secret is shown
//! by `enrol` only, before it is confirmed), confirmation with a first code, disabling with
//! password and code, and an admin's reset of another member's (recovery, audited).

use super::{Admin, Auth};
use crate::error::ApiError;
use crate::extract::{ClientIp, Json, Path};
use crate::openapi::Errors;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_app::accounts::totp;
use loopdesk_core::UserId;
use serde::{Deserialize, Serialize};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/totp", get(status))
        .route("/auth/totp/enrol", post(enrol))
        .route("/auth/totp/confirm", post(confirm))
        .route("/auth/totp/disable", post(disable))
        .route("/users/{id}/reset-totp", post(reset))
}

/// The caller's second factor.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TotpStatus {
    /// Codes are asked for at sign-in.
    enabled: bool,
    /// A secret was issued and awaits its first code.
    pending: bool,
    /// The configuration requires a second factor of this caller (admins).
    required: bool,
}

/// A new secret, shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TotpEnrolment {
    /// Base32, to type into an authenticator app.
    secret: String,
    /// `otpauth://totp/…` (SHA1, 6 digits, 30 s), for a QR code.
    otpauth_uri: String,
}

/// Body of `POST /auth/totp/confirm`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    /// The 6-digit code the app shows now.
    #[schema(pattern = "^[0-9]{6}$")]
    code: String,
}

/// Body of `POST /auth/totp/disable`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpDisable {
    #[schema(min_length = 1, max_length = 1000)]
    password: String,
    #[schema(pattern = "^[0-9]{6}$")]
    code: String,
}

/// `GET /api/v1/auth/totp`: whether the caller uses a second factor.
#[utoipa::path(get, path = "/auth/totp", tag = "auth", operation_id = "totp_status", responses((status = 200, body = TotpStatus), Errors))]
pub async fn status(State(state): State<AppState>, auth: Auth) -> Result<axum::Json<TotpStatus>, ApiError> {
    let s = totp::status(&state, auth.0.user_id).await?;
    let required = auth.0.role == loopdesk_core::Role::Admin && state.config.auth.totp_required_for_admins;
    Ok(axum::Json(TotpStatus { enabled: s.enabled, pending: s.pending, required }))
}

/// `POST /api/v1/auth/totp/enrol`: a fresh secret for the caller, in force once confirmed
/// with a code (409 `totp_enabled` while one is in use).
#[utoipa::path(post, path = "/auth/totp/enrol", tag = "auth", operation_id = "totp_enrol", responses((status = 200, body = TotpEnrolment), Errors))]
pub async fn enrol(State(state): State<AppState>, auth: Auth) -> Result<axum::Json<TotpEnrolment>, ApiError> {
    let e = totp::begin(&state, &auth.0).await?;
    Ok(axum::Json(TotpEnrolment { secret: e.secret, otpauth_uri: e.uri }))
}

/// `POST /api/v1/auth/totp/confirm`: puts the enrolled secret in force with its first code
/// (422 `bad_totp` on `code` when wrong; counted as a failed sign-in).
#[utoipa::path(post, path = "/auth/totp/confirm", tag = "auth", operation_id = "totp_confirm", request_body = TotpCode,
    responses((status = 204, description = "Codes are now asked for at sign-in"), Errors))]
pub async fn confirm(
    State(state): State<AppState>,
    auth: Auth,
    ClientIp(ip): ClientIp,
    Json(body): Json<TotpCode>,
) -> Result<StatusCode, ApiError> {
    totp::confirm(&state, &auth.0, ip, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/auth/totp/disable`: turns the caller's second factor off; needs the
/// password (422 on `password`) and a current code (422 `bad_totp` on `code`).
#[utoipa::path(post, path = "/auth/totp/disable", tag = "auth", operation_id = "totp_disable", request_body = TotpDisable,
    responses((status = 204, description = "Sign-in asks for the password only"), Errors))]
pub async fn disable(
    State(state): State<AppState>,
    auth: Auth,
    ClientIp(ip): ClientIp,
    Json(body): Json<TotpDisable>,
) -> Result<StatusCode, ApiError> {
    totp::disable(&state, &auth.0, ip, body.password, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/users/{id}/reset-totp`: removes another member's second factor (admins;
/// audited as `totp_reset`), for a member who lost their authenticator.
#[utoipa::path(post, path = "/users/{id}/reset-totp", tag = "users", operation_id = "reset_totp", params(("id" = i64, Path, description = "User id")),
    responses((status = 204, description = "The member signs in with the password alone and may enrol again"), Errors))]
pub async fn reset(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    totp::reset(&state, &auth.0, UserId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
