//! The dialect differences between SQLite and PostgreSQL, and nothing else.

use crate::StoreError;
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// What a pooled connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Read,
    Write,
    /// SQLite's checkpointer ([`crate::checkpoint`]).
    Checkpoint,
}

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(format!("unsupported database URL scheme in {:?}", redact(url))))
        }
    }

    /// Adds what the driver needs to the URL (SQLite: create the file if missing).
    pub(crate) fn prepare_url(self, url: &str) -> Result<String, StoreError> {
        match self {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                Ok(format!("{url}{sep}mode=rwc"))
            }
            _ => Ok(url.to_string()),
        }
    }

    /// Per-connection settings. SQLite: WAL, and `synchronous=FULL` so a commit is on disk
    /// before it returns — an intake is acknowledged only once it would survive power loss;
    /// read connections refuse writes, so nothing writes past the one writer.
    pub(crate) async fn configure(self, conn: &mut AnyConnection, role: Role) -> Result<(), sqlx::Error> {
        if self == Backend::Sqlite {
            if role == Role::Write {
                conn.execute("PRAGMA journal_mode = WAL").await?;
            }
            conn.execute("PRAGMA synchronous = FULL").await?;
            conn.execute("PRAGMA busy_timeout = 10000").await?;
            conn.execute("PRAGMA foreign_keys = ON").await?;
            // Statement journals (every multi-row insert that may fail half-way keeps one)
            // and sorts in memory: on disk each is a temporary file written and zeroed.
            conn.execute("PRAGMA temp_store = MEMORY").await?;
            // Page cache per connection: the writer's holds the pages every intake touches;
            // readers share the file through the OS cache, so theirs stay small (memory).
            match role {
                Role::Write => {
                    conn.execute("PRAGMA cache_size = -16000").await?;
                    // Freed space and pages are zeroed, so personal data that retention or
                    // an erasure removed (and every older copy a rewrite left behind) is
                    // not left readable in the file.
                    conn.execute("PRAGMA secure_delete = ON").await?;
                    // Checkpoints are the checkpointer's, not the commits' (`checkpoint`).
                    conn.execute("PRAGMA wal_autocheckpoint = 0").await?
                }
                Role::Checkpoint => conn.execute("PRAGMA cache_size = -1000").await?,
                Role::Read => {
                    conn.execute("PRAGMA cache_size = -2000").await?;
                    conn.execute("PRAGMA query_only = ON").await?
                }
            };
        }
        Ok(())
    }

    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Reserves `n` ticket ids inside `tx`. PostgreSQL draws from a sequence (no row lock
    /// held until commit); SQLite bumps a counter row (it has one writer anyway).
    pub(crate) async fn allocate_ids(self, conn: &mut AnyConnection, n: usize) -> Result<Vec<i64>, sqlx::Error> {
        let n = n as i64;
        match self {
            Backend::Sqlite => {
                let (last,): (i64,) =
                    sqlx::query_as("UPDATE counters SET value = value + $1 WHERE name = 'ticket' RETURNING value")
                        .bind(n)
                        .fetch_one(&mut *conn)
                        .await?;
                Ok((last - n + 1..=last).collect())
            }
            Backend::Postgres => {
                let rows: Vec<(i64,)> = sqlx::query_as("SELECT nextval('ticket_ids') FROM generate_series(1, $1)")
                    .bind(n)
                    .fetch_all(&mut *conn)
                    .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }
        }
    }
}

/// A URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
