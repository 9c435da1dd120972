//! Group-commit intake. Handlers hand new tickets to one writer task, which takes every
//! request waiting at that moment and commits them in a single transaction, then answers
//! each. Durability is not weakened (each answer waits for its commit, and SQLite commits
//! with `synchronous=FULL`); concurrent intakes just share the fsync.

use crate::counts::CountDeltas;
use crate::effects::{Change, ExtraEffects, Owed};
use crate::jobs::Hooks;
use crate::tickets::{insert_events, insert_tickets, load, write_owed};
use crate::{Backend, Store, StoreError};
use loopdesk_core::event::{apply, decide, Command};
use loopdesk_core::{Actor, Event, EventData, State, Ticket, TicketId, TrackingNo};
use sqlx::{AnyConnection, AnyPool};
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
    request: IntakeRequest,
    reply: Reply,
}

/// Sends requests to the writer task.
#[derive(Clone)]
pub(crate) struct IntakeHandle {
    tx: mpsc::Sender<Pending>,
}

impl IntakeHandle {
    pub(crate) fn spawn(pool: AnyPool, backend: Backend, max_batch: usize, hooks: Arc<Hooks>) -> IntakeHandle {
        let (tx, rx) = mpsc::channel(max_batch * 4);
        tokio::spawn(writer(Writer { pool, backend, hooks }, rx, max_batch.max(1)));
        IntakeHandle { tx }
    }
}

