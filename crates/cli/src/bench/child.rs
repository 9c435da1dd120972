//! A `loopdesk serve` child process on a random port, for benchmarks.

use anyhow::{bail, Context};
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running server process.
pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    /// The first admin's password, when this start created it.
    pub admin_password: Option<String>,
}

impl ServerProcess {
    /// Starts `loopdesk serve` on `data` (and `database_url` if given), with or without its
    /// job worker, and waits until it listens.
    pub async fn start(data: &Path, database_url: Option<&str>, worker: bool) -> anyhow::Result<ServerProcess> {
        let exe = std::env::current_exe()?;
        let mut cmd = Command::new(exe);
        cmd.arg("--data").arg(data).args(["serve", "--bind", "127.0.0.1:0"]);
        cmd.env("LOOPDESK_LOG", "warn").env_remove("LOOPDESK_DATABASE_URL");
        // Benchmarks load from one address; lift the public limits for the run.
        cmd.env("LOOPDESK_LIMITS__FEEDBACK_PER_MINUTE", "100000000");
        cmd.env("LOOPDESK_JOBS__WORKER", worker.to_string());
        if let Some(url) = database_url {
            cmd.env("LOOPDESK_DATABASE_URL", url);
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).kill_on_drop(true);
        let mut child = cmd.spawn().context("starting loopdesk serve")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut admin_password = None;
        while let Some(line) = lines.next_line().await? {
            if let Some(pw) = line.trim().strip_prefix("password: ") {
                admin_password = Some(pw.to_string());
            }
            if let Some(rest) = line.strip_prefix("Loopdesk is listening on ") {
                let base = rest.split_whitespace().next().unwrap_or_default().to_string();
                // Keep draining stdout so the child never blocks on a full pipe.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                return Ok(ServerProcess { child, base, admin_password });
            }
        }
        bail!("loopdesk serve exited before listening")
    }

    /// Resident and peak memory of the server process, in MiB (Linux).
    pub fn memory_mib(&self) -> Option<(f64, f64)> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// CPU time (user + system) the server has used so far, in seconds (Linux).
    pub fn cpu_seconds(&self) -> Option<f64> {
        let pid = self.child.id()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / 100.0)
    }
}

/// Signs in and returns a client carrying the session cookie.
pub async fn login(base: &str, username: &str, password: &str) -> anyhow::Result<(reqwest::Client, String)> {
    let client = reqwest::Client::builder().build()?;
    let resp = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": password }))
        .send()
        .await?;
    if !resp.status().is_success() {
        bail!("login failed: {}", resp.text().await.unwrap_or_default());
    }
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_string();
    Ok((client, cookie))
}

/// A benchmark's server: a `loopdesk serve` child on an existing database, a throw-away
/// admin signed in, and what the database holds.
pub struct BenchSession {
    pub server: ServerProcess,
    pub client: reqwest::Client,
    pub cookie: String,
    /// Tickets in the database.
    pub total: i64,
    /// The newest ticket (for the ticket page).
    pub sample_id: i64,
    /// Its tracking number (for the exact-match search).
    pub sample_tracking: String,
    /// The agent with the most open tickets, if any (for "assigned to X" queues).
    pub busiest_agent: Option<i64>,
    /// The department with the most tickets, if any.
    pub busiest_department: Option<i64>,
}

impl BenchSession {
    /// Creates the admin directly in the store (in the busiest department, so the
    /// department tab is a real one), then starts the server and signs in.
    pub async fn start(config: &loopdesk_app::Config) -> anyhow::Result<BenchSession> {
        use loopdesk_store::{NewUser, Sort, TicketFilter};
        let app = loopdesk_app::App::open(config.clone(), std::sync::Arc::new(loopdesk_app::SystemClock)).await?;
        let store = app.store();
        let load = store.team_load().await?;
        let busiest_agent = load.first().map(|l| l.user_id.0);
        let departments = store.departments().await?;
        let mut busiest_department = None;
        let mut most = -1;
        for d in &departments {
            let f = TicketFilter { department: Some(Some(d.id)), ..TicketFilter::default() };
            let n = store.count_by_state(&f).await?.total;
            if n > most {
                most = n;
                busiest_department = Some(d.id);
            }
        }
        let username = format!("bench{}", std::process::id());
        let pw = loopdesk_app::accounts::password::generate();
        let new = NewUser {
            username: username.clone(),
            display_name: "bench".into(),
            role: loopdesk_core::Role::Admin,
            department_id: busiest_department,
            password_hash: loopdesk_app::accounts::password::hash(pw.clone()).await?,
        };
        store.create_user(&new, chrono::Utc::now()).await?;
        let total = store.count_by_state(&TicketFilter::default()).await?.total;
        let newest = store.list_tickets(&TicketFilter::default(), Sort::Newest, None, 1).await?;
        let sample_id = newest.items.first().map(|s| s.ticket.id.0).unwrap_or(1);
        let sample_tracking = newest.items.first().map(|s| s.ticket.tracking_no.to_string()).unwrap_or_default();
        store.close().await;

        let url = config.database_url.as_ref().map(|s| s.expose().to_string());
        // Without the job worker: a demo database holds thousands of overdue SLA timers, and
        // catching up on them would be measured along with the pages.
        let server = ServerProcess::start(&config.data, url.as_deref(), false).await?;
        let (client, cookie) = login(&server.base, &username, &pw).await?;
        Ok(BenchSession {
            server,
            client,
            cookie,
            total,
            sample_id,
            sample_tracking,
            busiest_agent,
            busiest_department: busiest_department.map(|d| d.0),
        })
    }

    /// Requests `path` `warmup + requests` times; the latencies of the last `requests`
    /// and the last body.
    pub async fn measure(
        &self,
        path: &str,
        warmup: usize,
        requests: usize,
    ) -> anyhow::Result<(Vec<std::time::Duration>, String)> {
        let mut lat = Vec::with_capacity(requests);
        let mut body = String::new();
        for i in 0..warmup + requests {
            let t = std::time::Instant::now();
            let resp =
                self.client.get(format!("{}{path}", self.server.base)).header("cookie", &self.cookie).send().await?;
            let status = resp.status();
            body = resp.text().await?;
            anyhow::ensure!(status.is_success(), "{path} answered {status}");
            if i >= warmup {
                lat.push(t.elapsed());
            }
        }
        Ok((lat, body))
    }
}
