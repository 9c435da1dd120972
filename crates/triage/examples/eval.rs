//! Trains on one JSONL file and evaluates on another; with one file, holds out a
//! deterministic 20% (the same split as `scripts/baseline.py`). This is what
//! `loopdesk triage eval --train A.jsonl --data B.jsonl` runs.
//!
//! `cargo run --release -p loopdesk-triage --example eval -- TRAIN.jsonl [TEST.jsonl]`

use loopdesk_triage::eval::{evaluate, holdout_split, parse_jsonl};
use loopdesk_triage::{Segmenter, TrainConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first = args.first().ok_or("usage: eval TRAIN.jsonl [TEST.jsonl]")?;
    let data = parse_jsonl(&std::fs::read_to_string(first)?)?;
    let (train, test) = match args.get(1) {
        Some(p) => (data, parse_jsonl(&std::fs::read_to_string(p)?)?),
        None => holdout_split(&data, 20),
    };
    let seg = Segmenter::new();
    let report = evaluate(&seg, &train, &test, &TrainConfig::default())?;
    println!("{report}");
    Ok(())
}
