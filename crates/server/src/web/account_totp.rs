//! The second factor on the account page: set it up (the secret is shown as a QR code, as
//! text and as an otpauth link until the first code confirms it), confirm, and turn it off with the
//! password and a code. The same use cases as `/api/v1/auth/totp/…`; a wrong code or
//! password is named at its field.

use super::account::show;
use super::context::Staff;
use super::fields::Kept;
use super::form::{self, field};
use super::page::{back_ok, back_with_error, error_page, FlashQuery};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::accounts::totp;

const PATH: &str = "/console/account";

/// The second factor as the page shows it.
pub struct TotpView {
    pub enabled: bool,
    /// Secret (base32) and otpauth URI of an enrolment awaiting its first code.
    pub pending: Option<(String, String)>,
    /// The otpauth URI of a pending enrolment as an inline SVG QR code.
    pub qr: Option<String>,
    /// The configuration requires one of this member (an admin).
    pub required: bool,
}

/// The member's second factor now.
pub async fn view(state: &AppState, s: &Staff) -> Result<TotpView, ApiError> {
    let status = totp::status(state, s.principal.user_id).await?;
    let pending = match status.pending && !status.enabled {
        true => totp::pending(state, &s.principal).await?.map(|e| (e.secret, e.uri)),
        false => None,
    };
    let required = state.config.auth.totp_required_for_admins && s.user.role == loopdesk_core::Role::Admin;
    let qr = pending.as_ref().and_then(|(_, uri)| super::qr::svg(uri));
    Ok(TotpView { enabled: status.enabled, pending, qr, required })
}

/// `POST /console/account/totp/begin`: issues a secret; the page then shows it.
pub async fn begin(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        totp::begin(&state, &s.principal).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => form::redirect(&format!("{PATH}#totp")),
        Err(e) => back_with_error(PATH, &e),
    }
}

/// The field a refusal names, with its message for the reader; other errors (a lock after
/// too many wrong codes, say) go to the error page.
fn refusal(s: &Staff, e: ApiError) -> Result<Kept, ApiError> {
    let kept = Kept::new("totp", Vec::new());
    match e.parts() {
        (_, "bad_totp", _) => Ok(kept.with_error("code", s.t.get("totp.err_code"))),
        (_, _, Some("password")) => Ok(kept.with_error("password", s.t.get("account.err_current"))),
        _ => Err(e),
    }
}

async fn answer(state: &AppState, s: &Staff, result: Result<(), ApiError>, done: &str) -> Response {
    match result {
        Ok(()) => back_ok(PATH, done),
        Err(e) => match refusal(s, e) {
            Ok(kept) => show(state, s, &FlashQuery::default(), kept).await,
            Err(e) => error_page(s.t, Some(s), e),
        },
    }
}

/// `POST /console/account/totp/confirm`: the first code puts the secret in force.
pub async fn confirm(State(state): State<AppState>, s: Staff, ClientIp(ip): ClientIp, body: Bytes) -> Response {
    let p = form::pairs(&body);
    if let Err(e) = form::check_csrf(&p, &s.csrf) {
        return error_page(s.t, Some(&s), e);
    }
    let code = field(&p, "code").unwrap_or_default();
    let result = totp::confirm(&state, &s.principal, ip, &code).await.map_err(ApiError::from);
    answer(&state, &s, result, "totp_enabled").await
}

/// `POST /console/account/totp/disable`: password and a current code turn it off.
pub async fn disable(State(state): State<AppState>, s: Staff, ClientIp(ip): ClientIp, body: Bytes) -> Response {
    let p = form::pairs(&body);
    if let Err(e) = form::check_csrf(&p, &s.csrf) {
        return error_page(s.t, Some(&s), e);
    }
    let (password, code) = (field(&p, "password").unwrap_or_default(), field(&p, "code").unwrap_or_default());
    let result = totp::disable(&state, &s.principal, ip, password, &code).await.map_err(ApiError::from);
    answer(&state, &s, result, "totp_disabled").await
}
