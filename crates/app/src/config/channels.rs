//! The `[channels]` configuration section: SMTP, IMAP mailboxes, inbound e-mail token,
//! and how outbound messages are addressed. Per-source settings an admin edits live in
//! documents (`templates`, `robots`, `channel:<name>`), not here.

use super::Secret;
use serde::{Deserialize, Serialize};

/// How a connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain TCP (loopback or tests only).
    None,
    /// Plain, then upgraded with STARTTLS (SMTP port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTP 465, IMAP 993).
    Tls,
}

/// The SMTP server notifications are sent through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `Name <address>` the mail is from.
    pub from: String,
    /// Where customers' replies should go, when not to `from` (e.g. the polled mailbox).
    pub reply_to: Option<String>,
    /// Connections kept open.
    pub pool_size: u32,
    /// PEM file of the CA certificate(s) that sign the server's certificate (a private CA).
    /// When set, these are trusted instead of the public web roots; certificates are
    /// always verified (there is no "accept invalid certificates" switch).
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 587,
            security: Security::Starttls,
            username: None,
            password: None,
            from: "Loopdesk <support@example.com>".into(),
            reply_to: None,
            pool_size: 8,
            ca_file: None,
        }
    }
}

/// One IMAP mailbox polled for customer mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    /// `tls` (993) or `none` (loopback); STARTTLS is not offered for IMAP.
    pub security: Security,
    pub username: String,
    pub password: Secret,
    pub mailbox: String,
    /// Seconds between polls.
    pub poll_secs: u64,
    /// PEM file of the CA certificate(s) trusted for this mailbox's server instead of the
    /// public web roots (a private CA); certificates are always verified.
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for ImapConfig {
    fn default() -> Self {
        ImapConfig {
            host: "127.0.0.1".into(),
            port: 993,
            security: Security::Tls,
            username: String::new(),
            password: Secret::default(),
            mailbox: "INBOX".into(),
            poll_secs: 30,
            ca_file: None,
        }
    }
}

/// The `[channels]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelsConfig {
    /// Company name used in notifications.
    pub company: String,
    /// Public base URL of this installation, for status and console links.
    pub public_url: Option<String>,
    /// Host part of our Message-IDs (`<t42.…@host>`).
    pub message_id_host: String,
    /// Key that tags our Message-IDs so replies prove their ticket.
    pub message_id_key: Option<Secret>,
    /// Outbound SMTP; e-mail deliveries wait (and retry) while it is absent.
    pub smtp: Option<SmtpConfig>,
    /// Mailboxes polled for customer mail.
    pub imap: Vec<ImapConfig>,
    /// Bearer token mail providers use for `POST /inbound/email`; the endpoint is off without it.
    pub inbound_email_token: Option<Secret>,
    /// Largest raw message accepted by the inbound endpoint and the poller.
    pub max_inbound_email_bytes: usize,
    /// Outbound HTTP timeout (robots, gateways), seconds.
    pub http_timeout_secs: u64,
    /// Deliveries sent at once.
    pub outbox_concurrency: usize,
    /// Seconds a claimed delivery stays with its worker; after a crash, another takes it
    /// over when this runs out. Must exceed the longest send.
    pub outbox_lease_secs: i64,
    /// Attempts before a delivery is failed.
    pub max_attempts: i64,
    /// First retry delay, seconds; doubled each attempt, capped at an hour.
    pub retry_base_secs: i64,
    /// Hours promised for the first response in the acknowledgement, when the SLA gives none.
    pub first_response_hours: i64,
}

impl Default for ChannelsConfig {
    fn default() -> Self {
        ChannelsConfig {
            company: "Loopdesk".into(),
            public_url: None,
            message_id_host: "loopdesk.local".into(),
            message_id_key: None,
            smtp: None,
            imap: Vec::new(),
            inbound_email_token: None,
            max_inbound_email_bytes: 25 * 1024 * 1024,
            http_timeout_secs: 10,
            outbox_concurrency: 64,
            outbox_lease_secs: 120,
            max_attempts: 8,
            retry_base_secs: 30,
            first_response_hours: 48,
        }
    }
}
