//! The dashboard's per-hour rollups. Each ticket contributes to a few rows according to
//! what it is now (recorded hour, channel, category, priority, first response, latest
//! resolution, latest survey answer, problem cluster); a change subtracts the ticket's old
//! contribution and adds its new one in the same transaction, so the rollup always equals
//! a direct computation over the tickets. SLA results are appended as clocks stop.

use crate::sql::{ms, rows_per_statement, values_rows, values_rows_for};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::ticket::Rating;
use loopdesk_core::{Event, Ticket, TicketId, Timestamp};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

/// One rollup bucket.
pub(crate) const HOUR_MS: i64 = 3_600_000;
/// Tickets read per statement by [`Store::rebuild_dashboard`].
const REBUILD_CHUNK: i64 = 5_000;

/// The bucket of an instant.
pub(crate) fn hour_of(t: Timestamp) -> i64 {
    ms(t).div_euclid(HOUR_MS)
}

pub use loopdesk_core::report::intake_on_time;

/// An SLA target clock that stopped with a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedTarget {
    /// The target's machine name (`first_response`, `result`, …).
    pub target: String,
    pub stopped_at: Timestamp,
    pub met: bool,
}

/// Rollup changes accumulated during one transaction. Ordered maps: rows are written in
/// key order, so concurrent transactions lock them in the same order (PostgreSQL otherwise
/// detects deadlocks between an intake batch and a routing batch touching the same hours).
#[derive(Debug, Default)]
pub(crate) struct DashboardDeltas {
    channels: BTreeMap<(i64, &'static str), [i64; 2]>,
    categories: BTreeMap<(i64, String), i64>,
    /// first responses, their wait, resolutions, their handling time.
    priorities: BTreeMap<(i64, i64), [i64; 4]>,
    /// answered, satisfied, neutral, unsatisfied, scored, score sum.
    surveys: BTreeMap<i64, [i64; 6]>,
    problems: BTreeMap<(i64, i64), i64>,
    /// The reports' rollups, keyed by every dimension.
    report: crate::report::deltas::ReportDeltas,
}

fn add_to<const N: usize>(into: &mut [i64; N], values: [i64; N], by: i64) {
    for (a, v) in into.iter_mut().zip(values) {
        *a += v * by;
    }
}

impl DashboardDeltas {
    /// Adds one status look-up of `t` at `at` (the reports' rollups only).
    pub(crate) fn add_lookup(&mut self, t: &Ticket, at: Timestamp) {
        self.report.add_lookup(t, at);
    }

    /// Adds (`by` = 1) or removes (`by` = -1) the ticket's contribution.
    pub(crate) fn add(&mut self, t: &Ticket, by: i64) {
        self.report.add(t, by);
        let recorded = hour_of(t.recorded_at);
        let received = ms(t.received_at);
        let on_time = i64::from(intake_on_time(t));
        add_to(self.channels.entry((recorded, t.channel.as_str())).or_default(), [1, on_time], by);
        *self.categories.entry((recorded, t.category.clone().unwrap_or_default())).or_default() += by;
        let rank = t.priority.rank();
        if let Some(at) = t.first_response_at {
            add_to(self.priorities.entry((recorded, rank)).or_default(), [1, ms(at) - received, 0, 0], by);
        }
        if let Some(at) = t.resolved_at {
            add_to(self.priorities.entry((hour_of(at), rank)).or_default(), [0, 0, 1, ms(at) - received], by);
        }
        if let Some(s) = &t.satisfaction {
            let score = s.score.map(i64::from);
            let row = [
                1,
                i64::from(s.rating == Rating::Satisfied),
                i64::from(s.rating == Rating::Neutral),
                i64::from(s.rating == Rating::Unsatisfied),
                i64::from(score.is_some()),
                score.unwrap_or(0),
            ];
            add_to(self.surveys.entry(hour_of(s.answered_at)).or_default(), row, by);
        }
        // A ticket that started its cluster names none (the cluster is named after it), but
        // it is one of the cluster's reports all the same: without it a problem reported twice
        // counted once, and "top problems" (more than one report) stayed empty.
        if let Some(triage) = &t.triage {
            *self.problems.entry((recorded, triage.cluster_id.unwrap_or(t.id.0))).or_default() += by;
        }
    }

