//! A problem cluster that grows re-prioritises its open members, not only the newest:
//! when the cluster reaches a size at which a rule can fire (frequency, impact scope, many
//! customers with one serious problem), every open member is triaged again at that size
//! and raised when the rules say so, with a timeline event and the reason. Priorities are
//! never lowered here: a person may have raised one on purpose.

use crate::tickets::change::run;
use crate::{App, AppError};
use loopdesk_core::event::Command;
use loopdesk_core::{Actor, TicketId};
use loopdesk_triage::Engine;

/// Members looked at per growth step: the newest ones (older members of a very large
/// cluster were raised at the earlier steps already).
const MAX_MEMBERS: i64 = 200;

/// Raises the open members of `cluster_id` (now `size` customers) whose priority the rules
/// put higher at that size; returns how many were raised. Does nothing unless `size` is a
/// step a rule looks at.
pub async fn raise_open_members(
    app: &App,
    engine: &Engine,
    cluster_id: i64,
    size: u32,
    newest: TicketId,
) -> Result<usize, AppError> {
    if !engine.cluster_size_matters(size) {
        return Ok(0);
    }
    let members = app.read().cluster_siblings(cluster_id, newest, MAX_MEMBERS).await?;
    let mut raised = 0;
    for member in members.iter().filter(|t| t.state.is_open()) {
        let analysis = super::analyze(engine, member, None);
        let decision = engine.reprioritize(&analysis, member.customer.tier, size);
        if decision.priority.rank() >= member.priority.rank() {
            continue;
        }
        let why = decision.reasons.last().cloned().unwrap_or_default();
        let reason = format!("problem cluster grew to {size} customers: {why}");
        let target = decision.priority;
        run(app, member.id, Actor::System, |current| {
            // Re-read: a person may have changed it meanwhile.
            Ok(match current.state.is_open() && target.rank() < current.priority.rank() {
                true => vec![Command::Reprioritize { priority: target, reason: reason.clone() }],
                false => Vec::new(),
            })
        })
        .await?;
        raised += 1;
    }
    Ok(raised)
}
