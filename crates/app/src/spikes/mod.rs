//! Spikes (issue 16): an hourly sweep ([`sweep`]) judges the last window of every category,
//! sub-tag, product and problem cluster against the admin's thresholds and its seasonal
//! usual level (`loopdesk_core::report::spike`), records each spike once and alerts staff
//! through the robots and e-mail outbox in the same transaction. Listing them is here.

pub mod sweep;

use crate::access::require;
use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::{Principal, Timestamp};
use loopdesk_store::SpikeRecord;

/// Spikes listed at most per request.
pub const LIST_LIMIT: usize = 500;

/// Spikes whose window ended in `[from, to)`, newest first (supervisors and admins).
pub async fn list(
    app: &App,
    principal: &Principal,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<SpikeRecord>, AppError> {
    require(principal, Permission::Supervise)?;
    if to <= from {
        return Err(AppError::invalid("to", "must be after from"));
    }
    Ok(app.read().spikes(from, to, LIST_LIMIT).await?)
}
