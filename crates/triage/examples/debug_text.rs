//! Prints the full analysis of the texts given as arguments (for tuning word lists).
//!
//! `cargo run --release -p loopdesk-triage --example debug_text -- "充电器冒烟了"`

use loopdesk_triage::{Engine, Input};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new()?;
    for text in std::env::args().skip(1) {
        let a = engine.analyze(&Input::new(&text));
        println!("{text}\n  normalised words: {}", a.index_text);
        println!("  category: {:?}", a.classification);
        println!("  signals: {:?}", a.signals);
        println!("  moderation: {:?}", a.moderation);
        println!("  priority: {:?}", a.priority);
    }
    Ok(())
}
