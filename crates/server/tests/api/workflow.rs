//! Routing, acknowledgement, approval, resolution and the satisfaction loop over HTTP, with
//! the manual clock and the job queue run explicitly (no sleeping).

use crate::common;

use common::{feedback, TestApp, PASSWORD};
use loopdesk_app::Clock;
use loopdesk_app::Config;
use loopdesk_core::{Actor, Channel, Customer, Phone, Ticket};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{IntakeRequest, Job, JobState};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Runs `test` on every backend, with sessions that outlast the days the clock moves.
async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in TestDatabase::backends() {
        let config = Config { session_hours: 24 * 30, ..Config::default() };
        test(TestApp::start(backend, config).await).await;
    }
}

/// Creates an agent of `dept` and signs them in; returns the id and session cookie.
async fn add_agent(app: &TestApp, username: &str, dept: i64) -> (i64, String) {
    let body = json!({"username": username, "display_name": format!("{username} 用户"), "role": "agent",
        "department_id": dept, "password": PASSWORD});
    let created = app.post("/api/v1/users", body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let login = app
        .raw(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": username, "password": PASSWORD})))
        .await;
    let cookie = login.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    (created.body["id"].as_i64().unwrap(), cookie)
}

/// Replaces an admin document, based on its current version.
async fn put_doc(app: &TestApp, path: &str, body: Value) {
    let version = app.get(path).await.body["version"].as_i64().unwrap();
    let a = app
        .as_role(
            "admin",
            Method::PUT,
            path,
            Some(json!({"expected_version": version, "body": body, "comment": "test"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
}

/// Every job of `kind` about `ticket`, whatever its state.
async fn jobs(app: &TestApp, kind: &str, ticket: i64) -> Vec<Job> {
    let mut out = Vec::new();
    for state in [JobState::Pending, JobState::Running, JobState::Done, JobState::Failed] {
        out.extend(app.store.jobs_of_kind(kind, state, 1000).await.unwrap());
    }
    out.retain(|j| j.payload["ticket_id"] == ticket);
    out
}

async fn alerts(app: &TestApp, ticket: i64, alert: &str) -> Vec<Value> {
    jobs(app, "notify.staff", ticket).await.into_iter().map(|j| j.payload).filter(|p| p["alert"] == alert).collect()
}

async fn detail(app: &TestApp, id: i64) -> Value {
    let a = app.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

/// The state of SLA target `target` on a ticket detail (`not_applicable` when not listed).
fn sla(detail: &Value, target: &str) -> String {
    let clocks = detail["sla"].as_array().expect("sla on the ticket detail");
    let clock = clocks.iter().find(|c| c["target"] == target);
    clock.map_or("not_applicable".into(), |c| c["state"].as_str().unwrap().to_string())
}

fn kinds(detail: &Value) -> Vec<String> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

/// `POST` with a session cookie.
async fn post_as(app: &TestApp, cookie: &str, path: &str, body: Value) -> common::Answer {
    app.raw(Method::POST, path, Some(cookie), Some(body)).await
}

/// The survey link's token, as staff see it.
async fn survey_token(app: &TestApp, id: i64) -> String {
    let s = app.get(&format!("/api/v1/tickets/{id}/survey")).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    s.body["survey_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string()
}

/// Takes a ticket from new to resolved (solved) by hand.
async fn resolved_ticket(app: &TestApp, text: &str) -> i64 {
    let id = app.submit(feedback(text, "13900139000")).await["id"].as_i64().unwrap();
    let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
    let (dept, agent) = (app.departments[0].0, app.user_ids["agent"]);
    app.post(&p("assign"), json!({"department_id": dept, "assignee_id": agent})).await;
    app.as_role("agent", Method::POST, &p("acknowledge"), Some(json!({}))).await;
    let r = app
        .as_role("agent", Method::POST, &p("resolve"), Some(json!({"kind": "solved", "summary": "已更换滤芯"})))
        .await;
    assert_eq!(r.body["ticket"]["state"], "resolved", "{}", r.body);
    app.run_due_jobs().await;
    id
}

#[tokio::test]
async fn routing_picks_by_skills_duty_leave_and_load() {
    each_backend(|app| async move {
        let d1 = app.departments[0].0;
        let (a, _) = add_agent(&app, "elec_a", d1).await;
        let (b, _) = add_agent(&app, "elec_b", d1).await;
        let (c, _) = add_agent(&app, "elec_c", d1).await;
        let agent = app.user_ids["agent"];
        put_doc(
            &app,
            "/api/v1/admin/routing-rules",
            json!({
                "rules": [{"name": "all", "departments": [d1], "skills": ["electrical"]}],
            }),
        )
        .await;
        let now = common::t0();
        put_doc(
            &app,
            "/api/v1/admin/staffing",
            json!({
                "departments": [{"department_id": d1, "calendar": "default"}],
                "agents": [
                    {"user_id": agent, "department_id": d1, "skills": []},
                    {"user_id": a, "department_id": d1, "skills": ["electrical"]},
                    {"user_id": b, "department_id": d1, "skills": ["electrical"],
                     "leave": [{"from": now, "until": now + chrono::Duration::days(1)}]},
                    {"user_id": c, "department_id": d1, "skills": ["electrical", "payment"]},
                ],
            }),
        )
        .await;
        // a and c qualify (skills, on duty, not on leave) with no load: the lower id, a.
        let route = |text: &'static str| {
            let app = &app;
            async move {
                let id = app.submit(feedback(text, "13800138000")).await["id"].as_i64().unwrap();
                app.run_due_jobs().await;
                let d = detail(app, id).await;
                assert_eq!(d["ticket"]["state"], "assigned", "{}", d["ticket"]);
                assert_eq!(d["ticket"]["department_id"], d1);
                let weight = match d["ticket"]["priority"].as_str().unwrap() {
                    "urgent" => 8,
                    "high" => 4,
                    "medium" => 2,
                    _ => 1,
                };
                (id, d["ticket"]["assignee_id"].as_i64(), weight)
            }
        };
        let (_, first, w1) = route("空调遥控器失灵，按键没反应").await;
        assert_eq!(first, Some(a));
        // a now carries one open ticket: c has the lower load.
        let (_, second, w2) = route("空调遥控器失灵，换了电池也没反应").await;
        assert_eq!(second, Some(c));
        // The lower weighted load wins; on a tie, the lower id.
        let (_, third, _) = route("空调遥控器失灵，屏幕也不亮").await;
        assert_eq!(third, Some(if w2 < w1 { c } else { a }), "loads {w1} and {w2}");
        // Sunday: nobody is on duty on the default calendar; the department's queue gets it.
        app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-08T02:00:00Z").unwrap().into());
        let (id, nobody, _) = route("空调漏水").await;
        assert_eq!(nobody, None);
        // The timeline says which rule decided.
        let d = detail(&app, id).await;
        let assigned = d["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "assigned").unwrap().clone();
        assert_eq!(assigned["reason"], "routing rule \"all\"");
        assert_eq!(assigned["actor"]["type"], "system");
    })
    .await;
}

#[tokio::test]
async fn routing_documents_are_validated_versioned_and_audited() {
    each_backend(|app| async move {
        let path = "/api/v1/admin/routing-rules";
        let bad = app
            .as_role(
                "admin",
                Method::PUT,
                path,
                Some(json!({"expected_version": 0,
                "body": {"rules": [{"name": "x", "departments": [999]}]}})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.body["field"], "body.rules[0].departments");
        let typo = app
            .as_role(
                "admin",
                Method::PUT,
                path,
                Some(json!({"expected_version": 0,
                "body": {"rules": [{"name": "x", "departments": [1], "when": {"priorities": ["urgentest"]}}]}})),
            )
            .await;
        assert_eq!(
            (typo.status, typo.body["field"].as_str().map(|f| f.starts_with("body.rules[0].when"))),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(true)),
            "{}",
            typo.body
        );
        let d1 = app.departments[0].0;
        put_doc(&app, path, json!({"rules": [{"name": "a", "departments": [d1]}]})).await;
        put_doc(&app, path, json!({"rules": [{"name": "b", "departments": [d1]}]})).await;
        let stale =
            app.as_role("admin", Method::PUT, path, Some(json!({"expected_version": 1, "body": {"rules": []}}))).await;
        assert_eq!((stale.status, stale.body["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")));
        let history = app.get(&format!("{path}/history")).await;
        assert_eq!(history.body["items"].as_array().unwrap().len(), 2, "{}", history.body);
        // Agents may not read or change them.
        assert_eq!(app.as_role("agent", Method::GET, path, None).await.status, StatusCode::FORBIDDEN);
        let staffing = app
            .as_role(
                "admin",
                Method::PUT,
                "/api/v1/admin/staffing",
                Some(json!({"expected_version": 0,
                "body": {"departments": [{"department_id": d1, "calendar": "mars"}]}})),
            )
            .await;
        assert_eq!(staffing.body["field"], "body.departments[0].calendar", "{}", staffing.body);
    })
    .await;
}

/// The end-to-end story: an urgent ticket reaches two departments, is acknowledged
/// late and reassigned, needs approval, is resolved as partially solved, the customer
/// answers "unsatisfied", and the ticket reopens and escalates — every step on the timeline.
#[tokio::test]
async fn urgent_ticket_through_the_whole_closed_loop() {
    each_backend(|app| async move {
        let (d1, d2) = (app.departments[0].0, app.departments[1].0);
        let (agent, agent2, supervisor) = (app.user_ids["agent"], app.user_ids["agent2"], app.user_ids["supervisor"]);
        let (late_backup, backup_cookie) = add_agent(&app, "backup", d1).await;
        put_doc(&app, "/api/v1/admin/routing-rules", json!({
            "rules": [
                {"name": "safety", "when": {"priorities": ["urgent"]}, "departments": [d1]},
                {"name": "after-sales", "when": {"priorities": ["urgent", "high"]}, "departments": [d2]},
            ],
            "fallback_department": d1,
        }))
        .await;
        put_doc(&app, "/api/v1/admin/staffing", json!({
            "departments": [{"department_id": d1, "calendar": "24x7", "supervisor_id": supervisor},
                            {"department_id": d2, "calendar": "24x7"}],
        }))
        .await;

        // 1. An urgent ticket: routed to d1 (its agent) and d2 (collaborator), both alerted.
        let created = app.submit(feedback("洗衣机漏电，手碰到外壳有麻的感觉，还冒烟了", "13800138000")).await;
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["priority"], "urgent", "{created}");
        app.run_due_jobs().await;
        let d = detail(&app, id).await;
        assert_eq!(d["ticket"]["state"], "assigned");
        assert_eq!(d["ticket"]["department_id"], d1);
        assert_eq!(d["ticket"]["assignee_id"], agent);
        assert_eq!(d["ticket"]["collaborators"], json!([agent2]));
        assert_eq!(sla(&d, "acknowledge"), "running");
        let urgent = alerts(&app, id, "new_urgent").await;
        assert_eq!(urgent.len(), 1);
        assert_eq!(urgent[0]["department_ids"], json!([d1, d2]));
        // The collaborator from the other department sees it.
        let seen = app.as_role("agent2", Method::GET, &format!("/api/v1/tickets/{id}"), None).await;
        assert_eq!(seen.status, StatusCode::OK);

        // 2. Not acknowledged within 15 minutes: the next agent gets it, the supervisor is told.
        app.clock.advance(chrono::Duration::minutes(14));
        app.run_due_jobs().await;
        assert_eq!(detail(&app, id).await["ticket"]["assignee_id"], agent);
        app.clock.advance(chrono::Duration::minutes(2));
        app.run_due_jobs().await;
        let d = detail(&app, id).await;
        assert_eq!(d["ticket"]["assignee_id"], late_backup);
        // The warning fired before the deadline; the reassignment restarts the clock.
        assert!(kinds(&d).contains(&"sla_alerted".to_string()), "{:?}", kinds(&d));
        assert_eq!(sla(&d, "acknowledge"), "running");
        let ack_clock = d["sla"].as_array().unwrap().iter().find(|c| c["target"] == "acknowledge").unwrap().clone();
        assert_eq!(ack_clock["started_at"], "2026-11-02T01:46:00Z");
        let overdue = alerts(&app, id, "ack_overdue").await;
        assert_eq!(overdue.len(), 1);
        // Sent to whoever supervises the department when the alert goes out.
        assert_eq!((overdue[0]["supervisors"].as_bool(), &overdue[0]["department_ids"]), (Some(true), &json!([d1])));
        let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
        let late = app.as_role("agent", Method::POST, &p("acknowledge"), Some(json!({}))).await;
        assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY, "the late agent no longer owns it");
        let ack = post_as(&app, &backup_cookie, &p("acknowledge"), json!({})).await;
        assert_eq!(ack.body["ticket"]["state"], "in_progress", "{}", ack.body);
        assert_eq!(sla(&detail(&app, id).await, "acknowledge"), "met");

        // 3. The plan costs money and needs after-sales: a supervisor must approve it.
        post_as(&app, &backup_cookie, &p("reply"), json!({"body": "您好，我们已安排工程师上门检测。"})).await;
        let no_reason = post_as(&app, &backup_cookie, &p("request-approval"), json!({"plan": "换新机", "reasons": []})).await;
        assert_eq!((no_reason.status, no_reason.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reasons")));
        let plan = post_as(&app, &backup_cookie, &p("request-approval"),
            json!({"plan": "更换整机并补偿200元", "reasons": ["cost", "other_departments"]})).await;
        assert_eq!(plan.body["ticket"]["state"], "awaiting_approval", "{}", plan.body);
        // The alert goes to whoever supervises the department when it is sent: here the
        // staffing document's supervisor, by the address the robots document gives.
        assert_eq!(alerts(&app, id, "approval_requested").await[0]["supervisors"], true);
        put_doc(&app, "/api/v1/admin/robots", json!({"user_emails": {supervisor.to_string(): "boss@loopdesk.test"}})).await;
        app.run_due_jobs().await;
        let deliveries = app.get(&format!("/api/v1/tickets/{id}/deliveries")).await.body;
        let to_boss = deliveries["deliveries"].as_array().unwrap().iter().any(|d| {
            d["kind"] == "alert.approval_requested" && d["target"] == "bo***@loopdesk.test"
        });
        assert!(to_boss, "{deliveries}");
        let pending = app.as_role("supervisor", Method::GET, "/api/v1/approvals", None).await;
        let item = &pending.body["items"][0];
        assert_eq!((item["ticket_id"].as_i64(), item["reasons"].clone()), (Some(id), json!(["cost", "other_departments"])));
        assert_eq!(item["sla"]["state"], "running");
        assert!(item["due_at"].is_string(), "{item}");
        let d = detail(&app, id).await;
        assert_eq!((sla(&d, "approval"), sla(&d, "first_response")), ("running".into(), "met".into()));
        let reject_silently =
            app.as_role("supervisor", Method::POST, &p("decide-approval"), Some(json!({"approved": false}))).await;
        assert_eq!(reject_silently.body["field"], "comment");
        app.clock.advance(chrono::Duration::minutes(30));
        let approved = app
            .as_role("supervisor", Method::POST, &p("decide-approval"), Some(json!({"approved": true, "comment": "同意，尽快处理"})))
            .await;
        assert_eq!(approved.body["ticket"]["state"], "in_progress");
        assert_eq!(sla(&detail(&app, id).await, "approval"), "met");
        assert!(app.as_role("supervisor", Method::GET, "/api/v1/approvals", None).await.body["items"].as_array().unwrap().is_empty());

        // 4. Resolved as partially solved: every required field, or 422 naming the missing one.
        let missing = post_as(&app, &backup_cookie, &p("resolve"),
            json!({"kind": "partially_solved", "summary": "已更换整机", "unresolved": "补偿款未到账"})).await;
        assert_eq!((missing.status, missing.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("outcome.reason")));
        let resolved = post_as(&app, &backup_cookie, &p("resolve"), json!({"kind": "partially_solved",
            "summary": "已更换整机", "unresolved": "补偿款未到账", "reason": "财务审批需3个工作日", "alternative": "先赠送200积分"})).await;
        assert_eq!(resolved.body["ticket"]["state"], "resolved", "{}", resolved.body);
        assert_eq!(sla(&detail(&app, id).await, "result"), "met");
        let result = jobs(&app, "notify.customer", id).await;
        assert!(result.iter().any(|j| j.payload["kind"] == "result_partially_solved"), "{result:?}");

        // 5. The survey goes out with a signed link; the customer is unsatisfied.
        app.run_due_jobs().await;
        let sent = jobs(&app, "notify.customer", id).await;
        let survey = sent.iter().find(|j| j.payload["kind"] == "survey").expect("survey notification");
        let token = survey_token(&app, id).await;
        assert!(survey.payload["vars"]["survey_url"].as_str().unwrap().ends_with(&token));
        let q = app.raw(Method::GET, &format!("/api/v1/surveys/{token}"), None, None).await;
        assert_eq!(q.status, StatusCode::OK, "{}", q.body);
        assert_eq!(q.body["answered"], false);
        let answer = json!({"satisfaction": "unsatisfied", "score": 2, "comment": "补偿太慢，要求退款"});
        let a = app.raw(Method::POST, &format!("/api/v1/surveys/{token}"), None, Some(answer.clone())).await;
        assert_eq!((a.status, a.body["state"].as_str()), (StatusCode::OK, Some("reopened")), "{}", a.body);
        let twice = app.raw(Method::POST, &format!("/api/v1/surveys/{token}"), None, Some(answer)).await;
        assert_eq!((twice.status, twice.body["code"].as_str()), (StatusCode::CONFLICT, Some("already_answered")));
        let unsatisfied = alerts(&app, id, "unsatisfied").await;
        assert_eq!(unsatisfied.len(), 1);
        assert!(unsatisfied[0]["text"].as_str().unwrap().contains("补偿太慢"));

        // 6. Every step is on the timeline.
        let d = detail(&app, id).await;
        let k = kinds(&d);
        let ours = ["assigned", "collaborator_added", "assigned", "acknowledged", "replied", "approval_requested",
            "approval_decided", "resolved", "survey_sent", "survey_answered", "escalated"];
        let mut rest = k.iter().map(String::as_str);
        assert!(ours.iter().all(|want| rest.any(|have| have == *want)), "in order: {ours:?} within {k:?}");
        let timeline = d["timeline"].as_array().unwrap();
        let reassigned = timeline.iter().filter(|e| e["kind"] == "assigned").nth(1).unwrap();
        assert!(reassigned["reason"].as_str().unwrap().contains("not acknowledged within 15 minutes"));
        let escalated = timeline.iter().rev().find(|e| e["kind"] == "escalated").unwrap();
        assert_eq!(escalated["to"], supervisor);
        assert!(escalated["reason"].as_str().unwrap().contains("要求退款"));
        assert_eq!(d["ticket"]["state"], "reopened");
        // Reopening restarts the result clock.
        assert_eq!(sla(&d, "result"), "running");
        assert_eq!(d["ticket"]["satisfaction"]["rating"], "unsatisfied");
        let rate = app.get("/api/v1/stats/follow-up").await;
        assert_eq!((rate.body["surveyed"].as_i64(), rate.body["answered"].as_i64()), (Some(1), Some(1)), "{}", rate.body);
        assert_eq!(rate.body["follow_up_rate"], 1.0);
    })
    .await;
}

#[tokio::test]
async fn satisfied_closes_and_silence_closes_without_follow_up_answer() {
    each_backend(|app| async move {
        let happy = resolved_ticket(&app, "净化器滤芯提示不消失").await;
        let token = survey_token(&app, happy).await;
        let a = app
            .raw(Method::POST, &format!("/api/v1/surveys/{token}"), None, Some(json!({"satisfaction": "neutral"})))
            .await;
        assert_eq!(a.body["state"], "closed", "{}", a.body);

        let silent = resolved_ticket(&app, "净化器噪音偏大").await;
        let token = survey_token(&app, silent).await;
        app.clock.advance(chrono::Duration::hours(71));
        app.run_due_jobs().await;
        assert_eq!(detail(&app, silent).await["ticket"]["state"], "resolved");
        app.clock.advance(chrono::Duration::hours(1));
        app.run_due_jobs().await;
        let d = detail(&app, silent).await;
        assert_eq!(d["ticket"]["state"], "closed");
        assert_eq!(d["timeline"].as_array().unwrap().last().unwrap()["reason"], "no_follow_up_answer");
        // The link is now expired: 410 in the API's error format.
        let late = app.raw(Method::GET, &format!("/api/v1/surveys/{token}"), None, None).await;
        assert_eq!((late.status, late.body["code"].as_str()), (StatusCode::GONE, Some("gone")));
        let rate = app.get("/api/v1/stats/follow-up").await;
        assert_eq!(
            (rate.body["surveyed"].as_i64(), rate.body["answered"].as_i64(), rate.body["expired"].as_i64()),
            (Some(2), Some(1), Some(1))
        );
        assert_eq!(rate.body["follow_up_rate"], 0.5);
    })
    .await;
}

#[tokio::test]
async fn forged_or_tampered_survey_links_are_refused() {
    each_backend(|app| async move {
        let id = resolved_ticket(&app, "扫地机器人不回充").await;
        let token = survey_token(&app, id).await;
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[2] = (parts[2].parse::<i64>().unwrap() + 86_400).to_string(); // a later expiry
        for bad in [parts.join("."), "1.2.3.abcd".to_string(), "x".repeat(500)] {
            let a = app
                .raw(Method::POST, &format!("/api/v1/surveys/{bad}"), None, Some(json!({"satisfaction": "satisfied"})))
                .await;
            assert_eq!((a.status, a.body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{bad}");
        }
        let bad_score = app
            .raw(
                Method::POST,
                &format!("/api/v1/surveys/{token}"),
                None,
                Some(json!({"satisfaction": "satisfied", "score": 9})),
            )
            .await;
        assert_eq!(
            (bad_score.status, bad_score.body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("score"))
        );
        assert_eq!(detail(&app, id).await["ticket"]["state"], "resolved");
        // Guessing links is rate-limited per client (20 a minute by default).
        let mut statuses = Vec::new();
        for i in 0..25 {
            statuses.push(app.raw(Method::GET, &format!("/api/v1/surveys/{i}.1.2.00"), None, None).await.status);
        }
        assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    })
    .await;
}

#[tokio::test]
async fn transfer_needs_a_reason_and_picks_the_next_agent() {
    each_backend(|app| async move {
        let id = app.submit(feedback("快递三天没更新物流", "13700137000")).await["id"].as_i64().unwrap();
        let (d1, d2) = (app.departments[0].0, app.departments[1].0);
        app.post(
            &format!("/api/v1/tickets/{id}/assign"),
            json!({"department_id": d1, "assignee_id": app.user_ids["agent"]}),
        )
        .await;
        let p = format!("/api/v1/tickets/{id}/transfer");
        let no_reason = app.as_role("agent", Method::POST, &p, Some(json!({"department_id": d2, "reason": " "}))).await;
        assert_eq!(no_reason.body["field"], "reason");
        app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-02T03:00:00Z").unwrap().into());
        let moved = app
            .as_role("agent", Method::POST, &p, Some(json!({"department_id": d2, "reason": "物流问题归售后"})))
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_eq!(moved.body["ticket"]["department_id"], d2);
        assert_eq!(moved.body["ticket"]["assignee_id"], app.user_ids["agent2"]);
        let last = moved.body["timeline"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["reason"], "transfer: 物流问题归售后");
        // The new assignee has their acknowledgement timer; the old one's was replaced.
        let ack = app.store.job_by_key(&format!("ack:{id}")).await.unwrap().unwrap();
        assert_eq!(ack.payload["assignee_id"], app.user_ids["agent2"]);
    })
    .await;
}

#[tokio::test]
async fn intake_routes_in_its_transaction_and_a_store_level_intake_owes_the_routing_job() {
    each_backend(|app| async move {
        let d1 = app.departments[0].0;
        put_doc(&app, "/api/v1/admin/routing-rules", json!({"rules": [{"name": "all", "departments": [d1]}]})).await;
        // Over HTTP: the answer is already routed, by the rule just saved, and no routing
        // job was written.
        let answer = app.submit(feedback("空调遥控器失灵，按键没反应", "13800138000")).await;
        let id = answer["id"].as_i64().unwrap();
        assert_eq!(answer["state"], "assigned", "{answer}");
        assert!(app.store.job_by_key(&format!("route:{id}")).await.unwrap().is_none());
        let d = detail(&app, id).await;
        assert_eq!(d["ticket"]["department_id"], d1);
        let assigned = d["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "assigned").unwrap().clone();
        assert_eq!(assigned["reason"], "routing rule \"all\"");
        // A ticket recorded by the store alone, as if the server had crashed right after the
        // intake commit: its routing job was committed with it.
        let customer = Customer { phone: Some(Phone::parse("13800138001").unwrap()), ..Customer::default() };
        let draft = Ticket::draft(Channel::Web, "空调漏水".into(), customer, app.clock.now(), app.clock.now());
        let request = IntakeRequest::new(draft, Actor::Customer);
        let crashed = app.store.intake(request).await.unwrap().ticket.id.0;
        assert!(app.store.job_by_key(&format!("route:{crashed}")).await.unwrap().is_some());
        app.run_due_jobs().await;
        for id in [id, crashed] {
            let d = detail(&app, id).await;
            assert_eq!(d["ticket"]["state"], "assigned", "{}", d["ticket"]);
            assert_eq!(d["ticket"]["department_id"], d1);
        }
    })
    .await;
}
