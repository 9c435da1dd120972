//! What the report tests share: the SLA hook, the core's rows straight from the tickets,
//! the filters tried and the comparison of everything a store read gives with them.
// Each test file uses a part of it.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use loopdesk_core::report::fact::{first_response_wait_ms, hour_of, hour_start};
use loopdesk_core::report::{self, contributions, Dimension, FactKey, Filter, Measure, Rows};
use loopdesk_core::{Channel, CustomerTier, DepartmentId, Priority, Ticket, Timestamp, UserId};
use loopdesk_store::{Buckets, CompletedTarget, Store};

pub fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

/// Records a met `result` target whenever a ticket gets resolved (missed when urgent).
pub struct ResultHook;

impl loopdesk_store::Effects for ResultHook {
    fn owed(&self, c: &loopdesk_store::Change<'_>) -> loopdesk_store::Owed {
        let sla_results = match (c.before, c.after.resolved_at) {
            (Some(before), Some(at)) if before.resolved_at != Some(at) => {
                vec![CompletedTarget {
                    target: "result".into(),
                    stopped_at: at,
                    met: c.after.priority != Priority::Urgent,
                }]
            }
            _ => Vec::new(),
        };
        loopdesk_store::Owed { sla_results, ..Default::default() }
    }
}

/// The core's rows straight from the tickets and the status look-ups (each what
/// `report::fact::lookup` says it contributes), no SLA: compared separately.
pub fn direct(tickets: &[Ticket], lookups: &[report::Fact], filter: &Filter, from: i64, to: i64) -> Rows {
    let mut rows = Rows::default();
    let counted = lookups.iter().filter(|f| filter.matches(&f.key) && (from..to).contains(&f.hour));
    rows.facts.extend(counted.cloned());
    for t in tickets.iter().filter(|t| filter.matches(&FactKey::of(t))) {
        for (at, counts) in contributions(t) {
            let fact = report::Fact { hour: hour_of(at), key: FactKey::of(t), counts };
            if fact.hour < from {
                rows.opening.push(fact);
            } else if fact.hour < to {
                rows.facts.push(fact);
            }
        }
        if let Some(w) = first_response_wait_ms(t).filter(|_| (from..to).contains(&hour_of(t.recorded_at))) {
            rows.waits.push(report::WaitFact {
                hour: hour_of(t.recorded_at),
                key: FactKey::of(t),
                bucket: report::sketch::bucket(w),
                n: 1,
            });
        }
    }
    rows
}

pub fn filters() -> Vec<Filter> {
    vec![
        Filter::default(),
        Filter { channel: Some(Channel::Email), ..Filter::default() },
        Filter { category: Some("payment".into()), priority: Some(Priority::High), ..Filter::default() },
        Filter { department: Some(DepartmentId(2)), product: Some("X1".into()), ..Filter::default() },
        Filter {
            agent: Some(UserId(8)),
            tier: Some(CustomerTier::Vip),
            subtag: Some("外观".into()),
            ..Filter::default()
        },
    ]
}

pub async fn check_between(store: &Store, tickets: &[Ticket], lookups: &[report::Fact], from: i64, to: i64) {
    for filter in filters() {
        for (dims, buckets) in [
            (vec![], Buckets::Hours),
            (vec![], Buckets::Period),
            (vec![Dimension::Channel], Buckets::Hours),
            (vec![Dimension::Category, Dimension::Agent], Buckets::Period),
            (vec![], Buckets::Days(store.report_zone())),
            (vec![Dimension::Department], Buckets::Period),
        ] {
            let mut got = store.report_rows(hour_start(from), hour_start(to), &filter, &dims, buckets).await.unwrap();
            let want = direct(tickets, lookups, &filter, from, to);
            // SLA results come from the hook, not the tickets: compare everything else.
            got.sla.clear();
            let measures: Vec<Measure> = Measure::ALL.to_vec();
            let (g, w) = (report::figures(&got), report::figures(&want));
            // Rows by hour or day are summed across priorities (a trend shows no more):
            // figures per priority are compared for period reads only.
            let priorities: &[Option<Priority>] =
                if buckets == Buckets::Period { &[None, Some(Priority::High)] } else { &[None] };
            for m in &measures {
                for p in priorities {
                    assert_eq!(g.value(*m, *p, None), w.value(*m, *p, None), "{m} {p:?} {filter:?} {dims:?}");
                }
            }
            if buckets != Buckets::Period {
                // Every figure of a trend by day, bucket by bucket.
                let period = report::Period::new(hour_start(from), hour_start(to)).unwrap();
                let bounds = period.boundaries(report::Grain::Day, store.report_zone()).unwrap();
                let none = Rows::default();
                assert_eq!(
                    report::trend(&got, &bounds, &none, &bounds),
                    report::trend(&want, &bounds, &none, &bounds),
                    "{filter:?} {dims:?} {buckets:?}"
                );
            }
            if !dims.is_empty() {
                assert_eq!(report::breakdown(&got, &dims, &measures), report::breakdown(&want, &dims, &measures));
            }
        }
    }
}
