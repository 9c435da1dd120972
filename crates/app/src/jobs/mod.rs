//! Background jobs: one worker task per process runs the persisted job queue
//! (`loopdesk_store::jobs`). It sleeps until the next job's `run_at` (at most
//! [`JobsConfig::max_idle_seconds`]), or until this process enqueues something sooner
//! (the store's [`loopdesk_store::JobSignal`]); then it claims a batch of due jobs with a
//! lease and runs each. Several processes on one PostgreSQL share the queue: each job is
//! claimed by exactly one of them.
//!
//! Each kind of job is a type implementing [`Job`]: its [`JobKind`], its key and its
//! payload (the type itself, serialised), and `run`. The producer builds the value and
//! [`op`] turns it into a queue write; the worker reads the payload back into the same type
//! in [`dispatch`], so the two sides cannot disagree on a field. Adding a kind: a variant
//! of [`JobKind`], a type implementing [`Job`], one arm in [`dispatch`]. A job must be
//! idempotent: one whose worker died before completing it runs again when its lease runs
//! out. Unknown kinds are retried with backoff (a newer node may know them), never dropped.
//!
//! # Tests
//! Time comes from the injected clock. Tests start the server without the background
//! worker, move the manual clock and call [`App::run_due_jobs`], which runs every job due
//! at the clock's "now" — including jobs those jobs enqueue for "now" — before returning.

pub mod notify;
pub mod purge;
pub mod retention;
pub mod sla;
pub mod workflow;

use crate::keys::Key;
use crate::{App, AppError};
use chrono::Duration;
use loopdesk_core::Timestamp;
use loopdesk_store::{stage, JobOp, NewJob, StoreError};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use tokio::sync::watch;
use tracing::Instrument;

loopdesk_core::named_enum! {
    /// Every kind of background job, by the name stored in the queue.
    JobKind {
        /// A ticket's SLA timer (warnings, breaches, escalation).
        SlaCheck = "sla.check",
        /// Rescheduling every open ticket after a policy or calendar edit.
        SlaRecompute = "sla.recompute",
        /// Routing a new ticket.
        RouteTicket = "route.ticket",
        /// Raising a grown problem cluster's open members.
        RaiseCluster = "cluster.raise",
        /// The assignee did not acknowledge in time.
        AckTimeout = "assign.ack_timeout",
        /// Sending the follow-up survey.
        SurveySend = "survey.send",
        /// The survey window closed.
        SurveyExpire = "survey.expire",
        /// Composing a customer notification into outbox deliveries.
        NotifyCustomer = "notify.customer",
        /// Composing a staff alert into outbox deliveries.
        NotifyStaff = "notify.staff",
        /// Deleting finished jobs.
        Purge = "jobs.purge",
        /// Judging the last windows for spikes (one for the cluster).
        SpikeSweep = "spikes.sweep",
        /// Downloading a picture a WeChat follower sent.
        WechatMedia = "wechat.media",
        /// Sending a scheduled summary.
        SendSummary = "report.summary",
        /// An improvement action reached its due minute (escalated if still open).
        ActionOverdue = "action.overdue",
        /// A problem reached its due minute (escalated if the fix is still to be made).
        ProblemOverdue = "problem.overdue",
        /// Resolving one chunk of a fixed problem's open tickets with one message.
        ProblemResolve = "problem.resolve",
        /// Looking whether a verified problem came back.
        ProblemRecurrence = "problem.recurrence",
        /// Warning admins once that a calendar's official holiday schedule ends soon.
        CalendarWatch = "calendar.watch",
        /// Anonymising finished tickets whose retention period passed (a chunk at a time).
        RetentionSweep = "retention.sweep",
    }
}

/// One kind of job: the value is its payload.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + Sized {
    /// The kind, stored with the job.
    const KIND: JobKind;

    /// At most one pending job holds a key: enqueueing it again replaces the payload and
    /// due time.
    fn key(&self) -> Key;

    /// Does the work.
    fn run(self, app: &App) -> impl Future<Output = Result<(), JobError>> + Send;

    /// Whether jobs of this kind claimed together run together ([`Job::run_many`]), for
    /// kinds that do much better in bulk (one transaction for many tickets).
    const IN_BULK: bool = false;

    /// Does the work of several jobs of this kind, one outcome each, in order (used when
    /// [`Job::IN_BULK`]).
    fn run_many(jobs: Vec<Self>, app: &App) -> impl Future<Output = Vec<Result<(), JobError>>> + Send {
        async move {
            let mut out = Vec::with_capacity(jobs.len());
            for job in jobs {
                out.push(job.run(app).await);
            }
            out
        }
    }
}

