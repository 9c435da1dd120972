//! Loopdesk persistence. One [`Store`] serves SQLite (embedded, the default) and PostgreSQL
//! (several nodes) through sqlx's `Any` driver: every query is written once in a portable
//! form, and the few dialect differences (id allocation, pragmas) live in [`backend`].
//! Instants are stored as unix milliseconds; tickets and events as JSON documents beside
//! the indexed columns the queues filter on.

mod accounts;
mod backend;
mod changes;
mod checkpoint;
mod clusters;
mod console;
mod counts;
mod dashboard;
mod delivery_reports;
mod documents;
mod effects;
mod error;
mod group;
mod import;
mod inbound;
mod intake;
mod jobs;
mod live;
mod locks;
mod logins;
mod models;
mod outbox;
mod problem_actions;
mod problem_matches;
mod problems;
mod queue;
mod report;
mod retention;
mod rollup;
pub mod scratch;
mod search;
mod secrets;
pub mod snapshot;
mod spikes;
mod sql;
pub mod stage;
mod surveys;
mod sweep;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod tickets;
mod totp;
mod user_admin;
mod views;
mod workload;

pub use accounts::{ApiToken, Department, NewUser, SessionInfo, User};
pub use backend::Backend;
pub use changes::Changed;
pub use clusters::{Candidate, SignatureRecord};
pub use console::{AgentLoad, OPEN_STATES};
pub use counts::{StateCounts, COUNT_CAP};
pub use dashboard::{rate, Dashboard, PriorityFigures, ProblemCount, TargetFigures};
pub use delivery_reports::{DeliveryReport, ReportOutcome};
pub use documents::{Document, DocumentChange};
pub use effects::{Change, Effects, ExtraEffects, KeyWrite, NoEffects, Owed, SlaDue};
pub use error::StoreError;
pub use group::ChannelWrite;
pub use inbound::{Quarantined, StoredAttachment};
pub use intake::{Intake, IntakeRequest};
pub use jobs::{Job, JobId, JobOp, JobSignal, JobState, NewJob};
pub use live::LiveChange;
pub use logins::LoginFailures;
pub use outbox::{Delivery, DeliveryState, NewDelivery, Outcome};
pub use problem_actions::ActionFilter;
pub use problems::{Links, ProblemFilter};
pub use queue::{Cursor, LineContact, Page, QueueRow, Sort, TicketFilter, TicketLine, TicketSummary};
pub use report::{Buckets, ACROSS_PRIORITIES, DEFAULT_DAY_ZONE};
pub use retention::{HoldTarget, LegalHold, RetentionChunk, RetentionCounts, RetentionCursor, RetentionRun};
pub use rollup::{intake_on_time, CompletedTarget};
pub use spikes::SpikeRecord;
pub use surveys::{FollowUpCounts, Survey};
pub use tickets::Decision;
pub use totp::TotpState;
pub use user_admin::{AuditEntry, UserAudit, UserChange};
pub use views::SavedView;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::time::Duration;

/// Options for [`Store::connect`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Read connections in the pool.
    pub max_connections: u32,
    /// Largest number of intakes committed together.
    pub max_batch: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { max_connections: 8, max_batch: 256 }
    }
}

/// Read access to the database: every query and no write. Cheap to clone. The layers above
/// the application get only this; every write goes through the application's use cases.
#[derive(Clone)]
pub struct Reader {
    pool: AnyPool,
    backend: Backend,
    /// The zone the report day rollups are cut in (shared with the writers).
    day_zone: report::DayZone,
}

/// The database, shared by every handler and worker of a process: reads (through
/// [`Reader`], which it dereferences to) and writes.
#[derive(Clone)]
pub struct Store {
    reader: Reader,
    /// Where every write goes (the store's own methods see this `pool`, the reader's
    /// methods theirs). SQLite has one writer at a time: a pool of one connection makes
    /// writers queue in order in the pool instead of polling the file lock with growing
    /// sleeps (`busy_timeout`), which under load cost seconds. PostgreSQL shares one pool.
    pool: AnyPool,
    intake: intake::IntakeHandle,
    ids: std::sync::Arc<intake::IdBlocks>,
    group: group::GroupHandle,
    ticket_locks: std::sync::Arc<locks::Striped>,
    hooks: std::sync::Arc<jobs::Hooks>,
    /// SQLite's checkpointer connection ([`checkpoint`]).
    checkpointer: Option<AnyPool>,
}

impl std::ops::Deref for Store {
    type Target = Reader;

    fn deref(&self) -> &Reader {
        &self.reader
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), without migrating. `effects`
    /// says what every intake and change owes besides its own rows; they are written in the
    /// change's transaction.
    pub async fn connect(
        url: &str,
        options: StoreOptions,
        effects: std::sync::Arc<dyn Effects>,
    ) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = backend.prepare_url(url)?;
        let pool = |connections: u32, role: backend::Role| {
            AnyPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(Duration::from_secs(30))
                // A ping before every use costs a round trip per query (for SQLite a hand-off
                // to the connection's thread and back); a broken connection fails its query
                // anyway, and the pool replaces it.
                .test_before_acquire(false)
                .after_connect(move |conn, _meta| Box::pin(async move { backend.configure(conn, role).await }))
                .connect(&url)
        };
        let (read, write, checkpointer) = match backend {
            Backend::Sqlite => {
                // The writer first: it creates the file and switches it to WAL.
                let write = pool(1, backend::Role::Write).await?;
                let checkpointer = pool(1, backend::Role::Checkpoint).await?;
                checkpoint::spawn(checkpointer.clone(), write.clone());
                (pool(options.max_connections, backend::Role::Read).await?, write, Some(checkpointer))
            }
            Backend::Postgres => {
                let both = pool(options.max_connections, backend::Role::Write).await?;
                (both.clone(), both, None)
            }
        };
        let hooks = std::sync::Arc::new(jobs::Hooks::new(effects));
        let day_zone = report::DayZone::default();
        let intake =
            intake::IntakeHandle::spawn(write.clone(), backend, options.max_batch, hooks.clone(), day_zone.clone());
        let group = group::GroupHandle::spawn(write.clone());
        Ok(Store {
            reader: Reader { pool: read, backend, day_zone },
            pool: write,
            intake,
            ids: Default::default(),
            group,
            ticket_locks: Default::default(),
            hooks,
            checkpointer,
        })
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrator().run(&self.pool).await?;
        self.adopt_report_zone().await
    }

    /// The read half, to hand to code that must not write.
    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    /// Closes every connection after the intake writer has drained.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(c) = &self.checkpointer {
            c.close().await;
        }
    }
}

impl Reader {
    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
