//! The workflow's job kinds, run by the job worker (`crate::jobs`).

use crate::error::ApiError;
use crate::state::AppState;
use crate::workflow::{assignment, survey};
use loopdesk_store::Job;

pub use crate::workflow::effects::{ACK_TIMEOUT, ROUTE_TICKET, SURVEY_EXPIRE, SURVEY_SEND};

/// Whether a failure is worth another try: not for malformed payloads or a ticket that
/// moved on so the job no longer applies.
pub fn retryable(e: &ApiError) -> bool {
    !matches!(
        e,
        ApiError::Invalid { .. }
            | ApiError::NotFound(_)
            | ApiError::BadRequest { .. }
            | ApiError::Conflict { code: "illegal_transition", .. }
    )
}

/// Runs one workflow job.
pub async fn run_job(state: &AppState, job: &Job) -> Result<(), ApiError> {
    let p = &job.payload;
    match job.kind.as_str() {
        ROUTE_TICKET => assignment::route_job(state, p).await,
        ACK_TIMEOUT => assignment::ack_timeout_job(state, p).await,
        SURVEY_SEND => survey::send_job(state, p).await,
        SURVEY_EXPIRE => survey::expire_job(state, p).await,
        other => Err(ApiError::Internal(format!("not a workflow job: {other}"))),
    }
}
