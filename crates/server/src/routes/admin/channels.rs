//! Admin endpoints of the channels: notification templates, robots, per-channel settings
//! (all validated into their types before they are saved as versioned documents), the
//! quarantine, stored attachments and a ticket's deliveries.

use super::docs::{GatewayDoc, RobotsDoc, WebhookDoc, WechatDoc};
use crate::auth::{Admin, Auth};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use loopdesk_channels::templates::TemplateSet;
use loopdesk_core::access::Permission;
use loopdesk_core::TicketId;
use loopdesk_store::{DocumentChange, StoreError};
use serde::Deserialize;
use serde_json::{json, Value};

/// Body of the PUT endpoints: the new document and the version it was based on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    /// 0 when the document is new.
    pub expected_version: i64,
    pub body: Value,
    #[serde(default)]
    pub comment: String,
}

async fn current(state: &AppState, name: &str, fallback: impl FnOnce() -> Value) -> Result<Value, ApiError> {
    Ok(match state.store.document(name).await? {
        Some(d) => json!({ "name": name, "version": d.version, "body": d.body, "changed_by": d.changed_by,
                           "changed_at": d.changed_at, "comment": d.comment }),
        None => json!({ "name": name, "version": 0, "body": fallback() }),
    })
}

async fn save(state: &AppState, auth: &Auth, name: &str, input: &DocumentIn) -> Result<axum::Json<Value>, ApiError> {
    let p = auth.require(Permission::Administer)?;
    let change = DocumentChange {
        name,
        expected_version: input.expected_version,
        body: &input.body,
        changed_by: &p.name,
        comment: &input.comment,
        now: state.now(),
    };
    match state.store.put_document(change).await {
        Ok(d) => Ok(axum::Json(json!({ "name": name, "version": d.version }))),
        Err(StoreError::StaleVersion { current }) => Err(ApiError::Conflict {
            code: "stale_version",
            message: format!("the document was changed meanwhile; the current version is {current}"),
            field: Some("expected_version".into()),
        }),
        Err(e) => Err(e.into()),
    }
}

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::invalid("body", e.to_string())
}

/// `GET /admin/templates`: the templates in effect (the built-in set until edited).
pub async fn get_templates(State(state): State<AppState>, Admin(auth): Admin) -> Result<axum::Json<Value>, ApiError> {
    auth.require(Permission::Administer)?;
    let builtin = || serde_json::to_value(TemplateSet::builtin()).unwrap_or(Value::Null);
    Ok(axum::Json(current(&state, "templates", builtin).await?))
}

/// `PUT /admin/templates`: every template must parse and use only its kind's variables.
pub async fn put_templates(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(input): Json<DocumentIn>,
) -> Result<axum::Json<Value>, ApiError> {
    let set: TemplateSet = serde_json::from_value(input.body.clone()).map_err(invalid)?;
    set.validate().map_err(invalid)?;
    save(&state, &auth, "templates", &input).await
}

/// `GET /admin/robots`.
pub async fn get_robots(State(state): State<AppState>, Admin(auth): Admin) -> Result<axum::Json<Value>, ApiError> {
    auth.require(Permission::Administer)?;
    let empty = || serde_json::to_value(RobotsDoc::default()).unwrap_or(Value::Null);
    Ok(axum::Json(current(&state, "robots", empty).await?))
}

/// `PUT /admin/robots`.
pub async fn put_robots(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(input): Json<DocumentIn>,
) -> Result<axum::Json<Value>, ApiError> {
    let _: RobotsDoc = serde_json::from_value(input.body.clone()).map_err(invalid)?;
    save(&state, &auth, "robots", &input).await
}

fn channel_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid("name", "use 1 to 64 letters, digits, '-' or '_'"))
    }
}

/// `GET /admin/channels/{name}`: `wechat`, `outbound` or a webhook source.
pub async fn get_channel(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(name): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    auth.require(Permission::Administer)?;
    channel_name(&name)?;
    Ok(axum::Json(current(&state, &format!("channel:{name}"), || Value::Null).await?))
}

/// `PUT /admin/channels/{name}`: validated as the WeChat account, the outbound gateway, or
/// a webhook source (secret + JSON mapping).
pub async fn put_channel(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(name): Path<String>,
    Json(input): Json<DocumentIn>,
) -> Result<axum::Json<Value>, ApiError> {
    channel_name(&name)?;
    let body = input.body.clone();
    match name.as_str() {
        "wechat" => {
            let doc: WechatDoc = serde_json::from_value(body).map_err(invalid)?;
            if let Some(k) = doc.encoding_aes_key.as_deref().filter(|k| !k.is_empty()) {
                loopdesk_channels::wechat::EncodingAesKey::parse(k).map_err(invalid)?;
            }
        }
        "outbound" => {
            let doc: GatewayDoc = serde_json::from_value(body).map_err(invalid)?;
            if !doc.url.starts_with("https://") && !doc.url.starts_with("http://") {
                return Err(ApiError::invalid("body.url", "must be an http(s) URL"));
            }
        }
        _ => {
            let doc: WebhookDoc = serde_json::from_value(body).map_err(invalid)?;
            if doc.secret.len() < 16 {
                return Err(ApiError::invalid("body.secret", "must be at least 16 characters"));
            }
        }
    }
    save(&state, &auth, &format!("channel:{name}"), &input).await
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
    let items = state.store.quarantined(q.limit.unwrap_or(100).clamp(1, 1000)).await?;
    Ok(axum::Json(json!({ "items": items })))
}

/// `GET /admin/quarantine/{id}/raw`: the message as received.
pub async fn quarantine_raw(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    auth.require(Permission::Administer)?;
    let raw = state.store.quarantined_raw(id).await?;
    Ok(([(header::CONTENT_TYPE, "message/rfc822")], raw).into_response())
}

/// `GET /attachments/{id}`: a stored attachment, for staff who may see its ticket.
pub async fn attachment(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Result<Response, ApiError> {
    auth.require(Permission::Read)?;
    let (meta, bytes) = state.store.attachment(id).await?;
    let ticket = meta.ticket_id.ok_or_else(|| ApiError::NotFound("attachment not found".into()))?;
    crate::routes::tickets::show::visible(&state, &auth.0, ticket).await?;
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
    crate::routes::tickets::show::visible(&state, &auth.0, id).await?;
    let list = state.store.ticket_deliveries(TicketId(id)).await?;
    let attachments = state.store.ticket_attachments(TicketId(id)).await?;
    Ok(axum::Json(json!({ "deliveries": list, "attachments": attachments })))
}
