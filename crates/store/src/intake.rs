//! Group-commit intake. Handlers hand new tickets to one writer task, which takes every
//! request waiting at that moment and commits them in a single transaction, then answers
//! each. Durability is not weakened (each answer waits for its commit, and SQLite commits
//! with `synchronous=FULL`); concurrent intakes just share the fsync.

use crate::counts::CountDeltas;
use crate::jobs::{Hooks, JobOp};
use crate::tickets::{insert_events, insert_tickets, load};
use crate::{Backend, Store, StoreError};
use loopdesk_core::{Actor, Event, EventData, State, Ticket, TicketId, TrackingNo};
use sqlx::{AnyConnection, AnyPool};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A new ticket to record. Its `id` and `tracking_no` are assigned by the store.
#[derive(Debug, Clone)]
pub struct IntakeRequest {
    pub ticket: Ticket,
    /// Who recorded it (the customer for forms, a user for staff entry, system for channels).
    pub actor: Actor,
    /// Scoped Idempotency-Key and a hash of the request body.
    pub idempotency: Option<(String, String)>,
    /// Near-duplicate signature to index with the ticket.
    pub signature: Option<crate::SignatureRecord>,
    /// The caller changes the ticket right after intake (rejects or merges it): the change
    /// hook's intake jobs (routing) are not written. False for an ordinary new ticket.
    pub follow_up: bool,
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

/// Commits a batch; the outer error fails the whole transaction, inner ones one request.
async fn commit_batch(w: &Writer, requests: &[&IntakeRequest]) -> Result<Vec<Result<Intake, StoreError>>, StoreError> {
    let mut tx = w.pool.begin().await?;
    let ids = w.backend.allocate_ids(&mut tx, requests.len()).await?;
    let mut results = Vec::with_capacity(requests.len());
    let mut fresh: Vec<(usize, Ticket)> = Vec::new();
    for (i, (req, id)) in requests.iter().zip(ids).enumerate() {
        let ticket = prepare(&req.ticket, TicketId(id));
        if let Some((key, hash)) = &req.idempotency {
            match claim_key(&mut tx, key, hash, &ticket).await? {
                Claim::New => {}
                Claim::Mismatch => {
                    results.push(Err(StoreError::IdempotencyMismatch));
                    continue;
                }
                Claim::Earlier(earlier) => {
                    // The earlier request may sit in this very batch, not yet inserted.
                    let twin = fresh.iter().find(|(_, t)| t.id == earlier).map(|(_, t)| t.clone());
                    let found = match twin {
                        Some(t) => Ok(t),
                        None => load(&mut tx, earlier).await,
                    };
                    results.push(found.map(|ticket| Intake { ticket, replayed: true }));
                    continue;
                }
            }
        }
        results.push(Ok(Intake { ticket: ticket.clone(), replayed: false }));
        fresh.push((i, ticket));
    }
    let tickets: Vec<Ticket> = fresh.iter().map(|(_, t)| t.clone()).collect();
    insert_tickets(&mut tx, &tickets).await?;
    let events: Vec<Event> = fresh.iter().map(|(i, t)| created_event(t, requests[*i].actor.clone())).collect();
    insert_events(&mut tx, &events).await?;
    crate::search::index_new(&mut tx, w.backend, &tickets, &[]).await?;
    let fed: Vec<(&Ticket, &Event)> = tickets.iter().zip(&events).collect();
    crate::live::record_rows(&mut tx, &fed).await?;
    let signatures: Vec<_> =
        fresh.iter().filter_map(|(i, t)| requests[*i].signature.as_ref().map(|s| (t.id, s))).collect();
    crate::clusters::insert_signatures(&mut tx, &signatures).await?;
    let mut deltas = CountDeltas::default();
    tickets.iter().for_each(|t| deltas.add(t, 1));
    deltas.flush(&mut tx).await?;
    // The timers each new ticket starts (its SLA check) and the work it owes (routing),
    // in the same transaction.
    let mut ops: Vec<JobOp> = Vec::new();
    for (((i, _), t), e) in fresh.iter().zip(&tickets).zip(&events) {
        ops.extend(w.hooks.jobs_for(t, std::slice::from_ref(e)));
        if !requests[*i].follow_up {
            ops.extend(w.hooks.intake_jobs(t));
        }
    }
    let earliest = crate::jobs::write_ops(&mut tx, &ops).await?;
    // Targets a ticket meets or misses at intake (receipt → recording).
    for (t, e) in tickets.iter().zip(&events) {
        let stopped = w.hooks.completed_targets(t, t, std::slice::from_ref(e), 0);
        crate::rollup::record_sla_results(&mut tx, t, &stopped).await?;
    }
    tx.commit().await?;
    if let Some(at) = earliest {
        w.hooks.signal_enqueued(at);
    }
    Ok(results)
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
