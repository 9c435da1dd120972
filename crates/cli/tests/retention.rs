//! `loopdesk retention run` killed with SIGKILL part way and run again, on SQLite and
//! PostgreSQL: the second run picks up the same run and finishes it, every due ticket is
//! anonymised once (the run's record counts exactly the tickets the dry run found), and a
//! third run finds nothing left.

mod common;

use common::get;
use loopdesk_store::testing::TestDatabase;
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The time the runs judge by: every demo ticket ended long before it.
const NOW: &str = "2040-01-01";

fn command(args: &[&str], data: &Path, url: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loopdesk"));
    cmd.arg("--data").arg(data).args(args).env("LOOPDESK_LOG", "warn");
    // One ticket per transaction, so the run has many to be killed between.
    cmd.env("LOOPDESK_RETENTION__CHUNK", "1");
    match url {
        Some(u) => cmd.env("LOOPDESK_DATABASE_URL", u),
        None => cmd.env_remove("LOOPDESK_DATABASE_URL"),
    };
    cmd.kill_on_drop(true);
    cmd
}

/// Runs a command to its end; what it printed.
async fn run(args: &[&str], data: &Path, url: Option<&str>) -> String {
    let out = command(args, data, url).output().await.expect("run loopdesk");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{args:?}: {text}");
    text
}

/// The number before `marker` in the summary line.
fn count_before(text: &str, marker: &str) -> u64 {
    let line = text.lines().find(|l| l.contains(marker)).unwrap_or_else(|| panic!("no {marker:?} in {text}"));
    let head = &line[..line.find(marker).unwrap_or(0)];
    head.rsplit(' ').find_map(|w| w.parse().ok()).unwrap_or_else(|| panic!("no count in {line}"))
}

#[tokio::test]
async fn a_run_killed_part_way_and_run_again_anonymises_each_ticket_once() {
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.unwrap();
        let url = (backend == loopdesk_store::Backend::Postgres).then(|| db.url.clone());
        let url = url.as_deref();
        let dir = tempfile::tempdir().unwrap();
        run(&["demo", "--tickets", "1500"], dir.path(), url).await;

        let dry = run(&["retention", "run", "--dry-run", "--now", NOW], dir.path(), url).await;
        let due = count_before(&dry, " tickets would be anonymised");
        assert!(due > 300, "the demo has finished tickets: {dry}");

        // Killed once the first chunk is committed.
        let mut child = command(&["retention", "run", "--now", NOW], dir.path(), url)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next_line().await.expect("read").expect("a progress line");
        assert!(first.contains("anonymised so far"), "{first}");
        child.start_kill().expect("SIGKILL");
        child.wait().await.expect("reaped");

        let second = run(&["retention", "run", "--now", NOW], dir.path(), url).await;
        let rest = count_before(&second, " tickets anonymised (");
        assert!(rest > 0 && rest < due, "the second run finished what the first left ({rest} of {due}): {second}");
        let third = run(&["retention", "run", "--dry-run", "--now", NOW], dir.path(), url).await;
        assert_eq!(count_before(&third, " tickets would be anonymised"), 0, "{third}");

        // One run, finished, that counted every due ticket exactly once.
        let password = "retention test password";
        run(&["user", "add", "--username", "auditor", "--role", "admin", "--password", password], dir.path(), url)
            .await;
        let node = common::start(dir.path(), url, &[]).await;
        let http = reqwest::Client::new();
        let resp = http
            .post(format!("{}/api/v1/auth/login", node.base))
            .json(&serde_json::json!({"username": "auditor", "password": password}))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), 200, "login");
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let (status, runs) = get(&http, format!("{}/api/v1/retention/runs", node.base), &cookie).await;
        assert_eq!(status, 200, "{runs}");
        let runs = runs.as_array().expect("runs");
        let real: Vec<_> = runs.iter().filter(|r| r["tickets"].as_u64() > Some(0)).collect();
        assert_eq!(real.len(), 1, "{runs:?}");
        assert_eq!(real[0]["tickets"].as_u64(), Some(due), "{runs:?}");
        assert!(real[0]["finished_at"].is_string(), "{runs:?}");
    }
}
