//! Intake throughput: N clients each send feedback back-to-back for a fixed time; every
//! 201 counted was committed durably (SQLite `synchronous=FULL`, group commit).
//!
//! The server is set up as a company would have it (departments, agents, routing rules with
//! a fallback), so the route each ticket gets after its 201 is part of the measured work, and
//! the time until it lands (the route lag) is sampled during the load.

use super::child::{login, ServerProcess};
use super::mix::{Mix, MixKind};
use super::stats::{ms, Summary};
use anyhow::Context;
use loopdesk_store::scratch::ScratchDatabase;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What `loopdesk bench intake` was asked for.
pub struct Options {
    pub clients: Vec<usize>,
    pub seconds: u64,
    pub postgres: Option<String>,
    pub mix: MixKind,
    /// Print the time of each stage of an intake (from the server's own metrics).
    pub breakdown: bool,
    /// Every how many 201s one ticket is followed until its route lands (0: never).
    pub lag_every: u64,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = match &options.postgres {
        Some(url) => Some(ScratchDatabase::postgres(url).await?),
        None => None,
    };
    let server = ServerProcess::start(dir.path(), db.as_ref().map(|d| d.url.as_str()), true).await?;
    let password = server.admin_password.clone().context("no admin password printed")?;
    let (admin, cookie) = login(&server.base, "admin", &password).await?;
    let staff = Staff { http: admin, base: server.base.clone(), cookie };
    staff.set_up_company().await?;
    let token = staff.post("/api/v1/tokens", json!({ "name": "bench", "intake_only": true })).await?;
    let token = token["token"].as_str().context("no token")?.to_string();
    println!(
        "intake benchmark on {}, {} mix — durable 201s, {} s per step",
        if db.is_some() { "PostgreSQL" } else { "SQLite" },
        match options.mix {
            MixKind::Realistic => "realistic",
            MixKind::WorstCase => "WORST-CASE (four texts, four ever-growing clusters)",
        },
        options.seconds
    );
    println!(
        "{:>8} {:>10} {:>8} {:>8} {:>8} {:>7} {:>14} {:>9} {:>13}",
        "clients", "tickets/s", "p50 ms", "p99 ms", "max ms", "errors", "route lag p99", "rss MiB", "cpu ms/ticket"
    );
    let lags = Lags::new(staff.clone());
    for &n in &options.clients {
        let warm = Load { base: &server.base, token: &token, clients: n, mix: options.mix, lags: None };
        warm.run(Duration::from_secs(1)).await?;
        lags.clear();
        let step = Load { lags: (options.lag_every > 0).then_some((&lags, options.lag_every)), ..warm };
        let cpu_before = server.cpu_seconds();
        let (count, errors, mut lat, elapsed) = step.run(Duration::from_secs(options.seconds)).await?;
        // Server CPU per ticket: what the machine pays for one, whatever else runs beside it.
        let cpu = match (cpu_before, server.cpu_seconds()) {
            (Some(a), Some(b)) if count > 0 => format!("{:.2}", (b - a) * 1000.0 / count as f64),
            _ => "?".into(),
        };
        let route_lag = lags.finish().await;
        let s = Summary::of(&mut lat);
        let rss = server.memory_mib().map(|(rss, _)| format!("{rss:.0}")).unwrap_or_else(|| "?".into());
        println!(
            "{n:>8} {:>10.0} {:>8} {:>8} {:>8} {errors:>7} {route_lag:>14} {rss:>9} {cpu:>13}",
            count as f64 / elapsed.as_secs_f64(),
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        );
    }
    if let Some((rss, peak)) = server.memory_mib() {
        println!("server memory: {rss:.0} MiB resident, {peak:.0} MiB peak");
    }
    if options.breakdown {
        let text = staff.http.get(format!("{}/metrics", server.base)).send().await?.text().await?;
        print!("{}", breakdown(&text));
    }
    drop(server);
    drop(db);
    Ok(())
}

