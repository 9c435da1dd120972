//! `GET/PUT /admin/routing-rules` and `/admin/staffing` (and their `/history`): the routing
//! rules and who works where, as versioned documents. A change names the version it was
//! based on (409 `stale_version` otherwise); the body is checked into its typed form first,
//! and an error names the field inside it (`body.rules[2].departments`).

use crate::auth::{Admin, Supervisor};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::state::AppState;
use crate::workflow::documents::{self, ROUTING_RULES, STAFFING};
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use loopdesk_core::routing::{ConfigError, RoutingRules, Staffing};
use loopdesk_store::{Document, DocumentChange};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/routing-rules", get(get_rules).put(put_rules))
        .route("/admin/routing-rules/history", get(rules_history))
        .route("/admin/staffing", get(get_staffing).put(put_staffing))
        .route("/admin/staffing/history", get(staffing_history))
}

/// Body of a PUT.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn {
    /// The version this edit is based on; 0 for the first.
    expected_version: i64,
    body: Value,
    #[serde(default)]
    comment: String,
}

/// Query of `/history`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    #[serde(default)]
    limit: Option<u32>,
}

fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_string() } else { format!("body.{path}") };
        ApiError::invalid(field, e.into_inner().to_string())
    })
}

fn config_error(e: ConfigError) -> ApiError {
    ApiError::invalid(format!("body.{}", e.field), e.message)
}

async fn current(state: &AppState, name: &str, default: Value) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(match state.store.document(name).await? {
        Some(d) => serde_json::to_value(d).map_err(|e| ApiError::Internal(e.to_string()))?,
        None => json!({ "name": name, "version": 0, "body": default }),
    }))
}

async fn save(state: &AppState, auth: &crate::auth::Auth, name: &str, b: &DocumentIn) -> Result<Document, ApiError> {
    if b.comment.chars().count() > 500 {
        return Err(ApiError::invalid("comment", "must be at most 500 characters"));
    }
    let change = DocumentChange {
        name,
        expected_version: b.expected_version,
        body: &b.body,
        changed_by: &auth.0.name,
        comment: &b.comment,
        now: state.now(),
    };
    Ok(state.store.put_document(change).await?)
}

async fn history(state: &AppState, name: &str, q: HistoryQuery) -> Result<axum::Json<Vec<Document>>, ApiError> {
    Ok(axum::Json(state.store.document_history(name, q.limit.unwrap_or(50).min(500)).await?))
}

async fn get_rules(State(state): State<AppState>, Supervisor(_): Supervisor) -> Result<axum::Json<Value>, ApiError> {
    current(&state, ROUTING_RULES, json!(RoutingRules::default())).await
}

async fn put_rules(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<DocumentIn>,
) -> Result<axum::Json<Document>, ApiError> {
    let rules: RoutingRules = parse(&b.body)?;
    let departments: Vec<_> = state.store.departments().await?.into_iter().map(|d| d.id).collect();
    rules.validate(&departments).map_err(config_error)?;
    Ok(axum::Json(save(&state, &auth, ROUTING_RULES, &b).await?))
}

async fn rules_history(
    State(state): State<AppState>,
    Supervisor(_): Supervisor,
    Query(q): Query<HistoryQuery>,
) -> Result<axum::Json<Vec<Document>>, ApiError> {
    history(&state, ROUTING_RULES, q).await
}

async fn get_staffing(State(state): State<AppState>, Supervisor(_): Supervisor) -> Result<axum::Json<Value>, ApiError> {
    current(&state, STAFFING, json!(Staffing::default())).await
}

async fn put_staffing(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<DocumentIn>,
) -> Result<axum::Json<Document>, ApiError> {
    let staffing: Staffing = parse(&b.body)?;
    let departments: Vec<_> = state.store.departments().await?.into_iter().map(|d| d.id).collect();
    let users: Vec<_> = state.store.users().await?.into_iter().map(|u| u.id).collect();
    staffing.validate(&documents::calendars(&state), &departments, &users).map_err(config_error)?;
    Ok(axum::Json(save(&state, &auth, STAFFING, &b).await?))
}

async fn staffing_history(
    State(state): State<AppState>,
    Supervisor(_): Supervisor,
    Query(q): Query<HistoryQuery>,
) -> Result<axum::Json<Vec<Document>>, ApiError> {
    history(&state, STAFFING, q).await
}
