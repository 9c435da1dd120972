//! The writer's transaction for a batch of prepared tickets: idempotency claims one by one
//! (few requests carry a key), then every table in multi-row statements for the whole
//! batch — tickets, events, search words, live feed, signatures and clusters, counts, and
//! what the tickets owe (jobs, deliveries, channel keys, SLA results).

use super::prepare::Prepared;
use super::{Intake, Writer};
use crate::counts::CountDeltas;
use crate::stage::done;
use crate::tickets::{insert_events, insert_tickets, load, write_owed_many, EventRow, TicketRow};
use crate::StoreError;
use loopdesk_core::{Event, Ticket, TicketId};
use sqlx::AnyConnection;

/// Commits a batch; the outer error fails the whole transaction, inner ones one request.
pub(super) async fn commit(w: &Writer, batch: &[&Prepared]) -> Result<Vec<Result<Intake, StoreError>>, StoreError> {
    let start = std::time::Instant::now();
    let mut tx = w.pool.begin().await?;
    let start = done("begin", start);
    let mut results = Vec::with_capacity(batch.len());
    let mut fresh: Vec<&Prepared> = Vec::with_capacity(batch.len());
    for p in batch {
        if let Some((key, hash)) = &p.idempotency {
            match claim_key(&mut tx, key, hash, &p.ticket).await? {
                Claim::New => {}
                Claim::Mismatch => {
                    results.push(Err(StoreError::IdempotencyMismatch));
                    continue;
                }
                Claim::Earlier(earlier) => {
                    // The earlier request may sit in this very batch, not yet inserted.
                    let twin = fresh.iter().find(|f| f.ticket.id == earlier).map(|f| f.ticket.clone());
                    let found = match twin {
                        Some(t) => Ok(t),
                        None => load(&mut tx, earlier).await,
                    };
                    results.push(found.map(|ticket| Intake { ticket, replayed: true }));
                    continue;
                }
            }
        }
        results.push(Ok(Intake { ticket: p.ticket.clone(), replayed: false }));
        fresh.push(p);
    }
    done("idempotency", start);
    let earliest = write_fresh(w, &mut tx, &fresh).await?;
    let start = std::time::Instant::now();
    tx.commit().await?;
    done("commit", start);
    if let Some(at) = earliest {
        w.hooks.signal_enqueued(at);
    }
    if fresh.iter().any(|p| !p.owed.deliveries.is_empty()) {
        w.hooks.deliveries_queued();
    }
    Ok(results)
}

/// Every row of the batch's new tickets; returns the earliest due time of the jobs written.
async fn write_fresh(w: &Writer, tx: &mut AnyConnection, fresh: &[&Prepared]) -> Result<Option<i64>, StoreError> {
    let b = w.backend;
    let start = std::time::Instant::now();
    let tickets: Vec<TicketRow<'_>> = fresh
        .iter()
        .map(|p| TicketRow { ticket: &p.ticket, doc: p.ticket_doc.clone(), sla_due: p.sla_due() })
        .collect();
    insert_tickets(tx, b, &tickets).await?;
    let start = done("tickets", start);
    let events: Vec<EventRow<'_>> = fresh
        .iter()
        .flat_map(|p| p.events.iter().zip(&p.event_docs).map(|(event, doc)| EventRow { event, doc: doc.clone() }))
        .collect();
    insert_events(tx, b, &events).await?;
    let start = done("events", start);
    let words: Vec<(i64, &str)> = fresh.iter().map(|p| (p.ticket.id.0, p.words.as_str())).collect();
    crate::search::index_fresh(tx, b, &words).await?;
    let start = done("search", start);
    let fed: Vec<(&Ticket, &Event)> = fresh.iter().filter_map(|p| p.events.last().map(|e| (&p.ticket, e))).collect();
    crate::live::record_rows(tx, b, &fed).await?;
    let start = done("live", start);
    let signatures: Vec<_> = fresh.iter().filter_map(|p| p.signature.as_ref().map(|s| (p.ticket.id, s))).collect();
    crate::clusters::insert_signatures(tx, b, &signatures).await?;
    let start = done("signatures", start);
    let mut deltas = CountDeltas::default();
    fresh.iter().for_each(|p| deltas.add(&p.ticket, 1));
    let zone = w.day_zone.get();
    deltas.flush(tx, b, zone).await?;
    let start = done("counts", start);
    for p in fresh.iter().filter(|p| !p.attachments.is_empty()) {
        crate::inbound::link_attachments_on(tx, &p.attachments, p.ticket.id).await?;
    }
    let owed: Vec<_> = fresh.iter().map(|p| (&p.ticket, &p.owed)).collect();
    let earliest = write_owed_many(tx, b, zone, &owed).await?;
    done("owed", start);
    Ok(earliest)
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