/// A signed-in administrator.
#[derive(Clone)]
struct Staff {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Staff {
    async fn send(&self, req: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let resp = req.header("cookie", &self.cookie).send().await?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        anyhow::ensure!(status.is_success(), "{status}: {body}");
        Ok(body)
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body)).await
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(self.http.get(format!("{}{path}", self.base))).await
    }

    /// Three departments with four agents each, and routing rules by category with a
    /// fallback, as a company running Loopdesk has them.
    async fn set_up_company(&self) -> anyhow::Result<()> {
        let mut ids = Vec::new();
        for (i, name) in ["售后服务部", "物流部", "技术支持部"].iter().enumerate() {
            let d = self.post("/api/v1/departments", json!({ "name": name })).await?;
            let id = d["id"].as_i64().context("department without id")?;
            for a in 0..4 {
                let user = json!({
                    "username": format!("agent{i}{a}"), "display_name": format!("客服{i}{a}"),
                    "role": "agent", "department_id": id, "password": "bench-password-123",
                });
                self.post("/api/v1/users", user).await?;
            }
            ids.push(id);
        }
        let rule = |name: &str, categories: &[&str], d: i64| json!({ "name": name, "when": { "categories": categories }, "departments": [d] });
        let rules = json!({
            "rules": [
                rule("质量与服务", &["product_quality", "service_complaint", "payment"], ids[0]),
                rule("物流", &["logistics"], ids[1]),
                rule("技术", &["technical", "ux", "feature_request"], ids[2]),
            ],
            "fallback_department": ids[0],
        });
        let doc = json!({ "expected_version": 0, "body": rules, "comment": "bench" });
        self.send(self.http.put(format!("{}/api/v1/admin/routing-rules", self.base)).json(&doc)).await?;
        Ok(())
    }
}

/// Tickets followed from their 201 until they leave `new` (routed, merged or rejected).
struct Lags {
    staff: Staff,
    followed: Mutex<Vec<tokio::task::JoinHandle<Option<Duration>>>>,
}

impl Lags {
    fn new(staff: Staff) -> Lags {
        Lags { staff, followed: Mutex::new(Vec::new()) }
    }

    fn clear(&self) {
        self.followed.lock().map(|mut f| f.clear()).unwrap_or_default();
    }

