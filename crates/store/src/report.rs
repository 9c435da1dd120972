//! The reports' rollups (`report_facts`, `report_sla`, `report_waits`): written with every
//! ticket change from what `loopdesk_core::report::fact` says the ticket contributes, and
//! read back summed by hour, priority and the dimensions a report asks for, narrowed to its
//! filter. The arithmetic on the rows is the core's; this module only moves sums.

use crate::rollup::{Key, Table};
use crate::sql::{arguments, ms, Conditions, Value};
use crate::{Backend, Reader, StoreError};
use loopdesk_core::report::fact::{first_response_wait_ms, hour_of, HOUR_MS};
use loopdesk_core::report::{contributions, sketch, Counts, Dimension, Fact, FactKey, Filter, Rows, SlaFact, WaitFact};
use loopdesk_core::sla::TargetKind;
use loopdesk_core::{Channel, CustomerTier, DepartmentId, Priority, Ticket, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// Key columns shared by the three tables, in [`key_values`] order, then a table's own.
macro_rules! key_columns {
    ($($own:literal),*) => {
        ["hour", "channel", "category", "subtag", "product", "department_id", "agent_id", "priority_rank", "tier" $(, $own)*]
    };
}
const KEY_COLUMNS: [&str; 9] = key_columns!();

const FACTS: Table = Table { name: "report_facts", keys: &KEY_COLUMNS, counts: Counts::COLUMNS };
const WAITS: Table = Table { name: "report_waits", keys: &key_columns!("bucket"), counts: &["n"] };

fn key_values(hour: i64, k: &FactKey) -> Vec<Key<'_>> {
    vec![
        Key::Int(hour),
        Key::Text(k.channel.as_str()),
        Key::Text(&k.category),
        Key::Text(&k.subtag),
        Key::Text(&k.product),
        Key::Int(k.department_id.map(|d| d.0).unwrap_or(0)),
        Key::Int(k.agent_id.map(|u| u.0).unwrap_or(0)),
        Key::Int(k.priority.rank()),
        Key::Text(k.tier.as_str()),
    ]
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

    pub(crate) async fn flush(&self, conn: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
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
        WAITS.add_all(conn, backend, rows).await
    }
}

/// Rolls stopped SLA clocks up under the ticket's key (called for results not yet recorded).
pub(crate) async fn record_sla(
    conn: &mut AnyConnection,
    backend: Backend,
    results: &[(&Ticket, i64, &str, bool)],
) -> Result<(), sqlx::Error> {
    const SLA: Table = Table { name: "report_sla", keys: &key_columns!("target"), counts: &["met", "breached"] };
    let mut sums: BTreeMap<(i64, FactKey, &str), [i64; 2]> = BTreeMap::new();
    for (t, hour, target, met) in results {
        let e = sums.entry((*hour, FactKey::of(t), target)).or_default();
        e[0] += i64::from(*met);
        e[1] += i64::from(!*met);
    }
    let rows = sums
        .iter()
        .map(|((h, k, target), v)| {
            let mut keys = key_values(*h, k);
            keys.push(Key::Text(target));
            (keys, v.to_vec())
        })
        .collect();
    SLA.add_all(conn, backend, rows).await
}

/// The SQL conditions of a report filter.
fn conditions(filter: &Filter, c: &mut Conditions) {
    let mut eq = |col: &str, v: Value| {
        let p = c.arg(v);
        c.push(format!("{col} = {p}"));
    };
    if let Some(v) = filter.channel {
        eq("channel", Value::Text(v.as_str().into()));
    }
    for (col, v) in [("category", &filter.category), ("subtag", &filter.subtag), ("product", &filter.product)] {
        if let Some(v) = v {
            eq(col, Value::Text(v.clone()));
        }
    }
    if let Some(v) = filter.department {
        eq("department_id", Value::Int(v.0));
    }
    if let Some(v) = filter.agent {
        eq("agent_id", Value::Int(v.0));
    }
    if let Some(v) = filter.priority {
        eq("priority_rank", Value::Int(v.rank()));
    }
    if let Some(v) = filter.tier {
        eq("tier", Value::Text(v.as_str().into()));
    }
}

fn column(d: Dimension) -> &'static str {
    match d {
        Dimension::Channel => "channel",
        Dimension::Category => "category",
        Dimension::Subtag => "subtag",
        Dimension::Product => "product",
        Dimension::Department => "department_id",
        Dimension::Agent => "agent_id",
        Dimension::Priority => "priority_rank",
        Dimension::Tier => "tier",
    }
}

/// What a read groups by: always the priority (figures per priority), the hour unless
/// reading the opening backlog, and the dimensions asked for. Other key columns read as
/// their "none" value, which the report does not look at.
struct Grouping<'a> {
    by_hour: bool,
    dimensions: &'a [Dimension],
}

impl Grouping<'_> {
    fn grouped(&self, d: Dimension) -> bool {
        d == Dimension::Priority || self.dimensions.contains(&d)
    }

    /// The key columns to select (in [`KEY_COLUMNS`] order) and the GROUP BY list.
    fn columns(&self) -> (String, String) {
        let mut select = vec![if self.by_hour { "hour" } else { "CAST(0 AS BIGINT)" }.to_string()];
        let mut group: Vec<&str> = if self.by_hour { vec!["hour"] } else { vec![] };
        for d in [
            Dimension::Channel,
            Dimension::Category,
            Dimension::Subtag,
            Dimension::Product,
            Dimension::Department,
            Dimension::Agent,
            Dimension::Priority,
            Dimension::Tier,
        ] {
            if self.grouped(d) {
                select.push(column(d).to_string());
                group.push(column(d));
            } else {
                let none = match d {
                    Dimension::Channel => "'web'",
                    Dimension::Tier => "'standard'",
                    Dimension::Department | Dimension::Agent => "CAST(0 AS BIGINT)",
                    _ => "''",
                };
                select.push(none.to_string());
            }
        }
        (select.join(", "), group.join(", "))
    }
}

