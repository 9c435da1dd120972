//! What every handler shares: the application, and the metrics of this process.

use loopdesk_app::App;
use metrics_exporter_prometheus::PrometheusHandle;
use std::ops::Deref;

/// Handler state. Cheap to clone; dereferences to the [`App`].
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Option<PrometheusHandle>,
}

impl AppState {
    pub fn new(app: App, metrics: Option<PrometheusHandle>) -> AppState {
        AppState { app, metrics }
    }
}

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}
