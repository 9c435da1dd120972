//! `loopdesk demo`: fills the database with realistic feedback made by code from templates —
//! Chinese and English, every channel, category, priority and state — each ticket walked
//! through its life with the real domain commands, so its row is what its timeline replays to.
//!
//! Generation is seeded (the same seed gives the same tickets) and pipelined: while one batch
//! is written, the next is generated on a blocking thread.

mod catalog;
mod customers;
mod draft;
mod followup;
mod generate;
mod lifecycle;
mod mix;
mod outcomes;
mod paths;
mod people;
mod priority;
mod problems;
mod products;
mod replies;
mod report;
mod requests;
#[cfg(test)]
mod tests;
mod text;
mod timing;

pub use report::DemoReport;

use generate::Generator;
use loopdesk_core::{Event, Ticket};
use loopdesk_store::{Backend, Store};
use std::time::Instant;

/// Tickets generated per blocking task (and ids reserved per call).
const BATCH: usize = 2_000;
/// Tickets per `Store::import` call (one transaction each) on SQLite: measured on 40,000
/// tickets, 2,000 per transaction took 15.0 s and 25 took 7.5 s. PostgreSQL writes a whole
/// batch per transaction.
const SQLITE_WRITE_CHUNK: usize = 25;
/// Progress is printed every this many tickets.
const PROGRESS_EVERY: usize = 50_000;
/// Feedback is spread over this many days before now.
const DAYS: i64 = 180;

/// Options of the generator.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// How many tickets to add.
    pub tickets: usize,
    /// Seed of the random generator; the same seed gives the same data.
    pub seed: u64,
}

type Batch = Vec<(Ticket, Vec<Event>)>;

/// Fills the store with demo data: departments and staff (reused if present), then
/// `options.tickets` tickets received over the last 180 days before `now`.
pub async fn run(store: &Store, options: DemoOptions, now: loopdesk_core::Timestamp) -> anyhow::Result<DemoReport> {
    let started = Instant::now();
    let staff = people::ensure_staff(store, now).await?;
    let mut report = DemoReport::new(&staff, options.tickets);
    let mut generator = Some(Generator::new(options.seed, staff, now, options.tickets, DAYS));
    let mut remaining = options.tickets;
    let mut pending: Option<Batch> = None;
    let mut next_progress = PROGRESS_EVERY;
    let write_chunk = match store.backend() {
        Backend::Sqlite => SQLITE_WRITE_CHUNK,
        Backend::Postgres => BATCH,
    };
    loop {
        // Start generating the next batch before writing the previous one.
        let n = remaining.min(BATCH);
        let task = match generator.take() {
            Some(mut g) if n > 0 => {
                let ids = store.reserve_ticket_ids(n).await?;
                remaining -= n;
                Some(tokio::task::spawn_blocking(move || {
                    let batch = g.batch(&ids);
                    (g, batch)
                }))
            }
            g => {
                generator = g;
                None
            }
        };
        if let Some(batch) = pending.take() {
            for part in batch.chunks(write_chunk) {
                store.import(part).await?;
            }
            report.count(&batch);
            if report.tickets >= next_progress {
                next_progress += PROGRESS_EVERY;
                report.progress(started.elapsed());
            }
        }
        let Some(task) = task else { break };
        let (back, batch) = task.await?;
        generator = Some(back);
        pending = Some(batch?);
    }
    let languages = generator.map(|g| g.languages()).unwrap_or_default();
    report.finish(languages, started.elapsed());
    Ok(report)
}
