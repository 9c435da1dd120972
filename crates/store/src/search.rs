//! Full-text search over tickets, for Chinese and English words.
//!
//! The store segments the text itself (triage's normalisation and jieba, so traditional and
//! simplified characters, full- and half-width forms and letter case all meet) and keeps one
//! row of space-separated words per ticket: an FTS5 table on SQLite, a `'simple'` tsvector
//! with a GIN index on PostgreSQL. The row is written in the same transaction as the ticket
//! (created, and extended when a reply, note or added information arrives), and tickets
//! older than the index are filled in by [`Store::backfill_search`].

use crate::sql::{values_rows, Conditions, Value};
use crate::{Backend, Store, StoreError};
use loopdesk_core::{Email, Event, EventData, Phone, Ticket, TrackingNo};
use loopdesk_triage::Segmenter;
use sqlx::AnyConnection;
use std::sync::OnceLock;

/// Index rows per multi-row statement.
const ROWS_PER_INSERT: usize = 16;

fn segmenter() -> &'static Segmenter {
    static SEGMENTER: OnceLock<Segmenter> = OnceLock::new();
    SEGMENTER.get_or_init(Segmenter::new)
}

/// The indexed words of some texts, space-separated.
fn words_of<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for text in texts {
        for term in segmenter().search_terms(text, false) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&term);
        }
    }
    out
}

/// The words a ticket is found by when it is recorded.
pub(crate) fn ticket_words(t: &Ticket) -> String {
    // The order and serial numbers the form asked for are searched like the text, so a
    // customer who gives one on the phone is found by it.
    let product = [t.product.order_no.as_deref(), t.product.serial_no.as_deref()];
    words_of(
        t.subject
            .as_deref()
            .into_iter()
            .chain(std::iter::once(t.content.as_str()))
            .chain(product.into_iter().flatten()),
    )
}

/// The text an event adds to a ticket's words (replies, notes, information from the customer).
fn event_text(e: &Event) -> Option<&str> {
    match &e.data {
        EventData::Replied { body, .. } | EventData::Noted { body } | EventData::InfoProvided { body } => Some(body),
        _ => None,
    }
}

/// Words of a search box's text, in query form; empty when nothing searchable is left.
pub(crate) fn query_terms(text: &str) -> Vec<String> {
    segmenter().search_terms(text, true)
}

/// Indexes freshly inserted tickets (with the texts of their events, if any).
pub(crate) async fn index_new(
    conn: &mut AnyConnection,
    backend: Backend,
    tickets: &[Ticket],
    events: &[Event],
) -> Result<(), StoreError> {
    let rows: Vec<(i64, String)> = tickets
        .iter()
        .map(|t| {
            let extra = events.iter().filter(|e| e.ticket_id == t.id).filter_map(event_text);
            let mut words = ticket_words(t);
            let more = words_of(extra);
            if !more.is_empty() {
                words.push(' ');
                words.push_str(&more);
            }
            (t.id.0, words)
        })
        .collect();
    write_rows(conn, backend, &rows).await
}

