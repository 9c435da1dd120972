//! The Loopdesk server: HTTP API, authentication and background work, wired from the
//! configuration. [`App::build`] binds the listener (port 0 works for tests) and returns an
//! app that knows its address; [`App::serve`] runs it until the shutdown future resolves.

pub mod auth;
pub mod channels;
pub mod clock;
pub mod config;
pub mod error;
pub mod extract;
pub mod intake;
pub mod jobs;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod routes;
pub mod sla;
pub mod state;
pub mod triage;
pub mod triage_rules;
pub mod web;
pub mod workflow;

use crate::auth::password;
use crate::clock::Clock;
use crate::config::Config;
use crate::state::{AppState, Limiters};
use loopdesk_core::Role;
use loopdesk_store::{NewUser, Store, StoreError, StoreOptions};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Api(#[from] error::ApiError),
    #[error("cannot load the triage engine: {0}")]
    Triage(#[from] loopdesk_triage::TriageError),
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A built application: database connected and migrated, listeners bound.
pub struct App {
    pub state: AppState,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
}

/// Opens (creating if needed) the database the configuration names, and migrates it.
pub async fn open_store(config: &Config) -> Result<Store, ServerError> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data)
            .map_err(|source| ServerError::DataDir { path: config.data.display().to_string(), source })?;
    }
    let store = Store::connect(&config.database_url(), StoreOptions::default()).await?;
    store.migrate().await?;
    Ok(store)
}

impl App {
    /// Connects, migrates and binds.
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<App, ServerError> {
        let store = open_store(&config).await?;
        let listener =
            TcpListener::bind(config.bind).await.map_err(|source| ServerError::Bind { addr: config.bind, source })?;
        let metrics_listener = match config.metrics_bind {
            Some(addr) => Some(TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?),
            None => None,
        };
        let triage = triage_rules::TriageSlot::new(triage::default_engine()?);
        triage.reload_if_changed(&store).await?;
        let channels = Arc::new(channels::Channels::from_config(&config.channels));
        let sla = sla::hook::install(&store, clock.clone()).await?;
        let config_live_max = config.live.max_streams_per_user;
        let state = AppState {
            store,
            limits: Arc::new(Limiters::from_config(&config)),
            config: Arc::new(config),
            clock,
            metrics: Some(metrics::handle()),
            triage,
            channels,
            sla,
            live: Arc::new(live::LiveHub::new(config_live_max)),
        };
        Ok(App { state, listener, metrics_listener })
    }

    /// The address the API listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServerError> {
        let router = routes::router(self.state.clone(), self.metrics_listener.is_none());
        channels::start(&self.state);
        if let Some(ml) = self.metrics_listener {
            let metrics_app = routes::metrics_router(self.state.clone());
            tokio::spawn(async move {
                if let Err(e) = axum::serve(ml, metrics_app).await {
                    tracing::error!(error = %e, "metrics listener stopped");
                }
            });
        }
        tokio::spawn(triage_rules::maintain(self.state.clone()));
        let store = self.state.store.clone();
        tokio::spawn(async move {
            // Tickets recorded before the search index existed; newer ones are indexed as written.
            if let Err(e) = store.backfill_search_all().await {
                tracing::error!(error = %e, "search index backfill stopped");
            }
        });
        let (stop, stopped) = tokio::sync::watch::channel(false);
        if self.state.config.jobs.worker {
            jobs::purge::ensure(&self.state).await?;
        }
        tokio::spawn(live::tail(self.state.clone(), stopped.clone()));
        let worker = self.state.config.jobs.worker.then(|| jobs::spawn(self.state.clone(), stopped));
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        let _ = stop.send(true);
        if let Some(w) = worker {
            let _ = w.await;
        }
        served?;
        Ok(())
    }
}

/// Creates the first admin on an empty database. Returns the username and its one-time
/// password, or `None` if users already exist.
pub async fn bootstrap_admin(store: &Store, clock: &dyn Clock) -> Result<Option<(String, String)>, ServerError> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let pw = password::generate();
    let new = NewUser {
        username: "admin".into(),
        display_name: "Administrator".into(),
        role: Role::Admin,
        department_id: None,
        password_hash: password::hash(pw.clone()).await?,
    };
    match store.create_user(&new, clock.now()).await {
        Ok(_) => Ok(Some((new.username, pw))),
        // Another node created it first.
        Err(StoreError::Duplicate { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
