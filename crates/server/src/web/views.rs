//! Saved queue views: save the current filters under a name, delete one.

use super::context::Staff;
use super::form::{self, field};
use super::page::{back_ok, back_with_error};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::accounts::views;

/// `POST /console/views`: `name` and `query` (the queue's query string).
pub async fn save(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let query = field(&p, "query").unwrap_or_default();
    let back = format!("/console?{query}");
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        views::save(&state, &s.principal, &field(&p, "name").unwrap_or_default(), &query).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok(&back, "done"),
        Err(e) => back_with_error(&back, &e),
    }
}

/// `POST /console/views/{id}/delete`.
pub async fn delete(State(state): State<AppState>, s: Staff, Path(id): Path<i64>, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        views::delete(&state, &s.principal, id).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok("/console", "done"),
        Err(e) => back_with_error("/console", &e),
    }
}
