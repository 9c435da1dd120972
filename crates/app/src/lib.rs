//! Loopdesk's application layer: every use case (intake, each ticket action, the workflow,
//! notifications, inbound and outbound channels, the background jobs) over the store. It
//! knows no HTTP: the server's handlers and pages are adapters that call these functions and
//! map [`AppError`] to their own answers.
//!
//! A ticket changes only through this crate, and every change writes what it owes (timers,
//! routing, notifications, SLA results) in its own transaction: the store is built with
//! [`effects::AppEffects`], which every intake and change consults. Adapters get read access
//! only ([`App::read`]).

pub mod access;
pub mod accounts;
pub mod clock;
pub mod config;
pub mod documents;
pub mod effects;
pub mod error;
pub mod inbound;
pub mod intake;
pub mod jobs;
pub mod keys;
pub mod live;
pub mod macros;
pub mod notify;
pub mod outbound;
pub mod portal;
pub mod problems;
pub mod ratelimit;
pub mod reports;
pub mod retention;
pub mod sheet;
pub mod sla;
pub mod spikes;
pub mod summaries;
pub mod tickets;
pub mod trace;
pub mod triage;
pub mod workflow;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{BackupSettings, Config, Secret};
pub use error::AppError;
pub use keys::Key;

/// The read side of the store, for adapters (queries and their types).
pub mod read {
    pub use loopdesk_store::{
        rate, AgentLoad, ApiToken, Backend, Buckets, Cursor, Dashboard, Delivery, DeliveryState, Department, Document,
        FollowUpCounts, LegalHold, LineContact, LiveChange, Page, PriorityFigures, ProblemCount, Quarantined, Reader,
        RetentionCounts, RetentionRun, SavedView, SessionInfo, Sort, SpikeRecord, StateCounts, StoreError,
        StoredAttachment, Survey, TargetFigures, TicketFilter, TicketLine, TicketSummary, User, UserAudit, COUNT_CAP,
        OPEN_STATES,
    };
}

use loopdesk_store::{Reader, Store, StoreError, StoreOptions};
use std::sync::Arc;
use tokio::sync::watch;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot load the triage engine: {0}")]
    Triage(#[from] loopdesk_triage::TriageError),
    #[error(transparent)]
    App(#[from] AppError),
}

/// Everything the use cases share: the database, the configuration, the clock, the
/// caches of what is in force (triage engine, SLA policy, documents) and the channel
/// clients. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub limits: Arc<ratelimit::Limiters>,
    /// The triage engine (rules and models in effect), swapped when they change.
    pub triage: triage::engine::TriageSlot,
    /// Channel clients: SMTP, HTTP, the Message-ID issuer.
    pub outbound: Arc<outbound::Outbound>,
    /// SLA policy and calendars in effect.
    pub sla: Arc<sla::SlaHandle>,
    /// Documents in effect (templates, robots, channel settings), parsed once per version.
    pub documents: Arc<documents::Cache>,
    /// Open live-update streams of this node.
    pub live: Arc<live::LiveHub>,
    /// Routing rules, staffing and loads in memory, for routing at intake.
    pub router: Arc<workflow::router::Router>,
}

impl App {
    /// Opens (creating if needed) the database the configuration names, migrates it and
    /// loads what is in force.
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> Result<App, StartError> {
        if config.database_url.is_none() {
            std::fs::create_dir_all(&config.data)
                .map_err(|source| StartError::DataDir { path: config.data.display().to_string(), source })?;
        }
        let config = Arc::new(config);
        let sla = Arc::new(sla::SlaHandle::default());
        let documents = Arc::new(documents::Cache::default());
        let outbound = Arc::new(outbound::Outbound::from_config(&config.channels));
        let effects = effects::AppEffects {
            clock: clock.clone(),
            config: config.clone(),
            sla: sla.clone(),
            documents: documents.clone(),
            outbound: outbound.clone(),
        };
        let store = Store::connect(&config.database_url(), StoreOptions::default(), Arc::new(effects)).await?;
        store.migrate().await?;
        sla.refresh(&store).await?;
        store.use_report_zone(reports::zone_of(&sla.get())).await?;
        documents.refresh(&store).await?;
        let triage = triage::engine::TriageSlot::new(triage::default_engine()?);
        triage.reload_if_changed(&store).await?;
        accounts::password::warm_up().await;
        let app = App {
            store,
            limits: Arc::new(ratelimit::Limiters::from_config(&config)),
            live: Arc::new(live::LiveHub::new(config.live.max_streams_per_user)),
            config,
            clock,
            triage,
            outbound,
            sla,
            documents,
            router: Arc::default(),
        };
        // Links composed inside a transaction (the acknowledgement's status link) need the
        // key at hand.
        workflow::survey::signing_key(&app).await?;
        Ok(app)
    }

    /// Read access to the database (queries only).
    pub fn read(&self) -> &Reader {
        self.store.reader()
    }

    /// The store itself, for the maintenance tools and tests' set-up (feature
    /// `direct-store`). Everything else writes through the use cases.
    #[cfg(feature = "direct-store")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current instant from the injected clock.
    pub fn now(&self) -> loopdesk_core::Timestamp {
        self.clock.now()
    }

    /// Starts the background work of this node (job worker, outbox, mail pollers, cache
    /// refreshes, live feed); it stops when `stop` turns true. Returns the job worker's
    /// handle, to wait for it on shutdown.
    pub async fn start_background(&self, stop: watch::Receiver<bool>) -> Result<Background, AppError> {
        // Operators see it in the log at every start, admins on the console and by one alert.
        for w in sla::schedule_watch::warnings(self) {
            tracing::warn!(calendar = %w.calendar, until = %w.official_until, "{}", w.message());
        }
        tokio::spawn(outbound::outbox::worker(self.clone()));
        for mailbox in self.config.channels.imap.clone() {
            tokio::spawn(inbound::imap::poller(self.clone(), mailbox));
        }
        tokio::spawn(triage::engine::maintain(self.clone()));
        tokio::spawn(documents::maintain(self.clone()));
        let store = self.store.clone();
        tokio::spawn(async move {
            // Tickets recorded before the search index existed; newer ones are indexed as written.
            if let Err(e) = store.backfill_search_all().await {
                tracing::error!(error = %e, "search index backfill stopped");
            }
        });
        tokio::spawn(live::tail(self.clone(), stop.clone()));
        let worker = match self.config.jobs.worker {
            true => {
                jobs::purge::ensure(self).await?;
                jobs::retention::ensure(self).await?;
                // A schedule that cannot be read must not keep the node from starting.
                if let Err(e) = summaries::ensure(self).await {
                    tracing::warn!(error = %e, "scheduled summaries not scheduled");
                }
                spikes::sweep::ensure(self).await?;
                sla::schedule_watch::ensure(self).await?;
                Some(jobs::spawn(self.clone(), stop))
            }
            false => None,
        };
        Ok(Background { worker })
    }

    /// Closes the database after the writers drained.
    pub async fn close(&self) {
        self.store.close().await;
    }
}

/// The background work of a node.
pub struct Background {
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Background {
    /// Waits for the job worker to finish its round after the stop signal.
    pub async fn stopped(self) {
        if let Some(w) = self.worker {
            let _ = w.await;
        }
    }
}
