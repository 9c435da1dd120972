//! Background jobs: one worker task per process runs the persisted job queue
//! (`loopdesk_store::jobs`). It sleeps until the next job's `run_at` (at most
//! [`JobsConfig::max_idle_seconds`]), or until this process enqueues something sooner
//! (the store's [`loopdesk_store::JobSignal`]); then it claims a batch of due jobs with a
//! lease and dispatches each by its dotted `kind` in [`dispatch`]. Several processes on one
//! PostgreSQL share the queue: each job is claimed by exactly one of them.
//!
//! Adding a kind: write `async fn run(state: &AppState, job: &Job) -> Result<(), JobError>`
//! in a module of your own (`jobs/notify.rs`, `jobs/workflow.rs`, …) and add ONE arm to the
//! `match` in [`dispatch`]. A handler should be idempotent: a job whose worker died before
//! completing it runs again once its lease runs out. Unknown kinds are retried with backoff,
//! never dropped.
//!
//! # Tests
//! Time comes from the injected clock. `TestApp` starts the server without the background
//! worker; a test moves the manual clock and then calls [`AppState::run_due_jobs`] (or
//! `TestApp::run_due_jobs`), which runs every job due at the clock's "now" — including jobs
//! those jobs enqueue for "now" — before returning. No sleeping.

pub mod notify;
pub mod purge;
pub mod sla;
pub mod workflow;

use crate::state::AppState;
use chrono::Duration;
use loopdesk_core::Timestamp;
use loopdesk_store::{Job, StoreError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

/// Settings of the job worker (`[jobs]` in the config file).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct JobsConfig {
    /// Run the background worker in this process.
    pub worker: bool,
    /// Jobs claimed per round.
    pub batch: usize,
    /// How long a claim lasts before another worker may take the job over.
    pub lease_seconds: i64,
    /// Longest sleep between looks at the queue (jobs enqueued by other nodes).
    pub max_idle_seconds: i64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig { worker: true, batch: 100, lease_seconds: 300, max_idle_seconds: 60 }
    }
}

/// Why a job did not complete.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (database hiccup, channel down, unknown kind).
    #[error("{0}")]
    Retry(String),
    /// Will never succeed (malformed payload): kept as failed, not retried.
    #[error("{0}")]
    Fatal(String),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> JobError {
        match e {
            StoreError::Corrupt(_) | StoreError::Domain(_) => JobError::Fatal(e.to_string()),
            other => JobError::Retry(other.to_string()),
        }
    }
}

/// Runs one job: the one place kinds are dispatched. Other modules add one arm each.
async fn dispatch(state: &AppState, job: &Job) -> Result<(), JobError> {
    match job.kind.as_str() {
        sla::CHECK => sla::check(state, job).await,
        sla::RECOMPUTE => sla::recompute(state, job).await,
        workflow::ROUTE_TICKET | workflow::ACK_TIMEOUT | workflow::SURVEY_SEND | workflow::SURVEY_EXPIRE => {
            workflow::run(state, job).await
        }
        purge::PURGE => purge::run(state, job).await,
        notify::CUSTOMER | notify::STAFF => notify::run(state, job).await,
        crate::channels::wechat_media::MEDIA => crate::channels::wechat_media::run(state, job).await,
        other => Err(JobError::Retry(format!("no handler for job kind {other:?} in this version"))),
    }
}

/// Delay before retry number `attempts` (1, 2, …): 30 s doubling, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    (Duration::seconds(30) * (1 << exp)).min(Duration::hours(1))
}

/// A name for this worker in leases and logs: host, process id and a per-process number.
fn worker_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{host}:{}:{n}", std::process::id())
}

/// Claims one batch due at `now` and runs it. Returns how many jobs were claimed.
pub async fn run_batch(state: &AppState, now: Timestamp, worker: &str) -> Result<usize, StoreError> {
    let cfg = &state.config.jobs;
    let lease = Duration::seconds(cfg.lease_seconds.max(1));
    let jobs = state.store.claim_due(now, cfg.batch.max(1), worker, lease).await?;
    for job in &jobs {
        finish(state, job, dispatch(state, job).await).await?;
    }
    Ok(jobs.len())
}

async fn finish(state: &AppState, job: &Job, outcome: Result<(), JobError>) -> Result<(), StoreError> {
    match outcome {
        Ok(()) => state.store.complete(job.id).await,
        Err(JobError::Retry(e)) => {
            tracing::warn!(kind = %job.kind, id = job.id.0, attempts = job.attempts, error = %e, "job will be retried");
            state.store.retry(job.id, &e, state.now() + backoff(job.attempts)).await
        }
        Err(JobError::Fatal(e)) => {
            tracing::error!(kind = %job.kind, id = job.id.0, error = %e, "job failed");
            state.store.fail(job.id, &e).await
        }
    }
}

impl AppState {
    /// Runs every job due at the clock's current instant, including the ones they enqueue
    /// for now, and returns how many ran. Deterministic: for tests with a manual clock.
    pub async fn run_due_jobs(&self) -> Result<usize, StoreError> {
        self.sla.refresh(&self.store).await?;
        let worker = worker_id();
        let mut total = 0;
        loop {
            let n = run_batch(self, self.now(), &worker).await?;
            total += n;
            if n == 0 {
                return Ok(total);
            }
        }
    }
}

/// Spawns the worker; it stops when `stop` turns true.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(worker(state, stop))
}

async fn worker(state: AppState, mut stop: watch::Receiver<bool>) {
    let id = worker_id();
    let signal = state.store.job_signal();
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(e) = round(&state, &id).await {
            // One failing round never stops the loop.
            tracing::error!(error = %e, "job worker round failed");
        }
        let wait = match idle_time(&state).await {
            Ok(w) => w,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the job queue");
                Duration::seconds(5)
            }
        };
        if wait <= Duration::zero() {
            continue;
        }
        signal.sleeping_until(state.now() + wait);
        tokio::select! {
            _ = tokio::time::sleep(wait.to_std().unwrap_or_default()) => {}
            _ = signal.notified() => {}
            _ = stop.changed() => {}
        }
        signal.sleeping_until(Timestamp::MAX_UTC);
    }
}

/// Refreshes the SLA configuration if another node changed it, then runs batches until
/// nothing is due.
async fn round(state: &AppState, id: &str) -> Result<(), StoreError> {
    state.sla.refresh(&state.store).await?;
    while run_batch(state, state.now(), id).await? >= state.config.jobs.batch.max(1) {}
    Ok(())
}

/// How long to sleep: until the next job, capped.
async fn idle_time(state: &AppState) -> Result<Duration, StoreError> {
    let cap = Duration::seconds(state.config.jobs.max_idle_seconds.max(1));
    Ok(match state.store.next_run_at().await? {
        Some(at) => (at - state.now()).min(cap),
        None => cap,
    })
}
