//! Console sign-in and sign-out, on the sessions of `crate::auth` (same store, same cookie,
//! same rate limit and password check as `POST /api/v1/auth/login`).

use super::context::{csrf_token, Visitor};
use super::form::{self, local_path};
use super::page::{render, Layout};
use crate::auth::{new_secret, password, session_cookie, SESSION_COOKIE};
use crate::error::ApiError;
use crate::extract::{ClientIp, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    back: String,
    failed: bool,
    username: String,
}

/// Query of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    back: Option<String>,
}

/// `GET /console/login`.
pub async fn page(v: Visitor, Query(q): Query<LoginQuery>) -> Response {
    let back = local_path(q.back.as_deref(), "/console").to_string();
    render(&LoginPage { layout: Layout::visitor(&v, "login.title"), back, failed: false, username: String::new() })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    back: Option<String>,
}

/// `POST /console/login`: on success sets the session cookie and goes back.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    v: Visitor,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.limits.login_by_ip.check(&ip.to_string(), state.now())?;
    let f: LoginForm = form::parse(&body)?;
    let back = local_path(f.back.as_deref(), "/console").to_string();
    let found = state.store.user_for_login(f.username.trim()).await?;
    let (user, stored) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    let user = match (password::verify(f.password, stored).await, user) {
        (true, Some(u)) if u.active => u,
        _ => {
            let page =
                LoginPage { layout: Layout::visitor(&v, "login.title"), back, failed: true, username: f.username };
            let mut resp = render(&page);
            *resp.status_mut() = StatusCode::UNAUTHORIZED;
            return Ok(resp);
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
    let mut resp = Redirect::to(&back).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?);
    Ok(resp)
}

/// `POST /console/logout`.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    if let Some(secret) = session_cookie(&headers) {
        form::check_csrf(&form::pairs(&body), &csrf_token(&secret))?;
        state.store.delete_session(&secret).await?;
    }
    let mut resp = Redirect::to("/console/login").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("loopdesk_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    Ok(resp)
}
