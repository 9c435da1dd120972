//! `/auth/login`, `/auth/logout`, `/auth/me`.

use super::{new_secret, password, session_cookie, Auth, SESSION_COOKIE};
use crate::error::ApiError;
use crate::extract::{ClientIp, Json};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use loopdesk_store::User;
use serde::{Deserialize, Serialize};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/auth/login", post(login)).route("/auth/logout", post(logout)).route("/auth/me", get(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct Me {
    user: User,
    expires_at: Option<loopdesk_core::Timestamp>,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    state.limits.login_by_ip.check(&ip.to_string(), state.now())?;
    let found = state.store.user_for_login(body.username.trim()).await?;
    let (user, stored) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let user = match (password::verify(body.password, stored).await, user) {
        (true, Some(u)) => u,
        _ => {
            return Err(ApiError::Invalid {
                code: "bad_credentials",
                message: "wrong username or password".into(),
                field: None,
            })
        }
    };
    let secret = new_secret("");
    let now = state.now();
    let expires = now + chrono::Duration::hours(state.config.session_hours);
    state.store.create_session(&secret, user.id, now, expires).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}",
        state.config.session_hours * 3600
    );
    let mut resp = (StatusCode::OK, axum::Json(Me { user, expires_at: Some(expires) })).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    Ok(resp)
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(secret) = session_cookie(&headers) {
        state.store.delete_session(&secret).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("loopdesk_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(resp)
}

async fn me(State(state): State<AppState>, auth: Auth) -> Result<axum::Json<Me>, ApiError> {
    let user = state.store.user(auth.0.user_id).await?;
    Ok(axum::Json(Me { user, expires_at: None }))
}
