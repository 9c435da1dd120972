//! Live updates over HTTP: the server-sent event stream read with reqwest, on SQLite and
//! PostgreSQL, with a second server process on the same database (changes made on one node
//! reach streams opened on the other), access rules and the per-user stream limit.

use crate::common;

use common::{feedback, TestApp};
use loopdesk_app::{Config, Secret};
use loopdesk_server::Server;
use loopdesk_store::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// An open event stream.
struct Stream {
    resp: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(base: &str, cookie: &str) -> Result<Stream, StatusCode> {
        let resp = reqwest::Client::new()
            .get(format!("{base}/api/v1/live"))
            .header("cookie", cookie)
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        if !resp.status().is_success() {
            return Err(resp.status());
        }
        let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("text/event-stream"), "{ct}");
        let mut s = Stream { resp, buf: String::new() };
        assert_eq!(s.next().await.0, "ready");
        Ok(s)
    }

    /// The next event (name, data); keep-alive comments are skipped. Waits for the stream,
    /// never longer than 20 s (a failing test, not a sleep).
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() {
                    continue; // a comment (keep-alive)
                }
                return (name, serde_json::from_str(&data).unwrap());
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.resp.chunk())
                .await
                .expect("an event within 20 s")
                .unwrap()
                .expect("the stream is open");
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next `ticket` event.
    async fn next_change(&mut self) -> Value {
        loop {
            let (name, data) = self.next().await;
            if name == "ticket" {
                return data;
            }
        }
    }
}

fn config() -> Config {
    let mut c = Config::default();
    c.live.poll_ms = 20;
    c.live.max_streams_per_user = 2;
    c
}

/// A second server process on the same database.
async fn second_node(app: &TestApp) -> String {
    let mut c = config();
    c.bind = "127.0.0.1:0".parse().unwrap();
    c.data = tempfile::tempdir().unwrap().keep();
    c.database_url = Some(Secret::new(app.state.config.database_url()));
    c.jobs.worker = false;
    let node = Server::build(c, Arc::new(app.clock.clone())).await.unwrap();
    let base = format!("http://{}", node.local_addr().unwrap());
    tokio::spawn(node.serve(std::future::pending()));
    base
}

#[tokio::test]
async fn changes_reach_streams_on_every_node_for_those_who_may_see_them() {
    for backend in TestDatabase::backends() {
        let app = TestApp::start(backend, config()).await;
        let other = second_node(&app).await;
        let (d1, d2) = (app.departments[0].0, app.departments[1].0);
        let mut admin = Stream::open(&other, &app.cookies["admin"]).await.unwrap();
        let mut agent = Stream::open(&app.base, &app.cookies["agent"]).await.unwrap();
        let mut agent2 = Stream::open(&other, &app.cookies["agent2"]).await.unwrap();

        // Submitted on node 1; the admin on node 2 hears of it.
        let body = app.submit(feedback("扫地机器人充电座不亮", "13800138000")).await;
        let id = body["id"].as_i64().unwrap();
        let c = admin.next_change().await;
        assert_eq!((c["ticket_id"].as_i64(), c["kind"].as_str()), (Some(id), Some("created")));
        // Only the id, the kind and the version: nothing personal.
        let keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        assert!(keys.iter().all(|k| ["id", "ticket_id", "kind", "version"].contains(k)), "{keys:?}");

        // Moved to department 2 and noted there: agent2 hears it, agent (department 1) does not.
        let a = app.post(&format!("/api/v1/tickets/{id}/assign"), json!({"department_id": d2})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let n = app
            .as_role("agent2", Method::POST, &format!("/api/v1/tickets/{id}/note"), Some(json!({"body": "已联系"})))
            .await;
        assert_eq!(n.status, StatusCode::OK, "{}", n.body);
        loop {
            let c = agent2.next_change().await;
            if c["kind"] == "noted" {
                assert_eq!(c["ticket_id"].as_i64(), Some(id));
                break;
            }
        }
        // A ticket of department 1, changed on node 2: that is the next thing agent hears.
        let mine = app.submit(feedback("App 登录后闪退", "13800138001")).await["id"].as_i64().unwrap();
        let a = app.post(&format!("/api/v1/tickets/{mine}/assign"), json!({"department_id": d1})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let r = reqwest::Client::new()
            .post(format!("{other}/api/v1/tickets/{mine}/note"))
            .header("cookie", &app.cookies["agent"])
            .json(&json!({"body": "正在排查"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        loop {
            let c = agent.next_change().await;
            assert_ne!(c["kind"], "noted", "agent heard of the other department's note: {c}");
            assert!(c["ticket_id"] == json!(mine) || c["kind"] == "created" || c["kind"] == "assigned", "{c}");
            if c["ticket_id"] == json!(mine) && c["kind"] == "assigned" {
                break;
            }
        }
        let c = agent.next_change().await;
        assert_eq!((c["ticket_id"].as_i64(), c["kind"].as_str()), (Some(mine), Some("noted")));
    }
}

#[tokio::test]
async fn streams_need_a_session_and_are_limited_per_user() {
    for backend in TestDatabase::backends() {
        let mut c = config();
        c.live.keep_alive_seconds = 1;
        let app = TestApp::start(backend, c).await;
        assert_eq!(Stream::open(&app.base, "").await.err(), Some(StatusCode::UNAUTHORIZED));
        let first = Stream::open(&app.base, &app.cookies["viewer"]).await.unwrap();
        let _second = Stream::open(&app.base, &app.cookies["viewer"]).await.unwrap();
        assert_eq!(Stream::open(&app.base, &app.cookies["viewer"]).await.err(), Some(StatusCode::TOO_MANY_REQUESTS));
        // Another user is not counted against the viewer; a closed stream frees its place.
        let _admin = Stream::open(&app.base, &app.cookies["admin"]).await.unwrap();
        drop(first);
        let mut reopened = None;
        for _ in 0..100 {
            match Stream::open(&app.base, &app.cookies["viewer"]).await {
                Ok(s) => {
                    reopened = Some(s);
                    break;
                }
                // The server notices the hang-up when it next writes (a keep-alive each
                // second): wait for the network, not for a clock.
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        assert!(reopened.is_some(), "the closed stream's place was given back");
    }
}
