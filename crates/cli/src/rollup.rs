//! `loopdesk rollup rebuild`: refills the queue counts and the dashboard's rollups from the
//! tickets (after an upgrade or a bulk import), optionally recording the SLA results of
//! tickets written before results were recorded.

use clap::Subcommand;
use loopdesk_app::sla::SlaHandle;
use loopdesk_app::{App, Config, SystemClock};
use loopdesk_core::TicketId;
use std::sync::Arc;
use std::time::Instant;

/// Tickets per SLA backfill transaction.
const CHUNK: i64 = 2_000;

#[derive(Subcommand)]
pub enum RollupCommand {
    /// Rebuild the counts and dashboard rollups from the tickets.
    Rebuild {
        /// First record the SLA results (met/breached per stopped target) of every ticket
        /// from its timeline under the SLA configuration in effect.
        #[arg(long)]
        sla: bool,
    },
}

pub async fn run(command: RollupCommand, config: &Config) -> anyhow::Result<()> {
    let RollupCommand::Rebuild { sla } = command;
    let app = App::open(config.clone(), Arc::new(SystemClock)).await?;
    let store = app.store();
    let started = Instant::now();
    if sla {
        let seen = backfill_sla(store).await?;
        println!("SLA results recorded for {seen} tickets ({:.1} s)", started.elapsed().as_secs_f64());
    }
    store.rebuild_counts().await?;
    let n = store.rebuild_dashboard().await?;
    println!("rollups rebuilt from {n} tickets ({:.1} s)", started.elapsed().as_secs_f64());
    store.close().await;
    Ok(())
}

/// Records the SLA results of every ticket from its timeline under the SLA configuration
/// in effect (results already recorded are kept once), then rebuilds the dashboard's SLA
/// rollup. Returns how many tickets were read.
pub async fn backfill_sla(store: &loopdesk_store::Store) -> anyhow::Result<usize> {
    let handle = SlaHandle::default();
    handle.refresh(store).await?;
    let cfg = handle.get();
    let now = chrono::Utc::now();
    let (mut after, mut seen) = (TicketId(0), 0usize);
    loop {
        let tickets = store.tickets_with_timelines_after(after, CHUNK).await?;
        let Some((last, _)) = tickets.last() else { break };
        after = last.id;
        let mut batch = Vec::with_capacity(tickets.len());
        for (t, timeline) in tickets {
            let stopped = loopdesk_app::sla::results::completed_targets(&cfg, None, &t, &timeline, 0, now);
            batch.push((t, stopped));
        }
        seen += batch.len();
        store.backfill_sla_results(&batch).await?;
    }
    store.rebuild_dashboard().await?;
    Ok(seen)
}