    /// Follows ticket `id`, acknowledged at `acked`, for up to 10 s.
    fn follow(&self, id: i64, acked: Instant) {
        let staff = self.staff.clone();
        let task = tokio::spawn(async move {
            while acked.elapsed() < Duration::from_secs(10) {
                if let Ok(t) = staff.get(&format!("/api/v1/tickets/{id}")).await {
                    if t["ticket"]["state"].as_str() != Some("new") {
                        return Some(acked.elapsed());
                    }
                }
                // Coarse enough that following tickets does not load the server being measured.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            None
        });
        if let Ok(mut f) = self.followed.lock() {
            f.push(task);
        }
    }

    /// The p99 lag of the followed tickets, and how many never left `new`.
    async fn finish(&self) -> String {
        let tasks = self.followed.lock().map(|mut f| std::mem::take(&mut *f)).unwrap_or_default();
        if tasks.is_empty() {
            return "-".into();
        }
        let (mut lags, mut stuck) = (Vec::new(), 0);
        for t in tasks {
            match t.await {
                Ok(Some(lag)) => lags.push(lag),
                _ => stuck += 1,
            }
        }
        let s = Summary::of(&mut lags);
        if stuck > 0 {
            format!("{} ({stuck} late)", ms(s.p99))
        } else {
            ms(s.p99)
        }
    }
}

/// One step of load.
#[derive(Clone, Copy)]
struct Load<'a> {
    base: &'a str,
    token: &'a str,
    clients: usize,
    mix: MixKind,
    lags: Option<(&'a Lags, u64)>,
}

type LoadResult = (u64, u64, Vec<Duration>, Duration);

impl Load<'_> {
    async fn run(self, length: Duration) -> anyhow::Result<LoadResult> {
        let http = reqwest::Client::builder().pool_max_idle_per_host(self.clients).build()?;
        let url = format!("{}/api/v1/feedback", self.base);
        let seq = Arc::new(AtomicU64::new(0));
        let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<(i64, Instant)>();
        let start = Instant::now();
        let deadline = start + length;
        let mut tasks = Vec::new();
        for c in 0..self.clients {
            let (http, url, token, seq, acked) =
                (http.clone(), url.clone(), self.token.to_string(), seq.clone(), acked_tx.clone());
            // A new seed each run and client: a repeated sequence would resend earlier customers.
            let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64);
            let mut mix = Mix::new(self.mix, seed.unwrap_or(0) ^ (c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let every = self.lags.map(|(_, n)| n).unwrap_or(0);
            tasks.push(tokio::spawn(async move {
                let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
                while Instant::now() < deadline {
                    let i = seq.fetch_add(1, Ordering::Relaxed);
                    let body = mix.next(i);
                    let t = Instant::now();
                    match http.post(&url).bearer_auth(&token).json(&body).send().await {
                        Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                            let answer: Value = r.json().await.unwrap_or(Value::Null);
                            lat.push(t.elapsed());
                            ok += 1;
                            if every > 0 && i % every == 0 {
                                if let Some(id) = answer["id"].as_i64() {
                                    let _ = acked.send((id, Instant::now()));
                                }
                            }
                        }
                        _ => errors += 1,
                    }
                }
                (ok, errors, lat)
            }));
        }
        drop(acked_tx);
        if let Some((lags, _)) = self.lags {
            while let Some((id, at)) = acked_rx.recv().await {
                lags.follow(id, at);
            }
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
}

/// The intake stages the server measured (mean and p99 per stage, in the order an intake
/// passes them), from its Prometheus text.
fn breakdown(metrics: &str) -> String {
    const METRIC: &str = loopdesk_store::stage::METRIC;
    const ORDER: &[&str] = &[
        "triage",
        "cluster",
        "prepare",
        "queued",
        "begin",
        "idempotency",
        "tickets",
        "events",
        "search",
        "live",
        "signatures",
        "counts",
        "owed",
        "commit",
        "written",
        // What intake owes, done by the job worker right after (one sample per batch).
        "jobs.claim",
        "jobs.claim.hold",
        "route.ticket",
        "change.begin",
        "change.tickets",
        "change.rest",
        "change.commit",
        "cluster.raise",
        "jobs.complete",
        // The acknowledgements' sends: claimed, then their outcomes recorded.
        "outbox.claim",
        "outbox.record",
        // What else takes the one write connection while intakes wait for it.
        "checkpoint.finish",
        "ids.block",
    ];
    let value = |stage: &str, suffix: &str, quantile: Option<&str>| -> Option<f64> {
        metrics.lines().find_map(|line| {
            let rest = line.strip_prefix(METRIC)?.strip_prefix(suffix)?;
            let (labels, v) = rest.rsplit_once(' ')?;
            let wanted_stage = labels.contains(&format!("stage=\"{stage}\""));
            let wanted_q = quantile.is_none_or(|q| labels.contains(&format!("quantile=\"{q}\"")));
            (wanted_stage && wanted_q).then(|| v.parse().ok()).flatten()
        })
    };
    let mut out = String::from("\nstages of an intake (server side, whole run)\n");
    out.push_str(&format!("{:>12} {:>10} {:>10} {:>10}\n", "stage", "mean ms", "p99 ms", "count"));
    for stage in ORDER {
        let (Some(sum), Some(count)) = (value(stage, "_sum", None), value(stage, "_count", None)) else {
            continue;
        };
        let p99 = value(stage, "{", Some("0.99")).map(|v| format!("{:.3}", v * 1000.0)).unwrap_or_else(|| "?".into());
        let mean = if count > 0.0 { sum / count * 1000.0 } else { 0.0 };
        out.push_str(&format!("{stage:>12} {mean:>10.3} {p99:>10} {count:>10.0}\n"));
    }
    let batch = |suffix: &str| {
        metrics.lines().find_map(|l| {
            l.strip_prefix("loopdesk_intake_batch_size")?.strip_prefix(suffix)?.trim().parse::<f64>().ok()
        })
    };
    if let (Some(sum), Some(n)) = (batch("_sum"), batch("_count")) {
        if n > 0.0 {
            out.push_str(&format!("mean group-commit batch: {:.1} tickets over {n:.0} commits\n", sum / n));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::breakdown;

    #[test]
    fn breakdown_reads_the_summaries_in_stage_order() {
        let text = "\
loopdesk_intake_stage_seconds{stage=\"commit\",quantile=\"0.99\"} 0.004
loopdesk_intake_stage_seconds_sum{stage=\"commit\"} 0.2
loopdesk_intake_stage_seconds_count{stage=\"commit\"} 100
loopdesk_intake_stage_seconds{stage=\"triage\",quantile=\"0.99\"} 0.0002
loopdesk_intake_stage_seconds_sum{stage=\"triage\"} 0.01
loopdesk_intake_stage_seconds_count{stage=\"triage\"} 100
loopdesk_intake_batch_size_sum 100
loopdesk_intake_batch_size_count 10
";
        let out = breakdown(text);
        let triage = out.find("triage").expect("triage row");
        let commit = out.find("commit").expect("commit row");
        assert!(triage < commit, "{out}");
        assert!(out.contains("2.000"), "commit mean 2 ms: {out}");
        assert!(out.contains("4.000"), "commit p99 4 ms: {out}");
        assert!(out.contains("10.0 tickets over 10 commits"), "{out}");
    }
}
