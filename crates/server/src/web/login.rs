//! Console sign-in and sign-out: the same sign-in use case, cookie, rate limit and
//! password check as `POST /api/v1/auth/login`.

use super::context::{csrf_token, Visitor};
use super::form::{self, local_path};
use super::page::{render, Layout};
use crate::auth::routes::{clear_session_cookie, session_cookie_header};
use crate::auth::session_cookie;
use crate::error::ApiError;
use crate::extract::{ClientIp, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use loopdesk_app::accounts::sessions;
use loopdesk_app::AppError;
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
    let back = local_path(q.back.as_deref(), "/console");
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
    let f: LoginForm = form::parse(&body)?;
    let back = local_path(f.back.as_deref(), "/console");
    let session = match sessions::sign_in(&state, ip, &f.username, f.password).await {
        Ok(session) => session,
        Err(AppError::Unauthenticated { .. }) => {
            let page =
                LoginPage { layout: Layout::visitor(&v, "login.title"), back, failed: true, username: f.username };
            let mut resp = render(&page);
            *resp.status_mut() = StatusCode::UNAUTHORIZED;
            return Ok(resp);
        }
        Err(e) => return Err(e.into()),
    };
    let mut resp = form::redirect(&back);
    resp.headers_mut().insert(header::SET_COOKIE, session_cookie_header(&state, &session)?);
    Ok(resp)
}

/// `POST /console/logout`.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    if let Some(secret) = session_cookie(&headers) {
        form::check_csrf(&form::pairs(&body), &csrf_token(&secret))?;
        sessions::sign_out(&state, &secret).await?;
    }
    let mut resp = form::redirect("/console/login");
    resp.headers_mut().insert(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(resp)
}
