//! What every handler shares: the application, and the metrics of this process.

use loopdesk_app::config::proxy::TrustedProxies;
use loopdesk_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use std::ops::Deref;
use std::sync::Arc;

/// Handler state. Cheap to clone; dereferences to the [`App`].
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Option<PrometheusHandle>,
    /// Whose `X-Forwarded-For` entries are believed (parsed once from the configuration).
    pub proxies: Arc<TrustedProxies>,
}

impl AppState {
    pub fn new(app: App, metrics: Option<PrometheusHandle>) -> AppState {
        let proxies = Arc::new(TrustedProxies::new(&app.config.proxies()));
        AppState { app, metrics, proxies }
    }
}

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}
