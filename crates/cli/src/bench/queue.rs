//! Queue and ticket-page latency and server memory on a large existing database.

use super::child::{login, ServerProcess};
use super::stats::{ms, Summary};
use loopdesk_core::Role;
use loopdesk_server::auth::password;
use loopdesk_server::config::Config;
use loopdesk_store::{NewUser, Sort, TicketFilter};
use std::time::{Duration, Instant};

const SHAPES: &[(&str, &str)] = &[
    ("queue, first page", "/api/v1/tickets"),
    ("queue, state=new", "/api/v1/tickets?state=new"),
    ("queue, in_progress+high", "/api/v1/tickets?state=in_progress&priority=high"),
    ("queue, priority sort, open", "/api/v1/tickets?state=new,assigned,in_progress,reopened&sort=priority"),
    ("queue, unassigned new", "/api/v1/tickets?state=new&assignee=none"),
    ("queue, channel=email", "/api/v1/tickets?channel=email"),
    ("queue, category=payment", "/api/v1/tickets?category=payment"),
    ("queue, department=1 assigned", "/api/v1/tickets?department=1&state=assigned"),
    ("counts, all", "/api/v1/tickets/counts"),
    ("counts, department=1", "/api/v1/tickets/counts?department=1"),
    ("counts, priority=urgent,high", "/api/v1/tickets/counts?priority=urgent,high"),
];

pub async fn run(config: Config, requests: usize) -> anyhow::Result<()> {
    // A throw-away admin for the benchmark, created directly in the store.
    let store = loopdesk_server::open_store(&config).await?;
    let username = format!("bench{}", std::process::id());
    let pw = password::generate();
    let new = NewUser {
        username: username.clone(),
        display_name: "bench".into(),
        role: Role::Admin,
        department_id: None,
        password_hash: password::hash(pw.clone()).await.map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    store.create_user(&new, chrono::Utc::now()).await?;
    let total = store.count_by_state(&TicketFilter::default()).await?.total;
    let newest = store.list_tickets(&TicketFilter::default(), Sort::Newest, None, 1).await?;
    let sample_id = newest.items.first().map(|s| s.ticket.id.0).unwrap_or(1);
    store.close().await;

    let url = config.database_url.as_ref().map(|s| s.expose().to_string());
    let server = ServerProcess::start(&config.data, url.as_deref()).await?;
    let (client, cookie) = login(&server.base, &username, &pw).await?;
    println!("queue benchmark: {total} tickets, {requests} requests per shape (latency seen by a client on loopback)");
    println!("{:<34} {:>9} {:>9} {:>9}", "request", "p50 ms", "p99 ms", "max ms");
    let ticket_path = format!("/api/v1/tickets/{sample_id}");
    let mut shapes: Vec<(&str, String)> = SHAPES.iter().map(|(n, p)| (*n, p.to_string())).collect();
    shapes.push(("ticket page (with timeline)", ticket_path));
    for (name, path) in shapes {
        let mut lat: Vec<Duration> = Vec::with_capacity(requests);
        for i in 0..requests + 3 {
            let t = Instant::now();
            let resp = client.get(format!("{}{path}", server.base)).header("cookie", &cookie).send().await?;
            let status = resp.status();
            let _ = resp.bytes().await?;
            anyhow::ensure!(status.is_success(), "{path} answered {status}");
            if i >= 3 {
                lat.push(t.elapsed());
            }
        }
        let s = Summary::of(&mut lat);
        println!("{name:<34} {:>9} {:>9} {:>9}", ms(s.p50), ms(s.p99), ms(s.max));
    }
    let cpu_before = server.cpu_seconds();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle_cpu = match (cpu_before, server.cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.2}% of a core", (b - a) / 10.0 * 100.0),
        _ => "n/a".into(),
    };
    if let Some((rss, peak)) = server.memory_mib() {
        println!("server memory: {rss:.1} MiB resident, {peak:.1} MiB peak; idle CPU over 10 s: {idle_cpu}");
    }
    Ok(())
}
