//! Channels wired into the server: the outbox (customer notifications and staff alerts by
//! e-mail, robots and gateways), e-mail in (inbound endpoint and IMAP poller), the WeChat
//! official-account endpoint, signed webhooks in, and the admin endpoints for templates,
//! channel settings, robots and the quarantine. The codecs live in `loopdesk_channels`.

pub mod admin;
pub mod config;
pub mod docs;
pub mod email_in;
pub mod imap;
pub mod intake;
pub mod notify;
pub mod outbox;
pub mod tls;
pub mod uploads;
pub mod webhook_in;
pub mod wechat;
pub mod wechat_media;

pub use config::ChannelsConfig;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use loopdesk_channels::email::MessageIdIssuer;
use std::sync::Arc;
use tokio::sync::Notify;

/// What the channel workers share: the Message-ID issuer, the SMTP and HTTP clients, and
/// the bell that wakes the outbox worker when something is queued.
pub struct Channels {
    pub issuer: MessageIdIssuer,
    /// The SMTP client; `Err` says why it could not be set up (deliveries wait and retry).
    pub smtp: Result<outbox::Smtp, String>,
    pub http: reqwest::Client,
    pub wake: Notify,
    /// WeChat API access token and when it expires, shared by the media downloads.
    pub wechat_token: tokio::sync::Mutex<Option<wechat_media::AccessToken>>,
}

impl Channels {
    /// Builds the clients from the configuration.
    pub fn from_config(config: &ChannelsConfig) -> Channels {
        let key = match &config.message_id_key {
            Some(k) if !k.expose().is_empty() => k.expose().as_bytes().to_vec(),
            _ => b"loopdesk-message-id".to_vec(),
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(config.http_timeout_secs.max(1)))
            .build()
            .unwrap_or_default();
        Channels {
            issuer: MessageIdIssuer::new(&config.message_id_host, &key),
            smtp: match &config.smtp {
                None => Err("SMTP is not configured".to_string()),
                Some(s) => outbox::Smtp::new(s).map_err(|e| {
                    tracing::error!(host = %s.host, port = s.port, error = %e, "SMTP client not set up");
                    format!("SMTP client not set up: {e}")
                }),
            },
            http,
            wake: Notify::new(),
            wechat_token: tokio::sync::Mutex::new(None),
        }
    }
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels").field("smtp", &self.smtp.is_ok()).finish_non_exhaustive()
    }
}

/// Size limit and type check for every attachment, whatever door it came through (e-mail,
/// uploads, WeChat pictures).
pub fn attachment_policy() -> loopdesk_channels::email::AttachmentPolicy {
    loopdesk_channels::email::AttachmentPolicy::default()
}

/// Starts the outbox worker and the IMAP pollers.
pub fn start(state: &AppState) {
    tokio::spawn(outbox::worker(state.clone()));
    for mailbox in state.config.channels.imap.clone() {
        tokio::spawn(imap::poller(state.clone(), mailbox));
    }
}

/// The routes of this module (under `/api/v1`).
pub fn router(state: &AppState) -> Router<AppState> {
    let max_email = state.config.channels.max_inbound_email_bytes;
    Router::new()
        .route("/inbound/email", post(email_in::receive).layer(DefaultBodyLimit::max(max_email)))
        .route("/inbound/wechat", get(wechat::verify).post(wechat::receive))
        .route("/inbound/webhook/{source}", post(webhook_in::receive))
        .route("/admin/templates", get(admin::get_templates).put(admin::put_templates))
        .route("/admin/robots", get(admin::get_robots).put(admin::put_robots))
        .route("/admin/channels/{name}", get(admin::get_channel).put(admin::put_channel))
        .route("/admin/quarantine", get(admin::quarantine))
        .route("/admin/quarantine/{id}/raw", get(admin::quarantine_raw))
        .route("/attachments/{id}", get(admin::attachment))
        .route("/tickets/{id}/deliveries", get(admin::deliveries))
}

/// Shared handle type.
pub type Shared = Arc<Channels>;
