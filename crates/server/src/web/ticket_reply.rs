//! The ticket page's reply box and macros: `POST /console/tickets/{id}/send` (a reply or
//! a note, with files; the second button "reply and resolve" resolves in the same change)
//! and `POST /console/tickets/{id}/macro`. Both call the same use cases as the JSON API.

use super::context::Staff;
use super::fields::{self, Kept};
use super::form::{self, field};
use super::page::{back_ok, back_with_error};
use crate::error::ApiError;
use crate::extract::Path;
use crate::routes::feedback::multipart;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::Response;
use loopdesk_app::macros::manage;
use loopdesk_app::tickets::actions::{perform, Action};
use loopdesk_app::tickets::reply::{reply, solved_by, ReplyInput};
use loopdesk_channels::email::InboundAttachment;
use loopdesk_core::TicketId;

/// The reply form: URL-encoded, or multipart with files.
async fn read(state: &AppState, req: Request) -> Result<(Vec<(String, String)>, Vec<InboundAttachment>), ApiError> {
    if multipart::is_multipart(req.headers()) {
        let f = multipart::read_request(state, req).await?;
        return Ok((f.fields, f.files));
    }
    let limit = state.config.limits.max_body_bytes;
    let body = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| ApiError::PayloadTooLarge { limit })?;
    Ok((form::pairs(&body), Vec::new()))
}

/// `POST /console/tickets/{id}/send`: `kind=note` records a note (files are for the
/// customer and refused on a note); otherwise a reply, resolved too when the pressed
/// button says `resolve=1`.
pub async fn send(State(state): State<AppState>, s: Staff, Path(id): Path<i64>, req: Request) -> Response {
    let page = format!("/console/tickets/{id}");
    let (p, files) = match read(&state, req).await {
        Ok(x) => x,
        Err(e) => return back_with_error(&page, &e),
    };
    match sent(&state, &s, TicketId(id), &p, files).await {
        Ok(key) => back_ok(&page, key),
        // A refused field: the page again with what was typed (files are chosen again).
        Err(e) => match fields::refused_field(&e) {
            Some((api_field, message)) => {
                let name = if api_field.starts_with("attachments") { "attachment" } else { "body" };
                let typed = field(&p, "body").unwrap_or_default();
                let label = api_field.rsplit('.').next().unwrap_or(api_field);
                let text = fields::explain(&s.t, api_field, label, &message, &typed);
                let kept = Kept::new("message", p).with_error(name, text.clone());
                super::ticket::refused(&state, &s, id, kept, text).await
            }
            None => back_with_error(&page, &e),
        },
    }
}

/// Performs the reply form; answers the key of the page's confirmation.
async fn sent(
    state: &AppState,
    s: &Staff,
    id: TicketId,
    p: &[(String, String)],
    files: Vec<InboundAttachment>,
) -> Result<&'static str, ApiError> {
    form::check_csrf(p, &s.csrf)?;
    let body = field(p, "body").unwrap_or_default();
    if field(p, "kind").as_deref() == Some("note") {
        if !files.is_empty() {
            return Err(ApiError::invalid("attachments", "files go to the customer: send them with a reply"));
        }
        perform(state, &s.principal, id, Action::Note { body }).await?;
        return Ok("note_saved");
    }
    let resolve = field(p, "resolve").is_some_and(|v| v == "1").then(|| solved_by(&body));
    let key = if resolve.is_some() { "replied_resolved" } else { "replied" };
    reply(state, &s.principal, id, ReplyInput { body, files, resolve }).await?;
    Ok(key)
}

/// `POST /console/tickets/{id}/macro` with the macro's id in `macro`.
pub async fn apply_macro(State(state): State<AppState>, s: Staff, Path(id): Path<i64>, b: Bytes) -> Response {
    let p = form::pairs(&b);
    let page = format!("/console/tickets/{id}");
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        let m = field(&p, "macro").ok_or_else(|| ApiError::invalid("macro", "choose a macro"))?;
        manage::apply(&state, &s.principal, TicketId(id), &m).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok(&page, "macro_applied"),
        Err(e) => back_with_error(&page, &e),
    }
}