/// The key read from the first nine columns of a row.
fn key_of(row: &AnyRow) -> Result<(i64, FactKey), StoreError> {
    let text = |i: usize| row.try_get::<String, _>(i);
    let int = |i: usize| row.try_get::<i64, _>(i);
    let corrupt = |what: &str| StoreError::Config(format!("report rollup holds an unknown {what}"));
    let id = |v: i64| (v != 0).then_some(v);
    Ok((
        int(0)?,
        FactKey {
            channel: Channel::parse(&text(1)?).ok_or_else(|| corrupt("channel"))?,
            category: text(2)?,
            subtag: text(3)?,
            product: text(4)?,
            department_id: id(int(5)?).map(DepartmentId),
            agent_id: id(int(6)?).map(UserId),
            priority: Priority::from_rank(int(7)?).ok_or_else(|| corrupt("priority"))?,
            tier: CustomerTier::parse(&text(8)?).ok_or_else(|| corrupt("tier"))?,
        },
    ))
}

/// How finely a read sums the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buckets {
    /// One row per hour (and key): what a trend divides into buckets.
    Hours,
    /// One row per key for the whole period: what a summary or breakdown needs, a few
    /// hundred rows however many hours and tickets the period holds.
    Period,
}

fn sums(columns: &[&str]) -> String {
    columns.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT)")).collect::<Vec<_>>().join(", ")
}

impl Reader {
    /// The rollup rows of `[from, to)` (widened to whole hours) narrowed to `filter`, summed
    /// by priority and `dimensions` (and hour, for [`Buckets::Hours`]; rows summed over the
    /// period read hour 0), with the backlog deltas of everything before.
    pub async fn report_rows(
        &self,
        from: Timestamp,
        to: Timestamp,
        filter: &Filter,
        dimensions: &[Dimension],
        buckets: Buckets,
    ) -> Result<Rows, StoreError> {
        let (from_h, to_h) = (ms(from).div_euclid(HOUR_MS), (ms(to) + HOUR_MS - 1).div_euclid(HOUR_MS));
        let by_hour = Grouping { by_hour: buckets == Buckets::Hours, dimensions };
        let (select, group) = by_hour.columns();
        let read = |table: &str, extra: &str, values: String| {
            let mut c = Conditions::default();
            let a = c.arg(Value::Int(from_h));
            let b = c.arg(Value::Int(to_h));
            c.push(format!("hour >= {a} AND hour < {b}"));
            conditions(filter, &mut c);
            let extra_group = if extra.is_empty() { String::new() } else { format!(", {extra}") };
            let extra_select = if extra.is_empty() { String::new() } else { format!("{extra}, ") };
            let sql = format!(
                "SELECT {select}, {extra_select}{values} FROM {table}{w} GROUP BY {group}{extra_group}",
                w = c.where_sql()
            );
            (sql, c.values)
        };
        let (sql, values) = read("report_facts", "", sums(Counts::COLUMNS));
        let mut rows = Rows::default();
        for row in sqlx::query_with(&sql, arguments(&values)?).fetch_all(&self.pool).await? {
            let (hour, key) = key_of(&row)?;
            let counts: Vec<i64> = (9..9 + Counts::COLUMNS.len()).map(|i| row.try_get(i)).collect::<Result<_, _>>()?;
            rows.facts.push(Fact { hour, key, counts: Counts::from_slice(&counts) });
        }
        let (sql, values) = read("report_sla", "target", sums(&["met", "breached"]));
        for row in sqlx::query_with(&sql, arguments(&values)?).fetch_all(&self.pool).await? {
            let (hour, key) = key_of(&row)?;
            // A target this build does not know (a newer node's) is left out, not an error.
            let Some(target) = TargetKind::parse(&row.try_get::<String, _>(9)?) else { continue };
            rows.sla.push(SlaFact { hour, key, target, met: row.try_get(10)?, breached: row.try_get(11)? });
        }
        let (sql, values) = read("report_waits", "bucket", sums(&["n"]));
        for row in sqlx::query_with(&sql, arguments(&values)?).fetch_all(&self.pool).await? {
            let (hour, key) = key_of(&row)?;
            let bucket = u32::try_from(row.try_get::<i64, _>(9)?).unwrap_or(sketch::MAX_BUCKET);
            rows.waits.push(WaitFact { hour, key, bucket, n: row.try_get(10)? });
        }
        let before = Grouping { by_hour: false, dimensions };
        let (select, group) = before.columns();
        let mut c = Conditions::default();
        let a = c.arg(Value::Int(from_h));
        c.push(format!("hour < {a}"));
        conditions(filter, &mut c);
        let sql = format!(
            "SELECT {select}, CAST(SUM(backlog) AS BIGINT) FROM report_facts{w} GROUP BY {group}",
            w = c.where_sql()
        );
        for row in sqlx::query_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await? {
            let (_, key) = key_of(&row)?;
            let counts = Counts { backlog: row.try_get(9)?, ..Counts::default() };
            rows.opening.push(Fact { hour: from_h - 1, key, counts });
        }
        Ok(rows)
    }
}
