//! The figures of a report and their one definition each: every number the dashboard, a
//! report, an export or a summary shows is [`Figures::value`] of a [`Measure`] over summed
//! rollup rows, so two screens can no longer divide by different things.

use super::fact::{Counts, Fact, SlaFact, WaitFact};
use super::sketch::Histogram;
use crate::sla::TargetKind;
use crate::Priority;
use std::collections::BTreeMap;

/// `n` of `of` as a share (0–1); `None` for none of none.
pub fn rate(n: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

/// `sum / n`; `None` for none.
pub fn mean(sum: i64, n: i64) -> Option<f64> {
    (n > 0).then(|| sum as f64 / n as f64)
}

crate::named_enum!(
    /// A figure a report shows.
    Measure {
        /// Tickets recorded.
        Volume = "volume",
        /// Share recorded within the intake target after receipt.
        IntakeTimeliness = "intake_timeliness",
        /// Tickets recorded that got a first response.
        FirstResponses = "first_responses",
        /// First-response wait (received → first response) of those, in ms.
        FirstResponseMean = "first_response_mean_ms",
        FirstResponseMedian = "first_response_median_ms",
        FirstResponseP90 = "first_response_p90_ms",
        /// Latest resolutions in the period.
        Resolved = "resolved",
        /// Handling time (received → resolved) of those, in ms.
        HandlingMean = "handling_mean_ms",
        /// Share of stopped SLA clocks of a target that were met (the `result` target
        /// unless another is named): the dashboard's "on time".
        OnTimeRate = "on_time_rate",
        /// SLA clocks of the target that stopped in the period (met or breached).
        SlaCompleted = "sla_completed",
        /// Shares of the survey answers given in the period.
        SatisfiedShare = "satisfied_share",
        NeutralShare = "neutral_share",
        UnsatisfiedShare = "unsatisfied_share",
        /// Mean of the scores given.
        MeanScore = "mean_score",
        /// Share of the period's resolutions whose customer answered the survey (回访率).
        FollowUpRate = "follow_up_rate",
        /// Shares of the tickets recorded that were reopened or escalated.
        ReopenRate = "reopen_rate",
        EscalationRate = "escalation_rate",
        /// Open tickets at the end of the period (or bucket).
        Backlog = "backlog",
        /// Shares of the tickets recorded that were rejected (spam, abuse, out of scope),
        /// merged as duplicates, or needed manual triage.
        SpamShare = "spam_share",
        MergeShare = "merge_share",
        ManualTriageShare = "manual_triage_share",
        /// Customers' look-ups of their feedback's status by tracking number in the
        /// period (self-service tracking use).
        TrackingLookups = "tracking_lookups",
    }
);

crate::named_enum!(
    /// How a measure's value reads.
    Unit {
        Count = "count",
        /// 0–1.
        Ratio = "ratio",
        Milliseconds = "ms",
        Score = "score",
    }
);

impl Measure {
    pub fn unit(self) -> Unit {
        use Measure::*;
        match self {
            Volume | FirstResponses | Resolved | SlaCompleted | Backlog | TrackingLookups => Unit::Count,
            FirstResponseMean | FirstResponseMedian | FirstResponseP90 | HandlingMean => Unit::Milliseconds,
            MeanScore => Unit::Score,
            _ => Unit::Ratio,
        }
    }
}

/// Summed rollup rows of one period (or bucket, or breakdown cell).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub counts: Counts,
    pub by_priority: BTreeMap<Priority, Counts>,
    pub sla: BTreeMap<(Priority, TargetKind), (i64, i64)>,
    pub waits: Histogram,
    pub waits_by_priority: BTreeMap<Priority, Histogram>,
    /// Open tickets at the period's start (sum of the backlog deltas before it).
    pub opening: BTreeMap<Priority, i64>,
}

impl Figures {
    pub fn add(&mut self, f: &Fact) {
        self.counts.add(&f.counts, 1);
        self.by_priority.entry(f.key.priority).or_default().add(&f.counts, 1);
    }

    pub fn add_sla(&mut self, f: &SlaFact) {
        let e = self.sla.entry((f.key.priority, f.target)).or_default();
        e.0 += f.met;
        e.1 += f.breached;
    }

    pub fn add_wait(&mut self, f: &WaitFact) {
        self.waits.add(f.bucket, f.n);
        self.waits_by_priority.entry(f.key.priority).or_default().add(f.bucket, f.n);
    }

    /// A row before the period: only its backlog delta counts, as the opening backlog.
    pub fn add_opening(&mut self, f: &Fact) {
        *self.opening.entry(f.key.priority).or_default() += f.counts.backlog;
    }

    /// The counts of one priority, or of all.
    fn counts_of(&self, priority: Option<Priority>) -> Counts {
        match priority {
            None => self.counts,
            Some(p) => self.by_priority.get(&p).copied().unwrap_or_default(),
        }
    }

    fn waits_of(&self, priority: Option<Priority>) -> Option<&Histogram> {
        match priority {
            None => Some(&self.waits),
            Some(p) => self.waits_by_priority.get(&p),
        }
    }

    /// Met and completed clocks of `target`, for one priority or all.
    pub fn sla_of(&self, priority: Option<Priority>, target: TargetKind) -> (i64, i64) {
        self.sla
            .iter()
            .filter(|((p, t), _)| *t == target && priority.is_none_or(|x| x == *p))
            .fold((0, 0), |(m, n), (_, (met, breached))| (m + met, n + met + breached))
    }

    /// The value of `measure` for one priority (or all), `target` naming the SLA target of
    /// [`Measure::OnTimeRate`] and [`Measure::SlaCompleted`] (`result` when `None`).
    /// `None` when the figure has nothing to measure (no tickets, no answers, ...).
    pub fn value(&self, measure: Measure, priority: Option<Priority>, target: Option<TargetKind>) -> Option<f64> {
        use Measure::*;
        let c = self.counts_of(priority);
        let target = target.unwrap_or(TargetKind::Result);
        let quantile = |q| self.waits_of(priority).and_then(|h| h.quantile(q));
        match measure {
            Volume => Some(c.recorded as f64),
            IntakeTimeliness => rate(c.intake_on_time, c.recorded),
            FirstResponses => Some(c.first_responses as f64),
            FirstResponseMean => mean(c.first_response_ms, c.first_responses),
            FirstResponseMedian => quantile(0.5),
            FirstResponseP90 => quantile(0.9),
            Resolved => Some(c.resolved as f64),
            HandlingMean => mean(c.handling_ms, c.resolved),
            OnTimeRate => {
                let (met, of) = self.sla_of(priority, target);
                rate(met, of)
            }
            SlaCompleted => Some(self.sla_of(priority, target).1 as f64),
            SatisfiedShare => rate(c.satisfied, c.answered),
            NeutralShare => rate(c.neutral, c.answered),
            UnsatisfiedShare => rate(c.unsatisfied, c.answered),
            MeanScore => mean(c.score_sum, c.scored),
            FollowUpRate => rate(c.followed_up, c.resolved),
            ReopenRate => rate(c.reopened, c.recorded),
            EscalationRate => rate(c.escalated, c.recorded),
            Backlog => {
                let opening = match priority {
                    None => self.opening.values().sum(),
                    Some(p) => self.opening.get(&p).copied().unwrap_or(0),
                };
                Some((opening + c.backlog) as f64)
            }
            SpamShare => rate(c.rejected, c.recorded),
            MergeShare => rate(c.merged, c.recorded),
            ManualTriageShare => rate(c.manual_triage, c.recorded),
            TrackingLookups => Some(c.tracked as f64),
        }
    }
}
