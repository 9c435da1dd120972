//! `POST /tickets/{id}/reply`: a public reply to the customer, as JSON, or as
//! `multipart/form-data` with files (checked like every upload: size, type, count; a
//! refused file is named as `attachments[i]`). With `resolve: true` the ticket is resolved
//! in the same change, the reply being the outcome's summary unless `outcome` is given;
//! the customer then gets one message, the result, with the files.

use super::actions::ActionOut;
use super::view;
use crate::auth::Worker;
use crate::error::ApiError;
use crate::extract::{parse_json, Path};
use crate::routes::feedback::multipart;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::Json;
use loopdesk_app::tickets::reply::{reply as send, solved_by, ReplyInput};
use loopdesk_core::{Outcome, TicketId};
use serde::Deserialize;

/// Body of `reply`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    /// The text sent to the customer.
    #[serde(alias = "message")]
    body: String,
    /// Resolve the ticket in the same change ("reply and resolve").
    #[serde(default)]
    resolve: bool,
    /// The outcome to record when resolving; solved with the reply as summary when absent.
    #[serde(default)]
    outcome: Option<Outcome>,
}

/// With files: `body` (and `resolve`: `true`, `outcome`: JSON) as text fields, files in
/// `attachment` parts.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReplyForm {
    body: String,
    resolve: Option<bool>,
    /// An [`Outcome`] as JSON text.
    #[schema(content_media_type = "application/json")]
    outcome: Option<String>,
    /// Files (also accepted as `attachments` or `file`); at most 10, each within the upload limit.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    attachment: Vec<Vec<u8>>,
}

impl ReplyIn {
    fn input(self, files: Vec<loopdesk_channels::email::InboundAttachment>) -> ReplyInput {
        let resolve = match (self.resolve, self.outcome) {
            (_, Some(o)) => Some(o),
            (true, None) => Some(solved_by(&self.body)),
            (false, None) => None,
        };
        ReplyInput { body: self.body, files, resolve }
    }
}

/// Reads a JSON or multipart reply.
async fn read(state: &AppState, req: Request) -> Result<ReplyInput, ApiError> {
    if !multipart::is_multipart(req.headers()) {
        // The route allows bodies big enough for files; JSON keeps the usual limit.
        let limit = state.config.limits.max_body_bytes;
        let bytes =
            axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| ApiError::PayloadTooLarge { limit })?;
        let body: ReplyIn = parse_json(&bytes)?;
        return Ok(body.input(Vec::new()));
    }
    let form = multipart::read_request(state, req).await?;
    let resolve = match form.field("resolve").map(str::trim) {
        None | Some("") | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("on") => true,
        Some(_) => return Err(ApiError::invalid("resolve", "must be true or false")),
    };
    let outcome = match form.field("outcome").filter(|o| !o.trim().is_empty()) {
        Some(json) => Some(parse_json::<Outcome>(json.as_bytes())?),
        None => None,
    };
    let body = form.field("body").or_else(|| form.field("message")).unwrap_or_default().to_string();
    Ok(ReplyIn { body, resolve, outcome }.input(form.files))
}

/// `POST /tickets/{id}/reply`: public reply to the customer, with files, optionally
/// resolving the ticket in the same change.
#[utoipa::path(post, path = "/tickets/{id}/reply", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
    request_body(content((ReplyIn = "application/json"), (ReplyForm = "multipart/form-data"))),
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn reply(
    State(state): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Json<ActionOut>, ApiError> {
    let input = read(&state, req).await?;
    let done = send(&state, &a.0, TicketId(id), input).await?;
    Ok(Json(ActionOut::new(view::ticket(&done.ticket, &a.0), done.events.iter().map(view::event).collect())))
}
