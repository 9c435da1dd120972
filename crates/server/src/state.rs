//! Shared application state, handed to every handler.

use crate::clock::Clock;
use crate::config::Config;
use crate::ratelimit::RateLimiter;
use loopdesk_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;

/// Everything handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub limits: Arc<Limiters>,
    pub metrics: Option<PrometheusHandle>,
    /// The triage engine (rules and models in effect), swapped when they change.
    pub triage: crate::triage_rules::TriageSlot,
    /// Channel clients and the outbox bell.
    pub channels: Arc<crate::channels::Channels>,
    /// SLA policy and calendars in effect.
    pub sla: Arc<crate::sla::SlaHandle>,
    /// Open live-update streams of this node.
    pub live: Arc<crate::live::LiveHub>,
}

/// The rate limiters of public endpoints.
pub struct Limiters {
    pub feedback_by_ip: RateLimiter,
    pub feedback_by_contact: RateLimiter,
    pub track_by_ip: RateLimiter,
    pub track_by_number: RateLimiter,
    pub login_by_ip: RateLimiter,
    /// Public survey look-ups and answers.
    pub survey_by_ip: RateLimiter,
}

impl Limiters {
    /// Limiters sized from the configuration.
    pub fn from_config(config: &Config) -> Limiters {
        let l = &config.limits;
        Limiters {
            feedback_by_ip: RateLimiter::new(l.feedback_per_minute),
            feedback_by_contact: RateLimiter::new(l.feedback_per_minute),
            track_by_ip: RateLimiter::new(l.track_per_minute),
            // Guessing contacts for one number is slowed much more than honest look-ups.
            track_by_number: RateLimiter::new(l.track_per_minute.div_ceil(4)),
            login_by_ip: RateLimiter::new(l.login_per_minute),
            survey_by_ip: RateLimiter::new(l.track_per_minute),
        }
    }
}

impl AppState {
    /// The current instant from the injected clock.
    pub fn now(&self) -> loopdesk_core::Timestamp {
        self.clock.now()
    }
}
