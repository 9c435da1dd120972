//! Reading the report rollups: a period's rows summed by priority and the dimensions asked
//! for (and by hour or day for a trend), narrowed to a filter, with the backlog of before.
//! Whole local days come from the day rows when the filter and dimensions are ones they
//! keep (department and priority), partial days and everything else from the hour rows.

use super::{column, conditions};
use crate::sql::{arguments, ms, Conditions, Value};
use crate::{Reader, StoreError};
use chrono_tz::Tz;
use loopdesk_core::report::day::{cover, day_of};
use loopdesk_core::report::fact::HOUR_MS;
use loopdesk_core::report::{sketch, Counts, Dimension, Fact, FactKey, Filter, Rows, SlaFact, WaitFact};
use loopdesk_core::sla::TargetKind;
use loopdesk_core::{Channel, CustomerTier, DepartmentId, Priority, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

/// How finely a read sums the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buckets {
    /// One row per hour (and key): what a trend by the hour divides into buckets.
    Hours,
    /// Rows no coarser than the local days of the zone, each at its first hour: what a trend
    /// by day, week or month of that zone divides into buckets.
    ///
    /// Rows by hour or day are summed across priorities unless the filter names one or a
    /// dimension is the priority: a trend shows its figures across priorities, and most of
    /// its rows would otherwise be the wait sketch per day, priority and bucket. Such rows
    /// carry [`ACROSS_PRIORITIES`] as their priority, so only their figures across
    /// priorities (`priority: None`) mean anything; the opening backlog is still by priority.
    Days(Tz),
    /// One row per key for the whole period: what a summary or breakdown needs, a few
    /// hundred rows however many hours and tickets the period holds.
    Period,
}

/// The priority rows summed across priorities carry (see [`Buckets::Days`]).
pub const ACROSS_PRIORITIES: Priority = Priority::Low;

/// Which rollup a read sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Hours,
    Days,
}

impl Source {
    /// The facts, SLA and waits tables, and their time column.
    fn tables(self) -> [&'static str; 4] {
        match self {
            Source::Hours => ["report_facts", "report_sla", "report_waits", "hour"],
            Source::Days => ["report_day_facts", "report_day_sla", "report_day_waits", "day"],
        }
    }
}

/// What a read groups by: the priority (figures per priority) unless the read is across
/// priorities, the hour (or day) unless summing the period, and the dimensions asked for.
/// Other key columns read as their "none" value, which the report does not look at.
#[derive(Clone, Copy)]
struct Grouping<'a> {
    by_time: bool,
    by_priority: bool,
    dimensions: &'a [Dimension],
}

impl Grouping<'_> {
    fn grouped(&self, d: Dimension) -> bool {
        (d == Dimension::Priority && self.by_priority) || self.dimensions.contains(&d)
    }

    /// The key columns to select and the GROUP BY list: the time (0 for the period), then
    /// the grouped key columns in `KEY_COLUMNS` order. Only grouped columns are read back:
    /// the rest take their "none" value in [`Grouping::key_of`], not one per row.
    fn columns(&self, time: &'static str) -> (String, String) {
        let mut select = vec![if self.by_time { time } else { "CAST(0 AS BIGINT)" }];
        let mut group: Vec<&str> = if self.by_time { vec![time] } else { vec![] };
        for d in KEY_DIMENSIONS.into_iter().filter(|d| self.grouped(*d)) {
            select.push(column(d));
            group.push(column(d));
        }
        (select.join(", "), group.join(", "))
    }

    /// The time and key of a row selected with [`Grouping::columns`], and the index of its
    /// first column after them.
    fn key_of(&self, row: &AnyRow) -> Result<(i64, FactKey, usize), StoreError> {
        let corrupt = |what: &str| StoreError::Config(format!("report rollup holds an unknown {what}"));
        let id = |v: i64| (v != 0).then_some(v);
        let mut key = FactKey {
            channel: Channel::Web,
            category: String::new(),
            subtag: String::new(),
            product: String::new(),
            department_id: None,
            agent_id: None,
            priority: ACROSS_PRIORITIES,
            tier: CustomerTier::Standard,
        };
        let mut i = 1;
        for d in KEY_DIMENSIONS.into_iter().filter(|d| self.grouped(*d)) {
            match d {
                Dimension::Channel => {
                    key.channel = Channel::parse(&row.try_get::<String, _>(i)?).ok_or_else(|| corrupt("channel"))?
                }
                Dimension::Category => key.category = row.try_get(i)?,
                Dimension::Subtag => key.subtag = row.try_get(i)?,
                Dimension::Product => key.product = row.try_get(i)?,
                Dimension::Department => key.department_id = id(row.try_get(i)?).map(DepartmentId),
                Dimension::Agent => key.agent_id = id(row.try_get(i)?).map(UserId),
                Dimension::Priority => {
                    key.priority = Priority::from_rank(row.try_get(i)?).ok_or_else(|| corrupt("priority"))?
                }
                Dimension::Tier => {
                    key.tier = CustomerTier::parse(&row.try_get::<String, _>(i)?).ok_or_else(|| corrupt("tier"))?
                }
            }
            i += 1;
        }
        Ok((row.try_get(0)?, key, i))
    }
}

