//! The frame every page shares (title, navigation, language switch, flash message), the
//! error page, and turning a template into a response.

use super::context::{Staff, Visitor};
use super::form::encode;
use super::i18n::T;
use crate::error::ApiError;
use askama::Template;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use loopdesk_app::portal::branding::Brand;
use loopdesk_core::access::Permission;
use std::sync::Arc;

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
    /// The company's branding (portal pages).
    pub brand: Option<Arc<Brand>>,
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
            brand: None,
        }
    }

    /// The frame of a portal page.
    pub fn visitor(v: &Visitor, title_key: &str) -> Layout {
        Layout {
            t: v.t,
            title: v.t.get(title_key).to_string(),
            staff: None,
            back: encode(&v.here),
            flash: None,
            brand: Some(v.brand.clone()),
        }
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
            text = t.get("form.with_detail").replace("{what}", &text).replace("{detail}", &t.name("field", name));
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
    super::form::redirect(&url)
}

/// The code, field and (for validation errors) the original message of an error.
/// The code, field and (for validation failures) detail a page shows for `e`: the same
/// code and field the JSON API answers with ([`ApiError::parts`]).
fn describe(e: &ApiError) -> (&'static str, Option<String>, Option<String>) {
    if matches!(e, ApiError::Forbidden(m) if m == "csrf") {
        return ("csrf", None, None);
    }
    let (_, code, field) = e.parts();
    let detail = matches!(e, ApiError::Invalid { .. } | ApiError::App(loopdesk_app::AppError::Invalid { .. }))
        .then(|| e.public_message());
    (code, field.map(str::to_string), detail)
}

/// A redirect to `path` with `?ok=<key>`.
pub fn back_ok(path: &str, key: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    super::form::redirect(&format!("{path}{sep}ok={key}"))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    message: String,
}

/// An HTML error page in the reader's language with the error's status.
pub fn error_page(layout_t: T, staff: Option<&Staff>, e: impl Into<ApiError>) -> Response {
    let e: ApiError = e.into();
    let (status, _, _) = e.parts();
    let (code, field, _) = describe(&e);
    // Logged (without personal data) like API errors are.
    e.log();
    let mut message = layout_t.name("error", code);
    if let Some(f) = field {
        let name = layout_t.name("field", f.rsplit('.').next().unwrap_or(&f));
        message = layout_t.get("form.with_detail").replace("{what}", &message).replace("{detail}", &name);
    }
    let layout = match staff {
        Some(s) => Layout::staff(s, "error.title"),
        None => Layout {
            t: layout_t,
            title: layout_t.get("error.title").into(),
            staff: None,
            back: "%2F".into(),
            flash: None,
            brand: None,
        },
    };
    let mut resp = render(&ErrorPage { layout, message });
    *resp.status_mut() = status;
    resp
}