/// A span for one stored job: its kind, id and attempt, and the request that caused it.
fn job_span(job: &loopdesk_store::Job) -> tracing::Span {
    tracing::info_span!("job", kind = %job.kind, id = job.id.0, attempt = job.attempts,
        caused_by = job.origin.as_deref().unwrap_or("-"))
}

/// The queue write that enqueues `job` due at `run_at` (or replaces the pending one with
/// its key).
pub fn op<J: Job>(job: &J, run_at: Timestamp) -> JobOp {
    JobOp::Enqueue(new_job(job, run_at))
}

fn new_job<J: Job>(job: &J, run_at: Timestamp) -> NewJob {
    // A payload type that cannot serialise is a bug caught by every test that enqueues it.
    let payload = serde_json::to_value(job).unwrap_or(serde_json::Value::Null);
    NewJob::keyed(J::KIND.as_str(), job.key().as_str(), payload, run_at).caused_by(crate::trace::request_id())
}

/// Enqueues `job` due now, on its own.
pub async fn enqueue_now<J: Job>(app: &App, job: &J) -> Result<(), AppError> {
    app.store.enqueue(new_job(job, app.now())).await?;
    Ok(())
}

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
        // 250 a round: under full intake load (every ticket owes a routing job) smaller
        // rounds spend more on claiming and completing than on the work, and routing falls
        // seconds behind; larger ones hold the one SQLite writer long enough to show in
        // intake's p99 (measured with `loopdesk bench intake --breakdown`).
        JobsConfig { worker: true, batch: 250, lease_seconds: 300, max_idle_seconds: 60 }
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

impl From<AppError> for JobError {
    fn from(e: AppError) -> JobError {
        if e.is_transient() {
            JobError::Retry(e.to_string())
        } else {
            JobError::Fatal(e.to_string())
        }
    }
}

/// Reads stored jobs' payloads back into their type and runs them together; a payload
/// that does not read fails its own job only.
async fn run_as<J: Job>(app: &App, jobs: &[&loopdesk_store::Job]) -> Vec<Result<(), JobError>> {
    let mut out: Vec<Option<Result<(), JobError>>> = Vec::with_capacity(jobs.len());
    let mut readable = Vec::with_capacity(jobs.len());
    for job in jobs {
        match serde_json::from_value::<J>(job.payload.clone()) {
            Ok(payload) => {
                readable.push(payload);
                out.push(None);
            }
            Err(e) => out.push(Some(Err(JobError::Fatal(format!("not a {} payload: {e}", J::KIND))))),
        }
    }
    let ran = if J::IN_BULK {
        let span = tracing::info_span!("jobs", kind = %J::KIND, count = readable.len());
        J::run_many(readable, app).instrument(span).await
    } else {
        let spans = jobs.iter().zip(&out).filter(|(_, o)| o.is_none()).map(|(j, _)| job_span(j));
        let mut ran = Vec::with_capacity(readable.len());
        for (payload, span) in readable.into_iter().zip(spans) {
            ran.push(payload.run(app).instrument(span).await);
        }
        ran
    };
    let mut ran = ran.into_iter();
    out.into_iter()
        .map(|o| o.unwrap_or_else(|| ran.next().unwrap_or(Err(JobError::Retry("no outcome".into())))))
        .collect()
}

