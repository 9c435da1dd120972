//! A throw-away database: SQLite in a temporary directory, or a uniquely named PostgreSQL
//! database on a given server, dropped when the handle goes out of scope. For tests and
//! benchmarks that need an empty database of their own.

use crate::{Backend, StoreError};
use sqlx::{Connection, Executor};

/// A fresh, empty database that cleans up after itself.
pub struct ScratchDatabase {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl ScratchDatabase {
    /// A fresh SQLite database in a temporary directory.
    pub fn sqlite() -> Result<ScratchDatabase, StoreError> {
        let name = format!("loopdesk_scratch_{}_{}", std::process::id(), unique());
        let dir = tempfile::tempdir().map_err(|e| StoreError::Config(e.to_string()))?;
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Ok(ScratchDatabase { url, admin_url: None, name, _dir: Some(dir) })
    }

    /// A fresh database on the PostgreSQL server of `admin_url` (which names any database
    /// the user may connect to).
    pub async fn postgres(admin_url: &str) -> Result<ScratchDatabase, StoreError> {
        let name = format!("loopdesk_test_{}_{}", std::process::id(), unique());
        let mut conn = sqlx::PgConnection::connect(admin_url).await?;
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
        conn.close().await?;
        let url = replace_db_name(admin_url, &name);
        Ok(ScratchDatabase { url, admin_url: Some(admin_url.to_string()), name, _dir: None })
    }

    /// Which engine it is on.
    pub fn backend(&self) -> Backend {
        if self.admin_url.is_some() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let Some(admin_url) = self.admin_url.clone() else {
            return;
        };
        let name = self.name.clone();
        // Drop runs outside any runtime guarantee; use a private one on a plain thread.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    nanos * 1000 + NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `postgres://u@h:5432/test?x` → `postgres://u@h:5432/NAME?x`.
fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((url, String::new()));
    let prefix_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    match base[prefix_end..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &base[..prefix_end + slash]),
        None => format!("{base}/{name}{query}"),
    }
}
