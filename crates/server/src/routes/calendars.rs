//! A business calendar's listed days as CSV or iCalendar: `GET` exports them (with the
//! document version as the ETag), `PUT` imports a file into a new version of the calendars
//! document.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use loopdesk_app::sla::calendar_files::{self, Format, Imported};
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendars/{name}/days.csv", get(get_csv).put(put_csv))
        .route("/admin/calendars/{name}/days.ics", get(get_ical).put(put_ical))
}

/// Query of an import.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    pub expected_version: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

async fn export(state: &AppState, auth: &Admin, name: &str, format: Format) -> Result<Response, ApiError> {
    let file = calendar_files::export(state, &auth.0 .0, name, format).await?;
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Ical => "text/calendar; charset=utf-8",
    };
    Ok(([(header::CONTENT_TYPE, content_type), (header::ETAG, &format!("\"{}\"", file.version))], file.text)
        .into_response())
}

async fn import(
    state: &AppState,
    auth: &Admin,
    name: &str,
    q: ImportQuery,
    body: &str,
    format: Format,
) -> Result<axum::Json<Imported>, ApiError> {
    let done = calendar_files::import(state, &auth.0 .0, name, format, body, q.expected_version, q.comment).await?;
    Ok(axum::Json(done))
}

async fn get_csv(State(state): State<AppState>, auth: Admin, Path(name): Path<String>) -> Result<Response, ApiError> {
    export(&state, &auth, &name, Format::Csv).await
}

async fn get_ical(State(state): State<AppState>, auth: Admin, Path(name): Path<String>) -> Result<Response, ApiError> {
    export(&state, &auth, &name, Format::Ical).await
}

async fn put_csv(
    State(state): State<AppState>,
    auth: Admin,
    Path(name): Path<String>,
    Query(q): Query<ImportQuery>,
    body: String,
) -> Result<axum::Json<Imported>, ApiError> {
    import(&state, &auth, &name, q, &body, Format::Csv).await
}

async fn put_ical(
    State(state): State<AppState>,
    auth: Admin,
    Path(name): Path<String>,
    Query(q): Query<ImportQuery>,
    body: String,
) -> Result<axum::Json<Imported>, ApiError> {
    import(&state, &auth, &name, q, &body, Format::Ical).await
}
