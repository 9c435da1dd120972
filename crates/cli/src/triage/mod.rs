//! `loopdesk triage …`: evaluate the text classifier on labelled data and moderation on
//! real e-mail, retrain the category model.

mod spam;

use anyhow::Context;
use clap::Subcommand;
use loopdesk_triage::eval::{evaluate, holdout_split, parse_jsonl};
use loopdesk_triage::{Segmenter, TrainConfig};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum TriageCommand {
    /// Train on TRAIN (JSON lines {"text", "label"}) and report accuracy, macro-F1,
    /// per-class precision/recall, the confusion matrix and items/s on DATA.
    Eval {
        #[arg(long)]
        train: PathBuf,
        /// Test set; without it a deterministic 20% of TRAIN is held out.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Retrain the category model on the shipped examples plus every correction agents made,
    /// and store it as a new version (servers load the newest at start).
    Retrain,
    /// Measure moderation (false rejections, missed spam) on the SpamAssassin corpus.
    SpamEval {
        /// Corpus folder (default: where scripts/fetch-spamassassin.sh puts it).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

fn read(path: &Path) -> anyhow::Result<Vec<loopdesk_triage::eval::Example>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_jsonl(&text).with_context(|| format!("parsing {}", path.display()))
}

pub async fn run(command: TriageCommand, config: &loopdesk_app::Config) -> anyhow::Result<()> {
    let (train, data) = match command {
        TriageCommand::Eval { train, data } => (train, data),
        TriageCommand::Retrain => {
            let app = loopdesk_app::App::open(config.clone(), std::sync::Arc::new(loopdesk_app::SystemClock)).await?;
            let r = loopdesk_app::triage::retrain::retrain(&app).await?;
            println!(
                "category model version {} trained on {} examples ({} corrections by agents)",
                r.version, r.examples, r.corrections
            );
            return Ok(());
        }
        TriageCommand::SpamEval { dir } => return spam::run(&dir.unwrap_or_else(spam::default_dir)),
    };
    let all = read(&train)?;
    let (train, test) = match data {
        Some(p) => (all, read(&p)?),
        None => holdout_split(&all, 20),
    };
    anyhow::ensure!(!train.is_empty() && !test.is_empty(), "both the training and the test set need examples");
    let report = evaluate(&Segmenter::new(), &train, &test, &TrainConfig::default())?;
    println!("{report}");
    Ok(())
}
