//! The reports, computed from rollup rows already narrowed to the filter: a summary with
//! its comparisons, a trend in buckets, and tables by one or two dimensions.

use super::dimension::Dimension;
use super::fact::{hour_start, Fact, SlaFact, WaitFact};
use super::figures::{Figures, Measure, Unit};
use crate::sla::TargetKind;
use crate::{Priority, Timestamp};
use std::collections::BTreeMap;

crate::named_enum!(
    /// The reports there are.
    ReportName {
        /// Every figure of the period against the previous period and a year earlier.
        Summary = "summary",
        /// Figures per bucket of a grain, with the previous period's buckets beside.
        Trend = "trend",
        /// Figures per value of one dimension (or two crossed).
        Breakdown = "breakdown",
        /// Channel effectiveness: one row per channel.
        Channels = "channels",
        /// One row per agent.
        Agents = "agents",
    }
);

/// Rollup rows of one period: facts, SLA results and waits of the period, and the
/// backlog deltas of everything before it (`opening`).
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub facts: Vec<Fact>,
    pub sla: Vec<SlaFact>,
    pub waits: Vec<WaitFact>,
    pub opening: Vec<Fact>,
}

/// The figures of all `rows`.
pub fn figures(rows: &Rows) -> Figures {
    let mut f = Figures::default();
    rows.facts.iter().for_each(|x| f.add(x));
    rows.sla.iter().for_each(|x| f.add_sla(x));
    rows.waits.iter().for_each(|x| f.add_wait(x));
    rows.opening.iter().for_each(|x| f.add_opening(x));
    f
}

/// SLA targets a summary reports per priority.
pub const SUMMARY_TARGETS: [TargetKind; 4] =
    [TargetKind::Acknowledge, TargetKind::FirstResponse, TargetKind::Plan, TargetKind::Result];

/// One figure with its comparisons. `change` is the difference from the previous period
/// (in points for a ratio), `change_year` from the same period a year earlier.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SummaryRow {
    pub measure: Measure,
    pub priority: Option<Priority>,
    pub target: Option<TargetKind>,
    pub unit: Unit,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub year_ago: Option<f64>,
    pub change: Option<f64>,
    pub change_year: Option<f64>,
}

fn diff(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

/// Every figure of `current`, against `previous` and `year_ago`.
pub fn summary(current: &Rows, previous: &Rows, year_ago: &Rows) -> Vec<SummaryRow> {
    let [c, p, y] = [current, previous, year_ago].map(figures);
    let row = |measure: Measure, priority: Option<Priority>, target: Option<TargetKind>| {
        let [value, previous, year_ago] = [&c, &p, &y].map(|f| f.value(measure, priority, target));
        SummaryRow {
            measure,
            priority,
            target,
            unit: measure.unit(),
            value,
            previous,
            year_ago,
            change: diff(value, previous),
            change_year: diff(value, year_ago),
        }
    };
    let mut out: Vec<SummaryRow> = Measure::ALL
        .iter()
        .filter(|m| !matches!(m, Measure::OnTimeRate | Measure::SlaCompleted))
        .map(|m| row(*m, None, None))
        .collect();
    out.extend(SUMMARY_TARGETS.iter().map(|t| row(Measure::OnTimeRate, None, Some(*t))));
    for p in Priority::ALL {
        for m in
            [Measure::Volume, Measure::FirstResponseMean, Measure::Resolved, Measure::HandlingMean, Measure::Backlog]
        {
            out.push(row(m, Some(*p), None));
        }
        for t in SUMMARY_TARGETS {
            out.push(row(Measure::OnTimeRate, Some(*p), Some(t)));
            out.push(row(Measure::SlaCompleted, Some(*p), Some(t)));
        }
    }
    out
}

/// Measures of a trend's buckets.
pub const TREND_MEASURES: [Measure; 11] = [
    Measure::Volume,
    Measure::IntakeTimeliness,
    Measure::FirstResponseMean,
    Measure::FirstResponseP90,
    Measure::Resolved,
    Measure::HandlingMean,
    Measure::OnTimeRate,
    Measure::SatisfiedShare,
    Measure::MeanScore,
    Measure::FollowUpRate,
    Measure::Backlog,
];

/// One bucket of a trend: `values` in [`TREND_MEASURES`] order, and those of the bucket
/// at the same position in the previous period (absent where it has fewer buckets).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendBucket {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub start: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub end: Timestamp,
    pub values: Vec<Option<f64>>,
    pub previous: Vec<Option<f64>>,
}

