//! Recording a new ticket, from the feedback endpoint and from every channel: triage and
//! clustering first (nothing written), then one transaction that records the ticket, its
//! triage, a spam rejection or same-customer merge, its search entry, its timers, its
//! routing and the acknowledgement owed to the customer — and whatever the channel it came
//! through owes (the keys that lead its next message back to it, its attachments). The
//! answer is given only after that commit.

pub mod feedback;
pub mod uploads;

use crate::error::AppError;
use crate::jobs::workflow::RaiseCluster;
use crate::keys::Key;
use crate::workflow::assignment::Plan;
use crate::App;
use loopdesk_core::event::Command;
use loopdesk_core::{Actor, Event, EventData, Ticket, Urgency};
use loopdesk_store::{stage, ExtraEffects, IntakeRequest, SignatureRecord};

/// A ticket ready to be recorded, and how it came.
#[derive(Clone)]
pub struct NewTicket {
    pub ticket: Ticket,
    /// Who recorded it: the customer for forms and channels, a user for staff entry.
    pub actor: Actor,
    /// The urgency the customer chose, if the form asked.
    pub stated_urgency: Option<Urgency>,
    /// The idempotency key and a hash of what was sent: the same key again answers with
    /// the first ticket, a different request under it is refused.
    pub idempotency: Option<(Key, String)>,
    /// Stored attachments to link to the ticket.
    pub attachments: Vec<i64>,
    /// System notes to add at once (attachments that were not kept, say).
    pub notes: Vec<String>,
    /// The customer's message our acknowledgement answers (an e-mail's Message-ID).
    pub reply_to: Option<String>,
    /// What the channel owes besides (the keys that lead its next message here).
    pub extra: Option<ExtraEffects>,
}

impl NewTicket {
    /// A ticket from `actor` with nothing else attached.
    pub fn new(ticket: Ticket, actor: Actor) -> NewTicket {
        NewTicket {
            ticket,
            actor,
            stated_urgency: None,
            idempotency: None,
            attachments: Vec::new(),
            notes: Vec::new(),
            reply_to: None,
            extra: None,
        }
    }
}

/// What intake answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub ticket: Ticket,
    /// The idempotency key named a request recorded before: this is its ticket, and
    /// nothing was done again.
    pub replayed: bool,
}

/// Triages and records a ticket durably; see the module documentation.
#[tracing::instrument(name = "intake", skip_all, fields(channel = %new.ticket.channel))]
pub async fn record(app: &App, new: NewTicket) -> Result<Recorded, AppError> {
    let mut ticket = new.ticket;
    let engine = app.triage.current();
    let start = std::time::Instant::now();
    let analysis = crate::triage::analyze(&engine, &ticket, new.stated_urgency);
    let start = stage::done("triage", start);
    let key = Key::customer(&ticket);
    // Looked up by and, unless the ticket is spam, indexed under the same keys.
    let cluster_keys = crate::triage::cluster_keys(&analysis);
    let plan = crate::triage::plan_cluster(app, &engine, &analysis, &cluster_keys, key.as_ref()).await?;
    let start = stage::done("cluster", start);
    let rejection = crate::triage::write(&engine, &mut ticket, &analysis, &plan);
    let rejected = rejection.is_some();
    // Spam is not indexed for clustering: it is no customer's problem.
    let signature = match rejection {
        Some(_) => None,
        None => Some(SignatureRecord {
            cluster_id: plan.cluster_id,
            customer_key: key.map(String::from),
            signature: serde_json::to_string(&analysis.fingerprint())?,
            band_keys: cluster_keys,
        }),
    };
    // Spam is recorded, then rejected with its reasons: nothing is lost and a person can
    // restore it; a same-customer re-send is merged. Both in the same transaction.
    let mut then: Vec<Command> = new.notes.into_iter().map(|body| Command::Note { body }).collect();
    let mut extra = with_cluster_raise(app, &engine, &plan, rejected, new.extra);
    let mut routed = false;
    match (rejection, plan.duplicate_of) {
        (Some(reason), _) => then.push(Command::Reject { reason }),
        (None, Some(into)) => then.push(Command::Merge { into }),
        // Routed here, in the intake transaction, when the router can read what it needs;
        // otherwise by the job the intake then owes.
        (None, None) => match app.router.plan(app, &ticket, app.now()).await {
            Ok(route) => {
                routed = true;
                if let Some(route) = route {
                    then.extend(route.commands());
                    extra = with_route_alerts(app, route, extra);
                }
            }
            Err(e) => tracing::warn!(error = %e, "routing at intake failed; left to the routing job"),
        },
    }
    let start = stage::done("route", start);
    let request = IntakeRequest {
        ticket,
        actor: new.actor,
        idempotency: new.idempotency.map(|(k, hash)| (k.into(), hash)),
        signature,
        then,
        attachments: new.attachments,
        extra,
        reply_to: new.reply_to,
        origin: crate::trace::request_id(),
        routed,
    };
    let intake = app.store.intake(request).await?;
    stage::done("store", start);
    Ok(Recorded { ticket: intake.ticket, replayed: intake.replayed })
}

/// The intake's extra effects, plus — when the ticket grows its problem cluster to a size
/// a priority rule looks at — the job that raises the cluster's earlier open members. Owed
/// in the intake transaction and done right after, not in the request.
fn with_cluster_raise(
    app: &App,
    engine: &loopdesk_triage::Engine,
    plan: &crate::triage::ClusterPlan,
    rejected: bool,
    extra: Option<ExtraEffects>,
) -> Option<ExtraEffects> {
    let cluster_id = match plan.cluster_id {
        Some(c) if !rejected && engine.cluster_size_matters(plan.size) => c,
        _ => return extra,
    };
    let (size, now) = (plan.size, app.now());
    Some(std::sync::Arc::new(move |t: &Ticket, events: &[Event]| {
        let mut owed = extra.as_ref().map(|f| f(t, events)).unwrap_or_default();
        owed.jobs.push(crate::jobs::op(&RaiseCluster { cluster_id, size, newest: t.id }, now));
        owed
    }))
}

/// The intake's extra effects, plus what routing it owes: for an urgent ticket, the alert
/// to every department involved.
fn with_route_alerts(app: &App, route: Plan, extra: Option<ExtraEffects>) -> Option<ExtraEffects> {
    let now = app.now();
    Some(std::sync::Arc::new(move |t: &Ticket, events: &[Event]| {
        let mut owed = extra.as_ref().map(|f| f(t, events)).unwrap_or_default();
        let assigned = events.iter().position(|e| matches!(e.data, EventData::Assigned { .. }));
        owed.extend(route.alerts(t, &events[assigned.unwrap_or(events.len())..], now));
        owed
    }))
}
