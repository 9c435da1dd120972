//! `loopdesk bench pages`: the console's queue and ticket pages (and the dashboard and the
//! portal) on a large existing database: latency seen by a client on loopback (p50/p99),
//! page weight (HTML plus the CSS and script it loads), and a check that no page makes the
//! browser fetch anything from another server.

use super::child::{login, ServerProcess};
use super::stats::{ms, Summary};
use loopdesk_core::Role;
use loopdesk_server::auth::password;
use loopdesk_server::config::Config;
use loopdesk_store::{NewUser, Sort, TicketFilter};
use std::time::{Duration, Instant};

/// Requests, in HTML, to anything that is not this server: `src=`, `<link href=`,
/// `action=`, CSS `url(` with a scheme or `//`. Links a person may click (`<a href>`)
/// are not requests.
pub fn external_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["src=\"", "action=\"", "url("] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            if rest.starts_with("http:") || rest.starts_with("https:") || rest.starts_with("//") {
                found.push(rest.chars().take(60).collect());
            }
        }
    }
    for (i, _) in html.match_indices("<link") {
        let tag: String = html[i..].chars().take_while(|c| *c != '>').collect();
        if tag.contains("href=\"http") || tag.contains("href=\"//") {
            found.push(tag);
        }
    }
    found
}

pub async fn run(config: Config, requests: usize) -> anyhow::Result<()> {
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
    let asset_bytes = {
        let mut n = 0;
        for a in ["/assets/app.css", "/assets/app.js"] {
            n += client.get(format!("{}{a}", server.base)).send().await?.bytes().await?.len();
        }
        n
    };
    println!("pages benchmark: {total} tickets, {requests} requests per page (latency seen by a client on loopback)");
    println!("CSS + script loaded by every page: {asset_bytes} bytes");
    println!(
        "{:<34} {:>8} {:>8} {:>8} {:>10} {:>10} {:>9}",
        "page", "p50 ms", "p99 ms", "max ms", "HTML B", "total B", "external"
    );
    let pages: Vec<(&str, String)> = vec![
        ("queue: all, priority order", "/console?view=all".into()),
        ("queue: unassigned", "/console?view=unassigned".into()),
        ("queue: all, state=new, newest", "/console?view=all&state=new&sort=newest".into()),
        ("queue: search \"充电\"", "/console?view=all&q=%E5%85%85%E7%94%B5".into()),
        ("ticket page", format!("/console/tickets/{sample_id}")),
        ("dashboard: today", "/console/dashboard?period=today".into()),
        ("portal: feedback form", "/".into()),
    ];
    let mut worst_weight = 0;
    let mut externals = 0;
    for (name, path) in pages {
        let mut lat: Vec<Duration> = Vec::with_capacity(requests);
        let mut html = String::new();
        for i in 0..requests + 2 {
            let t = Instant::now();
            let resp = client.get(format!("{}{path}", server.base)).header("cookie", &cookie).send().await?;
            let status = resp.status();
            html = resp.text().await?;
            anyhow::ensure!(status.is_success(), "{path} answered {status}");
            if i >= 2 {
                lat.push(t.elapsed());
            }
        }
        let s = Summary::of(&mut lat);
        let ext = external_references(&html);
        externals += ext.len();
        worst_weight = worst_weight.max(html.len() + asset_bytes);
        println!(
            "{name:<34} {:>8} {:>8} {:>8} {:>10} {:>10} {:>9}",
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            html.len(),
            html.len() + asset_bytes,
            ext.len()
        );
        for e in ext {
            println!("    external reference: {e}");
        }
    }
    println!("heaviest page with its assets: {worst_weight} bytes (target ≤ 200 KB); external references: {externals}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::external_references;

    #[test]
    fn finds_requests_to_other_servers_only() {
        let html = r#"<link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js"></script>
            <a href="https://example.com/x">a link</a><img src="https://cdn.example/x.png">
            <link href="//fonts.example/css"><form action="http://evil/x">"#;
        let found = external_references(html);
        assert_eq!(found.len(), 3, "{found:?}");
    }
}
