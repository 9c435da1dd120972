//! Problems and improvement actions (issue 17) over HTTP on every backend: a cluster of
//! reports becomes a problem (members linked, customers affected counted), its root cause is
//! recorded, two actions get owners and due dates, an illegal step is refused naming the
//! field, an overdue action escalates at its exact due minute exactly once (manual clock),
//! and the roles hold.

use crate::common::{self, t0, TestApp};
use chrono::{Duration, TimeZone, Utc};
use loopdesk_app::Config;
use loopdesk_core::{DepartmentId, Role};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{JobState, NewUser};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const REPORTS: [&str; 6] = [
    "你好，扫地机器人X20升级固件2.3后一直连不上WiFi，App里显示设备离线",
    "扫地机器人X20升级到2.3固件以后连不上WiFi了，App显示离线，重启也没用。",
    "急！X20扫地机器人固件升级2.3之后WiFi连接不上，App一直提示设备离线",
    "升级固件2.3后，我的扫地机器人X20就连不上家里WiFi，App上设备离线，请尽快解决。",
    "扫地机器人X20固件2.3升级完成后无法连接WiFi，App显示设备离线状态。",
    "麻烦处理一下：扫地机器人X20升级固件2.3后一直连不上WiFi，App里显示设备离线，谢谢。",
];

/// A supervisor of `department` signed in; returns the session cookie.
async fn supervisor_of(app: &TestApp, name: &str, department: DepartmentId) -> String {
    let hash = loopdesk_app::accounts::password::hash(common::PASSWORD.into()).await.unwrap();
    let new = NewUser {
        username: name.into(),
        display_name: name.into(),
        role: Role::Supervisor,
        department_id: Some(department),
        password_hash: hash,
    };
    app.store.create_user(&new, t0()).await.unwrap();
    let login = json!({"username": name, "password": common::PASSWORD});
    let resp = app.raw(Method::POST, "/api/v1/auth/login", None, Some(login)).await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    resp.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
}

fn field(a: &common::Answer) -> (StatusCode, &str, &str) {
    (a.status, a.body["code"].as_str().unwrap_or(""), a.body["field"].as_str().unwrap_or(""))
}

