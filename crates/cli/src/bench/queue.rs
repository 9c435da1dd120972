//! Queue and ticket-page latency and server memory on a large existing database.

use super::child::BenchSession;
use super::stats::{ms, Summary};
use loopdesk_app::Config;
use std::time::Duration;

const SHAPES: &[(&str, &str)] = &[
    ("queue, first page", "/api/v1/tickets"),
    ("queue, state=new", "/api/v1/tickets?state=new"),
    ("queue, in_progress+high", "/api/v1/tickets?state=in_progress&priority=high"),
    ("queue, priority sort, open", "/api/v1/tickets?state=new,assigned,in_progress,reopened&sort=priority"),
    ("queue, SLA due order, open", "/api/v1/tickets?state=new,assigned,in_progress,reopened&sort=due"),
    ("queue, SLA due order, all", "/api/v1/tickets?sort=due"),
    ("queue, unassigned new", "/api/v1/tickets?state=new&assignee=none"),
    ("queue, channel=email", "/api/v1/tickets?channel=email"),
    ("queue, category=payment", "/api/v1/tickets?category=payment"),
    ("queue, department=1 assigned", "/api/v1/tickets?department=1&state=assigned"),
    ("search, Chinese word 退款", "/api/v1/tickets?q=%E9%80%80%E6%AC%BE"),
    ("search, two words 退款 审核", "/api/v1/tickets?q=%E9%80%80%E6%AC%BE%20%E5%AE%A1%E6%A0%B8"),
    ("search, 退款 + state=new", "/api/v1/tickets?q=%E9%80%80%E6%AC%BE&state=new"),
    ("search, English word refund", "/api/v1/tickets?q=refund"),
    ("search, no match", "/api/v1/tickets?q=xylophone"),
    ("counts, all", "/api/v1/tickets/counts"),
    ("counts, department=1", "/api/v1/tickets/counts?department=1"),
    ("counts, priority=urgent,high", "/api/v1/tickets/counts?priority=urgent,high"),
];

pub async fn run(config: Config, requests: usize) -> anyhow::Result<()> {
    let b = BenchSession::start(&config).await?;
    println!(
        "queue benchmark: {} tickets, {requests} requests per shape (latency seen by a client on loopback)",
        b.total
    );
    println!("{:<40} {:>9} {:>9} {:>9}", "request", "p50 ms", "p99 ms", "max ms");
    let mut shapes: Vec<(String, String)> = SHAPES.iter().map(|(n, p)| (n.to_string(), p.to_string())).collect();
    let open = "state=new,assigned,in_progress,awaiting_customer,awaiting_approval,reopened";
    if let Some(agent) = b.busiest_agent {
        shapes.push((
            "queue, busiest agent's open, priority".into(),
            format!("/api/v1/tickets?assignee={agent}&{open}&sort=priority"),
        ));
        shapes.push(("counts, busiest agent".into(), format!("/api/v1/tickets/counts?assignee={agent}")));
    }
    if let Some(d) = b.busiest_department {
        shapes.push((
            "queue, busiest department open, priority".into(),
            format!("/api/v1/tickets?department={d}&{open}&sort=priority"),
        ));
    }
    shapes.push((
        "queue, unassigned open, priority".into(),
        format!("/api/v1/tickets?assignee=none&{open}&sort=priority"),
    ));
    shapes.push(("counts, unassigned".into(), "/api/v1/tickets/counts?assignee=none".into()));
    // Overdue at the server's clock: due before now, most overdue first, and their count.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    shapes.push(("queue, overdue, due order".into(), format!("/api/v1/tickets?due_before={now}&sort=due")));
    shapes.push(("counts, overdue".into(), format!("/api/v1/tickets/counts?due_before={now}")));
    shapes.push(("search, tracking number".into(), format!("/api/v1/tickets?q={}", b.sample_tracking)));
    shapes.push(("ticket page (with timeline)".into(), format!("/api/v1/tickets/{}", b.sample_id)));
    for (name, path) in shapes {
        let (mut lat, _) = b.measure(&path, 3, requests).await?;
        let s = Summary::of(&mut lat);
        println!("{name:<40} {:>9} {:>9} {:>9}", ms(s.p50), ms(s.p99), ms(s.max));
    }
    let cpu_before = b.server.cpu_seconds();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle_cpu = match (cpu_before, b.server.cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.2}% of a core", (b - a) / 10.0 * 100.0),
        _ => "n/a".into(),
    };
    if let Some((rss, peak)) = b.server.memory_mib() {
        println!(
            "server memory: {rss:.1} MiB resident, {peak:.1} MiB peak; idle CPU over 10 s (job worker off): {idle_cpu}"
        );
    }
    Ok(())
}
