//! `/auth/login`, `/auth/logout`, `/auth/me`, `/auth/password`, and the TOTP second
//! factor under `/auth/totp` (see [`super::totp`]).

use super::{session_cookie, Auth, SESSION_COOKIE};
use crate::error::ApiError;
use crate::extract::{ClientIp, Json};
use crate::openapi::Errors;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use loopdesk_app::accounts::sessions;
use loopdesk_app::read::User;
use serde::{Deserialize, Serialize};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/password", post(change_password))
        .merge(super::totp::router())
}

/// Body of `POST /auth/login`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    #[schema(min_length = 1, max_length = 200)]
    username: String,
    #[schema(min_length = 1, max_length = 1000)]
    password: String,
    /// The 6-digit code of the member's authenticator app, when they use a second factor
    /// (without it such a sign-in is 401 `totp_required` on field `code`).
    #[serde(default)]
    #[schema(pattern = "^[0-9]{6}$")]
    code: Option<String>,
}

/// Body of `POST /auth/password`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use now.
    #[schema(min_length = 1, max_length = 1000)]
    current: String,
    /// The new password: 10 to 1,000 characters, not the current one.
    #[schema(min_length = 10, max_length = 1000)]
    new: String,
}

/// The signed-in user (and, at sign-in, when the session ends).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    user: User,
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<loopdesk_core::Timestamp>,
}

/// `POST /api/v1/auth/login`: checks the credentials and sets the session cookie. A wrong
/// name or password is 401 `bad_credentials`; a member with a second factor who sent no
/// `code` gets 401 `totp_required` (field `code`), a wrong or reused code 401 `bad_totp`
/// (counted as a failed attempt); too many attempts (per address or per account) are 429
/// with `Retry-After`.
#[utoipa::path(post, path = "/auth/login", tag = "auth", security(()), request_body = Login,
    responses((status = 200, description = "Signed in; `Set-Cookie` holds the session", body = Me), Errors))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    let session = sessions::sign_in(&state, ip, &body.username, body.password, body.code.as_deref()).await?;
    let mut resp =
        (StatusCode::OK, axum::Json(Me { user: session.user.clone(), expires_at: Some(session.expires_at) }))
            .into_response();
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie_header(&state, &session)?);
    Ok(resp)
}

/// `; Secure` when browsers reach the site over HTTPS (configured), else nothing.
fn secure(state: &AppState) -> &'static str {
    if state.config.served_over_tls() {
        "; Secure"
    } else {
        ""
    }
}

/// The `Set-Cookie` value that holds a session (`Secure` when served over TLS).
pub fn session_cookie_header(state: &AppState, session: &sessions::Session) -> Result<HeaderValue, ApiError> {
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        session.secret,
        session.max_age,
        secure(state)
    );
    HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The `Set-Cookie` value that ends the session cookie.
pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure(state));
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("loopdesk_session=; Path=/; Max-Age=0"))
}

/// `POST /api/v1/auth/logout`: ends the session (if any) and clears the cookie.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(()),
    responses((status = 204, description = "Signed out; the cookie is cleared"), Errors))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(secret) = session_cookie(&headers) {
        sessions::sign_out(&state, &secret).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(resp)
}

/// `POST /api/v1/auth/password`: the caller changes their own password. A wrong current
/// password is 422 on `current` and counts as a failed sign-in (same limits and lock);
/// a short or unchanged new one is 422 on `new`. The caller's other sessions end; this one
/// goes on.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204, description = "Changed; the caller's other sessions are ended"), Errors))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let keep = session_cookie(&headers);
    sessions::change_password(&state, &auth.0, ip, keep.as_deref(), body.current, body.new).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/auth/me`: the caller.
#[utoipa::path(get, path = "/auth/me", tag = "auth", responses((status = 200, body = Me), Errors))]
pub async fn me(State(state): State<AppState>, auth: Auth) -> Result<axum::Json<Me>, ApiError> {
    let user = state.read().user(auth.0.user_id).await?;
    Ok(axum::Json(Me { user, expires_at: None }))
}
