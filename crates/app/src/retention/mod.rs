//! Retention (issue 20): finished tickets lose their customer's personal data once the
//! policy document's period has passed since their last change, unless a legal hold keeps
//! them. The work is done in chunks, one transaction each ([`loopdesk_store`]'s
//! `anonymise_chunk`): by the daily job ([`crate::jobs::retention`]) on one node of the
//! cluster, or by hand with `loopdesk retention run`.

pub mod holds;

use crate::documents::{load_or_default, DocumentKind};
use crate::{App, AppError};
use chrono::Duration;
use loopdesk_core::retention::RetentionPolicy;
use loopdesk_core::{Ticket, Timestamp};
use loopdesk_store::{RetentionCounts, RetentionCursor};
use serde::Serialize;

/// The policy in force.
pub async fn policy(app: &App) -> Result<RetentionPolicy, AppError> {
    load_or_default(app, &DocumentKind::Retention).await
}

/// What a run judges by: the policy and the time it pretends it is.
#[derive(Debug, Clone)]
pub struct Judge {
    pub policy: RetentionPolicy,
    pub as_of: Timestamp,
}

impl Judge {
    /// Nothing that changed after this can be due under any rule.
    pub fn cutoff(&self) -> Timestamp {
        self.as_of - Duration::days(i64::from(self.policy.shortest_days()))
    }

    /// Whether this ticket's own period has passed.
    pub fn is_due(&self, t: &Ticket) -> bool {
        self.policy.is_due(t.updated_at, t.category.as_deref(), t.channel, self.as_of)
    }
}

/// What a whole run did (or would do).
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// The recorded run (none for a dry run).
    pub run: Option<i64>,
    pub as_of: Timestamp,
    pub dry_run: bool,
    pub counts: RetentionCounts,
    /// Old enough, but kept by a legal hold.
    pub held: u64,
}

/// Runs the policy to the end as of `as_of`, chunk after chunk, calling `progress` with the
/// running totals after each. Picks up an unfinished run with the same `as_of` (one killed
/// part way), so its counts keep adding up.
pub async fn run(
    app: &App,
    as_of: Timestamp,
    dry_run: bool,
    mut progress: impl FnMut(&RetentionCounts),
) -> Result<RunSummary, AppError> {
    let judge = Judge { policy: policy(app).await?, as_of };
    let due = |t: &Ticket| judge.is_due(t);
    let chunk = app.config.retention.chunk.max(1);
    let mut counts = RetentionCounts::default();
    let mut cursor = RetentionCursor::default();
    let run = match dry_run {
        true => None,
        false => Some(match app.read().unfinished_retention_run(as_of).await? {
            Some(run) => run,
            None => app.store.start_retention_run(as_of, app.now()).await?,
        }),
    };
    loop {
        let done = match run {
            None => app.read().retention_dry_chunk(judge.cutoff(), cursor, chunk, &due).await?,
            Some(run) => app.store.anonymise_chunk(run, judge.cutoff(), cursor, chunk, app.now(), &due).await?,
        };
        counts += done.counts;
        progress(&counts);
        match done.next {
            Some(next) => cursor = next,
            None => break,
        }
    }
    if let Some(run) = run {
        merge_search(app, merge_steps(app, run).await?, None).await?;
        app.store.finish_retention_run(run, judge.cutoff(), app.now()).await?;
        clear_log(app).await;
        tracing::info!(run, tickets = counts.tickets, attachments = counts.attachments, "retention run finished");
    }
    let held = app.read().retention_held(judge.cutoff()).await?;
    Ok(RunSummary { run, as_of, dry_run, counts, held })
}

/// Pages of search-index merging per transaction: milliseconds of the writer each.
const MERGE_PAGES: i64 = 200;

/// Steps of search-index merging a finished run owes: enough for one whole pass over the
/// index as it is (intake adds segments meanwhile, hence twice that and some), none when
/// the run anonymised nothing.
pub(crate) async fn merge_steps(app: &App, run: i64) -> Result<u32, AppError> {
    if app.read().retention_run(run).await?.tickets == 0 {
        return Ok(0);
    }
    let blocks = app.store.search_index_blocks().await?;
    Ok(u32::try_from(blocks / MERGE_PAGES * 2 + 20).unwrap_or(u32::MAX))
}

/// Merges the search index, dropping the words anonymised tickets left in it, until it has
/// nothing more to merge, `steps` run out, or `until` passes; returns the steps left (0:
/// done).
pub(crate) async fn merge_search(
    app: &App,
    mut steps: u32,
    until: Option<std::time::Instant>,
) -> Result<u32, AppError> {
    while steps > 0 {
        steps -= 1;
        if !app.store.merge_search_index_step(MERGE_PAGES).await? {
            return Ok(0);
        }
        if until.is_some_and(|t| std::time::Instant::now() >= t) {
            break;
        }
    }
    Ok(steps)
}

/// Empties SQLite's write-ahead log after a run, so page images from before it are gone
/// from the log file too; a failure only leaves them until the log is rewritten.
pub(crate) async fn clear_log(app: &App) {
    match app.store.clear_write_ahead_log().await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("retention: the write-ahead log was busy and is emptied at the next run"),
        Err(e) => tracing::warn!(error = %e, "retention: the write-ahead log could not be emptied"),
    }
}

/// The latest runs, newest first (admins).
pub async fn runs(
    app: &App,
    by: &loopdesk_core::Principal,
    limit: i64,
) -> Result<Vec<loopdesk_store::RetentionRun>, AppError> {
    crate::access::require(by, loopdesk_core::access::Permission::Administer)?;
    Ok(app.read().retention_runs(limit.clamp(1, 200)).await?)
}
