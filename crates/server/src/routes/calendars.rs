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
use axum::routing::{get, MethodRouter};
use axum::Router;
use loopdesk_app::sla::calendar_files::{self, Format, Imported};
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendars/{name}/days.csv", days(Format::Csv))
        .route("/admin/calendars/{name}/days.ics", days(Format::Ical))
}

/// Export (`GET`) and import (`PUT`) of a calendar's days in `format`.
fn days(format: Format) -> MethodRouter<AppState> {
    get(move |State(s): State<AppState>, auth: Admin, Path(name): Path<String>| async move {
        export(&s, &auth, &name, format).await
    })
    .put(
        move |State(s): State<AppState>,
              auth: Admin,
              Path(name): Path<String>,
              Query(q): Query<ImportQuery>,
              body: String| async move { import(&s, &auth, &name, q, &body, format).await },
    )
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
