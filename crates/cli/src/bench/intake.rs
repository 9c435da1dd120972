//! Intake throughput: N clients each send feedback back-to-back for a fixed time; every
//! 201 counted was committed durably (SQLite `synchronous=FULL`, group commit).

use super::child::{login, ServerProcess};
use super::stats::{ms, Summary};
use anyhow::Context;
use loopdesk_store::scratch::ScratchDatabase;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TEXTS: &[&str] = &[
    "扫地机器人X20充电后只能用十分钟，电池是不是有问题？订单号 DD20261103001",
    "The app logs me out every time I switch networks, please fix this.",
    "空气净化器AP-500滤芯提示一直不消失，已经换过新的了。",
    "快递已经五天没有更新物流信息了，请帮忙查一下。",
];

pub async fn run(clients: &[usize], seconds: u64, postgres: Option<String>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = match postgres {
        Some(url) => Some(ScratchDatabase::postgres(&url).await?),
        None => None,
    };
    let server = ServerProcess::start(dir.path(), db.as_ref().map(|d| d.url.as_str()), true).await?;
    let password = server.admin_password.clone().context("no admin password printed")?;
    let (client, cookie) = login(&server.base, "admin", &password).await?;
    let token: serde_json::Value = client
        .post(format!("{}/api/v1/tokens", server.base))
        .header("cookie", cookie)
        .json(&json!({ "name": "bench", "intake_only": true }))
        .send()
        .await?
        .json()
        .await?;
    let token = token["token"].as_str().context("no token")?.to_string();
    println!(
        "intake benchmark on {} — durable 201s, {seconds} s per step",
        if db.is_some() { "PostgreSQL" } else { "SQLite" }
    );
    println!("{:>8} {:>12} {:>9} {:>9} {:>9} {:>7}", "clients", "tickets/s", "p50 ms", "p99 ms", "max ms", "errors");
    for &n in clients {
        load(&server.base, &token, n, Duration::from_secs(1)).await?;
        let (count, errors, mut lat, elapsed) = load(&server.base, &token, n, Duration::from_secs(seconds)).await?;
        let s = Summary::of(&mut lat);
        println!(
            "{n:>8} {:>12.0} {:>9} {:>9} {:>9} {errors:>7}",
            count as f64 / elapsed.as_secs_f64(),
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        );
    }
    drop(server);
    drop(db);
    Ok(())
}

type LoadResult = (u64, u64, Vec<Duration>, Duration);

async fn load(base: &str, token: &str, clients: usize, length: Duration) -> anyhow::Result<LoadResult> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let url = format!("{base}/api/v1/feedback");
    let seq = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + length;
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, token, seq) = (http.clone(), url.clone(), token.to_string(), seq.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
            while Instant::now() < deadline {
                let i = seq.fetch_add(1, Ordering::Relaxed);
                let body = json!({
                    "channel": "app",
                    "content": format!("{} (#{i})", TEXTS[i as usize % TEXTS.len()]),
                    "customer": { "name": "压测用户", "phone": format!("139{:08}", i % 100_000_000) },
                });
                let t = Instant::now();
                let resp = http.post(&url).bearer_auth(&token).json(&body).send().await;
                match resp {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                        ok += 1;
                    }
                    _ => errors += 1,
                }
            }
            (ok, errors, lat)
        }));
    }
    let (mut ok, mut errors, mut lat) = (0, 0, Vec::new());
    for t in tasks {
        let (o, e, l) = t.await?;
        ok += o;
        errors += e;
        lat.extend(l);
    }
    Ok((ok, errors, lat, start.elapsed()))
}