/// Runs jobs of one kind: the one place kinds are dispatched.
async fn dispatch(app: &App, kind: &str, jobs: &[&loopdesk_store::Job]) -> Vec<Result<(), JobError>> {
    let Some(kind) = JobKind::parse(kind) else {
        let why = format!("no handler for job kind {kind:?} in this version");
        return jobs.iter().map(|_| Err(JobError::Retry(why.clone()))).collect();
    };
    match kind {
        JobKind::SlaCheck => run_as::<sla::Check>(app, jobs).await,
        JobKind::SlaRecompute => run_as::<sla::Recompute>(app, jobs).await,
        JobKind::RouteTicket => run_as::<workflow::RouteTicket>(app, jobs).await,
        JobKind::RaiseCluster => run_as::<workflow::RaiseCluster>(app, jobs).await,
        JobKind::AckTimeout => run_as::<workflow::AckTimeout>(app, jobs).await,
        JobKind::SurveySend => run_as::<workflow::SurveySend>(app, jobs).await,
        JobKind::SurveyExpire => run_as::<workflow::SurveyExpire>(app, jobs).await,
        JobKind::NotifyCustomer => run_as::<notify::NotifyCustomer>(app, jobs).await,
        JobKind::NotifyStaff => run_as::<notify::NotifyStaff>(app, jobs).await,
        JobKind::Purge => run_as::<purge::Purge>(app, jobs).await,
        JobKind::SpikeSweep => run_as::<crate::spikes::sweep::SpikeSweep>(app, jobs).await,
        JobKind::WechatMedia => run_as::<crate::inbound::wechat_media::FetchMedia>(app, jobs).await,
        JobKind::SendSummary => run_as::<crate::summaries::SendSummary>(app, jobs).await,
        JobKind::ActionOverdue => run_as::<crate::problems::overdue::ActionOverdue>(app, jobs).await,
        JobKind::ProblemOverdue => run_as::<crate::problems::overdue::ProblemOverdue>(app, jobs).await,
        JobKind::ProblemResolve => run_as::<crate::problems::resolve::ResolveTickets>(app, jobs).await,
        JobKind::ProblemRecurrence => run_as::<crate::problems::effect::Recurrence>(app, jobs).await,
        JobKind::CalendarWatch => run_as::<crate::sla::schedule_watch::CalendarWatch>(app, jobs).await,
        JobKind::RetentionSweep => run_as::<retention::Sweep>(app, jobs).await,
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

/// Claims one batch due at `now` and runs it kind by kind (kinds in the order they first
/// appear, each kind's jobs in the order claimed: due time, then age), the jobs of one kind
/// together; the ones that succeed are marked done in one statement. Returns how many jobs
/// were claimed.
pub async fn run_batch(app: &App, now: Timestamp, worker: &str) -> Result<usize, StoreError> {
    let cfg = &app.config.jobs;
    let lease = Duration::seconds(cfg.lease_seconds.max(1));
    let start = std::time::Instant::now();
    let mut jobs = app.store.claim_due(now, cfg.batch.max(1), worker, lease).await?;
    let mut start = stage::done("jobs.claim", start);
    // Every job claimed is due; kinds interleave (a route, a cluster raise, a route …), and
    // each run of one kind is a transaction of its own. Kinds are brought together, in the
    // order they first appear, each keeping its jobs' order: one transaction per kind.
    let mut kinds: Vec<String> = Vec::new();
    for job in &jobs {
        if !kinds.contains(&job.kind) {
            kinds.push(job.kind.clone());
        }
    }
    jobs.sort_by_key(|j| kinds.iter().position(|k| *k == j.kind));
    metrics::histogram!("loopdesk_job_batch_size").record(jobs.len() as f64);
    let mut done = Vec::with_capacity(jobs.len());
    for run in jobs.chunk_by(|a, b| a.kind == b.kind) {
        let group: Vec<&loopdesk_store::Job> = run.iter().collect();
        let outcomes = dispatch(app, &run[0].kind, &group).await;
        // Per kind, one sample per group of jobs run together.
        start = stage::done(JobKind::parse(&run[0].kind).map_or("jobs.unknown", |k| k.as_str()), start);
        for (job, outcome) in group.iter().zip(outcomes) {
            match outcome {
                Ok(()) => done.push(job.id),
                Err(e) => failed(app, job, e).instrument(job_span(job)).await?,
            }
        }
    }
    app.store.complete_all(&done).await?;
    stage::done("jobs.complete", start);
    Ok(jobs.len())
}

async fn failed(app: &App, job: &loopdesk_store::Job, error: JobError) -> Result<(), StoreError> {
    match error {
        JobError::Retry(e) => {
            tracing::warn!(id = job.id.0, attempts = job.attempts, error = %e, "job will be retried");
            app.store.retry(job.id, &e, app.now() + backoff(job.attempts)).await
        }
        JobError::Fatal(e) => {
            tracing::error!(id = job.id.0, error = %e, "job failed");
            app.store.fail(job.id, &e).await
        }
    }
}

impl App {
    /// Runs every job due at the clock's current instant, including the ones they enqueue
    /// for now, and returns how many ran. Deterministic: for tests with a manual clock.
    pub async fn run_due_jobs(&self) -> Result<usize, StoreError> {
        self.sla.refresh(self.read()).await?;
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
pub fn spawn(app: App, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(worker(app, stop))
}

async fn worker(app: App, mut stop: watch::Receiver<bool>) {
    let id = worker_id();
    let signal = app.store.job_signal();
    loop {
        if *stop.borrow() {
            return;
        }
        if let Err(e) = round(&app, &id, &stop).await {
            // One failing round never stops the loop.
            tracing::error!(error = %e, "job worker round failed");
        }
        let wait = match idle_time(&app).await {
            Ok(w) => w,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the job queue");
                Duration::seconds(5)
            }
        };
        if wait <= Duration::zero() {
            gather(&mut stop).await;
            continue;
        }
        signal.sleeping_until(app.now() + wait);
        tokio::select! {
            _ = tokio::time::sleep(wait.to_std().unwrap_or_default()) => {}
            _ = signal.notified() => {}
            _ = stop.changed() => {}
        }
        signal.sleeping_until(Timestamp::MAX_UTC);
        gather(&mut stop).await;
    }
}

/// How long a woken worker waits before its round. Under load jobs arrive one intake batch
/// at a time; a round for each would pay a claim, a run and a completion commit (on
/// SQLite each an fsync holding the one write lock) for a handful of jobs. Gathering makes
/// one round of many at the cost of this much delay.
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);

async fn gather(stop: &mut watch::Receiver<bool>) {
    tokio::select! {
        _ = tokio::time::sleep(GATHER) => {}
        _ = stop.changed() => {}
    }
}

/// Refreshes the SLA configuration if another node changed it, then runs batches until
/// nothing is due or the node is stopping: a backlog of due jobs (a node started after a
/// long stop, a bulk import) must not hold a shutdown for minutes. A batch is claimed, run
/// and completed as a whole; what is left stays due for the next start or another node.
async fn round(app: &App, id: &str, stop: &watch::Receiver<bool>) -> Result<(), StoreError> {
    app.sla.refresh(app.read()).await?;
    if let Err(e) = crate::reports::follow_company_zone(app).await {
        tracing::error!(error = %e, "report day rollups not cut in the company's zone");
    }
    while !*stop.borrow() && run_batch(app, app.now(), id).await? >= app.config.jobs.batch.max(1) {}
    Ok(())
}

/// How long to sleep: until the next job, capped.
async fn idle_time(app: &App) -> Result<Duration, StoreError> {
    let cap = Duration::seconds(app.config.jobs.max_idle_seconds.max(1));
    Ok(match app.read().next_run_at().await? {
        Some(at) => (at - app.now()).min(cap),
        None => cap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, ManualClock};
    use loopdesk_core::{TicketId, UserId};
    use std::sync::Arc;

    /// A worker asked to stop leaves the rest of a backlog due instead of running it first:
    /// a node started after a long stop must still shut down at once.
    #[tokio::test]
    async fn a_stopping_worker_leaves_the_backlog_due() {
        let dir = std::env::temp_dir().join(format!("loopdesk-jobs-stop-{}", std::process::id()));
        let mut config = Config { data: dir.clone(), ..Config::default() };
        config.jobs.batch = 2;
        let now = chrono::Utc::now();
        let app = App::open(config, Arc::new(ManualClock::new(now))).await.expect("open");
        for n in 1..=5 {
            let job = workflow::AckTimeout { ticket_id: TicketId(n), assignee_id: UserId(1), assigned_seq: 0 };
            enqueue_now(&app, &job).await.expect("enqueue");
        }
        let (stop, stopped) = watch::channel(true);
        round(&app, "stopping", &stopped).await.expect("round");
        let left = app.store.claim_due(app.now(), 10, "other", Duration::seconds(60)).await.expect("claim");
        // (Besides the SLA sweep a new database starts with.)
        let acks = left.iter().filter(|j| j.kind == workflow::AckTimeout::KIND.as_str()).count();
        assert_eq!(acks, 5, "nothing run once stopping");
        drop(stop);
        app.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