/// Writes the index rows of tickets that have none yet (their words worked out before).
pub(crate) async fn index_fresh(
    conn: &mut AnyConnection,
    backend: Backend,
    rows: &[(i64, &str)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(crate::sql::rows_per_statement(backend, 2)) {
        let sql = match backend {
            Backend::Sqlite => format!(
                "INSERT INTO ticket_search (rowid, words) VALUES {}",
                crate::sql::values_rows_for(backend, chunk.len(), 2)
            ),
            Backend::Postgres => {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("(${}, to_tsvector('simple', ${}))", 2 * i + 1, 2 * i + 2))
                    .collect();
                format!(
                    "INSERT INTO ticket_search (ticket_id, words) VALUES {} ON CONFLICT (ticket_id) DO NOTHING",
                    values.join(", ")
                )
            }
        };
        let mut q = sqlx::query(&sql);
        for (id, words) in chunk {
            q = q.bind(*id).bind(*words);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Upserts index rows.
async fn write_rows(conn: &mut AnyConnection, backend: Backend, rows: &[(i64, String)]) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        match backend {
            Backend::Sqlite => {
                let ids: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let del_sql = format!("DELETE FROM ticket_search WHERE rowid IN ({})", ids.join(", "));
                let mut del = sqlx::query(&del_sql);
                for (id, _) in chunk {
                    del = del.bind(*id);
                }
                del.execute(&mut *conn).await?;
                let sql = format!("INSERT INTO ticket_search (rowid, words) VALUES {}", values_rows(chunk.len(), 2));
                let mut q = sqlx::query(&sql);
                for (id, words) in chunk {
                    q = q.bind(*id).bind(words.clone());
                }
                q.execute(&mut *conn).await?;
            }
            Backend::Postgres => {
                let values: Vec<String> = (0..chunk.len())
                    .map(|i| format!("(${}, to_tsvector('simple', ${}))", 2 * i + 1, 2 * i + 2))
                    .collect();
                let sql = format!(
                    "INSERT INTO ticket_search (ticket_id, words) VALUES {} \
                     ON CONFLICT (ticket_id) DO UPDATE SET words = EXCLUDED.words",
                    values.join(", ")
                );
                let mut q = sqlx::query(&sql);
                for (id, words) in chunk {
                    q = q.bind(*id).bind(words.clone());
                }
                q.execute(&mut *conn).await?;
            }
        }
    }
    Ok(())
}

/// Adds the words of a change's events to the ticket's row.
pub(crate) async fn index_change(
    conn: &mut AnyConnection,
    backend: Backend,
    ticket: &Ticket,
    events: &[Event],
) -> Result<(), StoreError> {
    let more = words_of(events.iter().filter_map(event_text));
    if more.is_empty() {
        return Ok(());
    }
    match backend {
        Backend::Sqlite => {
            let old: Option<(String,)> = sqlx::query_as("SELECT words FROM ticket_search WHERE rowid = $1")
                .bind(ticket.id.0)
                .fetch_optional(&mut *conn)
                .await?;
            let words = match old {
                Some((old,)) => format!("{old} {more}"),
                // Not indexed yet (older than the index): index it whole now.
                None => format!("{} {more}", ticket_words(ticket)),
            };
            write_rows(conn, backend, &[(ticket.id.0, words)]).await
        }
        Backend::Postgres => {
            sqlx::query(
                "INSERT INTO ticket_search (ticket_id, words) VALUES ($1, to_tsvector('simple', $2)) \
                 ON CONFLICT (ticket_id) DO UPDATE SET words = ticket_search.words || to_tsvector('simple', $3)",
            )
            .bind(ticket.id.0)
            .bind(format!("{} {more}", ticket_words(ticket)))
            .bind(more)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
    }
}

/// A search text that is a customer's phone number or e-mail address, as the ticket's
/// contact column holds it: finding a customer by what they give on the phone. A number
/// needs seven digits or more and nothing but digits and `+ -()` spaces, so an order
/// number or a word is never taken for one.
fn contact(text: &str) -> Option<(&'static str, String)> {
    let t = text.trim();
    if t.contains('@') {
        return Email::parse(t).ok().map(|e| ("customer_email", e.as_str().to_lowercase()));
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if digits >= 7 && t.chars().all(|ch| ch.is_ascii_digit() || "+-() ".contains(ch)) {
        return Phone::parse(t).ok().map(|p| ("customer_phone", p.as_str().to_string()));
    }
    None
}

/// The newest tickets of one contact a search reads (a customer rarely has more).
const CONTACT_TICKETS: usize = 2_000;

/// Adds the condition "matches the search text" on `tickets` (column `id`): every query
/// word is in the ticket's words, or the text is the ticket's tracking number or its
/// customer's phone number or e-mail address.
pub(crate) fn push_condition(c: &mut Conditions, backend: Backend, text: &str) {
    let tracking = TrackingNo::parse(text.trim()).ok().map(|t| {
        let p = c.arg(Value::Text(t.to_string()));
        format!("tracking_no = {p}")
    });
    let tracking = match (tracking, contact(text)) {
        (Some(t), _) => Some(t),
        (None, Some((column, value))) => {
            let p = c.arg(Value::Text(value));
            Some(format!("{column} = {p}"))
        }
        (None, None) => None,
    };
    let terms = query_terms(text);
    let words = (!terms.is_empty()).then(|| match backend {
        Backend::Sqlite => {
            let quoted: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
            let p = c.arg(Value::Text(quoted.join(" ")));
            format!("id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH {p})")
        }
        Backend::Postgres => {
            let p = c.arg(Value::Text(terms.join(" ")));
            format!("id IN (SELECT ticket_id FROM ticket_search WHERE words @@ plainto_tsquery('simple', {p}))")
        }
    });
    match (tracking, words) {
        (Some(a), Some(b)) => c.push(format!("({a} OR {b})")),
        (Some(a), None) | (None, Some(a)) => c.push(a),
        (None, None) => c.push("1 = 0".into()),
    }
}

impl Store {
    /// Indexes up to `batch` tickets recorded before the search index existed; returns how
    /// many it looked at (0 once everything is indexed). Safe to run on several nodes.
    pub async fn backfill_search(&self, batch: usize) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (next, upto): (i64, i64) =
            sqlx::query_as("UPDATE search_backfill SET next_id = next_id WHERE id = 1 RETURNING next_id, upto_id")
                .fetch_one(&mut *tx)
                .await?;
        if next > upto {
            return Ok(0);
        }
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM tickets WHERE id >= $1 AND id <= $2 ORDER BY id LIMIT $3")
                .bind(next)
                .bind(upto)
                .bind(batch as i64)
                .fetch_all(&mut *tx)
                .await?;
        let tickets: Vec<Ticket> =
            rows.iter().map(|(doc,)| serde_json::from_str(doc).map_err(StoreError::from)).collect::<Result<_, _>>()?;
        let last = tickets.last().map_or(upto, |t| t.id.0);
        let mut events = Vec::new();
        if let (Some(first), Some(_)) = (tickets.first(), tickets.last()) {
            let docs: Vec<(String,)> = sqlx::query_as(
                "SELECT doc FROM events WHERE ticket_id >= $1 AND ticket_id <= $2 \
                 AND kind IN ('replied', 'noted', 'info_provided')",
            )
            .bind(first.id.0)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?;
            for (doc,) in docs {
                events.push(serde_json::from_str::<Event>(&doc)?);
            }
        }
        index_new(&mut tx, self.backend, &tickets, &events).await?;
        sqlx::query("UPDATE search_backfill SET next_id = $1 WHERE id = 1").bind(last + 1).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(tickets.len().max(1))
    }

    /// Runs [`Store::backfill_search`] until every older ticket is indexed.
    pub async fn backfill_search_all(&self) -> Result<(), StoreError> {
        while self.backfill_search(500).await? > 0 {}
        Ok(())
    }
}

impl Store {
    /// Empties the search index and rewinds the backfill over every ticket, as if the
    /// tickets predated the index (tests of the backfill).
    #[doc(hidden)]
    pub async fn forget_search_index_for_tests(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM ticket_search").execute(&mut *tx).await?;
        sqlx::query("UPDATE search_backfill SET next_id = 1, upto_id = (SELECT COALESCE(MAX(id), 0) FROM tickets)")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Most matches of a PostgreSQL search looked up by id; more mean the words are common, and
/// reading tickets newest first until a page is full is quicker.
const RARE_MATCHES: usize = 2_000;

/// How a queue page with a search text is read.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// Nothing can match.
    Nothing,
    /// Exactly these tickets (a tracking number, or words few tickets have).
    Ids(Vec<i64>),
    /// SQLite: read the full-text index in id order, joined to the tickets, so a page of
    /// a common word stops after a page of rows.
    FtsJoin(String),
    /// PostgreSQL, common words: tickets read newest first, each checked against the index.
    Subquery,
}

/// Chooses how to read the tickets matching `text`.
pub(crate) async fn plan(pool: &sqlx::AnyPool, backend: Backend, text: &str) -> Result<Plan, StoreError> {
    if let Ok(t) = TrackingNo::parse(text.trim()) {
        let ids: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM tickets WHERE tracking_no = $1").bind(t.to_string()).fetch_all(pool).await?;
        return Ok(Plan::Ids(ids.into_iter().map(|(id,)| id).collect()));
    }
    if let Some((column, value)) = contact(text) {
        let sql = format!("SELECT id FROM tickets WHERE {column} = $1 ORDER BY id DESC LIMIT {CONTACT_TICKETS}");
        let ids: Vec<(i64,)> = sqlx::query_as(&sql).bind(value).fetch_all(pool).await?;
        return Ok(Plan::Ids(ids.into_iter().map(|(id,)| id).collect()));
    }
    let terms = query_terms(text);
    if terms.is_empty() {
        return Ok(Plan::Nothing);
    }
    match backend {
        Backend::Sqlite => {
            let quoted: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
            Ok(Plan::FtsJoin(quoted.join(" ")))
        }
        Backend::Postgres => {
            // The GIN index finds every match; the LIMIT stops reading rows early.
            let ids: Vec<(i64,)> = sqlx::query_as(&format!(
                "SELECT ticket_id FROM ticket_search WHERE words @@ plainto_tsquery('simple', $1) LIMIT {}",
                RARE_MATCHES + 1
            ))
            .bind(terms.join(" "))
            .fetch_all(pool)
            .await?;
            if ids.len() > RARE_MATCHES {
                Ok(Plan::Subquery)
            } else {
                Ok(Plan::Ids(ids.into_iter().map(|(id,)| id).collect()))
            }
        }
    }
}
