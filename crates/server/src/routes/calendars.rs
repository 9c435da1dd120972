//! A business calendar's listed days as CSV or iCalendar: `GET` exports them (with the
//! document version as the ETag), `PUT` imports a file into a new version of the calendars
//! document.

use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use loopdesk_app::sla::calendar_files::{self, Format, Imported};
use loopdesk_app::AppError;
use serde::Deserialize;
use std::borrow::Cow;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendars/{name}/days.csv", get(export_csv).put(import_csv))
        .route("/admin/calendars/{name}/days.ics", get(export_ics).put(import_ics))
}

/// Query of an import.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The calendars document's version the file was based on.
    #[param(minimum = 0)]
    pub expected_version: i64,
    #[serde(default)]
    #[param(max_length = 500)]
    pub comment: Option<String>,
}

/// `GET /admin/calendars/{name}/days.csv`: the listed days as CSV; the ETag is the version.
#[utoipa::path(get, path = "/admin/calendars/{name}/days.csv", tag = "documents", params(("name" = String, Path, max_length = 64, description = "The calendar")),
    responses((status = 200, description = "`date,kind,name` rows: the listed days, and for the years after the official schedule the statutory holidays computed by rule (kind `holiday_provisional`; an import skips them)", body = String, content_type = "text/csv"), crate::openapi::Errors))]
pub async fn export_csv(
    State(s): State<AppState>,
    auth: Admin,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    export(&s, &auth, &name, Format::Csv).await
}

/// `PUT /admin/calendars/{name}/days.csv`: replaces the listed days from a CSV file.
#[utoipa::path(put, path = "/admin/calendars/{name}/days.csv", tag = "documents", params(("name" = String, Path, max_length = 64, description = "The calendar"), ImportQuery),
    request_body(content((String = "text/csv"), (String = "text/plain"))),
    responses((status = 200, body = Imported), crate::openapi::Errors))]
pub async fn import_csv(
    State(s): State<AppState>,
    auth: Admin,
    Path(name): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<axum::Json<Imported>, ApiError> {
    import(&s, &auth, &name, q, &body, Format::Csv).await
}

/// `GET /admin/calendars/{name}/days.ics`: the listed days as iCalendar.
#[utoipa::path(get, path = "/admin/calendars/{name}/days.ics", tag = "documents", params(("name" = String, Path, max_length = 64, description = "The calendar")),
    responses((status = 200, description = "VEVENTs, one per day; statutory holidays computed by rule for the years after the official schedule are marked `（休，暂定）` and skipped by an import", body = String, content_type = "text/calendar"), crate::openapi::Errors))]
pub async fn export_ics(
    State(s): State<AppState>,
    auth: Admin,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    export(&s, &auth, &name, Format::Ical).await
}

/// `PUT /admin/calendars/{name}/days.ics`: replaces the listed days from an iCalendar file.
#[utoipa::path(put, path = "/admin/calendars/{name}/days.ics", tag = "documents", params(("name" = String, Path, max_length = 64, description = "The calendar"), ImportQuery),
    request_body(content((String = "text/calendar"), (String = "text/plain"))),
    responses((status = 200, body = Imported), crate::openapi::Errors))]
pub async fn import_ics(
    State(s): State<AppState>,
    auth: Admin,
    Path(name): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<axum::Json<Imported>, ApiError> {
    import(&s, &auth, &name, q, &body, Format::Ical).await
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

/// The text of an uploaded file: UTF-8 (a byte-order mark is dropped), or GB18030, which is
/// what Excel on a Chinese Windows writes when it saves CSV. Anything else is refused with
/// an error naming the body rather than read as mojibake.
fn file_text(bytes: &[u8]) -> Result<Cow<'_, str>, ApiError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(AppError::invalid("body", "the file is neither UTF-8 nor GB18030 (GBK) text").into());
    }
    Ok(text)
}

async fn import(
    state: &AppState,
    auth: &Admin,
    name: &str,
    q: ImportQuery,
    body: &[u8],
    format: Format,
) -> Result<axum::Json<Imported>, ApiError> {
    let text = file_text(body)?;
    let done = calendar_files::import(state, &auth.0 .0, name, format, &text, q.expected_version, q.comment).await?;
    Ok(axum::Json(done))
}
