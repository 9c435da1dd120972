//! Recording a new ticket, from the feedback endpoint and from every channel: triage,
//! clustering, the durable intake (which also writes the routing job), spam rejection and
//! same-customer merge.

use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_core::event::{decide, Command};
use loopdesk_core::{Actor, Ticket, Urgency};
use loopdesk_store::{IntakeRequest, SignatureRecord};

/// Triages and records `ticket` as `actor`; returns it and whether `idempotency` named a
/// request recorded before (then nothing else is done again).
pub async fn record(
    state: &AppState,
    mut ticket: Ticket,
    actor: Actor,
    stated_urgency: Option<Urgency>,
    idempotency: Option<(String, String)>,
) -> Result<(Ticket, bool), ApiError> {
    let now = state.now();
    let engine = state.triage.current();
    let analysis = crate::triage::analyze(&engine, &ticket, stated_urgency);
    let key = crate::triage::customer_key(&ticket);
    let plan = crate::triage::plan_cluster(&state.store, &engine, &analysis, key.as_deref()).await?;
    let rejection = crate::triage::write(&engine, &mut ticket, &analysis, &plan);
    // Spam is not indexed for clustering: it is no customer's problem.
    let signature = match rejection {
        Some(_) => None,
        None => Some(SignatureRecord {
            cluster_id: plan.cluster_id,
            customer_key: key,
            signature: serde_json::to_string(&analysis.signature).map_err(|e| ApiError::Internal(e.to_string()))?,
            band_keys: analysis.band_keys.clone(),
        }),
    };
    // An ordinary new ticket's `route.ticket` job is written in the intake's transaction
    // (the SLA scheduler's intake jobs); one about to be rejected or merged is not routed.
    let follow_up = rejection.is_some() || plan.duplicate_of.is_some();
    let request = IntakeRequest { ticket, actor, idempotency, signature, follow_up };
    let intake = state.store.intake(request).await?;
    let mut t = intake.ticket;
    // Spam is recorded, then rejected with its reasons: nothing is lost and a person can
    // restore it; a same-customer re-send is merged. A replayed request was handled before.
    let follow_up = match (rejection, plan.duplicate_of) {
        _ if intake.replayed => None,
        (Some(reason), _) => Some(Command::Reject { reason }),
        (None, Some(into)) => Some(Command::Merge { into }),
        (None, None) => None,
    };
    if let Some(cmd) = follow_up {
        let follow = |cur: &Ticket| Ok(vec![decide(cur, cmd.clone(), Actor::System, now)?]);
        t = state.store.change(t.id, follow).await?.0;
    }
    Ok((t, intake.replayed))
}
