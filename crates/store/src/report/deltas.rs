//! Writing the report rollups: a transaction's changes to the hour rows (every key) and to
//! the day rows that sum them (local day, department, priority), flushed together so the
//! two never disagree.

use super::{key_values, BACKLOG, DAY_FACTS, DAY_SLA, DAY_WAITS, DAY_WAITS_ALL, FACTS, WAITS};
use crate::rollup::{Key, Table};
use crate::Backend;
use chrono_tz::Tz;
use loopdesk_core::report::day::day_of;
use loopdesk_core::report::fact::{first_response_wait_ms, hour_of, lookup};
use loopdesk_core::report::{contributions, sketch, Counts, FactKey};
use loopdesk_core::{Ticket, Timestamp};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// A day row's key: the hour the local day starts, the department (0 for none), the
/// priority rank.
pub(crate) type DayKey = (i64, i64, i64);

/// The day row an hour row of `key` adds to.
pub(crate) fn day_key(hour: i64, key: &FactKey, zone: Tz) -> DayKey {
    (day_of(hour, zone), key.department_id.map(|d| d.0).unwrap_or(0), key.priority.rank())
}

/// A day waits row's key: the day, the priority rank, the sketch bucket (no department:
/// see migration 0051).
pub(crate) type WaitKey = (i64, i64, u32);

/// The day waits row an hour waits row of `key` adds to.
pub(crate) fn wait_key(hour: i64, key: &FactKey, bucket: u32, zone: Tz) -> WaitKey {
    (day_of(hour, zone), key.priority.rank(), bucket)
}

fn day_keys(k: &DayKey) -> Vec<Key<'static>> {
    vec![Key::Int(k.0), Key::Int(k.1), Key::Int(k.2)]
}

/// Report rollup changes of one transaction, in key order (see `DashboardDeltas`).
#[derive(Debug, Default)]
pub(crate) struct ReportDeltas {
    facts: BTreeMap<(i64, FactKey), Counts>,
    waits: BTreeMap<(i64, FactKey, u32), i64>,
}

impl ReportDeltas {
    /// Adds (`by` = 1) or removes (`by` = -1) the ticket's contribution.
    pub(crate) fn add(&mut self, t: &Ticket, by: i64) {
        let key = FactKey::of(t);
        for (at, counts) in contributions(t) {
            self.facts.entry((hour_of(at), key.clone())).or_default().add(&counts, by);
        }
        if let Some(wait) = first_response_wait_ms(t) {
            *self.waits.entry((hour_of(t.recorded_at), key, sketch::bucket(wait))).or_default() += by;
        }
    }

    /// Adds one status look-up of `t` at `at` (see `loopdesk_core::report::fact::lookup`).
    pub(crate) fn add_lookup(&mut self, t: &Ticket, at: Timestamp) {
        let (hour, key, counts) = lookup(t, at);
        self.facts.entry((hour, key)).or_default().add(&counts, 1);
    }

    /// Writes the hour rows and the day rows (days cut in `zone`) of the changes.
    pub(crate) async fn flush(&self, conn: &mut AnyConnection, backend: Backend, zone: Tz) -> Result<(), sqlx::Error> {
        let rows = self.facts.iter().map(|((h, k), c)| (key_values(*h, k), c.to_array())).collect();
        FACTS.add_all(conn, backend, rows).await?;
        let rows = self
            .waits
            .iter()
            .map(|((h, k, b), n)| {
                let mut keys = key_values(*h, k);
                keys.push(Key::Int(i64::from(*b)));
                (keys, vec![*n])
            })
            .collect();
        WAITS.add_all(conn, backend, rows).await?;
        // The same backlog deltas summed over the hours, per key (zero sums are not written).
        let mut backlog: BTreeMap<&FactKey, i64> = BTreeMap::new();
        for ((_, k), c) in &self.facts {
            *backlog.entry(k).or_default() += c.backlog;
        }
        let rows = backlog.iter().map(|(k, n)| (key_values(0, k).split_off(1), vec![*n])).collect();
        BACKLOG.add_all(conn, backend, rows).await?;
        let mut days: BTreeMap<DayKey, Counts> = BTreeMap::new();
        for ((h, k), c) in &self.facts {
            days.entry(day_key(*h, k, zone)).or_default().add(c, 1);
        }
        let mut day_waits: BTreeMap<WaitKey, i64> = BTreeMap::new();
        for ((h, k, b), n) in &self.waits {
            *day_waits.entry(wait_key(*h, k, *b, zone)).or_default() += n;
        }
        write_days(conn, backend, &days, &day_waits).await
    }
}

/// Adds day rows of facts and waits (by priority and across priorities).
pub(crate) async fn write_days(
    conn: &mut AnyConnection,
    backend: Backend,
    days: &BTreeMap<DayKey, Counts>,
    waits: &BTreeMap<WaitKey, i64>,
) -> Result<(), sqlx::Error> {
    let rows = days.iter().map(|(k, c)| (day_keys(k), c.to_array())).collect();
    DAY_FACTS.add_all(conn, backend, rows).await?;
    let rows = waits
        .iter()
        .map(|((d, p, b), n)| (vec![Key::Int(*d), Key::Int(*p), Key::Int(i64::from(*b))], vec![*n]))
        .collect();
    DAY_WAITS.add_all(conn, backend, rows).await?;
    let mut across: BTreeMap<(i64, u32), i64> = BTreeMap::new();
    for ((d, _, b), n) in waits {
        *across.entry((*d, *b)).or_default() += n;
    }
    let rows = across.iter().map(|((d, b), n)| (vec![Key::Int(*d), Key::Int(i64::from(*b))], vec![*n])).collect();
    DAY_WAITS_ALL.add_all(conn, backend, rows).await
}

/// Adds day rows of SLA results: (day key, target) → [met, breached].
pub(crate) async fn write_day_sla(
    conn: &mut AnyConnection,
    backend: Backend,
    sla: &BTreeMap<(DayKey, String), [i64; 2]>,
) -> Result<(), sqlx::Error> {
    let rows = sla
        .iter()
        .map(|((k, target), v)| {
            let mut keys = day_keys(k);
            keys.push(Key::Text(target));
            (keys, v.to_vec())
        })
        .collect();
    DAY_SLA.add_all(conn, backend, rows).await
}

/// Rolls stopped SLA clocks up under the ticket's key, by hour and by day (called for
/// results not yet recorded).
pub(crate) async fn record_sla(
    conn: &mut AnyConnection,
    backend: Backend,
    zone: Tz,
    results: &[(&Ticket, i64, &str, bool)],
) -> Result<(), sqlx::Error> {
    const SLA: Table = Table { name: "report_sla", keys: &key_columns!("target"), counts: &["met", "breached"] };
    let mut sums: BTreeMap<(i64, FactKey, &str), [i64; 2]> = BTreeMap::new();
    let mut days: BTreeMap<(DayKey, String), [i64; 2]> = BTreeMap::new();
    for (t, hour, target, met) in results {
        let key = FactKey::of(t);
        for e in [
            days.entry((day_key(*hour, &key, zone), target.to_string())).or_default(),
            sums.entry((*hour, key, target)).or_default(),
        ] {
            e[0] += i64::from(*met);
            e[1] += i64::from(!*met);
        }
    }
    let rows = sums
        .iter()
        .map(|((h, k, target), v)| {
            let mut keys = key_values(*h, k);
            keys.push(Key::Text(target));
            (keys, v.to_vec())
        })
        .collect();
    SLA.add_all(conn, backend, rows).await?;
    write_day_sla(conn, backend, &days).await
}
