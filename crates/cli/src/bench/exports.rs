//! The queue's exports at scale (issue 16): every ticket as CSV — rows per second and how
//! far the server's memory grows while it streams — and an `.xlsx` of the newest 100,000.

use super::child::BenchSession;
use chrono::SecondsFormat;
use loopdesk_core::TicketId;
use std::time::Instant;

/// Rows of the Excel export measured (issue 16: ≤ 5 s).
const XLSX_ROWS: i64 = 100_000;

/// A download streamed to its end: CSV records (`\r\n`-terminated; a line break inside a
/// quoted field is a bare `\n`), bytes and seconds. Nothing is kept.
async fn stream(b: &BenchSession, path: &str) -> anyhow::Result<(u64, u64, f64)> {
    let t = Instant::now();
    let mut resp = b.client.get(format!("{}{path}", b.server.base)).header("cookie", &b.cookie).send().await?;
    anyhow::ensure!(resp.status().is_success(), "{path} answered {}", resp.status());
    let (mut records, mut bytes, mut last) = (0u64, 0u64, 0u8);
    while let Some(chunk) = resp.chunk().await? {
        bytes += chunk.len() as u64;
        for &c in chunk.iter() {
            if c == b'\n' && last == b'\r' {
                records += 1;
            }
            last = c;
        }
    }
    Ok((records, bytes, t.elapsed().as_secs_f64()))
}

/// The server's resident memory now and its peak so far, in MiB (NaN where unknown).
fn memory(b: &BenchSession) -> (f64, f64) {
    b.server.memory_mib().unwrap_or((f64::NAN, f64::NAN))
}

pub async fn run(b: &BenchSession, config: &loopdesk_app::Config) -> anyhow::Result<()> {
    let (rss_before, _) = memory(b);
    let (records, bytes, secs) = stream(b, "/api/v1/tickets/export.csv").await?;
    let (rss_after, peak) = memory(b);
    let rows = records.saturating_sub(1);
    println!(
        "CSV export, all tickets: {rows} rows, {:.1} MB in {secs:.2} s = {:.0} rows/s; server RSS {rss_before:.1} -> \
         {rss_after:.1} MiB, peak {peak:.1} MiB (growth at most {:.1} MiB)",
        bytes as f64 / 1e6,
        rows as f64 / secs,
        peak - rss_before
    );
    // The newest 100,000 tickets: those recorded since the one 100,000 ids back (the demo
    // writes ids in time order); the CSV of the same filter says how many rows that is.
    let app = loopdesk_app::App::open(config.clone(), std::sync::Arc::new(loopdesk_app::SystemClock)).await?;
    let since = app.read().ticket(TicketId((b.sample_id - XLSX_ROWS + 1).max(1))).await?.recorded_at;
    app.store().close().await;
    let from = since.to_rfc3339_opts(SecondsFormat::Secs, true).replace(':', "%3A");
    let query = format!("created_from={from}");
    let (records, _, _) = stream(b, &format!("/api/v1/tickets/export.csv?{query}")).await?;
    let (_, bytes, secs) = stream(b, &format!("/api/v1/tickets/export.xlsx?{query}")).await?;
    println!(
        "xlsx export, newest tickets: {} rows, {:.1} MB in {secs:.2} s",
        records.saturating_sub(1),
        bytes as f64 / 1e6
    );
    Ok(())
}
