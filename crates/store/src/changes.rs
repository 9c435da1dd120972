//! Changing tickets through the domain's commands. The caller's `decide` sees the current
//! ticket and returns what to append; the row, the events, the counts, the search words,
//! the live feed and what the change owes (see [`crate::Effects`]) are written in one
//! transaction. The version check makes it optimistic: a ticket another writer changed in
//! between is decided again on its fresh state. Several tickets can change in one
//! transaction ([`Store::change_many`]): background work on many tickets at once (routing
//! the tickets of a burst) then costs one commit, not one each.

use crate::counts::CountDeltas;
use crate::effects::Change;
use crate::sql::ms;
use crate::tickets::{insert_events, needs_triage, write_owed_many, Decision, EventRow};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::event::apply;
use loopdesk_core::{DomainError, Event, EventData, Ticket, TicketId};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// How often a change is retried when another writer got there first.
const MAX_ATTEMPTS: usize = 5;

/// A decided change, before it is written.
struct Decided {
    before: Ticket,
    after: Ticket,
    /// The timeline before the change.
    timeline: Vec<Event>,
    decision: Decision,
}

/// What one ticket of [`Store::change_many`] came to.
pub type Changed = Result<(Ticket, Vec<Event>), StoreError>;

impl Store {
    /// Changes a ticket: `decide` sees the current ticket and returns the events to append
    /// (usually one, from `loopdesk_core::event::decide`) and what this change owes besides
    /// what every change owes; all of it is written in one transaction. If another writer
    /// changed the ticket in between, the decision is taken again on the fresh ticket.
    pub async fn change_with<F>(&self, id: TicketId, mut decide: F) -> Result<(Ticket, Vec<Event>), StoreError>
    where
        F: FnMut(&Ticket) -> Result<Decision, DomainError>,
    {
        // Changes to one ticket from this process take turns; other nodes are caught by the
        // version check and retried.
        let _turn = self.ticket_locks.lock(id).await;
        for _ in 0..MAX_ATTEMPTS {
            let (before, timeline) = self.current(id).await?;
            let decision = decide(&before)?;
            let Some(decided) = decided(before, timeline, decision) else { continue };
            if self.try_write(std::slice::from_ref(&decided)).await? {
                return Ok((decided.after, decided.decision.events));
            }
        }
        Err(StoreError::Conflict)
    }

    /// [`Store::change_with`] with only the events (what every change owes is still written).
    pub async fn change<F>(&self, id: TicketId, mut decide: F) -> Result<(Ticket, Vec<Event>), StoreError>
    where
        F: FnMut(&Ticket) -> Result<Vec<Event>, DomainError>,
    {
        self.change_with(id, |t| decide(t).map(Decision::from)).await
    }