fn kinds(problem: &Value) -> Vec<String> {
    assert!(problem["timeline"].is_array(), "{problem}");
    problem["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

async fn alerts(app: &TestApp) -> Vec<loopdesk_store::Job> {
    keyed_alerts(app, "action.overdue:").await
}

async fn keyed_alerts(app: &TestApp, prefix: &str) -> Vec<loopdesk_store::Job> {
    let mut all = Vec::new();
    for state in [JobState::Pending, JobState::Done, JobState::Failed] {
        all.extend(app.store.jobs_of_kind("notify.staff", state, 1000).await.unwrap());
    }
    all.retain(|j| j.key.as_deref().is_some_and(|k| k.starts_with(prefix)));
    all
}

#[tokio::test]
async fn a_cluster_becomes_a_problem_with_a_root_cause_and_actions_that_escalate_on_time() {
    for backend in TestDatabase::backends() {
        let mut config = Config::default();
        config.limits.feedback_per_minute = 1000;
        // The clock moves days ahead; sessions outlive it.
        config.session_hours = 24 * 30;
        let app = TestApp::start(backend, config).await;
        let (d1, d2) = (app.departments[0].0, app.departments[1].0);
        let (agent, agent2) = (app.user_ids["agent"], app.user_ids["agent2"]);
        let mut ids = Vec::new();
        let mut clusters = Vec::new();
        for (i, text) in REPORTS.iter().enumerate() {
            let t = app.submit(json!({"content": text, "customer": {"phone": format!("1391234{i:04}")}})).await;
            ids.push(t["id"].as_i64().unwrap());
            clusters.push(t["cluster_id"].as_i64().unwrap());
        }
        assert!(clusters.iter().all(|c| *c == clusters[0]), "{backend:?}: one cluster {clusters:?}");
        let cluster = clusters[0];

        // Agents may not create problems; supervisors may, from the cluster.
        let body = json!({"title": "X20 固件 2.3 升级后 WiFi 断连", "description": "升级固件后设备离线",
            "category": "product_quality", "products": ["X20"], "cluster_id": cluster,
            "department_id": d1, "owner_id": agent, "due_working_days": 5});
        let refused = app.as_role("agent", Method::POST, "/api/v1/problems", Some(body.clone())).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let created = app.as_role("supervisor", Method::POST, "/api/v1/problems", Some(body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{backend:?}: {}", created.body);
        let p = &created.body;
        let pid = p["id"].as_i64().unwrap();
        let mut linked: Vec<i64> = p["ticket_ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
        linked.sort();
        assert_eq!(linked, ids, "the cluster's members are linked");
        assert_eq!(p["customers_affected"], 6);
        assert_eq!(p["state"], "investigating");
        // Monday 09:30 in Shanghai + 5 working days of 9 hours = the next Monday 09:30.
        assert_eq!(p["due"], "2026-11-09T01:30:00Z");
        assert_eq!(kinds(p), ["created", "tickets_linked"]);

        // A ticket page finds its problem.
        let of = app.as_role("agent", Method::GET, &format!("/api/v1/tickets/{}/problems", ids[2]), None).await;
        assert_eq!(of.status, StatusCode::OK, "{}", of.body);
        assert_eq!(of.body[0]["id"], pid);

        // Another customer's ticket linked by hand counts; unlinked, it no longer does.
        let other = app.submit(json!({"content": "洗衣机脱水时噪音很大", "customer": {"phone": "13700000001"}})).await;
        let oid = other["id"].as_i64().unwrap();
        let path = format!("/api/v1/problems/{pid}/tickets");
        let l = app.as_role("supervisor", Method::POST, &path, Some(json!({"link": [oid]}))).await;
        assert_eq!((l.status, l.body["customers_affected"].as_i64()), (StatusCode::OK, Some(7)), "{}", l.body);
        let l = app.as_role("supervisor", Method::POST, &path, Some(json!({"unlink": [oid]}))).await;
        assert_eq!(l.body["customers_affected"], 6);
        let bad = app.as_role("supervisor", Method::POST, &path, Some(json!({"link": [oid, 99999999]}))).await;
        assert_eq!(field(&bad), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "link[1]"), "{}", bad.body);

        // The root cause, as structured fields; limits and enums name the field.
        let rca = format!("/api/v1/problems/{pid}/rca");
        let body = json!({"what_happened": "固件 2.3 更换了 WiFi 模组驱动",
            "whys": ["设备离线", "WiFi 握手失败", "驱动不支持 WPA3 过渡模式", "供应商驱动未覆盖该模式"],
            "cause_category": "supplier"});
        let r = app.as_role("supervisor", Method::PUT, &rca, Some(body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            (r.body["rca"]["cause_category"].as_str(), r.body["rca"]["whys"].as_array().map(Vec::len)),
            (Some("supplier"), Some(4))
        );
        let whys: Vec<String> = (0..11).map(|i| format!("why {i}")).collect();
        let r = app.as_role("supervisor", Method::PUT, &rca, Some(json!({"whys": whys}))).await;
        assert_eq!(field(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "whys"), "{}", r.body);
        let r = app.as_role("supervisor", Method::PUT, &rca, Some(json!({"cause_category": "weather"}))).await;
        assert_eq!(field(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "cause_category"), "{}", r.body);

        // Skipping a step is refused, naming the field and the way forward; a step needs a reason.
        let tr = format!("/api/v1/problems/{pid}/transition");
        let r = app.as_role("supervisor", Method::POST, &tr, Some(json!({"state": "fixed", "reason": "done"}))).await;
        assert_eq!(field(&r), (StatusCode::CONFLICT, "illegal_transition", "state"), "{}", r.body);
        assert!(r.body["message"].as_str().unwrap().contains("cause_known"), "{}", r.body);
        let r = app.as_role("supervisor", Method::POST, &tr, Some(json!({"state": "cause_known"}))).await;
        assert_eq!(field(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "reason"), "{}", r.body);
        let why = "驱动问题已确认";
        let r =
            app.as_role("supervisor", Method::POST, &tr, Some(json!({"state": "cause_known", "reason": why}))).await;
        assert_eq!(r.body["state"], "cause_known", "{}", r.body);
        let step =
            r.body["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "state_changed").unwrap().clone();
        assert_eq!(
            (step["actor_id"].as_i64(), step["data"]["reason"].as_str()),
            (Some(app.user_ids["supervisor"]), Some(why))
        );
        // A supervisor of another department may not manage it; agents may not either.
        let other_sup = supervisor_of(&app, "sup2", app.departments[1]).await;
        let body = json!({"state": "fix_in_progress", "reason": "x"});
        let r = app.raw(Method::POST, &tr, Some(&other_sup), Some(body.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(app.as_role("agent", Method::POST, &tr, Some(body)).await.status, StatusCode::FORBIDDEN);

        // Fields change with the change on the timeline; an unknown owner is named.
        let edit = format!("/api/v1/problems/{pid}");
        let e = app
            .as_role("supervisor", Method::POST, &edit, Some(json!({"owner_id": agent2, "title": "X20 WiFi 断连"})))
            .await;
        assert_eq!((e.status, e.body["owner_id"].as_i64()), (StatusCode::OK, Some(agent2)), "{}", e.body);
        assert_eq!(kinds(&e.body).last().map(String::as_str), Some("edited"));
        let e = app.as_role("supervisor", Method::POST, &edit, Some(json!({"owner_id": 99999999}))).await;
        assert_eq!(field(&e), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "owner_id"), "{}", e.body);

        // Two actions: one due on a date (the end of its working hours), one in working days.
        let acts = format!("/api/v1/problems/{pid}/actions");
        let r = app.as_role("supervisor", Method::POST, &acts, Some(json!({"title": "回退驱动并发布 2.3.1"}))).await;
        assert_eq!(field(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "due"), "{}", r.body);
        let long = "x".repeat(201);
        let r = app.as_role("supervisor", Method::POST, &acts, Some(json!({"title": long, "due": "2026-11-04"}))).await;
        assert_eq!(field(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "title"), "{}", r.body);
        let body =
            json!({"title": "回退驱动并发布 2.3.1", "kind": "corrective", "owner_id": agent, "due": "2026-11-04"});
        let a1 = app.as_role("supervisor", Method::POST, &acts, Some(body)).await;
        assert_eq!(a1.status, StatusCode::CREATED, "{}", a1.body);
        assert_eq!(
            (a1.body["due"].as_str(), a1.body["department_id"].as_i64()),
            (Some("2026-11-04T10:00:00Z"), Some(d1))
        );
        let body = json!({"title": "供应商驱动纳入兼容性测试", "kind": "preventive", "owner_id": agent2,
            "department_id": d2, "due_working_days": 10});
        let a2 = app.as_role("supervisor", Method::POST, &acts, Some(body)).await;
        assert_eq!(a2.status, StatusCode::CREATED, "{}", a2.body);
        let (a1id, a2id) = (a1.body["id"].as_i64().unwrap(), a2.body["id"].as_i64().unwrap());
        let listed = app.as_role("agent", Method::GET, &acts, None).await;
        assert_eq!(listed.body.as_array().map(Vec::len), Some(2), "{}", listed.body);
        let mine = app.as_role("agent", Method::GET, &format!("/api/v1/actions?owner={agent}"), None).await;
        assert_eq!(mine.body.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(), [a1id]);
        let dept = app.as_role("viewer", Method::GET, &format!("/api/v1/actions?department={d2}"), None).await;
        assert_eq!(dept.body.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(), [a2id]);

        // The first action falls due Wednesday 18:00 Shanghai: nothing a minute before,
        // one escalation at the minute, and nothing more later.
        let due = Utc.with_ymd_and_hms(2026, 11, 4, 10, 0, 0).unwrap();
        app.clock.set(due - Duration::minutes(1));
        app.run_due_jobs().await;
        let p = app.get(&format!("/api/v1/problems/{pid}")).await.body;
        assert!(!kinds(&p).contains(&"escalated".to_string()), "{:?}", kinds(&p));
        assert!(alerts(&app).await.is_empty());
        let overdue = app.get("/api/v1/actions?overdue=true").await;
        assert_eq!(overdue.body.as_array().map(Vec::len), Some(0));
        app.clock.set(due);
        app.run_due_jobs().await;
        let p = app.get(&format!("/api/v1/problems/{pid}")).await.body;
        let escalations: Vec<&Value> =
            p["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "escalated").collect();
        assert_eq!(escalations.len(), 1, "{backend:?}: {:?}", kinds(&p));
        assert_eq!(
            (escalations[0]["at"].as_str(), escalations[0]["actor_id"].as_i64()),
            (Some("2026-11-04T10:00:00Z"), None)
        );
        assert_eq!(escalations[0]["data"]["action_id"], a1id);
        let sent = alerts(&app).await;
        assert_eq!(sent.len(), 1, "one staff alert: {sent:?}");
        assert_eq!(sent[0].payload["alert"], "action_overdue");
        assert!(sent[0].payload["user_ids"].as_array().unwrap().contains(&json!(agent)), "{}", sent[0].payload);
        let overdue = app.get("/api/v1/actions?overdue=true").await;
        assert_eq!(
            overdue.body.as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(),
            [a1id]
        );
        app.clock.set(due + Duration::days(1));
        app.run_due_jobs().await;
        let p = app.get(&format!("/api/v1/problems/{pid}")).await.body;
        assert_eq!(kinds(&p).iter().filter(|k| *k == "escalated").count(), 1, "escalated exactly once");
        assert_eq!(alerts(&app).await.len(), 1);

        // The problem itself falls due the next Monday 09:30 in Shanghai with the cause known
        // and the fix not made: one escalation at that minute, not before, not again.
        let pdue = Utc.with_ymd_and_hms(2026, 11, 9, 1, 30, 0).unwrap();
        let ours = |p: &Value| -> Vec<Value> {
            let t = p["timeline"].as_array().unwrap();
            t.iter().filter(|e| e["kind"] == "escalated" && e["data"]["action_id"].is_null()).cloned().collect()
        };
        for (at, expected) in [(pdue - Duration::minutes(1), 0), (pdue, 1), (pdue + Duration::hours(3), 1)] {
            app.clock.set(at);
            app.run_due_jobs().await;
            let p = app.get(&format!("/api/v1/problems/{pid}")).await.body;
            assert_eq!(ours(&p).len(), expected, "{backend:?} at {at}: {:?}", kinds(&p));
            assert_eq!(keyed_alerts(&app, "problem.overdue:").await.len(), expected);
        }
        let p = app.get(&format!("/api/v1/problems/{pid}")).await.body;
        assert_eq!(ours(&p)[0]["at"], "2026-11-09T01:30:00Z");
        assert_eq!(p["escalated_due"], "2026-11-09T01:30:00Z");

        // Closing: done once; a second close is refused naming the field.
        let close = format!("/api/v1/actions/{a1id}/transition");
        let r = app
            .as_role("supervisor", Method::POST, &close, Some(json!({"state": "done", "reason": "2.3.1 已发布"})))
            .await;
        assert_eq!(r.body["state"], "done", "{}", r.body);
        let r = app.as_role("supervisor", Method::POST, &close, Some(json!({"state": "cancelled"}))).await;
        assert_eq!(field(&r), (StatusCode::CONFLICT, "illegal_transition", "state"), "{}", r.body);

        // Lists: by state and department; everyone who reads tickets reads problems.
        let l = app.as_role("viewer", Method::GET, "/api/v1/problems?state=cause_known", None).await;
        assert_eq!(l.body.as_array().map(Vec::len), Some(1), "{}", l.body);
        let l = app.as_role("agent", Method::GET, &format!("/api/v1/problems?department={d2}"), None).await;
        assert_eq!(l.body.as_array().map(Vec::len), Some(0), "{}", l.body);
        let l = app.as_role("agent", Method::GET, "/api/v1/problems?state=bogus", None).await;
        assert_eq!(l.status, StatusCode::BAD_REQUEST, "{}", l.body);

        // By hand: a title and a description are enough; without a title, the field is named.
        let r = app
            .as_role(
                "admin",
                Method::POST,
                "/api/v1/problems",
                Some(json!({"title": "门店排队时间长", "description": "多位顾客反映"})),
            )
            .await;
        assert_eq!((r.status, r.body["customers_affected"].as_i64()), (StatusCode::CREATED, Some(0)), "{}", r.body);
        let r = app.as_role("admin", Method::POST, "/api/v1/problems", Some(json!({"description": "x"}))).await;
        assert_eq!(field(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "title"), "{}", r.body);
        let r = app
            .as_role(
                "admin",
                Method::POST,
                "/api/v1/problems",
                Some(json!({"title": "x", "description": "y", "cluster_id": 99999999})),
            )
            .await;
        assert_eq!(field(&r), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "cluster_id"), "{}", r.body);
    }
}
