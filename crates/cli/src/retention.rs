//! `loopdesk retention run`: the daily anonymisation by hand, with the counts printed.
//! `--now` judges as if it were another time, so an operator (and the tests) can see what a
//! future date would anonymise; `--dry-run` changes nothing.

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use loopdesk_app::clock::SystemClock;
use loopdesk_app::config::Config;
use loopdesk_app::App;
use loopdesk_core::Timestamp;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Anonymise every finished ticket whose retention period has passed (what the server's
    /// daily job does) and print what was done. A run that was killed part way is picked up
    /// by the next run with the same `--now`.
    Run {
        /// Count what would be anonymised, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Judge as if it were this time (RFC 3339, or a date meaning its midnight UTC).
        #[arg(long)]
        now: Option<String>,
    },
}

/// Reads `--now`.
fn parse_time(text: &str) -> anyhow::Result<Timestamp> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("--now {text:?}: give an RFC 3339 time or a YYYY-MM-DD date"))?;
    Ok(day.and_hms_opt(0, 0, 0).context("midnight")?.and_utc())
}

pub async fn run(command: RetentionCommand, config: Config) -> anyhow::Result<()> {
    let RetentionCommand::Run { dry_run, now } = command;
    let as_of = match now.as_deref() {
        Some(text) => parse_time(text)?,
        None => Utc::now(),
    };
    let app = App::open(config, Arc::new(SystemClock)).await?;
    let mut last = Instant::now();
    let mut first = true;
    let summary = loopdesk_app::retention::run(&app, as_of, dry_run, |c| {
        // The first chunk and then once a second: enough to see it move.
        if !dry_run && (first || last.elapsed() >= Duration::from_secs(1)) {
            println!("… {} tickets anonymised so far ({} looked at)", c.tickets, c.looked_at);
            let _ = std::io::stdout().flush();
            first = false;
            last = Instant::now();
        }
    })
    .await?;
    let c = summary.counts;
    let verb = if dry_run { "would be anonymised" } else { "anonymised" };
    let what = match summary.run {
        Some(run) => format!("retention run {run}"),
        None => "dry run".to_string(),
    };
    println!(
        "{what} as of {}: {} tickets {verb} ({} events rewritten, {} attachments deleted, {} deliveries cleared); \
         {} kept by legal holds",
        summary.as_of.to_rfc3339(),
        c.tickets,
        c.events,
        c.attachments,
        c.deliveries,
        summary.held
    );
    app.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_reads_times_and_dates() {
        assert_eq!(parse_time("2029-06-01").unwrap().to_rfc3339(), "2029-06-01T00:00:00+00:00");
        assert_eq!(parse_time("2029-06-01T08:00:00+08:00").unwrap().to_rfc3339(), "2029-06-01T00:00:00+00:00");
        assert!(parse_time("next year").is_err());
    }
}
