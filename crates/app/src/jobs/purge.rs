//! `jobs.purge`: deletes finished jobs after a week, a page a day, so the queue table does
//! not grow without bound. One pending job (key `jobs.purge`) for the whole cluster, which
//! re-enqueues itself: the sweep runs once, not once per node.

use super::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::{App, AppError};
use chrono::Duration;
use loopdesk_store::JobState;
use serde::{Deserialize, Serialize};

/// Done jobs are kept this long (to inspect what ran).
const KEEP_DAYS: i64 = 7;
/// Rows deleted per run.
const PAGE: usize = 10_000;

/// Delete a page of old finished jobs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Purge {}

async fn next(app: &App, after: Duration) -> Result<(), AppError> {
    app.store.enqueue_all(&[super::op(&Purge {}, app.now() + after)]).await?;
    Ok(())
}

/// Enqueues the purge unless one is already waiting (called at start-up).
pub async fn ensure(app: &App) -> Result<(), AppError> {
    let waiting =
        app.read().job_by_key(Key::jobs_purge().as_str()).await?.is_some_and(|j| j.state == JobState::Pending);
    if !waiting {
        next(app, Duration::hours(1)).await?;
    }
    Ok(())
}

impl Job for Purge {
    const KIND: JobKind = JobKind::Purge;

    fn key(&self) -> Key {
        Key::jobs_purge()
    }

    /// Deletes a page of old done jobs; comes back in a minute if there is more, else tomorrow.
    async fn run(self, app: &App) -> Result<(), JobError> {
        let deleted = app.store.purge_done_jobs(app.now() - Duration::days(KEEP_DAYS), PAGE).await?;
        let after = if deleted as usize == PAGE { Duration::minutes(1) } else { Duration::days(1) };
        Ok(next(app, after).await?)
    }
}
