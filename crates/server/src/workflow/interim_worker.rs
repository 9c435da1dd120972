//! INTERIM until the `timers` job worker is merged: runs due jobs for tests.

use crate::state::AppState;
use loopdesk_store::StoreError;

impl AppState {
    /// Runs every job due now; unknown kinds are put back 30 s later.
    pub async fn run_due_jobs(&self) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let jobs = self.store.claim_due(self.now(), 100, "interim", chrono::Duration::minutes(5)).await?;
            if jobs.is_empty() {
                return Ok(total);
            }
            total += jobs.len();
            for job in &jobs {
                let known = [
                    super::jobs::ROUTE_TICKET,
                    super::jobs::ACK_TIMEOUT,
                    super::jobs::SURVEY_SEND,
                    super::jobs::SURVEY_EXPIRE,
                ];
                if !known.contains(&job.kind.as_str()) {
                    self.store.retry(job.id, "no handler", self.now() + chrono::Duration::seconds(30)).await?;
                    continue;
                }
                match super::jobs::run_job(self, job).await {
                    Ok(()) => self.store.complete(job.id).await?,
                    Err(e) => self.store.fail(job.id, &e.to_string()).await?,
                }
            }
        }
    }
}
