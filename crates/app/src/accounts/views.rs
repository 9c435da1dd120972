//! Saved queue views: a member saves the queue's filters under a name, and deletes them.

use crate::{App, AppError};
use loopdesk_core::Principal;

/// Longest name of a view.
const MAX_NAME: usize = 60;
/// Longest query string kept.
const MAX_QUERY: usize = 1000;

/// Saves `query` (the queue's query string) as `who`'s view `name`.
pub async fn save(app: &App, who: &Principal, name: &str, query: &str) -> Result<(), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AppError::invalid("name", format!("1 to {MAX_NAME} characters")));
    }
    if query.len() > MAX_QUERY {
        return Err(AppError::invalid("query", "too long"));
    }
    Ok(app.store.save_view(who.user_id, name, query, app.now()).await?)
}

/// Deletes `who`'s view `id`.
pub async fn delete(app: &App, who: &Principal, id: i64) -> Result<(), AppError> {
    Ok(app.store.delete_view(who.user_id, id).await?)
}
