//! A problem cluster that grows re-prioritises its open members, not only the newest:
//! when the cluster reaches a size at which a rule can fire (frequency, impact scope, many
//! customers with one serious problem), every open member is triaged again at that size
//! and raised when the rules say so, with a timeline event and the reason. Priorities are
//! never lowered here: a person may have raised one on purpose.

use crate::tickets::change::change_many;
use crate::{App, AppError};
use loopdesk_core::event::{decide, Command};
use loopdesk_core::{Actor, DomainError, Priority, TicketId};
use loopdesk_store::{Decision, StoreError};
use loopdesk_triage::Engine;
use std::collections::BTreeMap;

/// Members looked at per growth step: the newest ones (older members of a very large
/// cluster were raised at the earlier steps already).
const MAX_MEMBERS: i64 = 200;

/// Raises the open members of `cluster_id` (now `size` customers) whose priority the rules
/// put higher at that size; returns how many were raised. Does nothing unless `size` is a
/// step a rule looks at. All raises are one transaction: under load clusters grow every
/// second, and a transaction per member held the one SQLite writer for each.
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
    let mut targets: BTreeMap<TicketId, (Priority, String)> = BTreeMap::new();
    for member in members.iter().filter(|t| t.state.is_open()) {
        let analysis = super::analyze(engine, member, None);
        let decision = engine.reprioritize(&analysis, member.customer.tier, size);
        if decision.priority.rank() >= member.priority.rank() {
            continue;
        }
        let why = decision.reasons.last().cloned().unwrap_or_default();
        targets.insert(member.id, (decision.priority, format!("problem cluster grew to {size} customers: {why}")));
    }
    if targets.is_empty() {
        return Ok(0);
    }
    let ids: Vec<TicketId> = targets.keys().copied().collect();
    let now = app.now();
    let changed = change_many(app, &ids, |current| {
        let (target, reason) = targets.get(&current.id).ok_or(DomainError::Moved("not a member"))?;
        // Decided on the current ticket: a person may have changed it meanwhile.
        if !current.state.is_open() || target.rank() >= current.priority.rank() {
            return Err(DomainError::Moved("closed or raised meanwhile"));
        }
        let command = Command::Reprioritize { priority: *target, reason: reason.clone() };
        Ok(Decision::from(vec![decide(current, command, Actor::System, now)?]))
    })
    .await?;
    let mut raised = 0;
    for outcome in changed {
        match outcome {
            Ok(_) => raised += 1,
            Err(StoreError::Domain(DomainError::Moved(_))) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(raised)
}
