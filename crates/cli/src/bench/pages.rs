//! `loopdesk bench pages`: the console's queue and ticket pages (and the dashboard and the
//! portal) on a large existing database: latency seen by a client on loopback (p50/p99),
//! page weight (HTML plus the CSS and script it loads), and a check that no page makes the
//! browser fetch anything from another server.

use super::child::BenchSession;
use super::stats::{ms, Summary};
use loopdesk_app::Config;
use loopdesk_server::web::queue::TABS;

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
    let b = BenchSession::start(&config).await?;
    let asset_bytes = {
        let mut n = 0;
        for a in ["/assets/app.css", "/assets/app.js"] {
            n += b.client.get(format!("{}{a}", b.server.base)).send().await?.bytes().await?.len();
        }
        n
    };
    println!(
        "pages benchmark: {} tickets, {requests} requests per page (latency seen by a client on loopback)",
        b.total
    );
    println!("CSS + script loaded by every page: {asset_bytes} bytes");
    println!(
        "{:<40} {:>8} {:>8} {:>8} {:>10} {:>10} {:>9}",
        "page", "p50 ms", "p99 ms", "max ms", "HTML B", "total B", "external"
    );
    let mut pages: Vec<(String, String)> = Vec::new();
    for tab in TABS {
        // The SLA tabs default to the due order, the others to priority.
        pages.push((format!("queue: {tab}, its order"), format!("/console?view={tab}")));
        pages.push((format!("queue: {tab}, newest first"), format!("/console?view={tab}&sort=newest")));
    }
    pages.extend([
        ("queue: all, state=new, newest".to_string(), "/console?view=all&state=new&sort=newest".to_string()),
        ("queue: all, SLA due order".into(), "/console?view=all&sort=due".into()),
        ("queue: mine, SLA due order".into(), "/console?view=mine&sort=due".into()),
        ("queue: search \"充电\"".into(), "/console?view=all&q=%E5%85%85%E7%94%B5".into()),
        ("ticket page".into(), format!("/console/tickets/{}", b.sample_id)),
        ("dashboard: today".into(), "/console/dashboard?period=today".into()),
        ("dashboard: week".into(), "/console/dashboard?period=week".into()),
        ("dashboard: month".into(), "/console/dashboard?period=month".into()),
        ("team load".into(), "/console/team".into()),
        ("portal: feedback form".into(), "/".into()),
    ]);
    let mut worst_weight = 0;
    let mut externals = 0;
    for (name, path) in pages {
        let (mut lat, html) = b.measure(&path, 2, requests).await?;
        let s = Summary::of(&mut lat);
        let ext = external_references(&html);
        externals += ext.len();
        worst_weight = worst_weight.max(html.len() + asset_bytes);
        println!(
            "{name:<40} {:>8} {:>8} {:>8} {:>10} {:>10} {:>9}",
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
