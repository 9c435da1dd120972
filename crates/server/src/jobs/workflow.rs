//! The workflow's job kinds: routing a new ticket, the acknowledgement timer, sending and
//! expiring the follow-up survey. Each handler is idempotent (it checks the ticket still
//! is where the job expects it).

use super::JobError;
use crate::error::ApiError;
use crate::state::AppState;
use crate::workflow::{assignment, survey};
use loopdesk_store::Job;

pub use crate::workflow::effects::{ACK_TIMEOUT, ROUTE_TICKET, SURVEY_EXPIRE, SURVEY_SEND};

/// Malformed payloads and tickets that moved on are final; anything else is retried.
fn job_error(e: ApiError) -> JobError {
    match e {
        ApiError::Invalid { .. }
        | ApiError::NotFound(_)
        | ApiError::BadRequest { .. }
        | ApiError::Conflict { code: "illegal_transition", .. } => JobError::Fatal(e.to_string()),
        other => JobError::Retry(other.to_string()),
    }
}

/// Runs one workflow job.
pub async fn run(state: &AppState, job: &Job) -> Result<(), JobError> {
    let p = &job.payload;
    let done = match job.kind.as_str() {
        ROUTE_TICKET => assignment::route_job(state, p).await,
        ACK_TIMEOUT => assignment::ack_timeout_job(state, p).await,
        SURVEY_SEND => survey::send_job(state, p).await,
        SURVEY_EXPIRE => survey::expire_job(state, p).await,
        other => return Err(JobError::Retry(format!("not a workflow job: {other}"))),
    };
    done.map_err(job_error)
}
