//! The outbox worker. Each delivery is claimed (state `sending`, attempt counted, lease
//! set) and committed before anything is sent; after the send it is marked `sent`, or put
//! back with exponential backoff, or failed. A crash between send and mark leaves the row
//! `sending`; when its lease runs out it is sent again with the same Message-ID (e-mail) or
//! `Idempotency-Key` (HTTP), so receivers can drop the copy, and the resend is counted and
//! shown as in doubt.
//!
//! Keeping that window small: only as many rows are claimed as can start at once (a crash
//! leaves at most twice the concurrency leased), sends run continuously (no batch barrier),
//! and each outcome is committed as soon as the server answered — a single recorder task
//! commits every outcome waiting at that moment in one transaction (group commit), so
//! marks never queue behind each other's fsync and nothing is held back to fill a batch.
//! SMTP itself cannot close the window between the server's 250 and our commit; the
//! receiving mailbox closes it by dropping a second copy with the same Message-ID
//! (scripts/setup-mail.sh, README "Exactly-once e-mail").

use crate::documents::channel::{GatewayDoc, RobotsDoc};
use crate::documents::{load, ChannelName, DocumentKind};
use crate::error::AppError;
use crate::App;
use loopdesk_channels::email::{compose, OutboundEmail};
use loopdesk_channels::robots::{self, Alert};
use loopdesk_channels::OutboundRequest;
use loopdesk_store::{Delivery, Outcome};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

pub use super::smtp::{Smtp, SmtpSetupError};

/// Outcomes committed together at most (one transaction).
const MAX_GROUP: usize = 512;

/// What an e-mail delivery stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailPayload {
    pub email: OutboundEmail,
}

/// What an HTTP delivery stores; the request is built and signed at send time, so a retry
/// carries a fresh timestamp.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HttpPayload {
    /// A staff alert to the robot of that name in the `robots` document.
    Robot { robot: String, alert: Alert },
    /// A customer notification to the `channel:outbound` gateway.
    Gateway { body: Value },
}

/// Why a send did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// Worth another attempt later.
    Transient(String),
    /// Will never work (rejected address, bad configuration of the message).
    Permanent(String),
}

/// Runs until the process ends: sends what is due, then sleeps until the next delivery is
/// due or something new is queued.
pub async fn worker(app: App) {
    loop {
        match run_due(&app).await {
            Ok(n) if n > 0 => {
                tokio::time::sleep(GATHER).await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox round failed"),
        }
        let wait = match app.store.next_delivery_at().await {
            Ok(Some(at)) => (at - app.now()).to_std().unwrap_or(Duration::ZERO).min(Duration::from_secs(5)),
            _ => Duration::from_secs(5),
        };
        let wait = wait.max(Duration::from_millis(20));
        tokio::select! {
            _ = app.store.outbox_bell().notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
        // Under load deliveries are queued one intake batch at a time; gathering them a
        // moment makes one claim and one outcome commit for many (each commit holds SQLite's
        // one write lock through an fsync).
        tokio::time::sleep(GATHER).await;
    }
}

/// How long a woken outbox waits before claiming.
const GATHER: Duration = Duration::from_millis(50);

/// Sends every delivery due now, continuously, until none is left due; returns how many
/// were attempted.
pub async fn run_due(app: &App) -> Result<usize, AppError> {
    let cfg = &app.config.channels;
    let concurrency = cfg.outbox_concurrency.max(1);
    let lease = chrono::Duration::seconds(cfg.outbox_lease_secs.max(1));
    let (tx, rx) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(record(app.clone(), rx));
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut total = 0;
    let claimed = loop {
        // Claim no more than can start next: the rest stays queued, not leased.
        let start = std::time::Instant::now();
        let batch = match app.store.claim_deliveries(app.now(), concurrency as i64, lease).await {
            Ok(batch) if batch.is_empty() => break Ok(()),
            Ok(batch) => batch,
            Err(e) => break Err(e),
        };
        loopdesk_store::stage::done("outbox.claim", start);
        total += batch.len();
        // Fewer than asked for: nothing else is due now. What arrives meanwhile rings the
        // bell, and the worker comes back (an empty claim is one more write).
        let last = batch.len() < concurrency;
        for d in batch {
            if d.in_doubt {
                tracing::info!(delivery = d.id, resends = d.resends, "resending an interrupted delivery (in doubt)");
            }
            let Ok(permit) = permits.clone().acquire_owned().await else { break };
            let app = app.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let outcome = attempt(&app, &d).await;
                let _ = tx.send((d.id, outcome));
                drop(permit);
            });
        }
        if last {
            break Ok(());
        }
    };
    // Every send finished (each holds a permit until its outcome is handed over) …
    let _ = permits.acquire_many(concurrency as u32).await;
    drop(tx);
    // … and every outcome committed.
    if let Err(e) = recorder.await {
        tracing::warn!(error = %e, "the outbox recorder stopped");
    }
    claimed?;
    Ok(total)
}

