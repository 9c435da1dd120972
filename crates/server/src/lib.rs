//! The Loopdesk server: adapters over the application crate — the JSON API, the staff
//! console, the customer portal, the inbound channel endpoints and authentication. Handlers
//! read the request, call one use case of `loopdesk_app` and answer; [`error`] maps the
//! application's errors to HTTP once for the API and the pages alike.
//!
//! [`Server::build`] opens the application and binds the listener (port 0 works for tests);
//! [`Server::serve`] runs it until the shutdown future resolves.

pub mod auth;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod state;
pub mod trace;
pub mod web;

use crate::state::AppState;
use loopdesk_app::{App, Clock, Config, StartError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    App(#[from] loopdesk_app::AppError),
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A built server: the application open, the listeners bound.
pub struct Server {
    pub state: AppState,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
}

impl Server {
    /// Opens the application and binds.
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<Server, ServerError> {
        let (bind, metrics_bind) = (config.bind, config.metrics_bind);
        let app = App::open(config, clock).await?;
        let listener = TcpListener::bind(bind).await.map_err(|source| ServerError::Bind { addr: bind, source })?;
        let metrics_listener = match metrics_bind {
            Some(addr) => Some(TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?),
            None => None,
        };
        Ok(Server { state: AppState::new(app, Some(metrics::handle())), listener, metrics_listener })
    }

    /// The address the API listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and the job
    /// worker's round.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), ServerError> {
        let router = routes::router(self.state.clone(), self.metrics_listener.is_none());
        if let Some(ml) = self.metrics_listener {
            let metrics_app = routes::metrics_router(self.state.clone());
            tokio::spawn(async move {
                if let Err(e) = axum::serve(ml, metrics_app).await {
                    tracing::error!(error = %e, "metrics listener stopped");
                }
            });
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let background = self.state.app.start_background(stopped).await?;
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        let _ = stop.send(true);
        background.stopped().await;
        served?;
        Ok(())
    }
}