    /// Replaces `before`'s contribution by `after`'s.
    pub(crate) fn moved(&mut self, before: &Ticket, after: &Ticket) {
        self.add(before, -1);
        self.add(after, 1);
    }

    pub(crate) async fn flush(
        self,
        conn: &mut AnyConnection,
        backend: Backend,
        zone: chrono_tz::Tz,
    ) -> Result<(), sqlx::Error> {
        const CHANNEL: Table =
            Table { name: "dashboard_channels", keys: &["hour", "channel"], counts: &["n", "intake_on_time"] };
        const CATEGORY: Table = Table { name: "dashboard_categories", keys: &["hour", "category"], counts: &["n"] };
        const PRIORITY: Table = Table {
            name: "dashboard_priorities",
            keys: &["hour", "priority_rank"],
            counts: &["first_responses", "first_response_ms", "resolved", "handling_ms"],
        };
        const SURVEY: Table = Table {
            name: "dashboard_surveys",
            keys: &["hour"],
            counts: &["answered", "satisfied", "neutral", "unsatisfied", "scored", "score_sum"],
        };
        const PROBLEM: Table = Table { name: "dashboard_problems", keys: &["hour", "cluster_id"], counts: &["n"] };
        let rows = self.channels.iter().map(|((h, c), v)| (vec![Key::Int(*h), Key::Text(c)], v.to_vec()));
        CHANNEL.add_all(conn, backend, rows.collect()).await?;
        let rows = self.categories.iter().map(|((h, c), n)| (vec![Key::Int(*h), Key::Text(c)], vec![*n]));
        CATEGORY.add_all(conn, backend, rows.collect()).await?;
        let rows = self.priorities.iter().map(|((h, r), v)| (vec![Key::Int(*h), Key::Int(*r)], v.to_vec()));
        PRIORITY.add_all(conn, backend, rows.collect()).await?;
        let rows = self.surveys.iter().map(|(h, v)| (vec![Key::Int(*h)], v.to_vec()));
        SURVEY.add_all(conn, backend, rows.collect()).await?;
        let rows = self.problems.iter().map(|((h, c), n)| (vec![Key::Int(*h), Key::Int(*c)], vec![*n]));
        PROBLEM.add_all(conn, backend, rows.collect()).await?;
        self.report.flush(conn, backend, zone).await
    }
}

/// A rollup table: rows keyed by `keys` holding the sums `counts`.
pub(crate) struct Table {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    pub counts: &'static [&'static str],
}

/// One key column's value.
pub(crate) enum Key<'a> {
    Int(i64),
    Text(&'a str),
}

/// A row's key values and the deltas to add to its sums.
pub(crate) type DeltaRow<'a> = (Vec<Key<'a>>, Vec<i64>);

