//! `notify.customer` and `notify.staff` jobs: rendered and addressed into outbox deliveries
//! (`crate::channels::notify`), keyed by the job's dedup key so a job that runs twice
//! queues each message once. The outbox worker sends them with its own retries.

use super::JobError;
use crate::channels::notify;
use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_store::Job;

/// Kind of a customer notification job.
pub const CUSTOMER: &str = "notify.customer";
/// Kind of a staff alert job.
pub const STAFF: &str = "notify.staff";

/// Runs a notify job.
pub async fn run(state: &AppState, job: &Job) -> Result<(), JobError> {
    let key = job.key.clone().unwrap_or_else(|| format!("job:{}", job.id.0));
    let result = match job.kind.as_str() {
        CUSTOMER => notify::customer_job(state, &job.payload, &key).await,
        _ => notify::staff_job(state, &job.payload, &key).await,
    };
    result.map_err(|e| match e {
        ApiError::Invalid { .. } | ApiError::BadRequest { .. } | ApiError::NotFound(_) => {
            JobError::Fatal(e.to_string())
        }
        other => JobError::Retry(other.to_string()),
    })
}