/// The dimensions in the order of the key columns.
const KEY_DIMENSIONS: [Dimension; 8] = [
    Dimension::Channel,
    Dimension::Category,
    Dimension::Subtag,
    Dimension::Product,
    Dimension::Department,
    Dimension::Agent,
    Dimension::Priority,
    Dimension::Tier,
];

/// Whether the day rows keep what `filter` and `dimensions` look at.
fn days_keep(filter: &Filter, dimensions: &[Dimension]) -> bool {
    let Filter { channel, category, subtag, product, department: _, agent, priority: _, tier } = filter;
    channel.is_none()
        && category.is_none()
        && subtag.is_none()
        && product.is_none()
        && agent.is_none()
        && tier.is_none()
        && dimensions.iter().all(|d| matches!(d, Dimension::Department | Dimension::Priority))
}

/// The key read from the first nine columns of a row.
pub(super) fn key_of(row: &AnyRow) -> Result<(i64, FactKey), StoreError> {
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

pub(super) fn sums(columns: &[&str]) -> String {
    columns.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT)")).collect::<Vec<_>>().join(", ")
}

/// One read: a source, its time range `[from, to)` (`from` none: since the beginning), the
/// filter and the grouping.
struct Read<'a> {
    source: Source,
    from: Option<i64>,
    to: i64,
    filter: &'a Filter,
    grouping: Grouping<'a>,
}

impl Read<'_> {
    /// SQL and arguments summing `values` of `table` (grouped also by `extra`, if any).
    fn sql(&self, table: &str, extra: &str, values: &str) -> (String, Vec<Value>) {
        let time = self.source.tables()[3];
        let (select, group) = self.grouping.columns(time);
        let mut c = Conditions::default();
        if let Some(from) = self.from {
            let a = c.arg(Value::Int(from));
            c.push(format!("{time} >= {a}"));
        }
        let b = c.arg(Value::Int(self.to));
        c.push(format!("{time} < {b}"));
        conditions(self.filter, &mut c);
        let (extra_select, extra_group) = match extra {
            "" => (String::new(), String::new()),
            e => (format!("{e}, "), format!(", {e}")),
        };
        // The priority or the time is always grouped by, so the list is never empty.
        let sql = format!(
            "SELECT {select}, {extra_select}{values} FROM {table}{w} GROUP BY {group}{extra_group}",
            w = c.where_sql()
        );
        (sql, c.values)
    }
}