    /// Changes several tickets in one transaction. Each is decided on its current state; a
    /// ticket `decide` refuses gets its own error and the others go on. If another writer
    /// changed one of them meanwhile, each is changed on its own instead.
    pub async fn change_many<F>(&self, ids: &[TicketId], mut decide: F) -> Result<Vec<Changed>, StoreError>
    where
        F: FnMut(&Ticket) -> Result<Decision, DomainError>,
    {
        let _turns = self.ticket_locks.lock_many(ids).await;
        let mut current = self.current_many(ids).await?;
        let mut out: Vec<Option<Changed>> = Vec::with_capacity(ids.len());
        let mut batch: Vec<Decided> = Vec::new();
        for id in ids {
            let Some((before, timeline)) = current.remove(id) else {
                out.push(Some(Err(StoreError::NotFound { what: "ticket" })));
                continue;
            };
            match decide(&before) {
                Err(e) => out.push(Some(Err(e.into()))),
                Ok(decision) => match decided(before, timeline, decision) {
                    Some(d) => {
                        batch.push(d);
                        out.push(None);
                    }
                    None => out.push(Some(Err(StoreError::Conflict))),
                },
            }
        }
        if !self.try_write(&batch).await? {
            drop(_turns);
            // Someone got there first: each on its own, decided again on its fresh state.
            let mut singles = Vec::with_capacity(batch.len());
            for d in &batch {
                singles.push(self.change_with(d.before.id, &mut decide).await);
            }
            let mut singles = singles.into_iter();
            return Ok(out
                .into_iter()
                .map(|o| o.unwrap_or_else(|| singles.next().unwrap_or(Err(StoreError::Conflict))))
                .collect());
        }
        let mut written = batch.into_iter();
        Ok(out
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    written.next().map(|d| Ok((d.after, d.decision.events))).unwrap_or(Err(StoreError::Conflict))
                })
            })
            .collect())
    }

    /// A ticket and its timeline, read consistently (the timeline holds exactly the
    /// ticket's version of events).
    async fn current(&self, id: TicketId) -> Result<(Ticket, Vec<Event>), StoreError> {
        let mut found = self.current_many(&[id]).await?;
        found.remove(&id).ok_or(StoreError::NotFound { what: "ticket" })
    }

    /// Tickets and their timelines, two statements for all of them; a ticket whose
    /// timeline moved on between the two reads is read again.
    async fn current_many(&self, ids: &[TicketId]) -> Result<BTreeMap<TicketId, (Ticket, Vec<Event>)>, StoreError> {
        let mut out = BTreeMap::new();
        let mut wanted: Vec<TicketId> = ids.to_vec();
        for _ in 0..MAX_ATTEMPTS {
            if wanted.is_empty() {
                break;
            }
            let tickets = self.reader.tickets_by_id(&wanted).await?;
            let mut timelines = self.reader.timelines(&wanted).await?;
            wanted.clear();
            for t in tickets {
                let timeline = timelines.remove(&t.id).unwrap_or_default();
                if timeline.len() as i64 == t.version {
                    out.insert(t.id, (t, timeline));
                } else {
                    wanted.push(t.id);
                }
            }
        }
        Ok(out)
    }

    /// Writes decided changes in one transaction, unless one of the tickets moved on
    /// meanwhile (then nothing is written and the answer is false).
    async fn try_write(&self, batch: &[Decided]) -> Result<bool, StoreError> {
        if batch.is_empty() {
            return Ok(true);
        }
        let start = std::time::Instant::now();
        let mut tx = self.pool.begin().await?;
        let start = crate::stage::done("change.begin", start);
        // The version checks come first: on SQLite the first statement is a write, so the
        // transaction takes the write lock at once and never upgrades a read snapshot.
        let rows: Vec<(&Ticket, &Ticket)> = batch.iter().map(|d| (&d.before, &d.after)).collect();
        if !update_rows(&mut tx, self.backend, &rows).await? {
            return Ok(false);
        }
        let start = crate::stage::done("change.tickets", start);
        let events: Vec<&Event> = batch.iter().flat_map(|d| d.decision.events.iter()).collect();
        let rows = events.iter().map(|e| EventRow::of(e)).collect::<Result<Vec<_>, _>>()?;
        insert_events(&mut tx, self.backend, &rows).await?;
        let mut deltas = CountDeltas::default();
        let mut fed = Vec::with_capacity(events.len());
        let mut owed = Vec::with_capacity(batch.len());
        for d in batch {
            crate::search::index_change(&mut tx, self.backend, &d.after, &d.decision.events).await?;
            add_collaborators(&mut tx, &d.after, &d.decision.events).await?;
            deltas.moved(&d.before, &d.after);
            fed.extend(d.decision.events.iter().map(|e| (&d.after, e)));
            let mut timeline = d.timeline.clone();
            timeline.extend(d.decision.events.iter().cloned());
            let change = Change {
                before: Some(&d.before),
                after: &d.after,
                timeline: &timeline,
                before_len: d.timeline.len(),
                reply_to: None,
                routed: false,
            };
            // The caller's own first: a later job with the same key wins.
            let mut mine = d.decision.owed.clone();
            mine.extend(self.hooks.effects.owed(&change));
            owed.push((&d.after, mine));
        }
        crate::live::record_rows(&mut tx, self.backend, &fed).await?;
        let dues: Vec<_> = owed.iter().filter_map(|(t, o)| o.sla_due.map(|d| (t.id, d.ms()))).collect();
        crate::tickets::set_sla_due(&mut tx, self.backend, &dues).await?;
        let zone = self.day_zone.get();
        deltas.flush(&mut tx, self.backend, zone).await?;
        let owed_refs: Vec<_> = owed.iter().map(|(t, o)| (*t, o)).collect();
        let earliest = write_owed_many(&mut tx, self.backend, zone, &owed_refs).await?;
        let start = crate::stage::done("change.rest", start);
        tx.commit().await?;
        crate::stage::done("change.commit", start);
        self.jobs_written(earliest);
        if owed.iter().any(|(_, o)| !o.deliveries.is_empty()) {
            self.hooks.deliveries_queued();
        }
        Ok(true)
    }
}

