//! Consistent copies of an embedded (SQLite) database for backups, taken while a server
//! keeps writing to it, and the checks a restore makes before a copy is put in place.
//! Attachments are rows of the database, so the copy holds them too. PostgreSQL has its
//! own tools for this (`pg_dump`, `pg_basebackup`; see the README).

use crate::{Backend, StoreError};
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection, Executor};
use std::path::Path;
use std::str::FromStr;

/// What a database copy holds, for a backup's manifest and a restore's report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SnapshotFacts {
    /// The newest migration applied (a restore needs a binary that knows it).
    pub schema_version: i64,
    pub tickets: i64,
    /// The newest ticket's tracking number, if any.
    pub last_tracking_no: Option<String>,
    pub attachments: i64,
}

/// The newest schema version this binary's SQLite migrations reach.
pub fn schema_version() -> i64 {
    Backend::Sqlite.migrator().iter().map(|m| m.version).max().unwrap_or(0)
}

async fn open(url: &str) -> Result<AnyConnection, StoreError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::from_url(url)?;
    if backend != Backend::Sqlite {
        return Err(StoreError::Config(
            "backups of a PostgreSQL database are made with pg_dump or pg_basebackup (see the README)".into(),
        ));
    }
    // A copy of a large database is one long statement by design: not a warning to log.
    let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
    let mut conn = AnyConnection::connect_with(&options).await?;
    // A server may hold the write lock for a moment; wait instead of failing.
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    Ok(conn)
}

/// Writes a consistent copy of the SQLite database at `url` to `to` (which must not exist)
/// with `VACUUM INTO`: one read transaction, so the copy is the database as of one commit,
/// however long it takes and whatever is written meanwhile, and compacted.
pub async fn snapshot(url: &str, to: &Path) -> Result<SnapshotFacts, StoreError> {
    let mut conn = open(url).await?;
    let target = to.to_str().ok_or_else(|| StoreError::Config(format!("{} is not a UTF-8 path", to.display())))?;
    sqlx::query("VACUUM INTO $1").bind(target).execute(&mut conn).await?;
    conn.close().await?;
    check(to).await
}

/// Checks a database copy (SQLite's own integrity check over every page and index) and
/// says what it holds.
pub async fn check(path: &Path) -> Result<SnapshotFacts, StoreError> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let mut conn = open(&url).await?;
    let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut conn).await?;
    if verdict != "ok" {
        return Err(StoreError::Config(format!("the database copy is damaged: {verdict}")));
    }
    let (schema_version,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await?;
    let (tickets,): (i64,) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM tickets").fetch_one(&mut conn).await?;
    let last: Option<(String,)> =
        sqlx::query_as("SELECT tracking_no FROM tickets ORDER BY id DESC LIMIT 1").fetch_optional(&mut conn).await?;
    let (attachments,): (i64,) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM attachments").fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(SnapshotFacts { schema_version, tickets, last_tracking_no: last.map(|(t,)| t), attachments })
}
