//! Saved queue views: a name and the queue's query string, per user.

use crate::sql::ms;
use crate::{Reader, Store, StoreError};
use loopdesk_core::{Timestamp, UserId};
use serde::Serialize;

/// Most views one user may keep.
pub const MAX_VIEWS: i64 = 50;

/// A saved view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The queue's query string (without `?`).
    pub query: String,
}

impl Store {
    /// Saves (or replaces, by name) a view of the user.
    pub async fn save_view(&self, user: UserId, name: &str, query: &str, now: Timestamp) -> Result<(), StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM saved_views WHERE user_id = $1")
            .bind(user.0)
            .fetch_one(&self.pool)
            .await?;
        if n >= MAX_VIEWS {
            return Err(StoreError::Domain(loopdesk_core::DomainError::invalid("name", "too many saved views")));
        }
        sqlx::query(
            "INSERT INTO saved_views (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query",
        )
        .bind(user.0)
        .bind(name)
        .bind(query)
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes one of the user's views (someone else's id does nothing).
    pub async fn delete_view(&self, user: UserId, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Reader {
    /// The user's views, by name.
    pub async fn saved_views(&self, user: UserId) -> Result<Vec<SavedView>, StoreError> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, query FROM saved_views WHERE user_id = $1 ORDER BY name")
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(id, name, query)| SavedView { id, name, query }).collect())
    }
}
