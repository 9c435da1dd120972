//! An acknowledged feedback is never lost: the real `loopdesk serve` process is killed with
//! SIGKILL right after answering 201s — and, in the second test, in the middle of a load with
//! requests in flight — restarted on the same database, and every ticket it acknowledged is
//! there with everything it owes: its SLA timer and route job, its search entry, its cluster,
//! and the route itself once the restarted server has run the job. Runs on SQLite, and on
//! PostgreSQL when configured.

mod common;

use common::{get, sign_in, Node};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{NoEffects, Store, StoreOptions};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The server with a lifted per-client limit (40 submits from one address; also exercises
/// env config) and a short job lease: jobs the killed process had claimed fall due again
/// when their lease ends (5 minutes by default), so the restarted one takes them over
/// within the test.
async fn start(data: &Path, db_url: Option<&str>) -> Node {
    common::start(
        data,
        db_url,
        &[("LOOPDESK_LIMITS__FEEDBACK_PER_MINUTE", "100000"), ("LOOPDESK_JOBS__LEASE_SECONDS", "3")],
    )
    .await
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
        let cookie = sign_in(&http, &server.base, &password).await;
        for (id, tracking) in &acknowledged {
            let (status, v) = get(&http, format!("{}/api/v1/tickets/{id}", server.base), &cookie).await;
            assert_eq!(status, 200, "ticket {id} lost after SIGKILL on {backend:?}");
            assert_eq!(v["ticket"]["tracking_no"], tracking.as_str());
        }
        let (_, counts) = get(&http, format!("{}/api/v1/tickets/counts", server.base), &cookie).await;
        assert_eq!(counts["total"], 40);
    }
}

#[tokio::test]
async fn sigkill_under_load_keeps_every_acknowledged_ticket_and_what_it_owes() {
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.unwrap();
        let url = (backend == loopdesk_store::Backend::Postgres).then(|| db.url.clone());
        let dir = tempfile::tempdir().unwrap();
        let mut server = start(dir.path(), url.as_deref()).await;
        let password = server.password.clone().expect("first start prints the admin password");
        let http = reqwest::Client::new();
        let cookie = sign_in(&http, &server.base, &password).await;

        // A department and a fallback route, so every new ticket owes a route.
        let dept: Value = http
            .post(format!("{}/api/v1/departments", server.base))
            .header("cookie", &cookie)
            .json(&json!({"name": "售后服务部"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rules = json!({"expected_version": 0, "body": {"rules": [], "fallback_department": dept["id"]}});
        let r = http
            .put(format!("{}/api/v1/admin/routing-rules", server.base))
            .header("cookie", &cookie)
            .json(&rules)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());

        // 8 clients submit back to back; the server is killed while they are still sending.
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for c in 0..8 {
            let (http, base, stop) = (http.clone(), server.base.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    // One search word that only this ticket has.
                    let word = format!("zk{c}q{i:05}");
                    let body = json!({
                        "content": format!("热水器打不着火，工单 {word}，请尽快上门维修"),
                        "customer": {"phone": format!("139{c:02}{i:06}")},
                    });
                    let Ok(r) = http.post(format!("{base}/api/v1/feedback")).json(&body).send().await else { break };
                    if r.status() != 201 {
                        continue;
                    }
                    let Ok(v) = r.json::<Value>().await else { break };
                    acknowledged.push((
                        v["id"].as_i64().unwrap(),
                        v["tracking_no"].as_str().unwrap().to_string(),
                        word,
                    ));
                }
                acknowledged
            }));
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        server.child.start_kill().unwrap(); // SIGKILL with requests in flight.
        server.child.wait().await.unwrap();
        stop.store(true, Ordering::Relaxed);
        let mut acknowledged = Vec::new();
        for t in tasks {
            acknowledged.extend(t.await.unwrap());
        }
        assert!(acknowledged.len() >= 8, "the load acknowledged only {} tickets", acknowledged.len());

        // What each acknowledged ticket owes is stored with it: its SLA timer, and its route
        // (decided at intake, in the same transaction; a routing job when it could not be).
        let store_url = url.clone().unwrap_or_else(|| format!("sqlite://{}", dir.path().join("loopdesk.db").display()));
        let store = Store::connect(&store_url, StoreOptions::default(), Arc::new(NoEffects)).await.unwrap();
        for (id, _, _) in &acknowledged {
            let key = format!("sla:{id}");
            assert!(store.job_by_key(&key).await.unwrap().is_some(), "job {key} lost after SIGKILL on {backend:?}");
            let ticket = store.reader().ticket(loopdesk_core::TicketId(*id)).await.unwrap();
            let route_job = store.job_by_key(&format!("route:{id}")).await.unwrap();
            assert!(
                ticket.department_id.is_some() || route_job.is_some(),
                "ticket {id} neither routed nor owing its route after SIGKILL on {backend:?}"
            );
        }
        drop(store);

        let server = start(dir.path(), url.as_deref()).await;
        let cookie = sign_in(&http, &server.base, &password).await;
        for (id, tracking, word) in &acknowledged {
            let (status, v) = get(&http, format!("{}/api/v1/tickets/{id}", server.base), &cookie).await;
            assert_eq!(status, 200, "ticket {id} lost after SIGKILL on {backend:?}");
            assert_eq!(v["ticket"]["tracking_no"], tracking.as_str());
            // A ticket alone in its cluster has no cluster id; its size says it was clustered.
            assert!(v["ticket"]["triage"]["cluster_size"].as_u64() >= Some(1), "ticket {id} not clustered: {v}");
            let (_, found) = get(&http, format!("{}/api/v1/tickets?q={word}", server.base), &cookie).await;
            let ids: Vec<i64> =
                found["items"].as_array().into_iter().flatten().filter_map(|t| t["id"].as_i64()).collect();
            assert!(ids.contains(id), "ticket {id} not found by its word {word} on {backend:?}: {found}");
        }
        // Every ticket is routed after the restart (a route job the killed one left runs).
        let deadline = Instant::now() + Duration::from_secs(30);
        for (id, _, _) in &acknowledged {
            loop {
                let (_, v) = get(&http, format!("{}/api/v1/tickets/{id}", server.base), &cookie).await;
                if v["ticket"]["state"] != "new" {
                    assert!(v["ticket"]["department_id"].as_i64().is_some(), "ticket {id} left new unrouted: {v}");
                    break;
                }
                assert!(Instant::now() < deadline, "ticket {id} never routed after restart on {backend:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let (_, counts) = get(&http, format!("{}/api/v1/tickets/counts", server.base), &cookie).await;
        // Requests in flight at the kill may have committed without their 201 reaching us.
        assert!(counts["total"].as_u64().unwrap() >= acknowledged.len() as u64, "{counts}");
    }
}
