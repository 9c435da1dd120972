//! `retention.sweep`: the daily anonymisation of finished tickets (see [`crate::retention`]).
//! One pending job (key `retention.sweep`) for the whole cluster. Each time it runs it does
//! chunks for about half a second, then enqueues itself with where it got to, so other jobs
//! take turns and intake never waits long for the writer; a node that dies part way leaves
//! the job to another once its lease runs out, which goes on from the last cursor saved
//! (tickets already done are not found again). When no chunk is left it merges the search
//! index in turns the same way (dropping the words anonymised tickets left in it), then
//! records the run's end and comes back the next day.

use super::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::retention::{policy, Judge};
use crate::{App, AppError};
use chrono::Duration;
use loopdesk_core::Timestamp;
use loopdesk_store::{JobState, RetentionCursor};
use serde::{Deserialize, Serialize};

/// Time spent per turn before yielding to other jobs.
const TURN: std::time::Duration = std::time::Duration::from_millis(500);

/// Where the day's run is.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Sweep {
    /// The run under way (none: start one).
    #[serde(default)]
    pub run: Option<i64>,
    /// The time the run judges by, fixed at its start.
    #[serde(default)]
    pub as_of: Option<Timestamp>,
    #[serde(default)]
    pub cursor: RetentionCursor,
    /// Once every chunk is done: the steps of search-index merging left.
    #[serde(default)]
    pub merging: Option<u32>,
}

async fn enqueue(app: &App, job: &Sweep, at: Timestamp) -> Result<(), AppError> {
    app.store.enqueue_all(&[super::op(job, at)]).await?;
    Ok(())
}

/// Enqueues the sweep unless one is waiting (called at start-up); the first one an hour
/// after the first start, so a new installation is not busy at once.
pub async fn ensure(app: &App) -> Result<(), AppError> {
    let waiting =
        app.read().job_by_key(Key::retention_sweep().as_str()).await?.is_some_and(|j| j.state == JobState::Pending);
    if !waiting {
        enqueue(app, &Sweep::default(), app.now() + Duration::hours(1)).await?;
    }
    Ok(())
}

/// Starts a run now (an admin who changed the policy and wants it applied today). A run
/// already under way is not started over: that is a conflict.
pub async fn start_now(app: &App, by: &loopdesk_core::Principal) -> Result<(), AppError> {
    crate::access::require(by, loopdesk_core::access::Permission::Administer)?;
    let pending = app.read().job_by_key(Key::retention_sweep().as_str()).await?;
    let under_way = pending.is_some_and(|j| {
        matches!(j.state, JobState::Running)
            || (j.state == JobState::Pending
                && serde_json::from_value::<Sweep>(j.payload).is_ok_and(|s| s.run.is_some()))
    });
    if under_way {
        return Err(AppError::conflict("retention_running", "a retention run is under way; it goes on by itself"));
    }
    enqueue(app, &Sweep::default(), app.now()).await?;
    tracing::info!(by = by.user_id.0, "retention run started by hand");
    Ok(())
}

impl Job for Sweep {
    const KIND: JobKind = JobKind::RetentionSweep;

    fn key(&self) -> Key {
        Key::retention_sweep()
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        if !app.config.retention.enabled {
            return Ok(enqueue(app, &Sweep::default(), app.now() + Duration::days(1)).await?);
        }
        let as_of = self.as_of.unwrap_or_else(|| app.now());
        let run = match self.run {
            Some(run) => run,
            None => app.store.start_retention_run(as_of, app.now()).await?,
        };
        let judge = Judge { policy: policy(app).await?, as_of };
        let until = std::time::Instant::now() + TURN;
        let mut next = Sweep { run: Some(run), as_of: Some(as_of), ..self };
        if next.merging.is_none() {
            let due = |t: &loopdesk_core::Ticket| judge.is_due(t);
            let chunk = app.config.retention.chunk.max(1);
            let pause = app.config.retention.pause_ratio.clamp(0.0, 100.0);
            loop {
                let started = std::time::Instant::now();
                let done = app.store.anonymise_chunk(run, judge.cutoff(), next.cursor, chunk, app.now(), &due).await?;
                // Intake's turn: the chunk held the one writer (SQLite) and a core meanwhile.
                tokio::time::sleep(started.elapsed().mul_f64(pause)).await;
                match done.next {
                    Some(cursor) => next.cursor = cursor,
                    None => {
                        next.merging = Some(crate::retention::merge_steps(app, run).await?);
                        break;
                    }
                }
                if std::time::Instant::now() >= until {
                    return Ok(enqueue(app, &next, app.now()).await?);
                }
            }
        }
        let left = crate::retention::merge_search(app, next.merging.unwrap_or(0), Some(until)).await?;
        if left > 0 {
            next.merging = Some(left);
            return Ok(enqueue(app, &next, app.now()).await?);
        }
        app.store.finish_retention_run(run, judge.cutoff(), app.now()).await?;
        crate::retention::clear_log(app).await;
        Ok(enqueue(app, &Sweep::default(), as_of + Duration::days(1)).await?)
    }
}
