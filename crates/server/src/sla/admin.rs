//! Admin API for the SLA policy and the business calendars: read, replace (validated,
//! versioned with `expected_version`), history, and a calendar's listed days as CSV or
//! iCalendar. Every accepted change enqueues one `sla.recompute` so open tickets are
//! rescheduled against it.

use super::load::{compile, CalendarsDoc, Refusal, CALENDARS_DOC, POLICY_DOC};
use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::jobs::sla::recompute_job;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use loopdesk_core::calendar::CalendarSpec;
use loopdesk_core::sla::SlaPolicy;
use loopdesk_store::{Document, DocumentChange};
use serde::Deserialize;
use serde_json::{json, Value};

/// Versions listed by a history endpoint.
const HISTORY: u32 = 100;
/// Longest comment kept with a change.
const MAX_COMMENT: usize = 500;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sla-policy", get(get_policy).put(put_policy))
        .route("/admin/sla-policy/history", get(policy_history))
        .route("/admin/calendars", get(get_calendars).put(put_calendars))
        .route("/admin/calendars/history", get(calendars_history))
        .route("/admin/calendars/{name}/days.csv", get(get_csv).put(put_csv))
        .route("/admin/calendars/{name}/days.ics", get(get_ical).put(put_ical))
}

/// Body of a replacing `PUT`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeIn {
    /// The version the edit was based on (0 when none was saved yet).
    pub expected_version: i64,
    pub body: Value,
    #[serde(default)]
    pub comment: String,
}

/// Query of an import.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    pub expected_version: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

fn refused((field, message): Refusal) -> ApiError {
    ApiError::invalid(field, message)
}

fn view(version: i64, body: Value, doc: Option<&Document>) -> Value {
    json!({
        "version": version,
        "body": body,
        "changed_by": doc.map(|d| d.changed_by.clone()),
        "changed_at": doc.map(|d| d.changed_at),
        "comment": doc.map(|d| d.comment.clone()),
    })
}

async fn get_policy(State(state): State<AppState>, _: Admin) -> Result<axum::Json<Value>, ApiError> {
    let doc = state.store.document(POLICY_DOC).await?;
    let body = match &doc {
        Some(d) => d.body.clone(),
        None => serde_json::to_value(SlaPolicy::default()).map_err(|e| ApiError::Internal(e.to_string()))?,
    };
    Ok(axum::Json(view(doc.as_ref().map_or(0, |d| d.version), body, doc.as_ref())))
}

async fn put_policy(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<ChangeIn>,
) -> Result<axum::Json<Value>, ApiError> {
    let policy: SlaPolicy =
        serde_json::from_value(b.body.clone()).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    state.sla.refresh(&state.store).await?;
    policy.validate(&state.sla.get().calendars).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    let body = serde_json::to_value(&policy).map_err(|e| ApiError::Internal(e.to_string()))?;
    let doc = save(&state, &auth.0.name, POLICY_DOC, b.expected_version, &body, &b.comment).await?;
    Ok(axum::Json(view(doc.version, doc.body.clone(), Some(&doc))))
}

/// Saves a validated document, reloads the configuration and enqueues the recount.
async fn save(
    state: &AppState,
    who: &str,
    name: &str,
    expected_version: i64,
    body: &Value,
    comment: &str,
) -> Result<Document, ApiError> {
    if comment.chars().count() > MAX_COMMENT {
        return Err(ApiError::invalid("comment", format!("at most {MAX_COMMENT} characters")));
    }
    let change = DocumentChange { name, expected_version, body, changed_by: who, comment, now: state.now() };
    let doc = state.store.put_document(change).await?;
    state.sla.refresh(&state.store).await?;
    state.store.enqueue(recompute_job(state.now())).await?;
    Ok(doc)
}

async fn history(state: &AppState, name: &str) -> Result<axum::Json<Value>, ApiError> {
    let docs = state.store.document_history(name, HISTORY).await?;
    Ok(axum::Json(json!({ "items": docs })))
}

async fn policy_history(State(state): State<AppState>, _: Admin) -> Result<axum::Json<Value>, ApiError> {
    history(&state, POLICY_DOC).await
}

async fn calendars_history(State(state): State<AppState>, _: Admin) -> Result<axum::Json<Value>, ApiError> {
    history(&state, CALENDARS_DOC).await
}

