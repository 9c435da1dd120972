//! Ticket routes: the queue, one ticket, and the actions on it.

pub mod actions;
pub mod export;
pub mod export_xlsx;
pub mod list;
pub mod reply;
pub mod show;
pub mod view;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

/// Routes of this resource.
pub fn router() -> Router<AppState> {
    use actions as a;
    Router::new()
        .route("/tickets", get(list::queue))
        .route("/tickets/counts", get(list::counts))
        .route("/tickets/export.csv", get(export::csv))
        .route("/tickets/export.xlsx", get(export_xlsx::xlsx))
        .route("/tickets/{id}", get(show::show))
        .route("/tickets/{id}/assign", post(a::assign))
        .route("/tickets/{id}/acknowledge", post(a::acknowledge))
        .route(
            "/tickets/{id}/reply",
            post(reply::reply).layer(DefaultBodyLimit::max(crate::routes::feedback::multipart::max_request_bytes())),
        )
        .route("/tickets/{id}/note", post(a::note))
        .route("/tickets/{id}/request-info", post(a::request_info))
        .route("/tickets/{id}/provide-info", post(a::provide_info))
        .route("/tickets/{id}/request-approval", post(a::request_approval))
        .route("/tickets/{id}/decide-approval", post(a::decide_approval))
        .route("/tickets/{id}/resolve", post(a::resolve))
        .route("/tickets/{id}/close", post(a::close))
        .route("/tickets/{id}/reopen", post(a::reopen))
        .route("/tickets/{id}/reject", post(a::reject))
        .route("/tickets/{id}/restore", post(a::restore))
        .route("/tickets/{id}/merge", post(a::merge))
        .route("/tickets/{id}/escalate", post(a::escalate))
        .route("/tickets/{id}/recategorize", post(a::recategorize))
        .route("/tickets/{id}/reprioritize", post(a::reprioritize))
        .route("/tickets/{id}/collaborators", post(a::add_collaborator))
        .route("/tickets/{id}/route", post(a::route))
        .route("/tickets/{id}/transfer", post(a::transfer))
        .route("/tickets/{id}/extend", post(a::extend))
        .route("/tickets/{id}/survey", get(a::survey_status))
}
