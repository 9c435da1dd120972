//! Versioned triage models and the corrections agents made, which are training examples.

use crate::sql::ms;
use crate::{Reader, Store, StoreError};
use loopdesk_core::{Event, EventData, Timestamp};
use std::collections::BTreeMap;

impl Store {
    /// Stores a trained model as the next version of `kind`; returns that version.
    pub async fn save_model(
        &self,
        kind: &str,
        examples: usize,
        corrections: usize,
        model: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let (version,): (i64,) = sqlx::query_as(
            "INSERT INTO triage_models (version, kind, examples, corrections, created_at, model) \
             SELECT COALESCE(MAX(version), 0) + 1, $1, $2, $3, $4, $5 FROM triage_models RETURNING version",
        )
        .bind(kind)
        .bind(examples as i64)
        .bind(corrections as i64)
        .bind(ms(now))
        .bind(model)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::on_unique(e, "version"))?;
        Ok(version)
    }
}

impl Reader {
    /// The newest model of `kind` and its version.
    pub async fn latest_model(&self, kind: &str) -> Result<Option<(i64, String)>, StoreError> {
        Ok(sqlx::query_as("SELECT version, model FROM triage_models WHERE kind = $1 ORDER BY version DESC LIMIT 1")
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Version of the newest model of `kind`, without loading it.
    pub async fn latest_model_version(&self, kind: &str) -> Result<Option<i64>, StoreError> {
        let (v,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM triage_models WHERE kind = $1")
            .bind(kind)
            .fetch_one(&self.pool)
            .await?;
        Ok(v)
    }

    /// When the newest model of `kind` was trained.
    pub async fn latest_model_at(&self, kind: &str) -> Result<Option<Timestamp>, StoreError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT created_at FROM triage_models WHERE kind = $1 ORDER BY version DESC LIMIT 1")
                .bind(kind)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(at,)| crate::sql::from_ms(at)))
    }

    /// How many re-categorisations were recorded after `since` (the retrain trigger).
    pub async fn corrections_since(&self, since: Timestamp) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE kind = 'recategorized' AND at > $1")
            .bind(ms(since))
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// `(text, category)` of every ticket a person re-categorised, the latest correction
    /// per ticket. A batch job: it reads every correction event.
    pub async fn category_corrections(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT e.ticket_id, t.content, e.doc FROM events e JOIN tickets t ON t.id = e.ticket_id \
             WHERE e.kind = 'recategorized' ORDER BY e.ticket_id, e.seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut latest: BTreeMap<i64, (String, String)> = BTreeMap::new();
        for (ticket, content, doc) in rows {
            let event: Event = serde_json::from_str(&doc)?;
            if let (EventData::Recategorized { category: Some(c), .. }, false) =
                (&event.data, event.actor == loopdesk_core::Actor::System)
            {
                latest.insert(ticket, (content, c.clone()));
            }
        }
        Ok(latest.into_values().collect())
    }
}
