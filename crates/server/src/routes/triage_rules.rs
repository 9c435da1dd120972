//! Admin-editable triage rules — taxonomy and keyword rules, signal lists, moderation lists,
//! priority rules — as versioned documents, and retraining the category model. A saved
//! change is validated by building an engine with it, takes effect at once on this node
//! and within `triage.reload_seconds` on the others.

use crate::auth::{Admin, Supervisor};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::triage_rules::RulePart;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;
use loopdesk_store::{Document, DocumentChange};
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/triage/rules", get(list))
        .route("/triage/rules/{part}", get(show).put(save))
        .route("/triage/rules/{part}/history", get(history))
        .route("/triage/retrain", post(retrain))
}

fn part(name: &str) -> Result<RulePart, ApiError> {
    RulePart::parse(name)
        .ok_or_else(|| ApiError::invalid("part", format!("no such rule set; use one of {}", RulePart::names())))
}

/// The document in effect, or the embedded defaults as version 0.
async fn current(state: &AppState, part: RulePart) -> Result<Value, ApiError> {
    Ok(match state.store.document(&part.document()).await? {
        Some(doc) => view(part, doc),
        None => {
            let body = part.defaults().map_err(|e| ApiError::Internal(e.to_string()))?;
            json!({"part": part, "version": 0, "body": body, "changed_by": null, "changed_at": null, "comment": "built-in defaults"})
        }
    })
}

fn view(part: RulePart, d: Document) -> Value {
    json!({"part": part, "version": d.version, "body": d.body, "changed_by": d.changed_by, "changed_at": d.changed_at, "comment": d.comment})
}

async fn list(State(state): State<AppState>, Supervisor(_): Supervisor) -> Result<axum::Json<Value>, ApiError> {
    let mut parts = Vec::new();
    for &p in RulePart::ALL {
        let version = state.store.document(&p.document()).await?.map_or(0, |d| d.version);
        parts.push(json!({"part": p, "version": version}));
    }
    Ok(axum::Json(json!({ "parts": parts })))
}

async fn show(
    State(state): State<AppState>,
    Supervisor(_): Supervisor,
    Path(name): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(current(&state, part(&name)?).await?))
}

/// Body of `PUT /triage/rules/{part}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesIn {
    /// The version the edit started from (0 for the built-in defaults).
    expected_version: i64,
    body: Value,
    /// Why the rules change, kept in the history.
    comment: String,
}

async fn save(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(name): Path<String>,
    Json(b): Json<RulesIn>,
) -> Result<axum::Json<Value>, ApiError> {
    let part = part(&name)?;
    let comment = b.comment.trim();
    if comment.is_empty() || comment.chars().count() > 500 {
        return Err(ApiError::invalid("comment", "say in 1 to 500 characters why the rules change"));
    }
    let version = b.expected_version + 1;
    // Building an engine with the new rules is the validation: what it refuses is refused.
    part.apply(state.triage.current().as_ref().clone(), &b.body, version)?;
    let mut body = b.body;
    if let Some(obj) = body.as_object_mut() {
        obj.insert("version".into(), json!(version));
    }
    let change = DocumentChange {
        name: &part.document(),
        expected_version: b.expected_version,
        body: &body,
        changed_by: &auth.0.name,
        comment,
        now: state.now(),
    };
    let doc = state.store.put_document(change).await?;
    state.triage.reload_if_changed(&state.store).await?;
    Ok(axum::Json(view(part, doc)))
}

/// Query of `GET /triage/rules/{part}/history`.
#[derive(Debug, Deserialize)]
struct HistoryQuery {
    #[serde(default)]
    limit: Option<u32>,
}

async fn history(
    State(state): State<AppState>,
    Supervisor(_): Supervisor,
    Path(name): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Result<axum::Json<Value>, ApiError> {
    let part = part(&name)?;
    let docs = state.store.document_history(&part.document(), q.limit.unwrap_or(50).clamp(1, 500)).await?;
    Ok(axum::Json(json!({ "versions": docs.into_iter().map(|d| view(part, d)).collect::<Vec<_>>() })))
}

async fn retrain(State(state): State<AppState>, Admin(_): Admin) -> Result<axum::Json<Value>, ApiError> {
    let r = crate::triage::retrain(&state.store, state.now()).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    state.triage.reload_if_changed(&state.store).await?;
    Ok(axum::Json(json!({"version": r.version, "examples": r.examples, "corrections": r.corrections})))
}
