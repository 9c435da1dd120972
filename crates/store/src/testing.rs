//! Fresh databases for tests: SQLite in a temporary directory, or — when
//! `LOOPDESK_TEST_POSTGRES_URL` is set — a uniquely named PostgreSQL database that is
//! dropped when the handle goes out of scope.

use crate::{Backend, NoEffects, Store, StoreError, StoreOptions};
use sqlx::{Connection, Executor};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "LOOPDESK_TEST_POSTGRES_URL";

/// A migrated, empty database that cleans up after itself.
pub struct TestDatabase {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// The backends to run a conformance test on: SQLite always, PostgreSQL if configured.
    pub fn backends() -> Vec<Backend> {
        let mut b = vec![Backend::Sqlite];
        if std::env::var(POSTGRES_ENV).is_ok_and(|v| !v.is_empty()) {
            b.push(Backend::Postgres);
        } else {
            eprintln!("note: {POSTGRES_ENV} is not set; PostgreSQL half of the test skipped");
        }
        b
    }

    /// Creates a fresh, empty database on `backend`.
    pub async fn create(backend: Backend) -> Result<TestDatabase, StoreError> {
        let name = format!("loopdesk_test_{}_{}", std::process::id(), unique());
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().map_err(|e| StoreError::Config(e.to_string()))?;
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Ok(TestDatabase { url, admin_url: None, name, _dir: Some(dir) })
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_ENV).map_err(|_| StoreError::Config(POSTGRES_ENV.into()))?;
                let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
                conn.close().await?;
                let url = replace_db_name(&admin_url, &name);
                Ok(TestDatabase { url, admin_url: Some(admin_url), name, _dir: None })
            }
        }
    }

    /// A connected, migrated store on this database, owing nothing besides its own rows.
    pub async fn store(&self) -> Result<Store, StoreError> {
        let store = Store::connect(&self.url, StoreOptions::default(), std::sync::Arc::new(NoEffects)).await?;
        store.migrate().await?;
        Ok(store)
    }
}

/// Runs `test` on a fresh, migrated store of each backend ([`TestDatabase::backends`]),
/// passing the store and its database URL (for a second connection), and closes it after.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.expect("create test database");
        let store = db.store().await.expect("connect and migrate");
        test(store.clone(), db.url.clone()).await;
        store.close().await;
    }
}

impl Drop for TestDatabase {
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
