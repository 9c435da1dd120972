//! What the process tests of the binary share: a real `loopdesk serve` as a child process,
//! and signing in as the administrator it created.
// Each test file is its own crate and uses part of this.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running server: the process, its address, and the admin password it printed on its
/// first start (none on later starts).
pub struct Node {
    pub child: Child,
    pub base: String,
    pub password: Option<String>,
}

/// Starts `loopdesk serve` on `data` — SQLite there, or the database at `url` — on a free
/// loopback port, with `env` set, and waits until it listens.
pub async fn start(data: &Path, url: Option<&str>, env: &[(&str, &str)]) -> Node {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loopdesk"));
    cmd.arg("--data").arg(data).args(["serve", "--bind", "127.0.0.1:0"]);
    cmd.env("LOOPDESK_LOG", "warn");
    match url {
        Some(u) => cmd.env("LOOPDESK_DATABASE_URL", u),
        None => cmd.env_remove("LOOPDESK_DATABASE_URL"),
    };
    cmd.envs(env.iter().copied());
    cmd.stdout(Stdio::piped()).kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn loopdesk");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut password = None;
    while let Some(line) = lines.next_line().await.expect("read stdout") {
        if let Some(p) = line.trim().strip_prefix("password: ") {
            password = Some(p.to_string());
        }
        if let Some(rest) = line.strip_prefix("Loopdesk is listening on ") {
            let base = rest.split_whitespace().next().expect("address").to_string();
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Node { child, base, password };
        }
    }
    panic!("server exited before listening");
}

/// Signs in as the first administrator; returns the session cookie.
pub async fn sign_in(http: &reqwest::Client, base: &str, password: &str) -> String {
    let resp = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": "admin", "password": password }))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), 200, "login");
    resp.headers()["set-cookie"].to_str().expect("cookie").split(';').next().expect("cookie").to_string()
}

/// `GET` as the signed-in user: the status and the JSON body (null when there is none).
pub async fn get(http: &reqwest::Client, url: String, cookie: &str) -> (u16, Value) {
    let r = http.get(url).header("cookie", cookie).send().await.expect("request");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}