/// The figures of each bucket between consecutive `boundaries`, backlogs carried over.
fn bucket_figures(rows: &Rows, boundaries: &[Timestamp]) -> Vec<Figures> {
    let n = boundaries.len().saturating_sub(1);
    let mut out = vec![Figures::default(); n];
    let index = |hour: i64| {
        let at = hour_start(hour);
        let i = boundaries.partition_point(|b| *b <= at);
        (i >= 1 && i <= n).then(|| i - 1)
    };
    for f in &rows.facts {
        if let Some(i) = index(f.hour) {
            out[i].add(f);
        }
    }
    for f in &rows.sla {
        if let Some(i) = index(f.hour) {
            out[i].add_sla(f);
        }
    }
    for f in &rows.waits {
        if let Some(i) = index(f.hour) {
            out[i].add_wait(f);
        }
    }
    let mut open: BTreeMap<Priority, i64> = BTreeMap::new();
    rows.opening.iter().for_each(|f| *open.entry(f.key.priority).or_default() += f.counts.backlog);
    for bucket in &mut out {
        bucket.opening = open.clone();
        for (p, c) in &bucket.by_priority {
            *open.entry(*p).or_default() += c.backlog;
        }
    }
    out
}

/// The trend of `rows` over `boundaries` beside `previous` over its own boundaries.
pub fn trend(
    rows: &Rows,
    boundaries: &[Timestamp],
    previous: &Rows,
    previous_bounds: &[Timestamp],
) -> Vec<TrendBucket> {
    let now = bucket_figures(rows, boundaries);
    let before = bucket_figures(previous, previous_bounds);
    let values = |f: &Figures| TREND_MEASURES.iter().map(|m| f.value(*m, None, None)).collect::<Vec<_>>();
    now.iter()
        .enumerate()
        .map(|(i, f)| TrendBucket {
            start: boundaries[i],
            end: boundaries[i + 1],
            values: values(f),
            previous: before.get(i).map(values).unwrap_or_else(|| vec![None; TREND_MEASURES.len()]),
        })
        .collect()
}

/// A table row: the dimension values (as the queue filter takes them) and the measures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableRow {
    pub keys: Vec<String>,
    pub values: Vec<Option<f64>>,
}

/// A breakdown: rows by the values of `dimensions`, largest volume first, and the total.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Table {
    pub dimensions: Vec<Dimension>,
    pub measures: Vec<Measure>,
    pub rows: Vec<TableRow>,
    pub total: Vec<Option<f64>>,
}

/// Measures of a breakdown by any dimension.
pub const BREAKDOWN_MEASURES: [Measure; 9] = [
    Measure::Volume,
    Measure::IntakeTimeliness,
    Measure::FirstResponseMean,
    Measure::Resolved,
    Measure::HandlingMean,
    Measure::OnTimeRate,
    Measure::SatisfiedShare,
    Measure::ReopenRate,
    Measure::Backlog,
];

/// Channel effectiveness (issue 16 §4).
pub const CHANNEL_MEASURES: [Measure; 10] = [
    Measure::Volume,
    Measure::SpamShare,
    Measure::IntakeTimeliness,
    Measure::FirstResponseMean,
    Measure::FirstResponseMedian,
    Measure::HandlingMean,
    Measure::SatisfiedShare,
    Measure::MeanScore,
    Measure::FollowUpRate,
    Measure::TrackingLookups,
];

/// An agent's work.
pub const AGENT_MEASURES: [Measure; 9] = [
    Measure::Volume,
    Measure::FirstResponseMean,
    Measure::Resolved,
    Measure::HandlingMean,
    Measure::OnTimeRate,
    Measure::SatisfiedShare,
    Measure::MeanScore,
    Measure::ReopenRate,
    Measure::Backlog,
];

/// The table of `rows` by `dimensions` (one or two), with `measures`.
pub fn breakdown(rows: &Rows, dimensions: &[Dimension], measures: &[Measure]) -> Table {
    let key = |k: &crate::report::FactKey| dimensions.iter().map(|d| d.value(k)).collect::<Vec<_>>();
    let mut cells: BTreeMap<Vec<String>, Figures> = BTreeMap::new();
    rows.facts.iter().for_each(|f| cells.entry(key(&f.key)).or_default().add(f));
    rows.sla.iter().for_each(|f| cells.entry(key(&f.key)).or_default().add_sla(f));
    rows.waits.iter().for_each(|f| cells.entry(key(&f.key)).or_default().add_wait(f));
    rows.opening.iter().for_each(|f| cells.entry(key(&f.key)).or_default().add_opening(f));
    let values = |f: &Figures| measures.iter().map(|m| f.value(*m, None, None)).collect::<Vec<_>>();
    let mut out: Vec<(i64, TableRow)> = cells
        .into_iter()
        .filter(|(_, f)| !nothing_happened(f))
        .map(|(keys, f)| (f.counts.recorded, TableRow { keys, values: values(&f) }))
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.keys.cmp(&b.1.keys)));
    Table {
        dimensions: dimensions.to_vec(),
        measures: measures.to_vec(),
        rows: out.into_iter().map(|(_, r)| r).collect(),
        total: values(&figures(rows)),
    }
}

/// A cell with no counts, results, waits nor open tickets: rows a ticket has moved out of
/// stay in the rollup with zero sums, and a breakdown does not list them.
fn nothing_happened(f: &Figures) -> bool {
    f.counts == Default::default()
        && f.sla.values().all(|(m, b)| m + b == 0)
        && f.waits.total() == 0
        && f.opening.values().all(|n| *n == 0)
}
