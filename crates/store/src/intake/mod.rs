//! Group-commit intake. A new ticket is prepared in the caller's own task — its id (from a
//! reserved block), tracking number, follow-up events, documents, search words and what it
//! owes ([`prepare`]) — and handed to one writer task, which takes every request waiting at
//! that moment and writes them in a single transaction of multi-row statements
//! ([`commit`]), then answers each. Durability is not weakened (each answer waits for its
//! commit, and SQLite commits with `synchronous=FULL`); concurrent intakes share the fsync,
//! and the writer, which holds the database's write lock, does no work it could leave to
//! the callers.

mod commit;
mod ids;
mod prepare;

pub(crate) use ids::IdBlocks;

use crate::effects::ExtraEffects;
use crate::jobs::Hooks;
use crate::{Backend, Store, StoreError};
use loopdesk_core::event::Command;
use loopdesk_core::{Actor, Ticket};
use prepare::Prepared;
use sqlx::AnyPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A new ticket to record. Its `id` and `tracking_no` are assigned by the store.
#[derive(Clone)]
pub struct IntakeRequest {
    pub ticket: Ticket,
    /// Who recorded it (the customer for forms, a user for staff entry, system for channels).
    pub actor: Actor,
    /// Scoped Idempotency-Key and a hash of the request body.
    pub idempotency: Option<(String, String)>,
    /// Near-duplicate signature to index with the ticket.
    pub signature: Option<crate::SignatureRecord>,
    /// Commands the system applies right after recording, in the same transaction: a spam
    /// rejection, a merge into the customer's open ticket, a note.
    pub then: Vec<Command>,
    /// Stored attachments (recorded without a ticket) that belong to this ticket.
    pub attachments: Vec<i64>,
    /// What this intake owes besides what every change owes.
    pub extra: Option<ExtraEffects>,
    /// The customer's message our first answer replies to (an e-mail's Message-ID).
    pub reply_to: Option<String>,
    /// The request that recorded it (its request id), stamped on the jobs it owes.
    pub origin: Option<String>,
    /// Its routing was decided before it was recorded: the commands in `then` assign it,
    /// or no rule matched. Otherwise a routing job is owed.
    pub routed: bool,
}

impl IntakeRequest {
    /// A ticket recorded as it is, owing only what every intake owes.
    pub fn new(ticket: Ticket, actor: Actor) -> IntakeRequest {
        IntakeRequest {
            ticket,
            actor,
            idempotency: None,
            signature: None,
            then: Vec::new(),
            attachments: Vec::new(),
            extra: None,
            reply_to: None,
            origin: None,
            routed: false,
        }
    }
}

impl std::fmt::Debug for IntakeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeRequest")
            .field("ticket", &self.ticket.id)
            .field("then", &self.then.len())
            .field("attachments", &self.attachments)
            .finish_non_exhaustive()
    }
}

/// What intake answered.
#[derive(Debug, Clone)]
pub struct Intake {
    pub ticket: Ticket,
    /// True when an earlier request with the same Idempotency-Key created the ticket.
    pub replayed: bool,
}

type Reply = oneshot::Sender<Result<Intake, StoreError>>;

struct Pending {
    prepared: Prepared,
    reply: Reply,
    /// When it was handed to the writer (for the time it waits for its batch).
    queued: std::time::Instant,
}

/// Sends requests to the writer task.
#[derive(Clone)]
pub(crate) struct IntakeHandle {
    tx: mpsc::Sender<Pending>,
}

impl IntakeHandle {
    pub(crate) fn spawn(
        pool: AnyPool,
        backend: Backend,
        max_batch: usize,
        hooks: Arc<Hooks>,
        day_zone: crate::report::DayZone,
    ) -> IntakeHandle {
        let (tx, rx) = mpsc::channel(max_batch * 4);
        tokio::spawn(writer(Writer { pool, backend, hooks, day_zone }, rx, max_batch.max(1)));
        IntakeHandle { tx }
    }
}

impl Store {
    /// Records a new ticket durably and returns it with its id and tracking number.
    pub async fn intake(&self, request: IntakeRequest) -> Result<Intake, StoreError> {
        let start = std::time::Instant::now();
        let id = self.ids.next(&self.pool, self.backend).await?;
        let prepared = prepare::prepare(request, loopdesk_core::TicketId(id), self.hooks.effects.as_ref())?;
        let start = crate::stage::done("prepare", start);
        let (reply, answer) = oneshot::channel();
        self.intake.tx.send(Pending { prepared, reply, queued: start }).await.map_err(|_| StoreError::WriterGone)?;
        let done = answer.await.map_err(|_| StoreError::WriterGone)?;
        crate::stage::done("written", start);
        done
    }
}

/// What the writer task holds.
struct Writer {
    pool: AnyPool,
    backend: Backend,
    hooks: Arc<Hooks>,
    day_zone: crate::report::DayZone,
}

async fn writer(w: Writer, mut rx: mpsc::Receiver<Pending>, max_batch: usize) {
    let mut batch = Vec::with_capacity(max_batch);
    while rx.recv_many(&mut batch, max_batch).await > 0 {
        let pendings = std::mem::take(&mut batch);
        for p in &pendings {
            crate::stage::done("queued", p.queued);
        }
        metrics::histogram!("loopdesk_intake_batch_size").record(pendings.len() as f64);
        let prepared: Vec<&Prepared> = pendings.iter().map(|p| &p.prepared).collect();
        match commit::commit(&w, &prepared).await {
            Ok(results) => {
                for (p, r) in pendings.into_iter().zip(results) {
                    let _ = p.reply.send(r);
                }
            }
            // One bad request must not fail its neighbours: retry each on its own.
            Err(err) if pendings.len() > 1 => {
                tracing::warn!(error = %err, size = pendings.len(), "intake batch failed; retrying one by one");
                for p in pendings {
                    let r = commit::commit(&w, &[&p.prepared]).await;
                    let _ = p.reply.send(r.and_then(|mut v| v.pop().unwrap_or(Err(StoreError::WriterGone))));
                }
            }
            Err(err) => {
                for p in pendings {
                    let _ = p.reply.send(Err(StoreError::Config(err.to_string())));
                }
            }
        }
    }
}