/// Sends everything due until nothing is left (tests, benchmarks).
pub async fn drain(app: &App) -> Result<usize, AppError> {
    let mut total = 0;
    loop {
        let n = run_due(app).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

/// Commits outcomes as they come: every outcome waiting when the previous commit ends goes
/// into the next one.
async fn record(app: App, mut rx: mpsc::UnboundedReceiver<(i64, Outcome)>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        let mut tries = 0;
        let start = std::time::Instant::now();
        while let Err(e) = app.store.record_outcomes(&group, app.now()).await {
            tries += 1;
            tracing::warn!(deliveries = group.len(), error = %e, "could not record delivery outcomes");
            if tries >= 5 {
                // Left `sending`: resent (in doubt) when the lease runs out.
                break;
            }
            tokio::time::sleep(Duration::from_millis(50 << tries)).await;
        }
        loopdesk_store::stage::done("outbox.record", start);
        group.clear();
    }
}

/// Sends one delivery and says what became of it.
async fn attempt(app: &App, d: &Delivery) -> Outcome {
    let result = match d.transport.as_str() {
        "email" => send_email(app, d).await,
        "http" => send_http(app, d).await,
        other => Err(Failure::Permanent(format!("unknown transport {other}"))),
    };
    let cfg = &app.config.channels;
    match result {
        Ok(()) => Outcome::Sent,
        Err(Failure::Permanent(why)) => Outcome::Failed { error: why },
        Err(Failure::Transient(why)) if d.attempts >= cfg.max_attempts => {
            Outcome::Failed { error: format!("gave up after {} attempts: {why}", d.attempts) }
        }
        Err(Failure::Transient(why)) => {
            Outcome::Retry { error: why, at: app.now() + backoff(cfg.retry_base_secs, d.attempts) }
        }
    }
}

/// Delay before attempt `attempts + 1`: base × 2^(attempts−1), at most an hour.
pub fn backoff(base_secs: i64, attempts: i64) -> chrono::Duration {
    let exp = attempts.clamp(1, 20) - 1;
    chrono::Duration::seconds(base_secs.max(1).saturating_mul(1 << exp).min(3600))
}

async fn send_email(app: &App, d: &Delivery) -> Result<(), Failure> {
    let payload: EmailPayload =
        serde_json::from_value(d.payload.clone()).map_err(|e| Failure::Permanent(format!("bad payload: {e}")))?;
    let smtp = app.outbound.smtp.as_ref().map_err(|why| Failure::Transient(why.clone()))?;
    let message = compose(&payload.email).map_err(|e| Failure::Permanent(e.to_string()))?;
    let envelope = envelope(&payload.email, message.envelope());
    let envelope_id = app.outbound.issuer.envelope_id(d.id);
    let dsn = Some(super::smtp::Dsn { envelope_id: &envelope_id });
    match smtp.send(&envelope, &message.formatted(), dsn).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
        Err(e) => Err(Failure::Transient(super::tls::explain(&e, &smtp.server, smtp.ca_file.as_deref()))),
    }
}

/// The message's envelope with the support mailbox as its sender: the `Reply-To` address
/// when set (the mailbox the IMAP poller reads), else `From`. Delivery reports and
/// bounces go to the envelope sender, so they come back where Loopdesk reads them.
fn envelope(email: &OutboundEmail, from_headers: &lettre::address::Envelope) -> lettre::address::Envelope {
    let support = email.reply_to.as_deref().unwrap_or(&email.from).parse::<lettre::message::Mailbox>();
    match support {
        Ok(mailbox) => lettre::address::Envelope::new(Some(mailbox.email), from_headers.to().to_vec())
            .unwrap_or_else(|_| from_headers.clone()),
        Err(_) => from_headers.clone(),
    }
}

async fn build_request(app: &App, payload: HttpPayload) -> Result<OutboundRequest, Failure> {
    let now = app.now();
    let config = |e: AppError| Failure::Transient(format!("configuration: {e}"));
    match payload {
        HttpPayload::Robot { robot, alert } => {
            let doc = load::<RobotsDoc>(app, &DocumentKind::Robots).await.map_err(config)?.unwrap_or_default();
            let entry = doc
                .robots
                .iter()
                .find(|r| r.name == robot)
                .ok_or_else(|| Failure::Permanent(format!("robot {robot} is no longer configured")))?;
            robots::build(&entry.robot, &alert, now).map_err(|e| Failure::Permanent(e.to_string()))
        }
        HttpPayload::Gateway { body } => {
            let gw = load::<GatewayDoc>(app, &DocumentKind::Channel(ChannelName::outbound()))
                .await
                .map_err(config)?
                .ok_or_else(|| Failure::Transient("no outbound gateway configured".into()))?;
            Ok(loopdesk_channels::webhook::sign_request(&gw.secret, &gw.url, body.to_string().into_bytes(), now))
        }
    }
}

async fn send_http(app: &App, d: &Delivery) -> Result<(), Failure> {
    let payload: HttpPayload =
        serde_json::from_value(d.payload.clone()).map_err(|e| Failure::Permanent(format!("bad payload: {e}")))?;
    let req = build_request(app, payload).await?;
    let mut builder = app.outbound.http.post(&req.url).header("Idempotency-Key", &d.key);
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    let resp = builder.body(req.body).send().await.map_err(|e| Failure::Transient(format!("{}", e.without_url())))?;
    let status = resp.status();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        // WeCom and DingTalk answer {"errcode":0}, Feishu {"code":0}; anything else is an error.
        let code = body.get("errcode").or_else(|| body.get("code")).and_then(Value::as_i64).unwrap_or(0);
        return match code {
            0 => Ok(()),
            c => Err(Failure::Transient(format!("the receiver answered error code {c}"))),
        };
    }
    let why = format!("HTTP {status}");
    if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
        Err(Failure::Permanent(why))
    } else {
        Err(Failure::Transient(why))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(30, 1).num_seconds(), 30);
        assert_eq!(backoff(30, 2).num_seconds(), 60);
        assert_eq!(backoff(30, 4).num_seconds(), 240);
        assert_eq!(backoff(30, 30).num_seconds(), 3600);
    }
}
