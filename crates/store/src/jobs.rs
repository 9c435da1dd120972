//! The persisted job queue: timers and the outbox. A job has a dotted `kind`, a JSON
//! payload, the instant it is due and an optional dedup key — enqueueing a key that a
//! pending job already holds replaces that job's payload and due time, so a reschedule is
//! one upsert. Workers claim due jobs with a lease: on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, on SQLite (one writer) with a conditional `UPDATE … RETURNING`;
//! either way each claim hands a job to exactly one worker. A claimed job keeps its lease
//! end in `run_at`, so a crashed worker's jobs fall due again when the lease runs out, and
//! a partial index on `run_at` per live state (pending, running) answers both "what is
//! due" and "when is the next one" with one seek.
//!
//! Jobs owed by a ticket change are written in the change's transaction
//! ([`Store::change_with`], and the [`crate::Effects`] every change and intake consults).

use crate::sql::{from_ms, ms, values_rows};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::{TicketId, Timestamp};
use serde_json::Value;
use sqlx::AnyConnection;
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::sync::Notify;

/// A job's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(pub i64);

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> JobState {
        match s {
            "pending" => JobState::Pending,
            "running" => JobState::Running,
            "done" => JobState::Done,
            _ => JobState::Failed,
        }
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Dotted name the worker dispatches on, e.g. `sla.check`, `notify.staff`.
    pub kind: String,
    /// Dedup key: a pending job with the same key is replaced (new payload and run_at).
    pub key: Option<String>,
    pub payload: Value,
    pub run_at: Timestamp,
    /// The request that caused it (its request id), for reading logs together.
    pub origin: Option<String>,
}

impl NewJob {
    /// A job with a dedup key.
    pub fn keyed(kind: &str, key: impl Into<String>, payload: Value, run_at: Timestamp) -> NewJob {
        NewJob { kind: kind.to_string(), key: Some(key.into()), payload, run_at, origin: None }
    }

    /// The same job, caused by the request `origin`.
    pub fn caused_by(mut self, origin: Option<String>) -> NewJob {
        self.origin = origin;
        self
    }
}

/// A write to the queue made inside another transaction (a ticket change, an intake).
#[derive(Debug, Clone, PartialEq)]
pub enum JobOp {
    /// Enqueue (or replace the pending job with the same key).
    Enqueue(NewJob),
    /// Remove the pending job holding this key, if any.
    Cancel { key: String },
}

/// A claimed (or inspected) job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub key: Option<String>,
    pub payload: Value,
    /// Claims so far, this one included.
    pub attempts: i64,
    pub state: JobState,
    /// Due time while pending; the lease end while running.
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    /// The worker holding the lease, or once done the one that ran it.
    pub worker: Option<String>,
    /// The request that caused the job, if one did.
    pub origin: Option<String>,
}

/// Wakes a worker when a job is enqueued sooner than it planned to look.
#[derive(Default)]
pub struct JobSignal {
    notify: Notify,
    /// The worker's planned wake-up (unix ms); `i64::MAX` when it is not sleeping.
    sleeping_until: AtomicI64,
}

impl JobSignal {
    /// The worker is about to sleep until `until`.
    pub fn sleeping_until(&self, until: Timestamp) {
        self.sleeping_until.store(ms(until), Ordering::SeqCst);
    }

    /// Waits for a wake-up (a permit left by an earlier enqueue counts).
    pub async fn notified(&self) {
        self.notify.notified().await
    }

    /// Wakes the worker now.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    fn enqueued(&self, run_at_ms: i64) {
        if run_at_ms < self.sleeping_until.load(Ordering::SeqCst) {
            self.notify.notify_one();
        }
    }
}

const JOB_COLS: &str = "id, kind, dedup_key, payload, attempts, state, run_at, last_error, lease_owner, origin";
/// Rows per multi-row upsert.
const ROWS_PER_INSERT: usize = 16;

