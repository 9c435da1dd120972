//! Calendar arithmetic throughput on one core: add and diff on the China calendar
//! (holidays, make-up days, lunch-free 09:00–18:00), plus building the calendar.

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use loopdesk_core::calendar::Calendar;
use loopdesk_core::Timestamp;
use std::hint::black_box;

const N: usize = 4096;

/// Deterministic pseudo-random instants over 2024–2026 and amounts up to 20 working days.
fn inputs() -> Vec<(Timestamp, Timestamp, Duration)> {
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..N)
        .map(|_| {
            let a = base + Duration::minutes((next() % (3 * 365 * 1440)) as i64);
            let b = base + Duration::minutes((next() % (3 * 365 * 1440)) as i64);
            (a, b, Duration::minutes((next() % (20 * 540)) as i64))
        })
        .collect()
}

fn arithmetic(c: &mut Criterion) {
    let cal = Calendar::china();
    let data = inputs();
    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("add", |b| {
        b.iter(|| {
            for (t, _, d) in &data {
                black_box(cal.add(black_box(*t), black_box(*d)));
            }
        })
    });
    group.bench_function("diff", |b| {
        b.iter(|| {
            for (t, u, _) in &data {
                black_box(cal.working_between(black_box(*t), black_box(*u)));
            }
        })
    });
    group.bench_function("add_working_days", |b| {
        b.iter(|| {
            for (i, (t, _, _)) in data.iter().enumerate() {
                black_box(cal.add_working_days(black_box(*t), (i % 10) as i64 + 1));
            }
        })
    });
    group.finish();
}

fn build(c: &mut Criterion) {
    c.bench_function("calendar/build_china_2000_2100", |b| {
        b.iter_batched(|| (), |_| Calendar::china(), BatchSize::SmallInput)
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(20);
    targets = arithmetic, build
}
criterion_main!(benches);
