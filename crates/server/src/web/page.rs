//! The frame every page shares (title, navigation, language switch, flash message), the
//! error page, and turning a template into a response.

use super::context::{Staff, Visitor};
use super::form::encode;
use super::i18n::T;
use crate::error::ApiError;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use loopdesk_core::access::Permission;

/// What the navigation shows about the signed-in member.
pub struct StaffNav {
    pub name: String,
    pub role: &'static str,
    pub supervise: bool,
    pub admin: bool,
    pub csrf: String,
}

/// A one-line message at the top of the page.
pub struct Flash {
    /// `ok` or `error` (a CSS class).
    pub kind: &'static str,
    pub text: String,
}

/// The shared frame.
pub struct Layout {
    pub t: T,
    pub title: String,
    pub staff: Option<StaffNav>,
    /// This page, URL-encoded, for the language switch to return to.
    pub back: String,
    pub flash: Option<Flash>,
}

impl Layout {
    /// The frame of a console page.
    pub fn staff(s: &Staff, title_key: &str) -> Layout {
        Layout {
            t: s.t,
            title: s.t.get(title_key).to_string(),
            staff: Some(StaffNav {
                name: s.user.display_name.clone(),
                role: s.user.role.as_str(),
                supervise: s.can(Permission::Supervise),
                admin: s.can(Permission::Administer),
                csrf: s.csrf.clone(),
            }),
            back: encode(&s.here),
            flash: None,
        }
    }

    /// The frame of a portal page.
    pub fn visitor(v: &Visitor, title_key: &str) -> Layout {
        Layout { t: v.t, title: v.t.get(title_key).to_string(), staff: None, back: encode(&v.here), flash: None }
    }

    /// Shows the outcome named by `?ok=` / `?error=&field=` of a redirect.
    pub fn with_flash(mut self, q: &FlashQuery) -> Layout {
        self.flash = flash(&self.t, q);
        self
    }
}

/// The query parameters a post-redirect-get leaves for the page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FlashQuery {
    pub ok: Option<String>,
    pub error: Option<String>,
    pub field: Option<String>,
    pub detail: Option<String>,
}

fn flash(t: &T, q: &FlashQuery) -> Option<Flash> {
    if let Some(code) = &q.error {
        let mut text = t.name("error", code);
        if let Some(field) = &q.field {
            let name = field.rsplit('.').next().unwrap_or(field);
            text = format!("{text}: {}", t.name("field", name));
        }
        // Validation details come from the API in English; Chinese readers get the
        // translated message and field only.
        if let (Some(d), super::i18n::Lang::En) = (&q.detail, t.lang) {
            text = format!("{text} ({d})");
        }
        return Some(Flash { kind: "error", text });
    }
    q.ok.as_ref().map(|k| Flash { kind: "ok", text: t.name("act", k) })
}

/// What pages may load: only this server (no CDN, no inline script), and no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
     script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Renders a template as an HTML response.
pub fn render(tpl: &impl Template) -> Response {
    match tpl.render() {
        Ok(html) => {
            let mut resp = Html(html).into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
            h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => ApiError::Internal(format!("template: {e}")).into_response(),
    }
}

/// A redirect to `path` carrying the error's code and field, for the page to show.
pub fn back_with_error(path: &str, e: &ApiError) -> Response {
    let (code, field, detail) = describe(e);
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}error={code}");
    if let Some(f) = field {
        url.push_str(&format!("&field={}", encode(&f)));
    }
    if let Some(d) = detail {
        url.push_str(&format!("&detail={}", encode(&d)));
    }
    Redirect::to(&url).into_response()
}

/// The code, field and (for validation errors) the original message of an error.
fn describe(e: &ApiError) -> (&'static str, Option<String>, Option<String>) {
    match e {
        ApiError::Invalid { code, field, message } => (code, field.clone(), Some(message.clone())),
        ApiError::BadRequest { code, field, .. } => (code, field.clone(), None),
        ApiError::Conflict { code, field, .. } => (code, field.clone(), None),
        ApiError::Forbidden(m) if m == "csrf" => ("csrf", None, None),
        ApiError::Forbidden(_) => ("forbidden", None, None),
        ApiError::NotFound(_) => ("not_found", None, None),
        ApiError::TooManyRequests { .. } => ("rate_limited", None, None),
        ApiError::Unauthorized => ("unauthorized", None, None),
        ApiError::PayloadTooLarge { .. } => ("payload_too_large", None, None),
        ApiError::Unavailable => ("unavailable", None, None),
        ApiError::Gone(_) => ("gone", None, None),
        _ => ("internal", None, None),
    }
}

/// A redirect to `path` with `?ok=<key>`.
pub fn back_ok(path: &str, key: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}ok={key}")).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

/// An HTML error page in the reader's language with the error's status.
pub fn error_page(layout_t: T, staff: Option<&Staff>, e: ApiError) -> Response {
    let status = e.clone_status();
    let (code, field, _) = describe(&e);
    if status.is_server_error() {
        // Logged (without personal data) like API errors are.
        let _ = e.into_response();
    }
    let mut message = layout_t.name("error", code);
    if let Some(f) = field {
        message = format!("{message}: {}", layout_t.name("field", f.rsplit('.').next().unwrap_or(&f)));
    }
    let layout = match staff {
        Some(s) => Layout::staff(s, "error.title"),
        None => Layout {
            t: layout_t,
            title: layout_t.get("error.title").into(),
            staff: None,
            back: "%2F".into(),
            flash: None,
        },
    };
    let mut resp = render(&ErrorPage { layout, message });
    *resp.status_mut() = status;
    resp
}

/// The HTTP status an [`ApiError`] answers with.
trait StatusOf {
    fn clone_status(&self) -> StatusCode;
}

impl StatusOf for ApiError {
    fn clone_status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType | ApiError::FileType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::FileTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Gone(_) => StatusCode::GONE,
        }
    }
}
