//! Evaluates the whole engine (keyword rules + model) on the in-domain labelled set:
//! category accuracy/macro-F1 on a deterministic 20% holdout (model trained on the other
//! 80%), priority agreement with the hand labels, and false rejections by moderation
//! (every item is real feedback, so any rejection is a false one).
//!
//! `cargo run --release -p loopdesk-triage --example indomain`

use loopdesk_triage::engine::FEEDBACK_LABELLED_JSONL;
use loopdesk_triage::eval::{evaluate, holdout_split, score, Example};
use loopdesk_triage::{ClassifyConfig, Engine, Input, Taxonomy, TrainConfig, Verdict};
use serde::Deserialize;

#[derive(Deserialize)]
struct Labelled {
    text: String,
    label: String,
    priority: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: Vec<Labelled> = FEEDBACK_LABELLED_JSONL
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let examples: Vec<Example> =
        rows.iter().map(|r| Example { text: r.text.clone(), label: r.label.clone() }).collect();
    let (train, test) = holdout_split(&examples, 20);
    let engine = Engine::new()?;
    if let Some(m) = engine.category_model() {
        println!("default category model: {:?}", m.feature_config());
    }
    println!("== model only (trained on {} items) ==", train.len());
    let report = evaluate(engine.segmenter(), &train, &test, &TrainConfig::default())?;
    println!("{report}");

    let pairs: Vec<(&str, &str)> = train.iter().map(|e| (e.text.as_str(), e.label.as_str())).collect();
    let model = engine.train_category_model(&pairs)?;
    let engine = engine.with_classifier(Taxonomy::defaults()?, Some(model), ClassifyConfig::default())?;
    let held: Vec<&Labelled> = rows.iter().filter(|r| test.iter().any(|t| t.text == r.text)).collect();
    let analyses: Vec<_> = held.iter().map(|r| engine.analyze(&Input::new(&r.text))).collect();
    let gold: Vec<&str> = held.iter().map(|r| r.label.as_str()).collect();
    let predicted: Vec<&str> = analyses.iter().map(|a| a.classification.category.as_str()).collect();
    let r = score(&gold, &predicted);
    let manual = analyses.iter().filter(|a| a.classification.needs_manual_triage).count();
    let confident: Vec<(&&str, &&str)> = gold
        .iter()
        .zip(&predicted)
        .zip(&analyses)
        .filter(|(_, a)| !a.classification.needs_manual_triage)
        .map(|(gp, _)| gp)
        .collect();
    let confident_right = confident.iter().filter(|(g, p)| g == p).count();
    println!("== engine: rules + model, holdout of {} items ==", held.len());
    println!("category accuracy {:.4}, macro-F1 {:.4}", r.accuracy, r.macro_f1);
    println!(
        "needs manual triage: {manual}; accuracy of the rest {:.4}",
        confident_right as f64 / confident.len().max(1) as f64
    );

    let all: Vec<_> = rows.iter().map(|r| (r, engine.analyze(&Input::new(&r.text)))).collect();
    let gold_p: Vec<&str> = all.iter().map(|(r, _)| r.priority.as_str()).collect();
    let pred_p: Vec<&str> = all.iter().map(|(_, a)| a.priority.priority.as_str()).collect();
    let p = score(&gold_p, &pred_p);
    println!("== priority on all {} items (standard tier, cluster of 1) ==", all.len());
    println!("{p}");
    let rejected: Vec<&str> =
        all.iter().filter(|(_, a)| a.moderation.verdict == Verdict::Reject).map(|(r, _)| r.text.as_str()).collect();
    let flagged = all.iter().filter(|(_, a)| a.moderation.verdict == Verdict::Flag).count();
    println!("false rejections: {} of {} {:?}; flagged: {flagged}", rejected.len(), all.len(), rejected);
    if std::env::var("SHOW").is_ok() {
        for (r, a) in &all {
            if a.priority.priority.as_str() != r.priority {
                println!("{} -> {} | {} | {:?}", r.priority, a.priority.priority, r.text, a.priority.reasons);
            }
        }
    }
    Ok(())
}
