//! Runs `Engine::analyze` over the labelled texts joined into 50–500 character pieces, for
//! profiling (`perf record`). Prints µs per item for `analyze` (everything) and for
//! `decide` (classification, signals, moderation and priority without the similarity step,
//! what the 20,000 items/s budget covers); `ONLY=decide` or `ONLY=analyze` runs one. `NO_SPAM`, `NO_PRIO`, `NO_TONE` leave a
//! model out, to see what each costs; `ITEMS` and `ROUNDS` change the 5000 texts and 4 rounds
//! (small values for `valgrind --tool=cachegrind`, whose counts do not depend on the load).

/// The allocator of the `loopdesk` binary (crates/cli), so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use loopdesk_triage::engine::FEEDBACK_LABELLED_JSONL;
use loopdesk_triage::eval::parse_jsonl;
use loopdesk_triage::hash::SplitMix;
use loopdesk_triage::{Engine, Input};
use std::hint::black_box;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let items = parse_jsonl(FEEDBACK_LABELLED_JSONL)?;
    let mut rng = SplitMix::new(11);
    let env = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let texts: Vec<String> = (0..env("ITEMS", 5000))
        .map(|_| {
            let target = 50 + (rng.next_u64() % 451) as usize;
            let mut t = String::new();
            while t.chars().count() < target {
                t.push_str(&items[(rng.next_u64() % items.len() as u64) as usize].text);
                t.push(' ');
            }
            t.chars().take(target).collect()
        })
        .collect();
    let started = Instant::now();
    let mut engine = Engine::new()?;
    println!("Engine::new: {:?}", started.elapsed());
    if std::env::var("NO_SPAM").is_ok() {
        engine = engine.with_spam_model(None);
    }
    if std::env::var("NO_PRIO").is_ok() {
        engine = engine.with_priority_model(None);
    }
    if std::env::var("NO_TONE").is_ok() {
        engine = engine.with_sentiment(None);
    }
    if let Ok(path) = std::env::var("TONE_MODEL") {
        let model = loopdesk_triage::TextModel::from_json(&std::fs::read_to_string(path)?)?;
        engine = engine.with_sentiment(Some(model));
    }
    let only = std::env::var("ONLY").unwrap_or_default();
    for _ in 0..env("ROUNDS", 4) {
        let mut line = Vec::new();
        if only != "decide" {
            let started = Instant::now();
            for t in &texts {
                black_box(engine.analyze(&Input::new(t)));
            }
            line.push(format!("analyze {:.1} µs/item", started.elapsed().as_secs_f64() * 1e6 / texts.len() as f64));
        }
        if only != "analyze" {
            let started = Instant::now();
            for t in &texts {
                black_box(engine.decide(&Input::new(t)));
            }
            line.push(format!("decide {:.1} µs/item", started.elapsed().as_secs_f64() * 1e6 / texts.len() as f64));
        }
        println!("{}", line.join(", "));
    }
    Ok(())
}
