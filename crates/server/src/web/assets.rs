//! The stylesheet and script, embedded in the binary, and the language switch.

use super::form::{local_path, redirect};
use super::i18n::{Lang, LANG_COOKIE};
use crate::extract::{Path, Query};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");
const FORMS_JS: &str = include_str!("../../assets/forms.js");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        body,
    )
        .into_response()
}

/// `GET /assets/app.css`.
pub async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

/// `GET /assets/app.js`.
pub async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}

/// `GET /assets/forms.js`: one post per click, confirmations, upload progress.
pub async fn forms_js() -> Response {
    asset(FORMS_JS, "text/javascript; charset=utf-8")
}

/// Query of the language switch.
#[derive(Debug, Default, Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// `GET /lang/{code}?back=/path`: remembers the language for a year and goes back.
pub async fn switch_language(Path(code): Path<String>, Query(q): Query<Back>) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Zh);
    let mut resp = redirect(&local_path(q.back.as_deref(), "/"));
    let cookie = format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
