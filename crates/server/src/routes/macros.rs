//! Macros: saved field changes plus a reply, applied to a ticket in one click. Agents list
//! and apply them; supervisors create, change and remove them, each change a new version
//! of the `macros` document (validated; `GET /macros/history` says who changed what).

use crate::auth::{Supervisor, Worker};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::routes::documents::{History, HistoryQuery};
use crate::routes::tickets::actions::ActionOut;
use crate::routes::tickets::view;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_app::macros::{manage, Macro};
use loopdesk_core::TicketId;
use serde::Serialize;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/macros", get(list).post(create))
        .route("/macros/history", get(history))
        .route("/macros/{id}", get(show).put(update).delete(remove))
        .route("/tickets/{id}/macros/{macro_id}", post(apply))
}

/// The macros in force.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MacroList {
    /// The version of the `macros` document they come from (0: none saved yet).
    pub version: i64,
    pub items: Vec<Macro>,
}

/// `GET /macros`: every macro (anyone who works on tickets).
#[utoipa::path(get, path = "/macros", tag = "macros", operation_id = "list_macros", responses((status = 200, body = MacroList), crate::openapi::Errors))]
pub async fn list(State(s): State<AppState>, Worker(a): Worker) -> Result<axum::Json<MacroList>, ApiError> {
    let l = manage::list(&s, &a.0).await?;
    Ok(axum::Json(MacroList { version: l.version, items: l.macros }))
}

/// `POST /macros`: a new macro (supervisors); 409 `macro_exists` when the id is taken.
#[utoipa::path(post, path = "/macros", tag = "macros", operation_id = "create_macro", request_body = Macro,
    responses((status = 201, body = Macro), crate::openapi::Errors))]
pub async fn create(
    State(s): State<AppState>,
    Supervisor(a): Supervisor,
    Json(m): Json<Macro>,
) -> Result<(StatusCode, axum::Json<Macro>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(manage::create(&s, &a.0, m).await?)))
}

/// `GET /macros/{id}`.
#[utoipa::path(get, path = "/macros/{id}", tag = "macros", operation_id = "get_macro", params(("id" = String, Path, description = "Macro id")),
    responses((status = 200, body = Macro), crate::openapi::Errors))]
pub async fn show(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path(id): Path<String>,
) -> Result<axum::Json<Macro>, ApiError> {
    Ok(axum::Json(manage::get(&s, &a.0, &id).await?))
}

/// `PUT /macros/{id}`: replaces the macro (supervisors).
#[utoipa::path(put, path = "/macros/{id}", tag = "macros", operation_id = "update_macro", params(("id" = String, Path, description = "Macro id")),
    request_body = Macro, responses((status = 200, body = Macro), crate::openapi::Errors))]
pub async fn update(
    State(s): State<AppState>,
    Supervisor(a): Supervisor,
    Path(id): Path<String>,
    Json(m): Json<Macro>,
) -> Result<axum::Json<Macro>, ApiError> {
    Ok(axum::Json(manage::update(&s, &a.0, &id, m).await?))
}

/// `DELETE /macros/{id}` (supervisors).
#[utoipa::path(delete, path = "/macros/{id}", tag = "macros", operation_id = "delete_macro", params(("id" = String, Path, description = "Macro id")),
    responses((status = 204, description = "Removed"), crate::openapi::Errors))]
pub async fn remove(
    State(s): State<AppState>,
    Supervisor(a): Supervisor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    manage::delete(&s, &a.0, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /macros/history`: every saved version, newest first, with who saved it and what
/// changed (supervisors).
#[utoipa::path(get, path = "/macros/history", tag = "macros", operation_id = "macro_history", params(HistoryQuery),
    responses((status = 200, body = History), crate::openapi::Errors))]
pub async fn history(
    State(s): State<AppState>,
    Supervisor(a): Supervisor,
    Query(q): Query<HistoryQuery>,
) -> Result<axum::Json<History>, ApiError> {
    let items = manage::history(&s, &a.0, crate::extract::limit(q.limit, 50, 500)?).await?;
    Ok(axum::Json(History { items }))
}

/// `POST /tickets/{id}/macros/{macro_id}`: applies the macro — its field changes and its
/// reply in the ticket's language — in one change.
#[utoipa::path(post, path = "/tickets/{id}/macros/{macro_id}", tag = "macros", operation_id = "apply_macro",
    params(("id" = i64, Path, description = "Ticket id"), ("macro_id" = String, Path, description = "Macro id")),
    responses((status = 200, body = ActionOut), crate::openapi::Errors))]
pub async fn apply(
    State(s): State<AppState>,
    Worker(a): Worker,
    Path((id, macro_id)): Path<(i64, String)>,
) -> Result<axum::Json<ActionOut>, ApiError> {
    let done = manage::apply(&s, &a.0, TicketId(id), &macro_id).await?;
    Ok(axum::Json(ActionOut::new(view::ticket(&done.ticket, &a.0), done.events.iter().map(view::event).collect())))
}
