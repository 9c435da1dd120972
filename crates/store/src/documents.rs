//! Versioned configuration documents: SLA policies, calendars, routing rules, triage rules,
//! templates. Each is a JSON body under a name; a change names the version it was based on
//! (optimistic concurrency), so two admins editing at once cannot overwrite each other, and
//! every version stays as the audit trail of who changed what, when and why.

use crate::sql::{from_ms, ms};
use crate::{Reader, Store, StoreError};
use loopdesk_core::Timestamp;
use serde::Serialize;

/// One version of a configuration document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub name: String,
    pub version: i64,
    pub body: serde_json::Value,
    pub changed_by: String,
    pub changed_at: Timestamp,
    pub comment: String,
}

/// A change to a document: who makes it and why.
#[derive(Debug, Clone)]
pub struct DocumentChange<'a> {
    pub name: &'a str,
    /// The version the change was based on; 0 when the document does not exist yet.
    pub expected_version: i64,
    pub body: &'a serde_json::Value,
    pub changed_by: &'a str,
    pub comment: &'a str,
    pub now: Timestamp,
}

type Row = (String, i64, String, String, i64, String);

fn document((name, version, body, changed_by, changed_at, comment): Row) -> Result<Document, StoreError> {
    Ok(Document {
        name,
        version,
        body: serde_json::from_str(&body)?,
        changed_by,
        changed_at: from_ms(changed_at),
        comment,
    })
}

const COLUMNS: &str = "name, version, body, changed_by, changed_at, comment";

impl Store {
    /// Saves a new version of a document; returns it. Fails with
    /// [`StoreError::StaleVersion`] when somebody saved another version meanwhile.
    pub async fn put_document(&self, change: DocumentChange<'_>) -> Result<Document, StoreError> {
        let current = self.document(change.name).await?.map_or(0, |d| d.version);
        if current != change.expected_version {
            return Err(StoreError::StaleVersion { current });
        }
        let body = serde_json::to_string(change.body)?;
        let inserted = sqlx::query(&format!("INSERT INTO documents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"))
            .bind(change.name)
            .bind(current + 1)
            .bind(&body)
            .bind(change.changed_by)
            .bind(ms(change.now))
            .bind(change.comment)
            .execute(&self.pool)
            .await;
        match inserted {
            Ok(_) => {}
            // The primary key turns a concurrent save of the same version into a refusal.
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                let current = self.document(change.name).await?.map_or(0, |d| d.version);
                return Err(StoreError::StaleVersion { current });
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Document {
            name: change.name.to_string(),
            version: current + 1,
            body: change.body.clone(),
            changed_by: change.changed_by.to_string(),
            changed_at: change.now,
            comment: change.comment.to_string(),
        })
    }
}

impl Reader {
    /// The version in effect of document `name`, if it was ever saved.
    pub async fn document(&self, name: &str) -> Result<Option<Document>, StoreError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM documents WHERE name = $1 ORDER BY version DESC LIMIT 1"))
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.map(document).transpose()
    }

    /// Version `version` of document `name`, if it was saved.
    pub async fn document_version(&self, name: &str, version: i64) -> Result<Option<Document>, StoreError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM documents WHERE name = $1 AND version = $2"))
                .bind(name)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?;
        row.map(document).transpose()
    }

    /// The newest `limit` versions of a document, newest first.
    pub async fn document_history(&self, name: &str, limit: u32) -> Result<Vec<Document>, StoreError> {
        let rows: Vec<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM documents WHERE name = $1 ORDER BY version DESC LIMIT $2"))
                .bind(name)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(document).collect()
    }

    /// Names of every saved document with the version in effect, by name.
    pub async fn document_names(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as("SELECT name, MAX(version) FROM documents GROUP BY name ORDER BY name")
            .fetch_all(&self.pool)
            .await?)
    }
}
