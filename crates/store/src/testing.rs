//! Fresh databases for tests: SQLite in a temporary directory, or — when
//! `LOOPDESK_TEST_POSTGRES_URL` is set — a uniquely named PostgreSQL database that is
//! dropped when the handle goes out of scope (a [`ScratchDatabase`]). Compiled only for
//! tests (feature `testing`).

use crate::scratch::ScratchDatabase;
use crate::{Backend, Effects, NoEffects, Store, StoreError, StoreOptions};
use std::sync::Arc;

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "LOOPDESK_TEST_POSTGRES_URL";

/// A migrated, empty database that cleans up after itself.
pub struct TestDatabase {
    pub url: String,
    _scratch: ScratchDatabase,
}

impl TestDatabase {
    /// The backends to run a conformance test on: SQLite always, PostgreSQL if configured.
    /// Under CI (`CI=true`) a missing PostgreSQL fails the test instead of skipping half.
    pub fn backends() -> Vec<Backend> {
        let mut b = vec![Backend::Sqlite];
        if std::env::var(POSTGRES_ENV).is_ok_and(|v| !v.is_empty()) {
            b.push(Backend::Postgres);
        } else if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{POSTGRES_ENV} is not set under CI: the PostgreSQL half of the test cannot run");
        } else {
            eprintln!("note: {POSTGRES_ENV} is not set; PostgreSQL half of the test skipped");
        }
        b
    }

    /// Creates a fresh, empty database on `backend`.
    pub async fn create(backend: Backend) -> Result<TestDatabase, StoreError> {
        let scratch = match backend {
            Backend::Sqlite => ScratchDatabase::sqlite()?,
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_ENV).map_err(|_| StoreError::Config(POSTGRES_ENV.into()))?;
                ScratchDatabase::postgres(&admin_url).await?
            }
        };
        Ok(TestDatabase { url: scratch.url.clone(), _scratch: scratch })
    }

    /// A connected, migrated store on this database, owing nothing besides its own rows.
    pub async fn store(&self) -> Result<Store, StoreError> {
        self.store_with(Arc::new(NoEffects)).await
    }

    /// A connected, migrated store whose changes owe what `effects` says.
    pub async fn store_with(&self, effects: Arc<dyn Effects>) -> Result<Store, StoreError> {
        let store = Store::connect(&self.url, StoreOptions::default(), effects).await?;
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
    each_backend_with(Arc::new(NoEffects), test).await
}

/// [`each_backend`] with stores whose changes owe what `effects` says.
pub async fn each_backend_with<F, Fut>(effects: Arc<dyn Effects>, test: F)
where
    F: Fn(Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.expect("create test database");
        let store = db.store_with(effects.clone()).await.expect("connect and migrate");
        test(store.clone(), db.url.clone()).await;
        store.close().await;
    }
}

impl Store {
    /// PostgreSQL: every row of every table of the schema as text (bytes as hex), for tests
    /// that look for values that must be gone. (On SQLite tests read the database file.)
    pub async fn dump_all_rows(&self) -> Result<String, StoreError> {
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = String::new();
        for (table,) in tables {
            let rows: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t")).fetch_all(&self.pool).await?;
            for (row,) in rows {
                out.push_str(&table);
                out.push(' ');
                out.push_str(&row);
                out.push('\n');
            }
        }
        Ok(out)
    }
}
