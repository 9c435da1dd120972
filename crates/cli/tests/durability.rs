//! An acknowledged feedback is never lost: the real `loopdesk serve` process is killed with
//! SIGKILL right after answering 201s, restarted on the same database, and every ticket
//! it acknowledged is there. Runs on SQLite, and on PostgreSQL when configured.

use loopdesk_store::testing::TestDatabase;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

struct Server {
    child: Child,
    base: String,
    password: Option<String>,
}

async fn start(data: &Path, db_url: Option<&str>) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loopdesk"));
    cmd.arg("--data").arg(data).args(["serve", "--bind", "127.0.0.1:0"]);
    cmd.env("LOOPDESK_LOG", "warn").env_remove("LOOPDESK_DATABASE_URL");
    // 40 submits from one address: lift the per-client limit (also exercises env config).
    cmd.env("LOOPDESK_LIMITS__FEEDBACK_PER_MINUTE", "1000");
    if let Some(url) = db_url {
        cmd.env("LOOPDESK_DATABASE_URL", url);
    }
    cmd.stdout(Stdio::piped()).kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn loopdesk");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut password = None;
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(pw) = line.trim().strip_prefix("password: ") {
            password = Some(pw.to_string());
        }
        if let Some(rest) = line.strip_prefix("Loopdesk is listening on ") {
            let base = rest.split_whitespace().next().unwrap().to_string();
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Server { child, base, password };
        }
    }
    panic!("server exited before listening");
}

#[tokio::test]
async fn sigkill_right_after_201_loses_nothing() {
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.unwrap();
        let url = (backend == loopdesk_store::Backend::Postgres).then(|| db.url.clone());
        let dir = tempfile::tempdir().unwrap();
        let mut server = start(dir.path(), url.as_deref()).await;
        let password = server.password.clone().expect("first start prints the admin password");
        let http = reqwest::Client::new();

        // 40 concurrent submits; collect every acknowledged ticket, then kill at once.
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (http, base) = (http.clone(), server.base.clone());
            tasks.push(tokio::spawn(async move {
                let body =
                    json!({"content": format!("第{i}台洗衣机漏水"), "customer": {"phone": format!("1380000{i:04}")}});
                let r = http.post(format!("{base}/api/v1/feedback")).json(&body).send().await.ok()?;
                (r.status() == 201).then_some(())?;
                r.json::<Value>().await.ok()
            }));
        }
        let mut acknowledged = Vec::new();
        for t in tasks {
            if let Some(v) = t.await.unwrap() {
                acknowledged.push((v["id"].as_i64().unwrap(), v["tracking_no"].as_str().unwrap().to_string()));
            }
        }
        server.child.start_kill().unwrap(); // SIGKILL: no shutdown, no flush.
        server.child.wait().await.unwrap();
        assert_eq!(acknowledged.len(), 40);

        let server = start(dir.path(), url.as_deref()).await;
        assert!(server.password.is_none(), "the admin must not be recreated on restart");
        let login = http
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": "admin", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        for (id, tracking) in &acknowledged {
            let r = http
                .get(format!("{}/api/v1/tickets/{id}", server.base))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "ticket {id} lost after SIGKILL on {backend:?}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["ticket"]["tracking_no"], tracking.as_str());
        }
        let counts: Value = http
            .get(format!("{}/api/v1/tickets/counts", server.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(counts["total"], 40);
    }
}
