//! Recall of the in-memory band index: 1M random "documents" (8–30 words from a 20k
//! vocabulary), 1,000 of them with a near-duplicate query (about 60% of the words kept, a
//! few new ones), inserted at random ages; found vs. the originals that really are at
//! similarity ≥ 0.3 (what a full scan would find).
//!
//! `cargo run --release -p loopdesk-triage --example lookup_recall`

use loopdesk_triage::hash::{mix64, SplitMix};
use loopdesk_triage::minhash::{similarity, MinHashConfig, MinHasher};
use loopdesk_triage::BandIndex;
use std::time::Instant;

fn main() {
    let hasher = MinHasher::new(MinHashConfig::default());
    let mut rng = SplitMix::new(21);
    let n = 1_000_000usize;
    let words_of = |rng: &mut SplitMix| -> Vec<u64> {
        let len = 8 + (rng.next_u64() % 23) as usize;
        (0..len).map(|_| mix64(rng.next_u64() % 20_000 + 1)).collect()
    };
    let docs: Vec<Vec<u64>> = (0..n).map(|_| words_of(&mut rng)).collect();
    let targets: Vec<usize> = (0..1000).map(|_| (rng.next_u64() % n as u64) as usize).collect();
    let queries: Vec<_> = targets
        .iter()
        .map(|&t| {
            let mut q: Vec<u64> = docs[t].iter().copied().filter(|_| rng.next_u64() % 10 < 6).collect();
            q.extend((0..3).map(|_| mix64(rng.next_u64() % 20_000 + 1)));
            hasher.signature(&q)
        })
        .collect();
    let sigs: Vec<_> = docs.iter().map(|d| hasher.signature(d)).collect();
    let mean_sim: f32 =
        targets.iter().zip(&queries).map(|(&t, q)| similarity(&sigs[t], q)).sum::<f32>() / targets.len() as f32;
    println!("mean similarity of query to its original: {mean_sim:.2}");
    let reachable = targets.iter().zip(&queries).filter(|(&t, q)| similarity(&sigs[t], q) >= 0.3).count();
    let mut index = BandIndex::new(hasher.config().bands);
    for (i, s) in sigs.iter().enumerate() {
        index.insert(i as u64, s.clone());
    }
    let started = Instant::now();
    let found =
        targets.iter().zip(&queries).filter(|(&t, q)| index.query(q, 0.3).iter().any(|nb| nb.id == t as u64)).count();
    let us = started.elapsed().as_secs_f64() * 1e6 / queries.len() as f64;
    println!("found {found} of the {reachable} originals at similarity >= 0.3 ({us:.2} µs/lookup)");
}
