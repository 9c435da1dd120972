//! Property tests: every figure computed from rollup rows equals the same figure computed
//! directly from random tickets, for random periods and filters.

use super::engine::{figures, trend, Rows, TREND_MEASURES};
use super::fact::{contributions, first_response_wait_ms, hour_of, Fact, FactKey, SlaFact, WaitFact};
use super::figures::Measure;
use super::period::{Grain, Period};
use super::sketch::{bucket, exact_quantile, RELATIVE_ERROR};
use super::Filter;
use crate::sla::TargetKind;
use crate::ticket::Rating;
use crate::{Channel, Customer, CustomerTier, DepartmentId, Priority, Satisfaction, State, Ticket, Timestamp, UserId};
use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// A random ticket history, as its current row.
fn ticket() -> impl Strategy<Value = Ticket> {
    let dims = (0..Channel::ALL.len(), 0..3usize, 0..3usize, 0..4usize, 0..4usize, 0..4usize, 0..3usize);
    let times = (0i64..40 * 24 * 60, 0i64..90, proptest::option::of(0i64..5 * 24 * 60), 0..6usize);
    let after = (0i64..8 * 24 * 60, proptest::option::of((0..3usize, proptest::option::of(1u8..=5), 0i64..3000)));
    let flags = (any::<bool>(), any::<bool>(), any::<bool>(), 0..4usize);
    (dims, times, after, flags).prop_map(|(d, tm, af, fl)| {
        let received = t0() + Duration::minutes(tm.0);
        let recorded = received + Duration::minutes(tm.1);
        let customer = Customer {
            name: None,
            anonymous: true,
            phone: None,
            email: None,
            address: None,
            member_id: None,
            tier: CustomerTier::ALL[d.6],
        };
        let mut t = Ticket::draft(Channel::ALL[d.0], "x".into(), customer, received, recorded);
        t.category = ["", "payment", "logistics"][d.1].to_string().into();
        t.category = t.category.filter(|c| !c.is_empty());
        t.subtags = match d.2 {
            0 => vec![],
            1 => vec!["外观".into()],
            _ => vec!["性能".into(), "外观".into()],
        };
        t.product.product = [None, Some("X1"), Some(" X1 "), Some("洗衣机")][d.3].map(String::from);
        t.department_id = (d.4 > 0).then_some(DepartmentId(d.4 as i64));
        t.assignee_id = (d.5 > 0).then_some(UserId(d.5 as i64));
        t.priority = Priority::ALL[fl.3];
        t.first_response_at = tm.2.map(|m| recorded + Duration::minutes(m));
        t.state = [State::New, State::InProgress, State::Resolved, State::Closed, State::Rejected, State::Merged][tm.3];
        let resolved = recorded + Duration::minutes(af.0);
        if matches!(t.state, State::Resolved | State::Closed) {
            t.resolved_at = Some(resolved);
            if let Some((r, score, m)) = af.1 {
                let rating = [Rating::Satisfied, Rating::Neutral, Rating::Unsatisfied][r];
                t.satisfaction =
                    Some(Satisfaction { rating, score, comment: None, answered_at: resolved + Duration::minutes(m) });
            }
        }
        t.updated_at = recorded + Duration::minutes(af.0 + 7);
        t.escalated = fl.0;
        t.reopened = fl.1;
        t.triage = Some(crate::TriageSummary { needs_manual_triage: fl.2, ..Default::default() });
        t
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    (
        proptest::option::of(0..Channel::ALL.len()),
        proptest::option::of(prop_oneof![Just(""), Just("payment")]),
        proptest::option::of(prop_oneof![Just("X1"), Just("")]),
        proptest::option::of(1i64..4),
        proptest::option::of(0..Priority::ALL.len()),
    )
        .prop_map(|(c, cat, prod, dep, p)| Filter {
            channel: c.map(|i| Channel::ALL[i]),
            category: cat.map(String::from),
            product: prod.map(String::from),
            department: dep.map(DepartmentId),
            priority: p.map(|i| Priority::ALL[i]),
            ..Filter::default()
        })
}

/// The rollup rows of `tickets` (what the store keeps), narrowed to `filter`, for `[from, to)` hours.
fn rows(tickets: &[Ticket], sla: &[SlaFact], filter: &Filter, from: i64, to: i64) -> Rows {
    let mut facts: BTreeMap<(i64, FactKey), super::Counts> = BTreeMap::new();
    let mut waits: BTreeMap<(i64, FactKey, u32), i64> = BTreeMap::new();
    for t in tickets {
        let key = FactKey::of(t);
        for (at, c) in contributions(t) {
            facts.entry((hour_of(at), key.clone())).or_default().add(&c, 1);
        }
        if let Some(w) = first_response_wait_ms(t) {
            *waits.entry((hour_of(t.recorded_at), key.clone(), bucket(w))).or_default() += 1;
        }
    }
    let keep = |h: i64, k: &FactKey| filter.matches(k) && h >= from && h < to;
    let all: Vec<Fact> = facts.into_iter().map(|((hour, key), counts)| Fact { hour, key, counts }).collect();
    Rows {
        facts: all.iter().filter(|f| keep(f.hour, &f.key)).cloned().collect(),
        opening: all.iter().filter(|f| filter.matches(&f.key) && f.hour < from).cloned().collect(),
        sla: sla.iter().filter(|s| keep(s.hour, &s.key)).cloned().collect(),
        waits: waits
            .into_iter()
            .filter(|((h, k, _), _)| keep(*h, k))
            .map(|((hour, key, bucket), n)| WaitFact { hour, key, bucket, n })
            .collect(),
    }
}

/// Direct computations from the tickets.
fn within(t: Timestamp, p: &Period) -> bool {
    t >= p.from && t < p.to
}

fn open_at(t: &Ticket, at: Timestamp) -> bool {
    let left = match t.state {
        State::Resolved | State::Closed => t.resolved_at,
        State::Rejected | State::Merged => Some(t.updated_at),
        _ => None,
    };
    t.recorded_at < at && left.is_none_or(|l| l >= at)
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9 * a.abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| n as f64 / of as f64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn figures_from_rollups_equal_figures_from_tickets(
        tickets in proptest::collection::vec(ticket(), 0..60),
        sla in proptest::collection::vec((0usize..60, 0usize..2, 0i64..1200, any::<bool>()), 0..40),
        filter in filter(),
        start in 0i64..900,
        len in 1i64..500,
    ) {
        let sla: Vec<SlaFact> = sla.iter().filter(|s| s.0 < tickets.len()).map(|(i, target, h, met)| SlaFact {
            hour: hour_of(t0()) + h,
            key: FactKey::of(&tickets[*i]),
            target: [TargetKind::Result, TargetKind::FirstResponse][*target],
            met: i64::from(*met),
            breached: i64::from(!*met),
        }).collect();
        let from_h = hour_of(t0()) + start;
        let p = Period::new(super::fact::hour_start(from_h), super::fact::hour_start(from_h + len)).unwrap();
        let f = figures(&rows(&tickets, &sla, &filter, from_h, from_h + len));
        let mine: Vec<&Ticket> = tickets.iter().filter(|t| filter.matches(&FactKey::of(t))).collect();

        let recorded: Vec<&&Ticket> = mine.iter().filter(|t| within(t.recorded_at, &p)).collect();
        let v = |m| f.value(m, None, None);
        prop_assert_eq!(v(Measure::Volume), Some(recorded.len() as f64));
        let timely = recorded.iter().filter(|t| {
            let limit = if matches!(t.channel, Channel::Web | Channel::App) { 5 } else { 30 };
            t.recorded_at - t.received_at <= Duration::minutes(limit)
        }).count();
        prop_assert!(close(v(Measure::IntakeTimeliness), share(timely, recorded.len())));
        let waits: Vec<i64> = recorded.iter().filter_map(|t| t.first_response_at.map(|a| (a - t.received_at).num_milliseconds())).collect();
        let mean_wait = (!waits.is_empty()).then(|| waits.iter().sum::<i64>() as f64 / waits.len() as f64);
        prop_assert!(close(v(Measure::FirstResponseMean), mean_wait));
        for (m, q) in [(Measure::FirstResponseMedian, 0.5), (Measure::FirstResponseP90, 0.9)] {
            match (v(m), exact_quantile(&waits, q)) {
                (None, None) => {}
                (Some(est), Some(exact)) if exact >= 1000 => prop_assert!((est - exact as f64).abs() <= RELATIVE_ERROR * exact as f64),
                (Some(est), Some(_)) => prop_assert!(est < 1000.0),
                other => prop_assert!(false, "{:?}", other),
            }
        }
        let flag = |g: fn(&Ticket) -> bool| share(recorded.iter().filter(|t| g(t)).count(), recorded.len());
        prop_assert!(close(v(Measure::ReopenRate), flag(|t| t.reopened)));
        prop_assert!(close(v(Measure::EscalationRate), flag(|t| t.escalated)));
        prop_assert!(close(v(Measure::SpamShare), flag(|t| t.state == State::Rejected)));
        prop_assert!(close(v(Measure::MergeShare), flag(|t| t.state == State::Merged)));
        prop_assert!(close(v(Measure::ManualTriageShare), flag(|t| t.triage.as_ref().is_some_and(|x| x.needs_manual_triage))));

        let resolved: Vec<&&Ticket> = mine.iter().filter(|t| t.resolved_at.is_some_and(|a| within(a, &p))).collect();
        prop_assert_eq!(v(Measure::Resolved), Some(resolved.len() as f64));
        let handling: i64 = resolved.iter().map(|t| (t.resolved_at.unwrap() - t.received_at).num_milliseconds()).sum();
        prop_assert!(close(v(Measure::HandlingMean), (!resolved.is_empty()).then(|| handling as f64 / resolved.len() as f64)));
        let followed = resolved.iter().filter(|t| t.satisfaction.is_some()).count();
        prop_assert!(close(v(Measure::FollowUpRate), share(followed, resolved.len())));

        let answers: Vec<&Satisfaction> = mine.iter().filter_map(|t| t.satisfaction.as_ref()).filter(|s| within(s.answered_at, &p)).collect();
        let rated = |r| share(answers.iter().filter(|s| s.rating == r).count(), answers.len());
        prop_assert!(close(v(Measure::SatisfiedShare), rated(Rating::Satisfied)));
        prop_assert!(close(v(Measure::UnsatisfiedShare), rated(Rating::Unsatisfied)));
        let scores: Vec<f64> = answers.iter().filter_map(|s| s.score.map(f64::from)).collect();
        prop_assert!(close(v(Measure::MeanScore), (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)));

        let backlog = mine.iter().filter(|t| open_at(t, p.to)).count();
        prop_assert_eq!(v(Measure::Backlog), Some(backlog as f64));

        for prio in Priority::ALL {
            let n = recorded.iter().filter(|t| t.priority == *prio).count();
            prop_assert_eq!(f.value(Measure::Volume, Some(*prio), None), Some(n as f64));
            let in_p: Vec<&SlaFact> = sla.iter().filter(|s| s.key.priority == *prio && s.target == TargetKind::Result
                && filter.matches(&s.key) && s.hour >= from_h && s.hour < from_h + len).collect();
            let met = in_p.iter().map(|s| s.met).sum::<i64>() as usize;
            prop_assert!(close(f.value(Measure::OnTimeRate, Some(*prio), None), share(met, in_p.len())));
        }
    }

    #[test]
    fn a_trend_adds_up_to_its_period_and_carries_the_backlog(
        tickets in proptest::collection::vec(ticket(), 0..60),
        start in 0i64..600,
        days in 1i64..20,
    ) {
        let tz = chrono_tz::Asia::Shanghai;
        let from_h = hour_of(t0()) + start;
        let p = Period::new(super::fact::hour_start(from_h), super::fact::hour_start(from_h + days * 24)).unwrap();
        let r = rows(&tickets, &[], &Filter::default(), from_h, from_h + days * 24);
        let bounds = p.boundaries(Grain::Day, tz).unwrap();
        let buckets = trend(&r, &bounds, &Rows::default(), &bounds);
        let volume = TREND_MEASURES.iter().position(|m| *m == Measure::Volume).unwrap();
        let backlog = TREND_MEASURES.iter().position(|m| *m == Measure::Backlog).unwrap();
        let total: f64 = buckets.iter().filter_map(|b| b.values[volume]).sum();
        prop_assert_eq!(Some(total), figures(&r).value(Measure::Volume, None, None));
        for b in &buckets {
            let open = tickets.iter().filter(|t| open_at(t, b.end)).count();
            prop_assert_eq!(b.values[backlog], Some(open as f64), "at {}", b.end);
        }
    }
}
