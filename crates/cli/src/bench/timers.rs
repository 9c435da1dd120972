//! `loopdesk bench timers`: working-day arithmetic on the China calendar (add/diff per
//! second on one core); with N pending `sla.check` jobs in a fresh database (a temporary
//! SQLite file, or an empty one named by `--database-url`, e.g. PostgreSQL), the time per
//! worker wake-up to (a) find the next due timers (`next_run_at` and the due-id lookup)
//! and (b) claim the next due batch of 100, each as p50/p99; and the CPU an idle server
//! (worker running, next timer a day away) uses over a measuring window.

use super::stats::{ms, Summary};
use chrono::{Duration, TimeZone, Utc};
use loopdesk_app::SystemClock;
use loopdesk_app::{Config, Secret};
use loopdesk_core::calendar::Calendar;
use loopdesk_server::Server;
use loopdesk_store::{JobOp, NewJob, NoEffects, Store, StoreOptions};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// Runs the three measurements.
pub async fn run(jobs: usize, wakeups: usize, idle_seconds: u64, database_url: Option<String>) -> anyhow::Result<()> {
    calendar_ops();
    let dir = tempfile::tempdir()?;
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("timers.db").display()));
    // The queue alone: nothing here changes tickets.
    let store = Store::connect(&url, StoreOptions::default(), Arc::new(NoEffects)).await?;
    println!("database: {:?}", store.backend());
    store.migrate().await?;
    if store.next_run_at().await?.is_some() {
        anyhow::bail!("the database already holds jobs: give an empty one");
    }
    let base = Utc::now() + Duration::days(1);
    seed(&store, jobs, base).await?;
    claim_latency(&store, jobs, wakeups, base).await?;
    store.close().await;
    idle_cpu(&url, dir.path(), idle_seconds).await
}

/// Add and diff on the China calendar over 2025–2026, one core.
fn calendar_ops() {
    let cal = Calendar::china();
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let n: i64 = 2_000_000;
    let t0 = Instant::now();
    let mut acc = 0i64;
    for i in 0..n {
        // A spread of instants (every ~31 minutes over two years) and amounts.
        let at = start + Duration::minutes((i * 7919) % (2 * 365 * 24 * 60));
        if i % 2 == 0 {
            acc ^= cal.add(at, Duration::minutes(i % (10 * 9 * 60))).timestamp();
        } else {
            acc ^= cal.working_between(at, at + Duration::minutes(i % (20 * 24 * 60))).num_minutes();
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!("working-day arithmetic: {:.0} add/diff ops/s on one core ({n} ops, check {acc})", n as f64 / secs);
}

/// N pending timers spread over 30 days from `base`, keyed like the server's.
async fn seed(store: &Store, jobs: usize, base: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let span = Duration::days(30).num_milliseconds();
    let ids: Vec<usize> = (0..jobs).collect();
    for chunk in ids.chunks(10_000) {
        let ops: Vec<JobOp> = chunk
            .iter()
            .map(|&i| {
                let at = base + Duration::milliseconds((i as i64 * 7_919_993) % span);
                JobOp::Enqueue(NewJob::keyed("sla.check", format!("sla:{i}"), json!({ "ticket_id": i }), at))
            })
            .collect();
        store.enqueue_all(&ops).await?;
    }
    println!("seeded {jobs} pending sla.check jobs in {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

/// Per wake-up, as the worker does: (a) find — `next_run_at` and the ids of the due
/// batch; (b) claim — `claim_due` of up to 100. Timed separately.
async fn claim_latency(store: &Store, jobs: usize, wakeups: usize, base: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    let span = Duration::days(30);
    // Each wake-up moves "now" so that about 100 jobs fall due.
    let step = span * 100 / jobs.max(1) as i32;
    let mut now = base;
    let (mut finds, mut claims) = (Vec::with_capacity(wakeups), Vec::with_capacity(wakeups));
    let (mut found, mut claimed) = (0, 0);
    for _ in 0..wakeups {
        now += step;
        let t = Instant::now();
        let _next = store.next_run_at().await?;
        found += store.due_ids(now, 100).await?.len();
        finds.push(t.elapsed());
        let t = Instant::now();
        let batch = store.claim_due(now, 100, "bench", Duration::minutes(5)).await?;
        claims.push(t.elapsed());
        claimed += batch.len();
        for j in &batch {
            store.complete(j.id).await?;
        }
    }
    let (f, c) = (Summary::of(&mut finds), Summary::of(&mut claims));
    println!(
        "find next due timers (next_run_at + due ids) among {jobs} pending: p50 {} ms, p99 {} ms, max {} ms ({wakeups} wake-ups, {found} ids found)",
        ms(f.p50),
        ms(f.p99),
        ms(f.max)
    );
    println!(
        "claim the due batch of up to 100: p50 {} ms, p99 {} ms, max {} ms ({claimed} jobs claimed)",
        ms(c.p50),
        ms(c.p99),
        ms(c.max)
    );
    Ok(())
}

/// CPU time of this process (user + system) from /proc/self/stat, in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A server with its worker on the same database, idle between due times.
async fn idle_cpu(url: &str, data: &std::path::Path, seconds: u64) -> anyhow::Result<()> {
    let config = Config {
        bind: "127.0.0.1:0".parse()?,
        data: data.to_path_buf(),
        database_url: Some(Secret::new(url.to_string())),
        ..Config::default()
    };
    let app = Server::build(config, Arc::new(SystemClock)).await?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(async move {
        let _ = stopped.await;
    }));
    // Let start-up settle, then measure.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (c0, t0) = (cpu_seconds(), Instant::now());
    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
    let (c1, wall) = (cpu_seconds(), t0.elapsed().as_secs_f64());
    let _ = stop.send(());
    let _ = server.await;
    match (c0, c1) {
        (Some(a), Some(b)) => println!(
            "idle server with the pending timers (worker running): {:.3} % of a core over {wall:.0} s",
            (b - a) / wall * 100.0
        ),
        _ => println!("idle CPU: /proc/self/stat not readable on this system"),
    }
    Ok(())
}
