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

/// `POST /console/views`: `name` and `query` (the queue's query string).
pub async fn save(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let query = field(&p, "query").unwrap_or_default();
    let back = format!("/console?{query}");
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        let name = field(&p, "name")
            .filter(|n| n.chars().count() <= 60)
            .ok_or_else(|| ApiError::invalid("name", "1 to 60 characters"))?;
        if query.len() > 1000 {
            return Err(ApiError::invalid("query", "too long"));
        }
        state.store.save_view(s.principal.user_id, &name, &query, state.now()).await?;
        Ok(())
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
        state.store.delete_view(s.principal.user_id, id).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok("/console", "done"),
        Err(e) => back_with_error("/console", &e),
    }
}