impl Reader {
    /// The rollup rows of `[from, to)` (widened to whole hours) narrowed to `filter`, summed
    /// by priority and `dimensions` (and by hour or day as `buckets` says, then across
    /// priorities unless the filter or a dimension is the priority; rows summed over the
    /// period read hour 0), with the backlog deltas of everything before by priority. Days
    /// are read from the day rows where they keep the filter and dimensions, a partial day
    /// at either end from its hours or as its day less the hours outside the period,
    /// whichever reads fewer (summing the same counts: see
    /// `loopdesk_core::report::day::cover`).
    pub async fn report_rows(
        &self,
        from: Timestamp,
        to: Timestamp,
        filter: &Filter,
        dimensions: &[Dimension],
        buckets: Buckets,
    ) -> Result<Rows, StoreError> {
        let (from_h, to_h) = (ms(from).div_euclid(HOUR_MS), (ms(to) + HOUR_MS - 1).div_euclid(HOUR_MS));
        let zone = self.day_zone.get();
        let zone = match buckets {
            Buckets::Hours => None,
            Buckets::Days(tz) => (tz == zone).then_some(zone),
            Buckets::Period => Some(zone),
        }
        .filter(|_| days_keep(filter, dimensions));
        let cover = zone.and_then(|zone| cover(from_h, to_h, zone).map(|c| (c, zone)));
        let by_time = buckets != Buckets::Period;
        let by_priority = !by_time || filter.priority.is_some();
        let read = |source, from: Option<i64>, to: i64| Read {
            source,
            from,
            to,
            filter,
            grouping: Grouping { by_time, by_priority, dimensions },
        };
        let mut rows = Rows::default();
        match cover {
            None => {
                self.read_sums(&read(Source::Hours, Some(from_h), to_h), 1, &mut rows).await?;
                self.read_hour_opening(from_h, to_h, filter, dimensions, &mut rows).await?;
            }
            Some((cover, zone)) => {
                let (lo, hi) = cover.days;
                self.read_sums(&read(Source::Days, Some(lo), hi), 1, &mut rows).await?;
                for &(a, b, sign) in &cover.hours {
                    self.read_sums(&read(Source::Hours, Some(a), b), sign, &mut rows).await?;
                }
                if by_time {
                    // A day read whole for a partial end, and the hours taken away from it,
                    // count in the bucket of that end: the first, or the one of the last day.
                    let last_day = day_of(to_h - 1, zone);
                    let within = |h: i64| {
                        if h < from_h {
                            from_h
                        } else if h >= to_h {
                            last_day
                        } else {
                            h
                        }
                    };
                    rows.facts.iter_mut().for_each(|f| f.hour = within(f.hour));
                    rows.sla.iter_mut().for_each(|f| f.hour = within(f.hour));
                    rows.waits.iter_mut().for_each(|f| f.hour = within(f.hour));
                }
                // Before `from`: every day before the days read, less the first end's hours
                // as read (added when a partial first day was read from its hours, taken away
                // when it was read as its day less the hours before `from`).
                self.read_opening(&read(Source::Days, None, lo), 1, &mut rows).await?;
                if let Some((a, b, sign)) = cover.head {
                    self.read_opening(&read(Source::Hours, Some(a), b), -sign, &mut rows).await?;
                }
            }
        }
        Ok(rows)
    }

    /// Adds the facts, SLA results and waits `read` sums, times `sign`, to `rows` (three
    /// queries run side by side).
    async fn read_sums(&self, read: &Read<'_>, sign: i64, rows: &mut Rows) -> Result<(), StoreError> {
        let [facts, sla, waits, _] = read.source.tables();
        let facts = read.sql(facts, "", &sums(Counts::COLUMNS));
        let sla = read.sql(sla, "target", &sums(&["met", "breached"]));
        // The day waits have no department: a read about one reads the hours of the days.
        let by_department =
            read.filter.department.is_some() || read.grouping.dimensions.contains(&Dimension::Department);
        let waits = if read.source == Source::Days && by_department {
            let hours = Read { source: Source::Hours, ..*read };
            hours.sql(Source::Hours.tables()[2], "bucket", &sums(&["n"]))
        } else if read.source == Source::Days && !read.grouping.grouped(Dimension::Priority) {
            // Across priorities: the day waits summed so already (migration 0055).
            read.sql("report_day_waits_all", "bucket", &sums(&["n"]))
        } else {
            read.sql(waits, "bucket", &sums(&["n"]))
        };
        let (facts_args, sla_args, waits_args) = (arguments(&facts.1)?, arguments(&sla.1)?, arguments(&waits.1)?);
        let (fact_rows, sla_rows, wait_rows) = tokio::try_join!(
            sqlx::query_with(&facts.0, facts_args).fetch_all(&self.pool),
            sqlx::query_with(&sla.0, sla_args).fetch_all(&self.pool),
            sqlx::query_with(&waits.0, waits_args).fetch_all(&self.pool),
        )?;
        let g = &read.grouping;
        for row in fact_rows {
            let (hour, key, i) = g.key_of(&row)?;
            let counts: Vec<i64> = (i..i + Counts::COLUMNS.len())
                .map(|i| row.try_get(i).map(|n: i64| sign * n))
                .collect::<Result<_, _>>()?;
            rows.facts.push(Fact { hour, key, counts: Counts::from_slice(&counts) });
        }
        for row in sla_rows {
            let (hour, key, i) = g.key_of(&row)?;
            // A target this build does not know (a newer node's) is left out, not an error.
            let Some(target) = TargetKind::parse(&row.try_get::<String, _>(i)?) else { continue };
            let (met, breached): (i64, i64) = (row.try_get(i + 1)?, row.try_get(i + 2)?);
            rows.sla.push(SlaFact { hour, key, target, met: sign * met, breached: sign * breached });
        }
        for row in wait_rows {
            let (hour, key, i) = g.key_of(&row)?;
            let bucket = u32::try_from(row.try_get::<i64, _>(i)?).unwrap_or(sketch::MAX_BUCKET);
            rows.waits.push(WaitFact { hour, key, bucket, n: sign * row.try_get::<i64, _>(i + 1)? });
        }
        Ok(())
    }

