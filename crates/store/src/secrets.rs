//! Secrets shared by every node, generated once and kept in the database.

use crate::{Store, StoreError};

impl Store {
    /// The secret called `name`; the first caller's `candidate` becomes it, so concurrent
    /// nodes agree.
    pub async fn shared_secret(&self, name: &str, candidate: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(candidate)
            .execute(&self.pool)
            .await?;
        let (value,): (String,) =
            sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(value)
    }
}