/// The calendars document in effect (the built-in calendars when none was saved).
async fn current_calendars(state: &AppState) -> Result<(CalendarsDoc, Option<Document>), ApiError> {
    let doc = state.store.document(CALENDARS_DOC).await?;
    let body = match &doc {
        Some(d) => serde_json::from_value(d.body.clone()).map_err(|e| ApiError::Internal(e.to_string()))?,
        None => CalendarsDoc::defaults(),
    };
    Ok((body, doc))
}

async fn get_calendars(State(state): State<AppState>, _: Admin) -> Result<axum::Json<Value>, ApiError> {
    let (body, doc) = current_calendars(&state).await?;
    let body = serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(axum::Json(view(doc.as_ref().map_or(0, |d| d.version), body, doc.as_ref())))
}

async fn put_calendars(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Json(b): Json<ChangeIn>,
) -> Result<axum::Json<Value>, ApiError> {
    let cals: CalendarsDoc =
        serde_json::from_value(b.body.clone()).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    let doc = save_calendars(&state, &auth.0.name, b.expected_version, &cals, &b.comment).await?;
    Ok(axum::Json(view(doc.version, doc.body.clone(), Some(&doc))))
}

/// Checks that the calendars compile and that the policy in effect finds every calendar
/// it names, then saves them.
async fn save_calendars(
    state: &AppState,
    who: &str,
    expected_version: i64,
    cals: &CalendarsDoc,
    comment: &str,
) -> Result<Document, ApiError> {
    let compiled = compile(cals).map_err(refused)?;
    state.sla.refresh(&state.store).await?;
    state.sla.get().policy.validate(&compiled).map_err(|e| ApiError::invalid("body", e.to_string()))?;
    let body = serde_json::to_value(cals).map_err(|e| ApiError::Internal(e.to_string()))?;
    save(state, who, CALENDARS_DOC, expected_version, &body, comment).await
}

fn find<'a>(cals: &'a mut CalendarsDoc, name: &str) -> Result<&'a mut CalendarSpec, ApiError> {
    cals.calendars
        .iter_mut()
        .find(|c| c.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("no calendar {name:?}")))
}

fn text(content_type: &'static str, body: String, version: i64) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::ETAG, &format!("\"{version}\""))], body).into_response()
}

async fn get_csv(State(state): State<AppState>, _: Admin, Path(name): Path<String>) -> Result<Response, ApiError> {
    let (mut cals, doc) = current_calendars(&state).await?;
    let csv = find(&mut cals, &name)?.days_to_csv();
    Ok(text("text/csv; charset=utf-8", csv, doc.map_or(0, |d| d.version)))
}

async fn get_ical(State(state): State<AppState>, _: Admin, Path(name): Path<String>) -> Result<Response, ApiError> {
    let (mut cals, doc) = current_calendars(&state).await?;
    let ics = find(&mut cals, &name)?.days_to_ical(state.now());
    Ok(text("text/calendar; charset=utf-8", ics, doc.map_or(0, |d| d.version)))
}

/// Which exchange format an import reads.
#[derive(Clone, Copy)]
enum Format {
    Csv,
    Ical,
}

async fn import(
    state: &AppState,
    who: &str,
    name: &str,
    q: ImportQuery,
    body: &str,
    f: Format,
) -> Result<Value, ApiError> {
    let (mut cals, _) = current_calendars(state).await?;
    let spec = find(&mut cals, name)?;
    let read = match f {
        Format::Csv => spec.import_csv(body),
        Format::Ical => spec.import_ical(body),
    }
    .map_err(|e| ApiError::invalid("body", e.to_string()))?;
    let comment = q.comment.unwrap_or_else(|| format!("imported {read} days into {name}"));
    let doc = save_calendars(state, who, q.expected_version, &cals, &comment).await?;
    Ok(json!({ "version": doc.version, "imported": read }))
}

async fn put_csv(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(name): Path<String>,
    Query(q): Query<ImportQuery>,
    body: String,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(import(&state, &auth.0.name, &name, q, &body, Format::Csv).await?))
}

async fn put_ical(
    State(state): State<AppState>,
    Admin(auth): Admin,
    Path(name): Path<String>,
    Query(q): Query<ImportQuery>,
    body: String,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(import(&state, &auth.0.name, &name, q, &body, Format::Ical).await?))
}
