//! What a new ticket is made of, worked out in the caller's task before the writer sees
//! it: the ticket as recorded (created, then the system's follow-up commands applied), its
//! events, their stored documents, its search words and everything it owes.

use super::IntakeRequest;
use crate::effects::{Change, Effects, Owed};
use crate::{JobOp, SignatureRecord, StoreError};
use loopdesk_core::event::{apply, decide};
use loopdesk_core::{Actor, Event, EventData, State, Ticket, TicketId, TrackingNo};

/// A new ticket ready to be written.
pub(crate) struct Prepared {
    pub ticket: Ticket,
    pub events: Vec<Event>,
    pub ticket_doc: String,
    pub event_docs: Vec<String>,
    pub words: String,
    pub idempotency: Option<(String, String)>,
    pub signature: Option<SignatureRecord>,
    pub attachments: Vec<i64>,
    pub owed: Owed,
}

/// Prepares `request` as ticket `id`.
pub(crate) fn prepare(request: IntakeRequest, id: TicketId, effects: &dyn Effects) -> Result<Prepared, StoreError> {
    let mut ticket = request.ticket;
    ticket.id = id;
    ticket.tracking_no = TrackingNo::new(id, ticket.received_at);
    ticket.state = State::New;
    ticket.version = 1;
    ticket.updated_at = ticket.recorded_at;
    let mut events = vec![created_event(&ticket, request.actor)];
    for cmd in request.then {
        let e = decide(&ticket, cmd, Actor::System, ticket.recorded_at)?;
        apply(&mut ticket, &e);
        events.push(e);
    }
    let change = Change {
        before: None,
        after: &ticket,
        timeline: &events,
        before_len: 0,
        reply_to: request.reply_to.as_deref(),
        routed: request.routed,
    };
    let mut owed = effects.owed(&change);
    if let Some(extra) = &request.extra {
        owed.extend(extra(&ticket, &events));
    }
    // The writer is not the request's task: the request's id comes with its jobs.
    for op in &mut owed.jobs {
        if let JobOp::Enqueue(job) = op {
            if job.origin.is_none() {
                job.origin.clone_from(&request.origin);
            }
        }
    }
    Ok(Prepared {
        ticket_doc: serde_json::to_string(&ticket)?,
        event_docs: events.iter().map(serde_json::to_string).collect::<Result<_, _>>()?,
        words: crate::search::ticket_words(&ticket),
        ticket,
        events,
        idempotency: request.idempotency,
        signature: request.signature,
        attachments: request.attachments,
        owed,
    })
}

impl Prepared {
    /// The new ticket's SLA due time, written with its row.
    pub(crate) fn sla_due(&self) -> Option<i64> {
        self.owed.sla_due.and_then(|d| d.ms())
    }
}

fn created_event(t: &Ticket, actor: Actor) -> Event {
    let mut initial = t.clone();
    initial.version = 0;
    Event {
        ticket_id: t.id,
        seq: 0,
        at: t.recorded_at,
        actor,
        state_before: None,
        state_after: State::New,
        data: EventData::Created { ticket: Box::new(initial) },
    }
}
