//! Console sign-in and sign-out: the same sign-in use case, cookie, rate limit and
//! password check as `POST /api/v1/auth/login`. A member with a TOTP second factor gets a
//! second form for the code, carrying a short-lived signed ticket (never the password).

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
use loopdesk_app::accounts::sessions::{self, Step};
use loopdesk_app::AppError;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    back: String,
    /// Why the last attempt failed, in the reader's language.
    failed: Option<String>,
    username: String,
    /// Set once the password was right and a second-factor code is needed.
    ticket: Option<String>,
    code_error: Option<String>,
}

impl LoginPage {
    fn new(v: &Visitor, back: String) -> LoginPage {
        LoginPage {
            layout: Layout::visitor(v, "login.title"),
            back,
            failed: None,
            username: String::new(),
            ticket: None,
            code_error: None,
        }
    }
}

/// Query of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    back: Option<String>,
}

/// `GET /console/login`.
pub async fn page(v: Visitor, Query(q): Query<LoginQuery>) -> Response {
    let back = local_path(q.back.as_deref(), "/console");
    render(&LoginPage::new(&v, back))
}

/// Either the first form (name and password) or the second (the ticket the first gave and
/// a TOTP code).
#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    ticket: Option<String>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    back: Option<String>,
}

fn unauthorized(page: &LoginPage) -> Response {
    let mut resp = render(page);
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    resp
}

/// `POST /console/login`: on success sets the session cookie and goes back; a member with a
/// second factor is asked for a code on a second form first.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    v: Visitor,
    body: Bytes,
) -> Result<Response, ApiError> {
    let f: LoginForm = form::parse(&body)?;
    let back = local_path(f.back.as_deref(), "/console");
    let mut page = LoginPage::new(&v, back.clone());
    let step = match &f.ticket {
        Some(ticket) => sessions::sign_in_with_ticket(&state, ip, ticket, &f.code).await,
        None => sessions::sign_in_step(&state, ip, &f.username, f.password, None).await,
    };
    let session = match step {
        Ok(Step::Done(session)) => session,
        Ok(Step::CodeNeeded { ticket }) => {
            page.ticket = Some(ticket);
            return Ok(render(&page));
        }
        Err(AppError::SecondFactor { .. }) => {
            page.ticket = f.ticket;
            page.code_error = Some(v.t.get("totp.err_code").into());
            return Ok(unauthorized(&page));
        }
        Err(AppError::Unauthenticated { code, .. }) => {
            let key = if code == "sign_in_expired" { "login.expired" } else { "login.failed" };
            page.failed = Some(v.t.get(key).into());
            page.username = f.username;
            return Ok(unauthorized(&page));
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
