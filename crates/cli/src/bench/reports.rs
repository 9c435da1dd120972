//! `loopdesk bench reports`: the reports' latency on an existing database (fill it first
//! with `loopdesk demo --tickets 1000000`): the month summary, a 12-month daily trend,
//! breakdowns, the Excel download and the console page, as a client on loopback sees them;
//! then the queue's CSV export of every ticket and an `.xlsx` of 100,000 (`exports`).

use super::child::BenchSession;
use super::stats::{ms, Summary};
use chrono::{Duration, Utc};
use loopdesk_app::Config;

pub async fn run(config: Config, requests: usize) -> anyhow::Result<()> {
    let b = BenchSession::start(&config).await?;
    println!("reports benchmark: {} tickets, {requests} requests per report (loopback client)", b.total);
    println!("{:<44} {:>9} {:>9} {:>9}", "request", "p50 ms", "p99 ms", "max ms");
    let now = Utc::now();
    let span = |days: i64| {
        let q = |t: chrono::DateTime<Utc>| t.to_rfc3339().replace('+', "%2B").replace(':', "%3A");
        format!("from={}&to={}", q(now - Duration::days(days)), q(now))
    };
    let shapes = [
        ("summary, last 30 days", format!("/api/v1/reports/summary?{}", span(30))),
        ("trend, 12 months by day", format!("/api/v1/reports/trend?{}&grain=day", span(365))),
        (
            "breakdown, category x channel, 30 days",
            format!("/api/v1/reports/breakdown?{}&dimension=category,channel", span(30)),
        ),
        ("channels, 30 days", format!("/api/v1/reports/channels?{}", span(30))),
        ("agents, 30 days", format!("/api/v1/reports/agents?{}", span(30))),
        (
            "breakdown by agent as xlsx, 12 months",
            format!("/api/v1/reports/breakdown?{}&dimension=agent&format=xlsx", span(365)),
        ),
        ("console reports page, this month", "/console/reports".to_string()),
        ("console dashboard, month", "/console/dashboard?period=month".to_string()),
    ];
    // `--requests 0` measures the exports alone.
    for (name, path) in shapes.into_iter().filter(|_| requests > 0) {
        // A request that fails (e.g. the server's time limit) is reported and the rest measured.
        match b.measure(&path, 2, requests).await {
            Ok((mut lat, _)) => {
                let s = Summary::of(&mut lat);
                println!("{name:<44} {:>9} {:>9} {:>9}", ms(s.p50), ms(s.p99), ms(s.max));
            }
            Err(e) => println!("{name:<44} failed: {e}"),
        }
    }
    super::exports::run(&b, &config).await
}