impl Table {
    /// Adds each row's deltas to the row of its keys, creating it; all-zero deltas write
    /// nothing. Multi-row upserts in the order given (callers give key order, see
    /// [`DashboardDeltas`]); keys are distinct, as one statement may touch a row only once.
    pub(crate) async fn add_all(
        &self,
        conn: &mut AnyConnection,
        backend: Backend,
        rows: Vec<DeltaRow<'_>>,
    ) -> Result<(), sqlx::Error> {
        let rows: Vec<DeltaRow<'_>> = rows.into_iter().filter(|(_, d)| d.iter().any(|x| *x != 0)).collect();
        if rows.is_empty() {
            return Ok(());
        }
        let columns: Vec<&str> = self.keys.iter().chain(self.counts).copied().collect();
        let sums: Vec<String> =
            self.counts.iter().map(|c| format!("{c} = {t}.{c} + excluded.{c}", t = self.name)).collect();
        for chunk in rows.chunks(rows_per_statement(backend, columns.len())) {
            let sql = format!(
                "INSERT INTO {t} ({cols}) VALUES {vals} ON CONFLICT ({keys}) DO UPDATE SET {sums}",
                t = self.name,
                cols = columns.join(", "),
                vals = values_rows_for(backend, chunk.len(), columns.len()),
                keys = self.keys.join(", "),
                sums = sums.join(", "),
            );
            let mut q = sqlx::query(&sql);
            for (keys, deltas) in chunk {
                for k in keys {
                    q = match k {
                        Key::Int(v) => q.bind(*v),
                        Key::Text(v) => q.bind(v.to_string()),
                    };
                }
                for d in deltas {
                    q = q.bind(*d);
                }
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Records stopped SLA clocks (each with its ticket) and rolls them up: one multi-row
/// insert that answers which rows are new, then one upsert per (hour, priority, target) —
/// a result already recorded is not counted twice.
pub(crate) async fn record_sla_results(
    conn: &mut AnyConnection,
    backend: Backend,
    zone: chrono_tz::Tz,
    results: &[(&Ticket, &CompletedTarget)],
) -> Result<(), sqlx::Error> {
    let mut rollup: std::collections::BTreeMap<(i64, i64, String), (i64, i64)> = Default::default();
    let mut report: Vec<(&Ticket, i64, &str, bool)> = Vec::new();
    for chunk in results.chunks(crate::sql::rows_per_statement(backend, 5)) {
        let sql = format!(
            "INSERT INTO sla_results (ticket_id, target, stopped_at, priority_rank, met) VALUES {} \
             ON CONFLICT DO NOTHING RETURNING ticket_id, target, stopped_at",
            crate::sql::values_rows_for(backend, chunk.len(), 5)
        );
        let mut q = sqlx::query_as::<_, (i64, String, i64)>(&sql);
        for (t, r) in chunk {
            q = q
                .bind(t.id.0)
                .bind(r.target.as_str())
                .bind(ms(r.stopped_at))
                .bind(t.priority.rank())
                .bind(i64::from(r.met));
        }
        for (ticket, target, stopped) in q.fetch_all(&mut *conn).await? {
            let found =
                chunk.iter().find(|(t, r)| t.id.0 == ticket && r.target == target && ms(r.stopped_at) == stopped);
            if let Some((t, r)) = found {
                let row = rollup.entry((hour_of(r.stopped_at), t.priority.rank(), target)).or_default();
                row.0 += i64::from(r.met);
                row.1 += i64::from(!r.met);
                report.push((t, hour_of(r.stopped_at), r.target.as_str(), r.met));
            }
        }
    }
    crate::report::deltas::record_sla(conn, backend, zone, &report).await?;
    for ((hour, rank, target), (met, breached)) in rollup {
        sqlx::query(
            "INSERT INTO dashboard_sla (hour, priority_rank, target, met, breached) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (hour, priority_rank, target) DO UPDATE SET met = dashboard_sla.met + excluded.met, \
             breached = dashboard_sla.breached + excluded.breached",
        )
        .bind(hour)
        .bind(rank)
        .bind(target)
        .bind(met)
        .bind(breached)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Rebuilds the dashboard rollups from the tickets and the recorded SLA results (after
    /// an upgrade, a bulk import, or to repair). Reads the tickets in chunks; returns how
    /// many were read.
    pub async fn rebuild_dashboard(&self) -> Result<u64, StoreError> {
        let mut deltas = DashboardDeltas::default();
        let mut after = 0i64;
        let mut seen = 0u64;
        // The reports roll SLA results up under the ticket's key, read chunk by chunk
        // beside the tickets (the key is the ticket's now: the one at the time is gone).
        let mut report_sla: Vec<(Ticket, i64, String, bool)> = Vec::new();
        loop {
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT id, doc FROM tickets WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(REBUILD_CHUNK)
                    .fetch_all(&self.pool)
                    .await?;
            let Some((last, _)) = rows.last() else { break };
            let first = after;
            after = *last;
            let results: Vec<(i64, String, i64, i64)> = sqlx::query_as(
                "SELECT ticket_id, target, stopped_at, met FROM sla_results WHERE ticket_id > $1 AND ticket_id <= $2",
            )
            .bind(first)
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
            let mut by_ticket: HashMap<i64, Vec<(String, i64, i64)>> = HashMap::new();
            for (id, target, stopped, met) in results {
                by_ticket.entry(id).or_default().push((target, stopped, met));
            }
            // Status look-ups are counted again from their log, under the ticket's key now.
            let lookups: Vec<(i64, i64)> =
                sqlx::query_as("SELECT ticket_id, at FROM tracking_lookups WHERE ticket_id > $1 AND ticket_id <= $2")
                    .bind(first)
                    .bind(after)
                    .fetch_all(&self.pool)
                    .await?;
            let mut looked_up: HashMap<i64, Vec<i64>> = HashMap::new();
            for (id, at) in lookups {
                looked_up.entry(id).or_default().push(at);
            }
            for (id, doc) in &rows {
                let t: Ticket = serde_json::from_str(doc)?;
                deltas.add(&t, 1);
                for at in looked_up.remove(id).unwrap_or_default() {
                    deltas.add_lookup(&t, crate::sql::from_ms(at));
                }
                for (target, stopped, met) in by_ticket.remove(id).unwrap_or_default() {
                    report_sla.push((t.clone(), stopped.div_euclid(HOUR_MS), target, met != 0));
                }
                seen += 1;
            }
        }
        let mut tx = self.pool.begin().await?;
        for table in [
            "dashboard_channels",
            "dashboard_categories",
            "dashboard_priorities",
            "dashboard_surveys",
            "dashboard_problems",
            "dashboard_sla",
            "report_facts",
            "report_sla",
            "report_waits",
            "report_day_facts",
            "report_day_sla",
            "report_day_waits",
            "report_day_waits_all",
            "report_backlog",
        ] {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        let zone = self.day_zone.get();
        deltas.flush(&mut tx, self.backend, zone).await?;
        let sla: Vec<(&Ticket, i64, &str, bool)> =
            report_sla.iter().map(|(t, h, target, met)| (t, *h, target.as_str(), *met)).collect();
        crate::report::deltas::record_sla(&mut tx, self.backend, zone, &sla).await?;
        sqlx::query(
            "INSERT INTO dashboard_sla (hour, priority_rank, target, met, breached) \
             SELECT stopped_at / 3600000, priority_rank, target, CAST(SUM(met) AS BIGINT), \
             CAST(SUM(1 - met) AS BIGINT) FROM sla_results GROUP BY stopped_at / 3600000, priority_rank, target",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(seen)
    }

    /// Records SLA results found for existing tickets, in one transaction (see
    /// [`Store::rebuild_dashboard`], which rolls them up).
    pub async fn backfill_sla_results(&self, results: &[(Ticket, Vec<CompletedTarget>)]) -> Result<(), StoreError> {
        let rows: Vec<(&Ticket, &CompletedTarget)> =
            results.iter().flat_map(|(t, stopped)| stopped.iter().map(move |r| (t, r))).collect();
        let mut tx = self.pool.begin().await?;
        for chunk in rows.chunks(200) {
            let sql = format!(
                "INSERT INTO sla_results (ticket_id, target, stopped_at, priority_rank, met) VALUES {} \
                 ON CONFLICT DO NOTHING",
                values_rows(chunk.len(), 5)
            );
            let mut q = sqlx::query(&sql);
            for (t, r) in chunk {
                q = q
                    .bind(t.id.0)
                    .bind(r.target.as_str())
                    .bind(ms(r.stopped_at))
                    .bind(t.priority.rank())
                    .bind(i64::from(r.met));
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Reader {
    /// Up to `limit` tickets with ids above `after`, in id order, each with its timeline
    /// (two statements, for passes over every ticket).
    pub async fn tickets_with_timelines_after(
        &self,
        after: TicketId,
        limit: i64,
    ) -> Result<Vec<(Ticket, Vec<Event>)>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT doc FROM tickets WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let tickets: Vec<Ticket> = rows.iter().map(|(doc,)| serde_json::from_str(doc)).collect::<Result<_, _>>()?;
        let Some(last) = tickets.last().map(|t| t.id) else { return Ok(Vec::new()) };
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT ticket_id, doc FROM events WHERE ticket_id > $1 AND ticket_id <= $2 ORDER BY ticket_id, seq",
        )
        .bind(after.0)
        .bind(last.0)
        .fetch_all(&self.pool)
        .await?;
        let mut timelines: HashMap<i64, Vec<Event>> = HashMap::new();
        for (ticket, doc) in rows {
            timelines.entry(ticket).or_default().push(serde_json::from_str(&doc)?);
        }
        Ok(tickets
            .into_iter()
            .map(|t| {
                let timeline = timelines.remove(&t.id.0).unwrap_or_default();
                (t, timeline)
            })
            .collect())
    }
}
