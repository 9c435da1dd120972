//! Cost of deriving every SLA clock of one ticket (what a recount after a calendar or
//! policy edit does per open ticket).

use chrono::Duration;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use loopdesk_core::calendar::Calendars;
use loopdesk_core::event::Command;
use loopdesk_core::sla::{self, SlaPolicy};
use loopdesk_core::Priority;
use std::hint::black_box;

// The tests' ticket story, so the bench measures the same timelines they check.
#[path = "../tests/support/mod.rs"]
mod support;

/// A typical open ticket: assigned, acknowledged, answered, paused once, resumed.
fn story() -> support::Story {
    let t0 = support::bj(2026, 2, 10, 10, 0);
    let hour = |h| t0 + Duration::hours(h);
    let mut s = support::Story::opened(Priority::Medium, t0);
    s.assign(hour(1), 2)
        .act(hour(2), Command::Acknowledge)
        .reply(hour(3))
        .act(hour(4), Command::RequestInfo { message: "请提供订单号".into() })
        .act(hour(20), Command::ProvideInfo { body: "12345".into() });
    s
}

fn clocks(c: &mut Criterion) {
    let s = story();
    let (policy, calendars) = (SlaPolicy::default(), Calendars::default());
    let now = support::bj(2026, 2, 27, 11, 0);
    let mut group = c.benchmark_group("sla");
    group.throughput(Throughput::Elements(1));
    group.bench_function("clocks_and_next_due", |b| {
        b.iter(|| {
            let all = sla::clocks(&s.ticket, &s.timeline, &policy, &calendars, black_box(now)).unwrap();
            black_box(sla::next_due(&all, now))
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(20);
    targets = clocks
}
criterion_main!(benches);
