//! Every configuration document by its stored name (`sla_policy`, `calendars`,
//! `channel:wechat`, `triage.taxonomy`, …), one resource for all: the values in force with
//! defaults filled in, any saved version, a line diff between two versions, and a rollback
//! that saves an earlier version's content as a new version (validated again; its comment
//! records the rollback). Reading needs the document's read permission; rollback is admins'.

use crate::auth::{Admin, Auth};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_app::documents::{self, DocumentDiff, DocumentKind, DocumentView, Rollback};
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/{name}", get(show))
        .route("/documents/{name}/versions/{version}", get(version))
        .route("/documents/{name}/diff", get(diff))
        .route("/documents/{name}/rollback", post(rollback))
}

/// The document named `name` (its stored name).
pub fn kind(name: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::parse(name).ok_or_else(|| ApiError::NotFound(format!("no document is called {name:?}")))
}

/// Query of `GET /documents/{name}`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShowQuery {
    /// `true`: every value in force, the defaults of fields a saved version left out
    /// included; `false` (default): the body as saved.
    #[serde(default)]
    pub effective: bool,
}

/// Query of `GET /documents/{name}/diff`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The earlier version (0: the built-in defaults); the one before the version in force
    /// when absent.
    #[param(minimum = 0)]
    pub from: Option<i64>,
    /// The later version; the version in force when absent.
    #[param(minimum = 0)]
    pub to: Option<i64>,
}

/// `GET /api/v1/documents/{name}`: the version in force (version 0: the built-in defaults),
/// with `effective=true` every value in force.
#[utoipa::path(get, path = "/documents/{name}", tag = "documents", operation_id = "get_document",
    params(("name" = String, Path, pattern = "^[a-z_]{1,32}([:.][A-Za-z0-9_-]{1,64})?$", description = "Stored name: `sla_policy`, `calendars`, `routing_rules`, `channel:wechat`, `triage.taxonomy`, …"), ShowQuery),
    responses((status = 200, body = DocumentView), crate::openapi::Errors))]
pub async fn show(
    State(s): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    let kind = kind(&name)?;
    let view = match q.effective {
        true => documents::current_effective(&s, &auth.0, &kind).await?,
        false => documents::current(&s, &auth.0, &kind).await?,
    };
    Ok(axum::Json(view))
}

/// `GET /api/v1/documents/{name}/versions/{version}`: one saved version as saved (0: the
/// built-in defaults); secrets masked.
#[utoipa::path(get, path = "/documents/{name}/versions/{version}", tag = "documents", operation_id = "get_document_version",
    params(("name" = String, Path, pattern = "^[a-z_]{1,32}([:.][A-Za-z0-9_-]{1,64})?$", description = "Stored name"),
        ("version" = i64, Path, minimum = 0, description = "Version number")),
    responses((status = 200, body = DocumentView), crate::openapi::Errors))]
pub async fn version(
    State(s): State<AppState>,
    auth: Auth,
    Path((name, version)): Path<(String, i64)>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    Ok(axum::Json(documents::version(&s, &auth.0, &kind(&name)?, version).await?))
}

/// `GET /api/v1/documents/{name}/diff?from=N&to=M`: what changed from version N (default:
/// the one before the version in force) to M (default: the version in force), line by line
/// on the pretty-printed JSON, in hunks with three lines of context.
#[utoipa::path(get, path = "/documents/{name}/diff", tag = "documents", operation_id = "diff_document",
    params(("name" = String, Path, pattern = "^[a-z_]{1,32}([:.][A-Za-z0-9_-]{1,64})?$", description = "Stored name"), DiffQuery),
    responses((status = 200, body = DocumentDiff), crate::openapi::Errors))]
pub async fn diff(
    State(s): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Result<axum::Json<DocumentDiff>, ApiError> {
    let kind = kind(&name)?;
    let from = match q.from {
        Some(n) => n,
        None => (documents::current(&s, &auth.0, &kind).await?.version - 1).max(0),
    };
    Ok(axum::Json(documents::diff(&s, &auth.0, &kind, from, q.to).await?))
}

/// `POST /api/v1/documents/{name}/rollback`: saves version `version`'s content as a new
/// version (admins), validated as any edit (422 `rollback_invalid` on `version` when it no
/// longer passes; 409 `stale_version` when `expected_version` is not the one in force).
#[utoipa::path(post, path = "/documents/{name}/rollback", tag = "documents", operation_id = "rollback_document",
    params(("name" = String, Path, pattern = "^[a-z_]{1,32}([:.][A-Za-z0-9_-]{1,64})?$", description = "Stored name")),
    request_body = Rollback, responses((status = 200, body = DocumentView), crate::openapi::Errors))]
pub async fn rollback(
    State(s): State<AppState>,
    Admin(auth): Admin,
    Path(name): Path<String>,
    Json(body): Json<Rollback>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    Ok(axum::Json(documents::rollback(&s, &auth.0, &kind(&name)?, body).await?))
}
