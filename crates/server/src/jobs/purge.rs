//! `jobs.purge`: deletes finished jobs after a week, a page a day, so the queue table does
//! not grow without bound. One pending job (key `jobs.purge`) for the whole cluster, which
//! re-enqueues itself: the sweep runs once, not once per node.

use super::JobError;
use crate::state::AppState;
use chrono::Duration;
use loopdesk_store::{Job, JobState, NewJob, StoreError};

/// Kind and key of the purge job.
pub const PURGE: &str = "jobs.purge";
/// Done jobs are kept this long (to inspect what ran).
const KEEP_DAYS: i64 = 7;
/// Rows deleted per run.
const PAGE: usize = 10_000;

fn next(state: &AppState, after: Duration) -> NewJob {
    NewJob::keyed(PURGE, PURGE, serde_json::json!({}), state.now() + after)
}

/// Enqueues the purge unless one is already waiting (called at start-up).
pub async fn ensure(state: &AppState) -> Result<(), StoreError> {
    let waiting = state.store.job_by_key(PURGE).await?.is_some_and(|j| j.state == JobState::Pending);
    if !waiting {
        state.store.enqueue(next(state, Duration::hours(1))).await?;
    }
    Ok(())
}

/// Deletes a page of old done jobs; comes back in a minute if there is more, else tomorrow.
pub async fn run(state: &AppState, _job: &Job) -> Result<(), JobError> {
    let deleted = state.store.purge_done_jobs(state.now() - Duration::days(KEEP_DAYS), PAGE).await?;
    let after = if deleted as usize == PAGE { Duration::minutes(1) } else { Duration::days(1) };
    state.store.enqueue(next(state, after)).await?;
    Ok(())
}