impl Store {
    /// Records a new ticket durably and returns it with its id and tracking number.
    pub async fn intake(&self, request: IntakeRequest) -> Result<Intake, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.intake.tx.send(Pending { request, reply }).await.map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// What the writer task holds.
struct Writer {
    pool: AnyPool,
    backend: Backend,
    hooks: Arc<Hooks>,
}

async fn writer(w: Writer, mut rx: mpsc::Receiver<Pending>, max_batch: usize) {
    let mut batch = Vec::with_capacity(max_batch);
    while rx.recv_many(&mut batch, max_batch).await > 0 {
        let pendings = std::mem::take(&mut batch);
        let requests: Vec<&IntakeRequest> = pendings.iter().map(|p| &p.request).collect();
        match commit_batch(&w, &requests).await {
            Ok(results) => {
                for (p, r) in pendings.into_iter().zip(results) {
                    let _ = p.reply.send(r);
                }
            }
            // One bad request must not fail its neighbours: retry each on its own.
            Err(err) if pendings.len() > 1 => {
                tracing::warn!(error = %err, size = pendings.len(), "intake batch failed; retrying one by one");
                for p in pendings {
                    let r = commit_batch(&w, &[&p.request]).await;
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

/// A ticket recorded in a batch: the row as it ends the transaction and its events.
struct Recorded {
    request: usize,
    ticket: Ticket,
    events: Vec<Event>,
}

/// Commits a batch; the outer error fails the whole transaction, inner ones one request.
async fn commit_batch(w: &Writer, requests: &[&IntakeRequest]) -> Result<Vec<Result<Intake, StoreError>>, StoreError> {
    let mut tx = w.pool.begin().await?;
    let ids = w.backend.allocate_ids(&mut tx, requests.len()).await?;
    let mut results = Vec::with_capacity(requests.len());
    let mut fresh: Vec<Recorded> = Vec::new();
    for (i, (req, id)) in requests.iter().zip(ids).enumerate() {
        // Decided before the key is claimed: a refused follow-up leaves no key behind.
        let recorded = match record(prepare(&req.ticket, TicketId(id)), req) {
            Ok(r) => Recorded { request: i, ..r },
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        if let Some((key, hash)) = &req.idempotency {
            match claim_key(&mut tx, key, hash, &recorded.ticket).await? {
                Claim::New => {}
                Claim::Mismatch => {
                    results.push(Err(StoreError::IdempotencyMismatch));
                    continue;
                }
                Claim::Earlier(earlier) => {
                    // The earlier request may sit in this very batch, not yet inserted.
                    let twin = fresh.iter().find(|r| r.ticket.id == earlier).map(|r| r.ticket.clone());
                    let found = match twin {
                        Some(t) => Ok(t),
                        None => load(&mut tx, earlier).await,
                    };
                    results.push(found.map(|ticket| Intake { ticket, replayed: true }));
                    continue;
                }
            }
        }
        results.push(Ok(Intake { ticket: recorded.ticket.clone(), replayed: false }));
        fresh.push(recorded);
    }
    let tickets: Vec<Ticket> = fresh.iter().map(|r| r.ticket.clone()).collect();
    insert_tickets(&mut tx, &tickets).await?;
    let events: Vec<Event> = fresh.iter().flat_map(|r| r.events.iter().cloned()).collect();
    insert_events(&mut tx, &events).await?;
    crate::search::index_new(&mut tx, w.backend, &tickets, &[]).await?;
    let fed: Vec<(&Ticket, &Event)> = fresh.iter().filter_map(|r| r.events.last().map(|e| (&r.ticket, e))).collect();
    crate::live::record_rows(&mut tx, &fed).await?;
    let signatures: Vec<_> =
        fresh.iter().filter_map(|r| requests[r.request].signature.as_ref().map(|s| (r.ticket.id, s))).collect();
    crate::clusters::insert_signatures(&mut tx, &signatures).await?;
    let mut deltas = CountDeltas::default();
    tickets.iter().for_each(|t| deltas.add(t, 1));
    deltas.flush(&mut tx).await?;
    // What each new ticket owes (its SLA timer, its routing, its acknowledgement), in the
    // same transaction.
    let mut owed = Owed::default();
    for r in &fresh {
        let req = requests[r.request];
        let change = Change {
            before: None,
            after: &r.ticket,
            timeline: &r.events,
            before_len: 0,
            reply_to: req.reply_to.as_deref(),
        };
        let mut mine = w.hooks.effects.owed(&change);
        if let Some(extra) = &req.extra {
            mine.extend(extra(&r.ticket));
        }
        // This task is the writer's, not the request's: the request's id comes with it.
        for op in &mut mine.jobs {
            if let crate::JobOp::Enqueue(job) = op {
                if job.origin.is_none() {
                    job.origin.clone_from(&req.origin);
                }
            }
        }
        if !req.attachments.is_empty() {
            crate::inbound::link_attachments_on(&mut tx, &req.attachments, r.ticket.id).await?;
        }
        // Keys and results name their ticket: written per ticket.
        let jobs = std::mem::take(&mut mine.jobs);
        let deliveries = std::mem::take(&mut mine.deliveries);
        write_owed(&mut tx, &r.ticket, &mine).await?;
        owed.jobs.extend(jobs);
        owed.deliveries.extend(deliveries);
    }
    let earliest = crate::jobs::write_ops(&mut tx, &owed.jobs).await?;
    for d in &owed.deliveries {
        crate::outbox::insert_delivery(&mut tx, d, d_time(&fresh)).await?;
    }
    tx.commit().await?;
    if let Some(at) = earliest {
        w.hooks.signal_enqueued(at);
    }
    if !owed.deliveries.is_empty() {
        w.hooks.deliveries_queued();
    }
    Ok(results)
}

/// The instant the batch's deliveries are queued at: its newest recording.
fn d_time(fresh: &[Recorded]) -> loopdesk_core::Timestamp {
    fresh.iter().map(|r| r.ticket.recorded_at).max().unwrap_or_else(chrono::Utc::now)
}

/// The ticket as recorded: created, then the system's follow-up commands applied.
fn record(mut ticket: Ticket, req: &IntakeRequest) -> Result<Recorded, StoreError> {
    let mut events = vec![created_event(&ticket, req.actor.clone())];
    for cmd in &req.then {
        let e = decide(&ticket, cmd.clone(), Actor::System, ticket.recorded_at)?;
        apply(&mut ticket, &e);
        events.push(e);
    }
    Ok(Recorded { request: 0, ticket, events })
}

fn prepare(draft: &Ticket, id: TicketId) -> Ticket {
    let mut t = draft.clone();
    t.id = id;
    t.tracking_no = TrackingNo::new(id, t.received_at);
    t.state = State::New;
    t.version = 1;
    t.updated_at = t.recorded_at;
    t
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

enum Claim {
    /// The key was unused and is now held by this request.
    New,
    /// An earlier identical request holds it.
    Earlier(TicketId),
    /// An earlier request with a different body holds it.
    Mismatch,
}

/// Claims an Idempotency-Key for `ticket`.
async fn claim_key(conn: &mut AnyConnection, key: &str, hash: &str, ticket: &Ticket) -> Result<Claim, StoreError> {
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (key, request_hash, ticket_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(hash)
    .bind(ticket.id.0)
    .bind(ticket.recorded_at.timestamp_millis())
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() == 1 {
        return Ok(Claim::New);
    }
    let (earlier_hash, earlier_id): (String, i64) =
        sqlx::query_as("SELECT request_hash, ticket_id FROM idempotency_keys WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *conn)
            .await?;
    Ok(if earlier_hash == hash { Claim::Earlier(TicketId(earlier_id)) } else { Claim::Mismatch })
}