/// The ticket after `decision`, or `None` when the decision's events do not follow the
/// ticket's version (taken on a stale read).
fn decided(before: Ticket, timeline: Vec<Event>, decision: Decision) -> Option<Decided> {
    let mut after = before.clone();
    for e in &decision.events {
        if e.seq != after.version {
            return None;
        }
        apply(&mut after, e);
    }
    Some(Decided { before, after, timeline, decision })
}

/// Columns of [`update_rows`]' `VALUES`.
const UPDATE_COLS: usize = 11;

/// The optimistic update of tickets' rows, many per statement (under load a routing round
/// changes hundreds of tickets; a statement each was most of its transaction, on
/// PostgreSQL a network round trip each): false when any ticket's version moved on, and
/// then the caller drops the transaction.
async fn update_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[(&Ticket, &Ticket)],
) -> Result<bool, StoreError> {
    for chunk in rows.chunks(crate::sql::rows_per_statement(backend, UPDATE_COLS)) {
        let sql = format!(
            "WITH v (id, expected, state, priority_rank, category, department_id, assignee_id, updated_at, \
             version, doc, needs_triage) AS (VALUES {}) \
             UPDATE tickets SET state = v.state, priority_rank = v.priority_rank, category = v.category, \
             department_id = v.department_id, assignee_id = v.assignee_id, updated_at = v.updated_at, \
             version = v.version, doc = v.doc, needs_triage = v.needs_triage \
             FROM v WHERE tickets.id = v.id AND tickets.version = v.expected",
            crate::sql::values_rows_for(backend, chunk.len(), UPDATE_COLS)
        );
        let mut q = sqlx::query(&sql);
        for (before, after) in chunk {
            q = q
                .bind(after.id.0)
                .bind(before.version)
                .bind(after.state.as_str())
                .bind(after.priority.rank())
                .bind(after.category.clone().unwrap_or_default())
                .bind(after.department_id.map(|d| d.0))
                .bind(after.assignee_id.map(|u| u.0))
                .bind(ms(after.updated_at))
                .bind(after.version)
                .bind(serde_json::to_string(after)?)
                .bind(needs_triage(after));
        }
        if q.execute(&mut *conn).await?.rows_affected() != chunk.len() as u64 {
            return Ok(false);
        }
    }
    Ok(true)
}

async fn add_collaborators(conn: &mut AnyConnection, after: &Ticket, events: &[Event]) -> Result<(), StoreError> {
    for e in events {
        if let EventData::CollaboratorAdded { user_id } = e.data {
            sqlx::query("INSERT INTO ticket_collaborators (ticket_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(after.id.0)
                .bind(user_id.0)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

impl Reader {
    /// The timelines of several tickets, oldest event first: one statement.
    pub async fn timelines(&self, ids: &[TicketId]) -> Result<BTreeMap<TicketId, Vec<Event>>, StoreError> {
        let mut out: BTreeMap<TicketId, Vec<Event>> = BTreeMap::new();
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql =
                format!("SELECT doc FROM events WHERE ticket_id IN ({}) ORDER BY ticket_id, seq", list.join(", "));
            let mut q = sqlx::query_as::<_, (String,)>(&sql);
            for id in chunk {
                q = q.bind(id.0);
            }
            for (doc,) in q.fetch_all(&self.pool).await? {
                let e: Event = serde_json::from_str(&doc)?;
                out.entry(e.ticket_id).or_default().push(e);
            }
        }
        Ok(out)
    }
}
