//! The signed-in member's own account: who they are, changing their own password (the
//! first admin's printed password included), and their TOTP second factor
//! ([`super::account_totp`]). The same use cases as `POST /api/v1/auth/password` and
//! `/api/v1/auth/totp/…`; a refusal is shown next to its field, in the reader's language.
//! Passwords are never written back into the form.

use super::context::Staff;
use super::fields::Kept;
use super::form::{self, field};
use super::page::{back_ok, error_page, render, FlashQuery, Layout};
use crate::auth::session_cookie;
use crate::error::ApiError;
use crate::extract::{ClientIp, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use loopdesk_app::accounts::sessions;

const PATH: &str = "/console/account";

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    layout: Layout,
    csrf: String,
    username: String,
    display_name: String,
    role: &'static str,
    /// The refusal, next to its field in its form, "password" or "totp" (passwords and
    /// codes are never written back).
    kept: Kept,
    totp: super::account_totp::TotpView,
}

/// The password form's name in [`Kept`].
const FORM: &str = "password";

/// The page, with the member's second factor as it stands.
async fn build(state: &AppState, s: &Staff, fq: &FlashQuery, kept: Kept) -> Result<AccountPage, ApiError> {
    let totp = super::account_totp::view(state, s).await?;
    Ok(AccountPage {
        layout: Layout::staff(s, "account.title").with_flash(fq),
        csrf: s.csrf.clone(),
        username: s.user.username.clone(),
        display_name: s.user.display_name.clone(),
        role: s.user.role.as_str(),
        kept,
        totp,
    })
}

/// Renders the page (or the error page when it cannot be built).
pub(super) async fn show(state: &AppState, s: &Staff, fq: &FlashQuery, kept: Kept) -> Response {
    match build(state, s, fq, kept).await {
        Ok(page) => render(&page),
        Err(e) => error_page(s.t, Some(s), e),
    }
}

/// `GET /console/account`.
pub async fn page(State(state): State<AppState>, s: Staff, Query(fq): Query<FlashQuery>) -> Response {
    show(&state, &s, &fq, Kept::default()).await
}

/// `POST /console/account/password`: current, new and its confirmation.
pub async fn change_password(
    State(state): State<AppState>,
    s: Staff,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = form::pairs(&body);
    if let Err(e) = form::check_csrf(&p, &s.csrf) {
        return error_page(s.t, Some(&s), e);
    }
    let (current, new) = (field(&p, "current").unwrap_or_default(), field(&p, "new").unwrap_or_default());
    if field(&p, "confirm").unwrap_or_default() != new {
        let kept = Kept::new(FORM, Vec::new()).with_error("confirm", s.t.get("account.err_confirm"));
        return show(&state, &s, &FlashQuery::default(), kept).await;
    }
    let keep = session_cookie(&headers);
    match sessions::change_password(&state, &s.principal, ip, keep.as_deref(), current.clone(), new.clone()).await {
        Ok(()) => back_ok(PATH, "password_changed"),
        Err(e) => match refusal(&s, ApiError::from(e), &current, &new) {
            Ok(kept) => show(&state, &s, &FlashQuery::default(), kept).await,
            Err(e) => error_page(s.t, Some(&s), e),
        },
    }
}

/// The field a refusal names, with its message for the reader; other errors (a lock after
/// too many wrong passwords, say) go to the error page.
fn refusal(s: &Staff, e: ApiError, current: &str, new: &str) -> Result<Kept, ApiError> {
    let key = match e.parts().2 {
        Some("current") => ("current", "account.err_current"),
        Some("new") if !new.is_empty() && new == current => ("new", "account.err_same"),
        Some("new") => ("new", "account.err_length"),
        _ => return Err(e),
    };
    let text = s.t.get(key.1).replace("{n}", &loopdesk_app::accounts::password::MIN_LENGTH.to_string());
    Ok(Kept::new(FORM, Vec::new()).with_error(key.0, text))
}
