//! Sending what is owed: the outbox worker delivers queued customer notifications and
//! staff alerts by e-mail (SMTP) and over HTTP (robots, the notification gateway), with
//! retries, exactly once per delivery key. The message formats live in `loopdesk_channels`.

pub mod outbox;
pub mod smtp;
pub mod tls;

pub use outbox::{EmailPayload, HttpPayload, Smtp};

use crate::config::channels::ChannelsConfig;
use loopdesk_channels::email::MessageIdIssuer;

/// The channel clients a node shares: the Message-ID issuer, the SMTP and HTTP clients,
/// and the WeChat API token cache.
pub struct Outbound {
    pub issuer: MessageIdIssuer,
    /// The SMTP client; `Err` says why it could not be set up (deliveries wait and retry).
    pub smtp: Result<outbox::Smtp, String>,
    pub http: reqwest::Client,
    /// WeChat API access token and when it expires, shared by the media downloads.
    pub wechat_token: tokio::sync::Mutex<Option<crate::inbound::wechat_media::AccessToken>>,
}

impl Outbound {
    /// Builds the clients from the configuration.
    pub fn from_config(config: &ChannelsConfig) -> Outbound {
        let key = match &config.message_id_key {
            Some(k) if !k.expose().is_empty() => k.expose().as_bytes().to_vec(),
            _ => b"loopdesk-message-id".to_vec(),
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(config.http_timeout_secs.max(1)))
            .build()
            .unwrap_or_default();
        Outbound {
            issuer: MessageIdIssuer::new(&config.message_id_host, &key),
            smtp: match &config.smtp {
                None => Err("SMTP is not configured".to_string()),
                Some(s) => outbox::Smtp::new(s).map_err(|e| {
                    tracing::error!(host = %s.host, port = s.port, error = %e, "SMTP client not set up");
                    format!("SMTP client not set up: {e}")
                }),
            },
            http,
            wechat_token: tokio::sync::Mutex::new(None),
        }
    }
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound").field("smtp", &self.smtp.is_ok()).finish_non_exhaustive()
    }
}