    /// Adds the open backlog at hour `from_h` to the opening backlog of `rows`, which holds
    /// the facts of `[from_h, to_h)` just read: either the hour rows before `from_h`
    /// summed, or — when the hours after the period are fewer than the hours before it —
    /// the backlog over all time, less the period's own deltas (already in `rows`) and
    /// those of the hours after it. The same sums either way (the all-time rows are the
    /// hour rows' deltas added up in the same transactions); a recent period so reads
    /// neither the history nor its own hours twice.
    async fn read_hour_opening(
        &self,
        from_h: i64,
        to_h: i64,
        filter: &Filter,
        dimensions: &[Dimension],
        rows: &mut Rows,
    ) -> Result<(), StoreError> {
        let (first, last): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(hour), MAX(hour) FROM report_facts").fetch_one(&self.pool).await?;
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(());
        };
        let read = |from: Option<i64>, to: i64| Read {
            source: Source::Hours,
            from,
            to,
            filter,
            grouping: Grouping { by_time: false, by_priority: true, dimensions },
        };
        if from_h - first <= last - to_h {
            return self.read_opening(&read(None, from_h), 1, rows).await;
        }
        let grouping = Grouping { by_time: false, by_priority: true, dimensions };
        let (select, group) = grouping.columns("hour");
        let mut c = Conditions::default();
        conditions(filter, &mut c);
        let sql = format!(
            "SELECT {select}, CAST(SUM(backlog) AS BIGINT) FROM report_backlog{w} GROUP BY {group}",
            w = c.where_sql()
        );
        for row in sqlx::query_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await? {
            let (_, key, i) = grouping.key_of(&row)?;
            let counts = Counts { backlog: row.try_get::<i64, _>(i)?, ..Counts::default() };
            rows.opening.push(Fact { hour: from_h - 1, key, counts });
        }
        // The period's facts are keyed as the opening is (by priority and `dimensions`).
        let during: Vec<Fact> = rows
            .facts
            .iter()
            .filter(|f| f.counts.backlog != 0)
            .map(|f| Fact {
                hour: from_h - 1,
                key: f.key.clone(),
                counts: Counts { backlog: -f.counts.backlog, ..Counts::default() },
            })
            .collect();
        rows.opening.extend(during);
        if to_h <= last {
            self.read_opening(&read(Some(to_h), last + 1), -1, rows).await?;
        }
        Ok(())
    }

    /// Adds the backlog deltas `read` sums (times `sign`) to the opening backlog of `rows`.
    async fn read_opening(&self, read: &Read<'_>, sign: i64, rows: &mut Rows) -> Result<(), StoreError> {
        let whole = Read { grouping: Grouping { by_time: false, by_priority: true, ..read.grouping }, ..*read };
        let (sql, values) = whole.sql(read.source.tables()[0], "", "CAST(SUM(backlog) AS BIGINT)");
        for row in sqlx::query_with(&sql, arguments(&values)?).fetch_all(&self.pool).await? {
            let (_, key, i) = whole.grouping.key_of(&row)?;
            let counts = Counts { backlog: sign * row.try_get::<i64, _>(i)?, ..Counts::default() };
            rows.opening.push(Fact { hour: read.to - 1, key, counts });
        }
        Ok(())
    }
}
