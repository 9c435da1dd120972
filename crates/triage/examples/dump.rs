//! Prints every analysis of a labelled file's texts as one JSON line each, so two builds
//! can be compared item by item (`diff`) after a change meant to keep results identical
//! (a speed-up, a refactor).
//!
//! `cargo run --release -p loopdesk-triage --example dump -- FILE.jsonl > out.jsonl`

use loopdesk_triage::{Engine, Input};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: dump FILE.jsonl")?;
    let engine = Engine::new()?;
    for line in std::fs::read_to_string(path)?.lines().filter(|l| !l.trim().is_empty()) {
        let item: serde_json::Value = serde_json::from_str(line)?;
        let text = item["text"].as_str().ok_or("a line without text")?;
        println!("{}", serde_json::to_string(&engine.analyze(&Input::new(text)))?);
    }
    Ok(())
}
