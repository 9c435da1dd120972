//! Raw messages parsed per second over the whole SpamAssassin corpus (6,046 messages).
//! Fetch the corpus first: `scripts/fetch-spamassassin.sh`. Then
//! `cargo bench -p loopdesk-channels --bench parse`.

#[path = "../tests/support/corpus.rs"]
mod corpus;

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use loopdesk_channels::email::{parse_email, EmailPolicy};
use std::time::Duration;

fn parse_corpus(c: &mut Criterion) {
    let Some(messages) = corpus::load() else {
        eprintln!(
            "note: SpamAssassin corpus not found at {}; run scripts/fetch-spamassassin.sh",
            corpus::dir().display()
        );
        return;
    };
    let policy = EmailPolicy::default();
    let mut group = c.benchmark_group("spamassassin");
    group.throughput(Throughput::Elements(messages.len() as u64));
    // One pass takes ~0.15 s: ten flat samples give a stable figure without hogging shared cores.
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(9));
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("parse_email", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for (_, raw) in &messages {
                ok += usize::from(parse_email(black_box(raw), &policy).is_ok());
            }
            ok
        })
    });
    group.finish();
}

criterion_group!(benches, parse_corpus);
criterion_main!(benches);
