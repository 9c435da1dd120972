//! What every page needs from the request: language, time zone, the signed-in staff member
//! (cookie session of `crate::auth`) and the CSRF token of their session.

use super::i18n::{Lang, DEFAULT_TZ, LANG_COOKIE, T, TZ_COOKIE};
use crate::auth::session_cookie;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use loopdesk_app::portal::branding::Brand;
use loopdesk_app::portal::links;
use loopdesk_app::read::User;
use loopdesk_core::access::Permission;
use loopdesk_core::Principal;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|pair| {
            let (n, value) = pair.trim().split_once('=')?;
            (n == name && !value.is_empty()).then_some(value)
        })
    })
}

/// Language and time zone of the reader.
pub fn translator(headers: &HeaderMap) -> T {
    let lang = cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or_else(|| {
        Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
    });
    let tz =
        cookie(headers, TZ_COOKIE).map(|v| v.replace("%2F", "/")).and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_TZ);
    T { lang, tz }
}

/// The CSRF token bound to a session secret: forms carry it, posts must echo it.
pub fn csrf_token(session_secret: &str) -> String {
    let digest = Sha256::digest(format!("loopdesk-csrf:{session_secret}").as_bytes());
    hex::encode(&digest[..16])
}

/// A page request from anybody (the portal).
pub struct Visitor {
    pub t: T,
    /// The request path and query, for the language switch to come back to.
    pub here: String,
    /// The company's branding in force.
    pub brand: Arc<Brand>,
    /// Where this reader reaches the portal, for links shown on the page (see [`origin`]).
    pub origin: String,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let here = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        Ok(Visitor {
            t: translator(&parts.headers),
            here,
            brand: state.documents.brand(),
            origin: origin(state, &parts.headers),
        })
    }
}

/// The address a link shown on a page starts with: the configured public address, else
/// the request's own `Host`. The Host is only trusted here, on a page answered to the
/// same reader (whoever sends a false Host sees a false link themselves); links that leave
/// the server (e-mails) never use it. A Host with anything but host-name characters gives
/// no origin (the page then shows a path).
pub fn origin(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = links::configured(&state.config) {
        return url;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let plain =
        !host.is_empty() && host.len() <= 255 && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    match (plain, state.config.served_over_tls()) {
        (true, true) => format!("https://{host}"),
        (true, false) => format!("http://{host}"),
        (false, _) => String::new(),
    }
}

/// A signed-in staff member on a console page. Without a session the browser is sent to
/// the login page.
pub struct Staff {
    pub t: T,
    pub user: User,
    pub principal: Principal,
    pub csrf: String,
    pub here: String,
}

impl Staff {
    /// Whether the member holds `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.principal.can(permission)
    }
}

/// Why a console page could not be shown.
pub enum StaffRejection {
    Login(String),
    /// An admin without the second factor the configuration requires: to the account page
    /// to enrol.
    Enrol,
    Error(ApiError),
}

impl IntoResponse for StaffRejection {
    fn into_response(self) -> Response {
        match self {
            StaffRejection::Login(back) => {
                let target = format!("/console/login?back={}", super::form::encode(&back));
                super::form::redirect(&target)
            }
            StaffRejection::Enrol => super::form::redirect("/console/account?error=totp_enrolment_required"),
            StaffRejection::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = StaffRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, StaffRejection> {
        let here = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/console".into());
        let Some(secret) = session_cookie(&parts.headers) else {
            return Err(StaffRejection::Login(here));
        };
        let session = state.read().session(&secret, state.now()).await.map_err(|e| StaffRejection::Error(e.into()))?;
        let Some(session) = session else {
            return Err(StaffRejection::Login(here));
        };
        let principal = session.user.principal();
        if !here.starts_with("/console/account") {
            let required = loopdesk_app::accounts::totp::enrolment_required(state, &principal)
                .await
                .map_err(|e| StaffRejection::Error(e.into()))?;
            if required {
                return Err(StaffRejection::Enrol);
            }
        }
        Ok(Staff { t: translator(&parts.headers), user: session.user, principal, csrf: csrf_token(&secret), here })
    }
}
