//! The outbox worker. Each delivery is claimed (state `sending`, attempt counted, lease
//! set) and committed before anything is sent; after the send it is marked `sent`, or put
//! back with exponential backoff, or failed. A crash between send and mark leaves the row
//! `sending`; when its lease runs out it is sent again with the same Message-ID (e-mail) or
//! `Idempotency-Key` (HTTP), so receivers can drop the copy, and the resend is counted.

use super::config::{Security, SmtpConfig};
use super::docs::{self, GatewayDoc, RobotsDoc};
use crate::error::ApiError;
use crate::state::AppState;
use futures::StreamExt;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use loopdesk_channels::email::{compose, OutboundEmail};
use loopdesk_channels::robots::{self, Alert};
use loopdesk_channels::OutboundRequest;
use loopdesk_store::Delivery;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// The SMTP client, pooled.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Smtp {
    /// A pooled client for the configured server.
    pub fn new(cfg: &SmtpConfig) -> Result<Smtp, lettre::transport::smtp::Error> {
        let builder = match cfg.security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host),
            Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)?,
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host)?,
        };
        let mut builder = builder
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(30)))
            .pool_config(PoolConfig::new().max_size(cfg.pool_size.max(1)));
        if let (Some(user), Some(password)) = (&cfg.username, &cfg.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        Ok(Smtp { transport: builder.build() })
    }
}

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
pub async fn worker(state: AppState) {
    loop {
        match run_due(&state).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox round failed"),
        }
        let wait = match state.store.next_delivery_at().await {
            Ok(Some(at)) => (at - state.now()).to_std().unwrap_or(Duration::ZERO).min(Duration::from_secs(5)),
            _ => Duration::from_secs(5),
        };
        let wait = wait.max(Duration::from_millis(20));
        tokio::select! {
            _ = state.channels.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Sends every delivery due now (one claimed batch); returns how many were attempted.
pub async fn run_due(state: &AppState) -> Result<usize, ApiError> {
    let now = state.now();
    let cfg = &state.config.channels;
    let concurrency = cfg.outbox_concurrency.max(1);
    // A few rounds' worth per claim: few round trips, and little left leased after a crash.
    let limit = (concurrency * 4) as i64;
    let lease = chrono::Duration::seconds(cfg.outbox_lease_secs.max(1));
    let batch = state.store.claim_deliveries(now, limit, lease).await?;
    let n = batch.len();
    futures::stream::iter(batch).for_each_concurrent(concurrency, |d| deliver(state, d)).await;
    Ok(n)
}

/// Sends everything due until nothing is left (tests, benchmarks).
pub async fn drain(state: &AppState) -> Result<usize, ApiError> {
    let mut total = 0;
    loop {
        let n = run_due(state).await?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}

async fn deliver(state: &AppState, d: Delivery) {
    let result = match d.transport.as_str() {
        "email" => send_email(state, &d).await,
        "http" => send_http(state, &d).await,
        other => Err(Failure::Permanent(format!("unknown transport {other}"))),
    };
    let cfg = &state.config.channels;
    let outcome = match result {
        Ok(()) => state.store.mark_sent(&[d.id], state.now()).await,
        Err(Failure::Permanent(why)) => state.store.mark_unsent(d.id, &why, None).await,
        Err(Failure::Transient(why)) if d.attempts >= cfg.max_attempts => {
            state.store.mark_unsent(d.id, &format!("gave up after {} attempts: {why}", d.attempts), None).await
        }
        Err(Failure::Transient(why)) => {
            let at = state.now() + backoff(cfg.retry_base_secs, d.attempts);
            state.store.mark_unsent(d.id, &why, Some(at)).await
        }
    };
    if let Err(e) = outcome {
        tracing::warn!(delivery = d.id, error = %e, "could not record a delivery's outcome");
    }
}

/// Delay before attempt `attempts + 1`: base × 2^(attempts−1), at most an hour.
pub fn backoff(base_secs: i64, attempts: i64) -> chrono::Duration {
    let exp = attempts.clamp(1, 20) - 1;
    chrono::Duration::seconds(base_secs.max(1).saturating_mul(1 << exp).min(3600))
}

async fn send_email(state: &AppState, d: &Delivery) -> Result<(), Failure> {
    let payload: EmailPayload =
        serde_json::from_value(d.payload.clone()).map_err(|e| Failure::Permanent(format!("bad payload: {e}")))?;
    let smtp = state.channels.smtp.as_ref().ok_or_else(|| Failure::Transient("SMTP is not configured".into()))?;
    let message = compose(&payload.email).map_err(|e| Failure::Permanent(e.to_string()))?;
    match smtp.transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
        Err(e) => Err(Failure::Transient(e.to_string())),
    }
}

async fn build_request(state: &AppState, payload: HttpPayload) -> Result<OutboundRequest, Failure> {
    let now = state.now();
    let config = |e: ApiError| Failure::Transient(format!("configuration: {e}"));
    match payload {
        HttpPayload::Robot { robot, alert } => {
            let doc = docs::load::<RobotsDoc>(state, "robots").await.map_err(config)?.unwrap_or_default();
            let entry = doc
                .robots
                .iter()
                .find(|r| r.name == robot)
                .ok_or_else(|| Failure::Permanent(format!("robot {robot} is no longer configured")))?;
            robots::build(&entry.robot, &alert, now).map_err(|e| Failure::Permanent(e.to_string()))
        }
        HttpPayload::Gateway { body } => {
            let gw = docs::load::<GatewayDoc>(state, "channel:outbound")
                .await
                .map_err(config)?
                .ok_or_else(|| Failure::Transient("no outbound gateway configured".into()))?;
            Ok(loopdesk_channels::webhook::sign_request(&gw.secret, &gw.url, body.to_string().into_bytes(), now))
        }
    }
}

async fn send_http(state: &AppState, d: &Delivery) -> Result<(), Failure> {
    let payload: HttpPayload =
        serde_json::from_value(d.payload.clone()).map_err(|e| Failure::Permanent(format!("bad payload: {e}")))?;
    let req = build_request(state, payload).await?;
    let mut builder = state.channels.http.post(&req.url).header("Idempotency-Key", &d.key);
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
