//! `spikes.sweep`: once an hour, for the cluster as a whole (one pending job, key
//! `spikes.sweep`, which re-enqueues itself), judges the windows that ended since the last
//! run. A window re-judged after a crash records nothing twice (the store refuses a spike
//! overlapping a recorded one), and its alert is written only with a new spike, keyed by
//! the spike, so staff hear of each once however many nodes run.

use crate::documents::{load_or_default, DocumentKind};
use crate::jobs::notify::NotifyStaff;
use crate::jobs::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::notify::{Recipients, StaffAlert, StaffNotice};
use crate::{App, AppError};
use chrono::Duration;
use loopdesk_core::report::fact::{hour_of, hour_start};
use loopdesk_core::report::spike::{judge, Spike, SpikeReason};
use loopdesk_core::report::spike_rules::{SpikeDimension, SpikeRules};
use loopdesk_core::report::FactKey;
use loopdesk_core::{Ticket, TicketId};
use loopdesk_store::{JobState, SpikeRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const WEEK_HOURS: i64 = 7 * 24;
/// A sweep catches up at most this many hours (a node down for a week does not judge every
/// hour of it on its return).
const CATCH_UP_HOURS: i64 = 24;
/// Sample tickets kept with a spike.
const SAMPLES: usize = 5;
/// Tickets of a window read to pick samples from.
const SAMPLE_SCAN: usize = 5_000;

/// Judge the windows ending at hours `next_end` .. now.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SpikeSweep {
    /// The first window end (rollup hour) not judged yet.
    pub next_end: i64,
}

/// Enqueues the sweep unless one is already waiting (called at start-up).
pub async fn ensure(app: &App) -> Result<(), AppError> {
    let key = Key::spike_sweep();
    let waiting = app.read().job_by_key(key.as_str()).await?.is_some_and(|j| j.state == JobState::Pending);
    if !waiting {
        let job = SpikeSweep { next_end: hour_of(app.now()) };
        app.store.enqueue_all(&[crate::jobs::op(&job, app.now())]).await?;
    }
    Ok(())
}

impl Job for SpikeSweep {
    const KIND: JobKind = JobKind::SpikeSweep;

    fn key(&self) -> Key {
        Key::spike_sweep()
    }

    /// Judges every window ended since the last run, then comes back a minute after the
    /// next hour ends.
    async fn run(self, app: &App) -> Result<(), JobError> {
        let now = hour_of(app.now());
        let rules: SpikeRules = load_or_default(app, &DocumentKind::SpikeRules).await?;
        for end in self.next_end.max(now - CATCH_UP_HOURS)..=now {
            sweep(app, &rules, end).await?;
        }
        let next = SpikeSweep { next_end: now + 1 };
        let at = hour_start(now + 1) + Duration::minutes(1);
        app.store.enqueue_all(&[crate::jobs::op(&next, at)]).await?;
        Ok(())
    }
}

/// Judges the window ending at hour `end` in every dimension; returns the spikes recorded.
pub async fn sweep(app: &App, rules: &SpikeRules, end: i64) -> Result<Vec<SpikeRecord>, AppError> {
    let w = rules.window_hours.max(1) as i64;
    let mut recorded = Vec::new();
    for dimension in SpikeDimension::ALL {
        let least = rules.least_count(*dimension);
        let now = app.read().spike_counts(*dimension, end - w, end, least, None).await?;
        let candidates: Vec<String> =
            now.iter().map(|(_, v, _)| v.clone()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        if candidates.is_empty() {
            continue;
        }
        let from = end - rules.weeks as i64 * WEEK_HOURS - 1 - w;
        let history = app.read().spike_counts(*dimension, from, end, 0, Some(&candidates)).await?;
        let mut hourly: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for (hour, value, n) in &history {
            let series = hourly.entry(value.as_str()).or_insert_with(|| vec![0; (end - from) as usize]);
            if let Some(slot) = usize::try_from(hour - from).ok().and_then(|i| series.get_mut(i)) {
                *slot += n;
            }
        }
        for (value, series) in hourly {
            let rule = rules.rule_for(*dimension, value);
            if let Some(spike) = judge(&series, series.len(), &rule) {
                if let Some(r) = record(app, *dimension, value, end, w, spike).await? {
                    recorded.push(r);
                }
            }
        }
    }
    Ok(recorded)
}

/// The value of `dimension` a ticket is counted under.
fn value_of(dimension: SpikeDimension, t: &Ticket) -> String {
    let key = FactKey::of(t);
    match dimension {
        SpikeDimension::Category => key.category,
        SpikeDimension::Subtag => key.subtag,
        SpikeDimension::Product => key.product,
        SpikeDimension::Cluster => t.triage.as_ref().and_then(|x| x.cluster_id).unwrap_or(t.id.0).to_string(),
    }
}

/// Records a spike with sample tickets and its alert (nothing if already recorded).
async fn record(
    app: &App,
    dimension: SpikeDimension,
    value: &str,
    end: i64,
    w: i64,
    spike: Spike,
) -> Result<Option<SpikeRecord>, AppError> {
    let (start, stop) = (hour_start(end - w), hour_start(end));
    let samples: Vec<TicketId> = app
        .read()
        .tickets_recorded_in(start, stop, SAMPLE_SCAN)
        .await?
        .iter()
        .filter(|t| value_of(dimension, t) == value)
        .take(SAMPLES)
        .map(|t| t.id)
        .collect();
    let reason = match spike.reason {
        SpikeReason::Threshold => "threshold",
        SpikeReason::Unusual => "unusual",
    };
    let mut r = SpikeRecord {
        id: 0,
        dimension,
        value: value.to_string(),
        window_start: start,
        window_end: stop,
        observed: spike.observed,
        baseline: spike.baseline,
        bar: spike.bar,
        score: spike.score,
        reason: reason.into(),
        sample_ticket_ids: samples.iter().map(|t| t.0).collect(),
        detected_at: app.now(),
    };
    let text = format!(
        "{dimension} {value}: {} 条 / reports in {w} h (通常 usual {:.1}, 阈值 bar {:.0}, {reason})",
        r.observed, r.baseline, r.bar
    );
    let notice = StaffNotice {
        ticket_id: samples.first().copied(),
        alert: StaffAlert::Spike,
        to: Recipients::supervisors(),
        text,
    };
    let key = Key::spike(dimension.as_str(), value, end);
    let alert = NotifyStaff { notice, key: Some(key.to_string()) };
    let ops = [crate::jobs::op(&alert, app.now())];
    Ok(app.store.record_spike(&r, &ops).await?.map(|id| {
        r.id = id;
        r
    }))
}
