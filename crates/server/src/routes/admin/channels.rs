//! What came in through the channels and what went out: the quarantine of messages that
//! could not be taken in, stored attachments, and a ticket's deliveries.

use crate::auth::{Admin, Auth};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use loopdesk_app::access::visible;
use loopdesk_core::access::Permission;
use loopdesk_core::TicketId;
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/quarantine", get(quarantine))
        .route("/admin/quarantine/{id}/raw", get(quarantine_raw))
        .route("/attachments/{id}", get(attachment))
        .route("/tickets/{id}/deliveries", get(deliveries))
}

/// Query of the quarantine list.
#[derive(Debug, Deserialize)]
pub struct LimitQuery {
    #[serde(default)]
    pub limit: Option<i64>,
}

/// `GET /admin/quarantine`: messages that could not be taken in, newest first.
pub async fn quarantine(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Query(q): Query<LimitQuery>,
) -> Result<axum::Json<Value>, ApiError> {
    auth.require(Permission::Administer)?;
    let items = state.read().quarantined(q.limit.unwrap_or(100).clamp(1, 1000)).await?;
    Ok(axum::Json(json!({ "items": items })))
}

/// `GET /admin/quarantine/{id}/raw`: the message as received.
pub async fn quarantine_raw(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    auth.require(Permission::Administer)?;
    let raw = state.read().quarantined_raw(id).await?;
    Ok(([(header::CONTENT_TYPE, "message/rfc822")], raw).into_response())
}

/// `GET /attachments/{id}`: a stored attachment, for staff who may see its ticket.
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
pub async fn deliveries(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>, ApiError> {
    auth.require(Permission::Read)?;
    visible(&state, &auth.0, TicketId(id)).await?;
    let list = state.read().ticket_deliveries(TicketId(id)).await?;
    let attachments = state.read().ticket_attachments(TicketId(id)).await?;
    Ok(axum::Json(json!({ "deliveries": list, "attachments": attachments })))
}
