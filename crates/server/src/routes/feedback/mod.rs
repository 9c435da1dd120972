//! `POST /feedback`: intake from any channel, as JSON or as `multipart/form-data` with the
//! JSON in a `feedback` field and files in `attachment` fields. Without credentials it is
//! the public web/app form; with an API token or session a channel or staff member may set
//! the channel and the time the customer gave the feedback (`loopdesk_app::intake::feedback`).

pub mod multipart;

use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::extract::{parse_json, ClientIp, JsonWithBytes};
use crate::openapi::Errors;
use crate::state::AppState;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use loopdesk_app::intake::feedback::{admit, record, FeedbackIn};
use loopdesk_app::intake::uploads;
use loopdesk_core::{Channel, Priority, State as TicketState, Ticket, Timestamp};
use serde::Serialize;

/// The answer to a successful intake.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedbackOut {
    pub id: i64,
    /// What triage found: confidence, signals, moderation.
    pub triage: Option<loopdesk_core::TriageSummary>,
    pub priority_reasons: Vec<String>,
    pub impact_scope: loopdesk_core::ImpactScope,
    /// The problem cluster (its first ticket's id).
    pub cluster_id: i64,
    /// Set when this was the same customer's repeat, merged into that ticket.
    pub merged_into: Option<i64>,
    pub tracking_no: String,
    pub state: TicketState,
    pub priority: Priority,
    pub category: Option<String>,
    pub channel: Channel,
    #[schema(value_type = String, format = DateTime)]
    pub received_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: Timestamp,
    /// Where the customer can follow the ticket (add `?phone=` or `?email=`).
    pub track_url: String,
}

/// The client's Idempotency-Key header, if any.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(v) => v.to_str().map(Some).map_err(|_| ApiError::invalid("Idempotency-Key", "must be ASCII characters")),
    }
}

/// With files: the same JSON in a `feedback` part, files in `attachment` parts (413 and 415
/// name the refused file as `attachments[i]`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FeedbackForm {
    /// The [`FeedbackIn`] body as JSON text.
    #[schema(content_media_type = "application/json")]
    feedback: String,
    /// Files (also accepted as `attachments` or `file`).
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    attachment: Vec<Vec<u8>>,
}

/// `POST /api/v1/feedback`: the public form (no credentials), or a channel or staff member
/// with a token or session (who may also set `channel` and `received_at`). The same
/// `Idempotency-Key` with the same body answers the same ticket.
#[utoipa::path(post, path = "/feedback", tag = "feedback", security((), ("token" = []), ("session" = [])),
    params(("Idempotency-Key" = Option<String>, Header, max_length = 200, description = "Repeat-safe submission key")),
    request_body(content((FeedbackIn = "application/json"), (FeedbackForm = "multipart/form-data"))),
    responses(
        (status = 201, description = "Recorded; `Location` is the ticket", body = FeedbackOut,
            headers(("location" = String, description = "The ticket's API path"))),
        Errors))]
pub async fn submit(
    State(state): State<AppState>,
    MaybeAuth(principal): MaybeAuth,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    if !multipart::is_multipart(&headers) {
        // The route allows bodies big enough for files; JSON keeps the usual limit.
        let limit = state.config.limits.max_body_bytes;
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::PayloadTooLarge { limit })?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let JsonWithBytes(body, bytes) = JsonWithBytes::<FeedbackIn>::from_request(req, &state).await?;
        let submission = admit(&state, principal.as_ref(), ip, key, body, &bytes)?;
        let recorded = record(&state, submission).await?;
        return Ok(created(&recorded.ticket, recorded.replayed));
    }
    let form = multipart::read_request(&state, req).await?;
    let json =
        form.field("feedback").ok_or_else(|| ApiError::invalid("feedback", "the JSON of the feedback is missing"))?;
    let body: FeedbackIn = parse_json(json.as_bytes())?;
    let submission = admit(&state, principal.as_ref(), ip, key, body, json.as_bytes())?;
    let recorded = uploads::accept(&state, submission, &form.files).await?;
    Ok(created(&recorded.ticket, recorded.replayed))
}

/// The `201 Created` answer for a recorded ticket.
pub fn created(t: &Ticket, replayed: bool) -> Response {
    let out = FeedbackOut {
        id: t.id.0,
        triage: t.triage.clone(),
        priority_reasons: t.priority_reasons.clone(),
        impact_scope: t.impact_scope,
        cluster_id: t.triage.as_ref().and_then(|x| x.cluster_id).unwrap_or(t.id.0),
        merged_into: t.merged_into.map(|m| m.0),
        tracking_no: t.tracking_no.to_string(),
        state: t.state,
        priority: t.priority,
        category: t.category.clone(),
        channel: t.channel,
        received_at: t.received_at,
        recorded_at: t.recorded_at,
        track_url: format!("/api/v1/track/{}", t.tracking_no),
    };
    let mut resp = (StatusCode::CREATED, axum::Json(out)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/tickets/{}", t.id)) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    if replayed {
        resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    resp
}
