//! Routing at intake. A new ticket is assigned in its own intake transaction — the 201
//! already names its department and agent, and no routing job, with its claim, its second
//! transaction and its completion, is written for it. That needs the rules, the staffing
//! and the agents' open loads at hand without a query per ticket, so this node keeps them
//! in memory: re-read when a routing, staffing or user change is saved here, and at most
//! [`MAX_AGE`] old otherwise (changes saved on other nodes, tickets closed or reassigned by
//! people). Each plan adds its ticket to the loads it read, so a burst of tickets spreads
//! over the agents as the batch router does; another node's tickets are seen at the next
//! read. A node that cannot read them routes as before: by the job intake then owes.

use super::assignment::{all_loads, plan_one, Plan};
use super::staffing as documents;
use crate::error::AppError;
use crate::App;
use loopdesk_core::routing::{Load, RoutingRules, Staffing};
use loopdesk_core::{Ticket, Timestamp, UserId};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How old what a node routes by may get.
pub const MAX_AGE: Duration = Duration::from_millis(500);

/// What routing reads, as read at `taken`.
struct Snapshot {
    taken: Instant,
    rules: RoutingRules,
    staffing: Staffing,
    loads: BTreeMap<UserId, Load>,
}

/// The node's router; see the module documentation.
#[derive(Default)]
pub struct Router {
    snapshot: Mutex<Option<Snapshot>>,
    /// Set when something routing reads was saved on this node.
    stale: AtomicBool,
}

impl Router {
    /// Something routing reads changed: the next plan reads it again.
    pub fn invalidate(&self) {
        self.stale.store(true, Ordering::Release);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Snapshot>> {
        self.snapshot.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn fresh(&self) -> bool {
        !self.stale.load(Ordering::Acquire) && self.lock().as_ref().is_some_and(|s| s.taken.elapsed() < MAX_AGE)
    }

    /// Where new ticket `t` goes now; `None` when no rule matches. Its loads then carry it.
    pub(crate) async fn plan(&self, app: &App, t: &Ticket, now: Timestamp) -> Result<Option<Plan>, AppError> {
        if !self.fresh() {
            // Cleared first: a change saved while this read runs marks it stale again.
            self.stale.store(false, Ordering::Release);
            let rules = documents::routing_rules(app).await?;
            let staffing = documents::staffing(app).await?;
            let loads = all_loads(app, &staffing).await?;
            *self.lock() = Some(Snapshot { taken: Instant::now(), rules, staffing, loads });
        }
        let sla = app.sla.get();
        let mut guard = self.lock();
        let Some(s) = guard.as_mut() else { return Ok(None) };
        Ok(plan_one(&s.rules, &s.staffing, &sla.calendars, &mut s.loads, t, now))
    }
}