type JobRow = (i64, String, Option<String>, String, i64, String, i64, Option<String>, Option<String>, Option<String>);

fn job_from(row: JobRow) -> Result<Job, StoreError> {
    let (id, kind, key, payload, attempts, state, run_at, last_error, worker, origin) = row;
    Ok(Job {
        id: JobId(id),
        kind,
        key,
        payload: serde_json::from_str(&payload)?,
        attempts,
        state: JobState::parse(&state),
        run_at: from_ms(run_at),
        last_error,
        worker,
        origin,
    })
}

/// Applies queue writes on `conn` (inside the caller's transaction). Returns the earliest
/// run_at enqueued, for [`JobSignal`].
pub(crate) async fn write_ops(conn: &mut AnyConnection, ops: &[JobOp]) -> Result<Option<i64>, StoreError> {
    let mut adds: Vec<&NewJob> = Vec::new();
    for op in ops {
        match op {
            JobOp::Enqueue(job) => {
                // One statement may not touch a key twice: the later op wins.
                if let Some(k) = &job.key {
                    adds.retain(|j| j.key.as_ref() != Some(k));
                }
                adds.push(job);
            }
            JobOp::Cancel { key } => {
                adds.retain(|j| j.key.as_ref() != Some(key));
                sqlx::query("DELETE FROM jobs WHERE dedup_key = $1 AND state = 'pending'")
                    .bind(key)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    for chunk in adds.chunks(ROWS_PER_INSERT) {
        upsert(conn, chunk).await?;
    }
    Ok(adds.iter().map(|j| ms(j.run_at)).min())
}

async fn upsert(conn: &mut AnyConnection, jobs: &[&NewJob]) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO jobs (kind, dedup_key, payload, run_at, state, created_at, origin) VALUES {} \
         ON CONFLICT (dedup_key) WHERE state = 'pending' AND dedup_key IS NOT NULL DO UPDATE SET \
         kind = excluded.kind, payload = excluded.payload, run_at = excluded.run_at, attempts = 0, last_error = NULL, \
         origin = excluded.origin",
        values_rows(jobs.len(), 7)
    );
    // created_at is informational (never read by logic), so the wall clock is fine here.
    let created = ms(chrono::Utc::now());
    let mut q = sqlx::query(&sql);
    for j in jobs {
        q = q
            .bind(j.kind.clone())
            .bind(j.key.clone())
            .bind(serde_json::to_string(&j.payload)?)
            .bind(ms(j.run_at))
            .bind("pending")
            .bind(created)
            .bind(j.origin.clone());
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

impl Store {
    /// Enqueues a job, or replaces the pending job holding the same key.
    pub async fn enqueue(&self, job: NewJob) -> Result<(), StoreError> {
        self.enqueue_all(&[JobOp::Enqueue(job)]).await
    }

    /// Applies several queue writes in one transaction.
    pub async fn enqueue_all(&self, ops: &[JobOp]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let earliest = write_ops(&mut tx, ops).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        Ok(())
    }

    /// Moves tickets' SLA timers and their due times together (after a policy or calendar
    /// change, or a timer that woke early), with `also` (the sweep's next page), in one
    /// transaction.
    pub async fn reschedule_sla(
        &self,
        timers: &[(TicketId, JobOp, crate::SlaDue)],
        also: &[JobOp],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let ops: Vec<JobOp> = timers.iter().map(|(_, op, _)| op.clone()).chain(also.iter().cloned()).collect();
        let earliest = write_ops(&mut tx, &ops).await?;
        let dues: Vec<_> = timers.iter().map(|(id, _, due)| (*id, due.ms())).collect();
        crate::tickets::set_sla_due(&mut tx, self.backend, &dues).await?;
        tx.commit().await?;
        self.jobs_written(earliest);
        Ok(())
    }

    /// Removes the pending job holding `key`; true if there was one.
    pub async fn cancel_job(&self, key: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM jobs WHERE dedup_key = $1 AND state = 'pending'")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Claims up to `limit` jobs due at `now` (pending ones, and running ones whose lease
    /// ran out) for `worker` until `now + lease`. Each job goes to exactly one claimer.
    ///
    /// Two short statements, one per state, each a seek on that state's partial index
    /// (`state IN (…)` would defeat it): pending jobs first, then expired leases if the
    /// batch has room. Both in one transaction: on SQLite every transaction takes the one
    /// write connection from the intakes waiting for it, so one hand-over instead of two.
    pub async fn claim_due(
        &self,
        now: Timestamp,
        limit: usize,
        worker: &str,
        lease: chrono::Duration,
    ) -> Result<Vec<Job>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Timed from here: how long the claim holds the write connection, apart from its
        // wait for it (which intakes share).
        let start = std::time::Instant::now();
        let mut jobs = self.claim_in_state(&mut tx, "pending", now, limit, worker, lease).await?;
        if jobs.len() < limit {
            jobs.extend(self.claim_in_state(&mut tx, "running", now, limit - jobs.len(), worker, lease).await?);
        }
        tx.commit().await?;
        crate::stage::done("jobs.claim.hold", start);
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    /// Claims up to `limit` jobs in `state` (a literal, so the partial index applies).
    async fn claim_in_state(
        &self,
        conn: &mut AnyConnection,
        state: &'static str,
        now: Timestamp,
        limit: usize,
        worker: &str,
        lease: chrono::Duration,
    ) -> Result<Vec<Job>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let set = "SET state = 'running', lease_owner = $1, lease_until = $2, run_at = $2, attempts = attempts + 1";
        let due = format!("SELECT id FROM jobs WHERE state = '{state}' AND run_at <= $3 ORDER BY run_at LIMIT $4");
        let sql = match self.backend {
            // A CTE is evaluated once: the locked rows are exactly the ones updated. The
            // outer condition re-checks the state of a row another claimer changed.
            Backend::Postgres => format!(
                "WITH due AS ({due} FOR UPDATE SKIP LOCKED) \
                 UPDATE jobs {set} FROM due WHERE jobs.id = due.id AND jobs.state = '{state}' RETURNING {}",
                JOB_COLS.replace("id,", "jobs.id,")
            ),
            // One writer: the subquery and the update happen under the same write lock.
            Backend::Sqlite => format!("UPDATE jobs {set} WHERE id IN ({due}) RETURNING {JOB_COLS}"),
        };
        let rows: Vec<JobRow> = sqlx::query_as(&sql)
            .bind(worker)
            .bind(ms(now + lease))
            .bind(ms(now))
            .bind(limit as i64)
            .fetch_all(&mut *conn)
            .await?;
        rows.into_iter().map(job_from).collect()
    }

    /// Marks a claimed job done (keeping which worker ran it).
    pub async fn complete(&self, id: JobId) -> Result<(), StoreError> {
        self.complete_all(&[id]).await
    }

    /// Marks claimed jobs done, one statement for all of them.
    pub async fn complete_all(&self, ids: &[JobId]) -> Result<(), StoreError> {
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("UPDATE jobs SET state = 'done' WHERE state = 'running' AND id IN ({})", list.join(", "));
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id.0);
            }
            q.execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Puts a claimed job back to run again at `at` (backoff chosen by the caller). If a
    /// newer job with the same key was enqueued meanwhile, that one supersedes this one.
    pub async fn retry(&self, id: JobId, error: &str, at: Timestamp) -> Result<(), StoreError> {
        let r = sqlx::query(
            "UPDATE jobs SET state = 'pending', run_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL \
             WHERE id = $3 AND state = 'running'",
        )
        .bind(ms(at))
        .bind(error)
        .bind(id.0)
        .execute(&self.pool)
        .await;
        match r {
            Ok(_) => {
                self.jobs_written(Some(ms(at)));
                Ok(())
            }
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                self.fail(id, &format!("superseded by a newer job with the same key; last error: {error}")).await
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Gives up on a claimed job, keeping the error.
    pub async fn fail(&self, id: JobId, error: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET state = 'failed', last_error = $1, lease_owner = NULL WHERE id = $2")
            .bind(error)
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes up to `limit` done jobs whose last lease ended before `before`.
    pub async fn purge_done_jobs(&self, before: Timestamp, limit: usize) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "DELETE FROM jobs WHERE id IN \
             (SELECT id FROM jobs WHERE state = 'done' AND run_at < $1 ORDER BY run_at LIMIT $2)",
        )
        .bind(ms(before))
        .bind(limit as i64)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// The signal a worker of this process sleeps on.
    pub fn job_signal(&self) -> &JobSignal {
        &self.hooks.signal
    }

    /// Rung when this process queued deliveries (the outbox worker waits on it).
    pub fn outbox_bell(&self) -> &Notify {
        &self.hooks.outbox
    }

    pub(crate) fn jobs_written(&self, earliest: Option<i64>) {
        if let Some(at) = earliest {
            self.hooks.signal_enqueued(at);
        }
    }
}

/// What a store shares with its intake writer: the application's effects and the worker
/// signal.
pub(crate) struct Hooks {
    pub effects: std::sync::Arc<dyn crate::Effects>,
    pub signal: JobSignal,
    /// Rung when a change queued deliveries in the outbox.
    pub outbox: Notify,
}

impl Hooks {
    pub(crate) fn new(effects: std::sync::Arc<dyn crate::Effects>) -> Hooks {
        Hooks { effects, signal: JobSignal::default(), outbox: Notify::new() }
    }

    pub(crate) fn deliveries_queued(&self) {
        self.outbox.notify_one();
    }

    pub(crate) fn signal_enqueued(&self, run_at_ms: i64) {
        self.signal.enqueued(run_at_ms);
    }
}

impl Reader {
    /// The ids of up to `limit` pending jobs due at `now`, soonest first: a read-only seek
    /// on the pending partial index (what a wake-up finds before claiming).
    pub async fn due_ids(&self, now: Timestamp, limit: usize) -> Result<Vec<JobId>, StoreError> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM jobs WHERE state = 'pending' AND run_at <= $1 ORDER BY run_at LIMIT $2")
                .bind(ms(now))
                .bind(limit as i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(id,)| JobId(id)).collect())
    }

    /// When the next job falls due (a pending one, or a lease running out): one round trip,
    /// two seeks on the partial indexes.
    pub async fn next_run_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let (pending, running): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT MIN(run_at) FROM jobs WHERE state = 'pending'), \
             (SELECT MIN(run_at) FROM jobs WHERE state = 'running')",
        )
        .fetch_one(&self.pool)
        .await?;
        let next = match (pending, running) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(next.map(from_ms))
    }

    /// The newest job that holds (or held) `key`.
    pub async fn job_by_key(&self, key: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {JOB_COLS} FROM jobs WHERE dedup_key = $1 ORDER BY id DESC LIMIT 1");
        let row: Option<JobRow> = sqlx::query_as(&sql).bind(key).fetch_optional(&self.pool).await?;
        row.map(job_from).transpose()
    }

    /// Jobs of one kind in one state, oldest first (for tests, admin views and metrics).
    pub async fn jobs_of_kind(&self, kind: &str, state: JobState, limit: usize) -> Result<Vec<Job>, StoreError> {
        let sql = format!("SELECT {JOB_COLS} FROM jobs WHERE kind = $1 AND state = $2 ORDER BY id LIMIT $3");
        let rows: Vec<JobRow> =
            sqlx::query_as(&sql).bind(kind).bind(state.as_str()).bind(limit as i64).fetch_all(&self.pool).await?;
        rows.into_iter().map(job_from).collect()
    }
}
