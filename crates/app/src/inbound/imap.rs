//! The IMAP poller: fetches messages newer than the saved position (UIDVALIDITY + last
//! UID, kept in the database, so a restart neither skips nor repeats), takes them in
//! concurrently, and advances the position only past messages taken in.

use super::email::{ingest, Ingested};
use crate::config::channels::{ImapConfig, Security};
use crate::App;
use futures::{StreamExt, TryStreamExt};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

/// UIDs fetched per command, to bound memory.
const CHUNK: u32 = 200;
/// Messages taken in at once.
const CONCURRENCY: usize = 32;

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect: {0}")]
    Connect(#[from] std::io::Error),
    #[error("IMAP: {0}")]
    Imap(#[from] async_imap::error::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("storing failed: {0}")]
    Store(String),
}

/// What one poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PollReport {
    pub fetched: usize,
    pub opened: usize,
    pub threaded: usize,
    pub duplicates: usize,
    pub quarantined: usize,
    /// Delivery status notifications recorded on their delivery.
    pub reports: usize,
}

/// Polls `cfg` forever at its interval.
pub async fn poller(app: App, cfg: ImapConfig) {
    loop {
        match poll_once(&app, &cfg).await {
            Ok(r) if r.fetched > 0 => tracing::info!(mailbox = %cfg.mailbox, fetched = r.fetched, "IMAP poll"),
            Ok(_) => {}
            Err(e) => tracing::warn!(host = %cfg.host, error = %e, "IMAP poll failed"),
        }
        tokio::time::sleep(Duration::from_secs(cfg.poll_secs.max(1))).await;
    }
}

/// Connects, takes in every new message, and logs out.
pub async fn poll_once(app: &App, cfg: &ImapConfig) -> Result<PollReport, ImapError> {
    let tcp = TcpStream::connect((cfg.host.as_str(), cfg.port)).await?;
    match cfg.security {
        Security::Tls | Security::Starttls => {
            let tls = tls_connect(cfg, tcp).await?;
            poll_stream(app, cfg, tls).await
        }
        Security::None => poll_stream(app, cfg, tcp).await,
    }
}

async fn tls_connect(
    cfg: &ImapConfig,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
    let config =
        crate::outbound::tls::client_config(cfg.ca_file.as_deref()).map_err(|e| ImapError::Tls(e.to_string()))?;
    let name = rustls::pki_types::ServerName::try_from(cfg.host.clone()).map_err(|e| ImapError::Tls(e.to_string()))?;
    tokio_rustls::TlsConnector::from(config).connect(name, tcp).await.map_err(|e| {
        let server = format!("{}:{}", cfg.host, cfg.port);
        ImapError::Tls(crate::outbound::tls::explain(&e, &server, cfg.ca_file.as_deref()))
    })
}

fn mailbox_key(cfg: &ImapConfig) -> String {
    format!("{}@{}:{}/{}", cfg.username, cfg.host, cfg.port, cfg.mailbox)
}

async fn poll_stream<S>(app: &App, cfg: &ImapConfig, stream: S) -> Result<PollReport, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let mut client = async_imap::Client::new(stream);
    let _greeting = client.read_response().await?;
    let mut session = client.login(&cfg.username, cfg.password.expose()).await.map_err(|(e, _)| e)?;
    let mailbox = session.select(&cfg.mailbox).await?;
    let validity = mailbox.uid_validity.unwrap_or(0);
    let key = mailbox_key(cfg);
    let mut last = match app.store.imap_cursor(&key).await.map_err(|e| ImapError::Store(e.to_string()))? {
        Some((v, uid)) if v == validity => uid,
        _ => 0,
    };
    let uid_next = mailbox.uid_next.unwrap_or(u32::MAX);
    let mut report = PollReport::default();
    while last.saturating_add(1) < uid_next {
        let range = format!("{}:{}", last + 1, last.saturating_add(CHUNK));
        let fetched: Vec<(u32, Vec<u8>)> = session
            .uid_fetch(&range, "(UID BODY.PEEK[])")
            .await?
            .try_filter_map(|f| async move { Ok(f.uid.zip(f.body().map(<[u8]>::to_vec))) })
            .try_collect()
            .await?;
        let mut fetched: Vec<_> = fetched.into_iter().filter(|(uid, _)| *uid > last).collect();
        fetched.sort_by_key(|(uid, _)| *uid);
        if fetched.is_empty() {
            if uid_next == u32::MAX {
                break;
            }
            last = last.saturating_add(CHUNK).min(uid_next - 1);
            app.store.set_imap_cursor(&key, validity, last).await.map_err(|e| ImapError::Store(e.to_string()))?;
            continue;
        }
        let source = format!("imap:{}", cfg.mailbox);
        // Taken in as they finish (no slow message holding up the rest); the position
        // advances only past a run of messages all taken in.
        let mut order: std::collections::VecDeque<u32> = fetched.iter().map(|(uid, _)| *uid).collect();
        let mut done = std::collections::HashSet::new();
        let mut results = futures::stream::iter(fetched)
            .map(|(uid, raw)| {
                let source = source.clone();
                async move { (uid, ingest(app, &source, &raw).await) }
            })
            .buffer_unordered(CONCURRENCY);
        while let Some((uid, result)) = results.next().await {
            let outcome = result.map_err(|e| ImapError::Store(e.to_string()))?;
            report.fetched += 1;
            match outcome {
                Ingested::Opened { .. } => report.opened += 1,
                Ingested::Threaded { .. } => report.threaded += 1,
                Ingested::Duplicate { .. } => report.duplicates += 1,
                Ingested::Quarantined { .. } => report.quarantined += 1,
                Ingested::Reported { .. } => report.reports += 1,
            }
            done.insert(uid);
            while let Some(next) = order.front().copied().filter(|u| done.remove(u)) {
                last = next;
                order.pop_front();
            }
        }
        app.store.set_imap_cursor(&key, validity, last).await.map_err(|e| ImapError::Store(e.to_string()))?;
    }
    session.logout().await?;
    Ok(report)
}
