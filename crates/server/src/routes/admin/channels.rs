//! What came in through the channels and what went out: the quarantine of messages that
//! could not be taken in, stored attachments, and a ticket's deliveries.

use crate::auth::{Admin, Auth};
use crate::error::ApiError;
use crate::extract::Path;
use crate::extract::Query;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use loopdesk_app::access::visible;
use loopdesk_core::access::Permission;
use loopdesk_core::TicketId;
use serde::{Deserialize, Serialize};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/quarantine", get(quarantine))
        .route("/admin/quarantine/{id}/raw", get(quarantine_raw))
        .route("/attachments/{id}", get(attachment))
        .route("/tickets/{id}/deliveries", get(deliveries))
}

/// Query of the quarantine list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// 1 to 1000 (default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// The quarantine, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuarantineList {
    #[schema(value_type = Vec<Object>)]
    items: Vec<loopdesk_app::read::Quarantined>,
}

/// A ticket's notifications and stored attachments.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deliveries {
    #[schema(value_type = Vec<Object>)]
    deliveries: Vec<loopdesk_app::read::Delivery>,
    #[schema(value_type = Vec<Object>)]
    attachments: Vec<loopdesk_app::read::StoredAttachment>,
}

/// `GET /admin/quarantine`: messages that could not be taken in, newest first.
#[utoipa::path(get, path = "/admin/quarantine", tag = "channels", params(LimitQuery),
    responses((status = 200, body = QuarantineList), crate::openapi::Errors))]
pub async fn quarantine(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Query(q): Query<LimitQuery>,
) -> Result<axum::Json<QuarantineList>, ApiError> {
    auth.require(Permission::Administer)?;
    let items = state.read().quarantined(crate::extract::limit(q.limit, 100, 1000)?).await?;
    Ok(axum::Json(QuarantineList { items }))
}

/// `GET /admin/quarantine/{id}/raw`: the message as received.
#[utoipa::path(get, path = "/admin/quarantine/{id}/raw", tag = "channels",
    params(("id" = i64, Path, description = "Quarantine entry id")),
    responses((status = 200, description = "The raw message", body = String, content_type = "message/rfc822"), crate::openapi::Errors))]
pub async fn quarantine_raw(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    auth.require(Permission::Administer)?;
    let raw = state.read().quarantined_raw(id).await?;
    Ok(([(header::CONTENT_TYPE, "message/rfc822")], raw).into_response())
}

/// `GET /attachments/{id}`: a stored attachment, for staff who may see its ticket (served
/// as a download with its recognised type and `nosniff`).
#[utoipa::path(get, path = "/attachments/{id}", tag = "channels", params(("id" = i64, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", body = Vec<u8>, content_type = "*/*"), crate::openapi::Errors))]
pub async fn attachment(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Result<Response, ApiError> {
    auth.require(Permission::Read)?;
    let (meta, bytes) = state.read().attachment(id).await?;
    let ticket = meta.ticket_id.ok_or_else(|| ApiError::NotFound("attachment not found".into()))?;
    visible(&state, &auth.0, TicketId(ticket)).await?;
    let disposition = format!("attachment; filename=\"attachment-{}\"", meta.id);
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /tickets/{id}/deliveries`: the ticket's notifications and their delivery state.
#[utoipa::path(get, path = "/tickets/{id}/deliveries", tag = "tickets", params(("id" = i64, Path, description = "Ticket id")),
    responses((status = 200, body = Deliveries), crate::openapi::Errors))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<axum::Json<Deliveries>, ApiError> {
    auth.require(Permission::Read)?;
    visible(&state, &auth.0, TicketId(id)).await?;
    let list = state.read().ticket_deliveries(TicketId(id)).await?;
    let attachments = state.read().ticket_attachments(TicketId(id)).await?;
    Ok(axum::Json(Deliveries { deliveries: list, attachments }))
}
