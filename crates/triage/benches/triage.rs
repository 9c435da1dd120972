//! Triage benchmarks (one core):
//! - `pipeline`: full `Engine::analyze` on 50–500 character texts (items/s);
//! - a per-item latency report (p50/p99) printed after the criterion groups;
//! - `lookup`: near-duplicate lookup in a band index holding 100k and 1M signatures.
//!
//! `cargo bench -p loopdesk-triage --bench triage`

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use loopdesk_triage::engine::FEEDBACK_LABELLED_JSONL;
use loopdesk_triage::eval::parse_jsonl;
use loopdesk_triage::hash::{mix64, SplitMix};
use loopdesk_triage::minhash::{MinHashConfig, MinHasher, Signature};
use loopdesk_triage::{BandIndex, Engine, Input};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Texts of 50–500 characters, built by joining real feedback sentences.
fn texts(n: usize) -> Vec<String> {
    let items = parse_jsonl(FEEDBACK_LABELLED_JSONL).unwrap_or_default();
    let mut rng = SplitMix::new(11);
    (0..n)
        .map(|_| {
            let target = 50 + (rng.next_u64() % 451) as usize;
            let mut text = String::new();
            while text.chars().count() < target {
                let i = (rng.next_u64() % items.len().max(1) as u64) as usize;
                if let Some(item) = items.get(i) {
                    text.push_str(&item.text);
                    text.push(' ');
                } else {
                    text.push_str("空调不制冷 ");
                }
            }
            text.chars().take(target).collect()
        })
        .collect()
}

fn pipeline(c: &mut Criterion) {
    let engine = Engine::new().expect("engine");
    let texts = texts(1_000);
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("analyze_50_500_chars", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(engine.analyze(&Input::new(t)));
            }
        })
    });
    group.finish();
}

/// Random "documents" of 8–30 words from a 20k-word vocabulary.
fn signatures(hasher: &MinHasher, n: usize, seed: u64) -> Vec<Signature> {
    let mut rng = SplitMix::new(seed);
    (0..n)
        .map(|_| {
            let len = 8 + (rng.next_u64() % 23) as usize;
            let shingles: Vec<u64> = (0..len).map(|_| mix64(rng.next_u64() % 20_000 + 1)).collect();
            hasher.signature(&shingles)
        })
        .collect()
}

fn lookup(c: &mut Criterion) {
    let hasher = MinHasher::new(MinHashConfig::default());
    let queries = signatures(&hasher, 1_000, 99);
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(queries.len() as u64));
    for size in [100_000usize, 1_000_000] {
        let mut index = BandIndex::new(hasher.config().bands);
        for (i, sig) in signatures(&hasher, size, 7).into_iter().enumerate() {
            index.insert(i as u64, sig);
        }
        group.bench_with_input(BenchmarkId::from_parameter(size), &index, |b, index| {
            b.iter(|| {
                for q in &queries {
                    black_box(index.query(q, 0.4));
                }
            })
        });
    }
    group.finish();
}

/// Per-item latency percentiles of the full pipeline, printed once.
fn latency_report() {
    let Ok(engine) = Engine::new() else { return };
    let texts = texts(20_000);
    let mut times: Vec<Duration> = Vec::with_capacity(texts.len());
    let started = Instant::now();
    for t in &texts {
        let one = Instant::now();
        black_box(engine.analyze(&Input::new(t)));
        times.push(one.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "latency over {} items (50-500 chars): p50 {:?}, p99 {:?}, max {:?}; {:.0} items/s",
        times.len(),
        at(0.50),
        at(0.99),
        at(1.0),
        texts.len() as f64 / total.as_secs_f64()
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = pipeline, lookup
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    latency_report();
}
