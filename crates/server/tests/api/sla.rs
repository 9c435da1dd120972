//! SLA timers end to end, with the manual clock (no sleeping): warnings and breaches fire
//! at their minute and once, clocks pause while the customer is asked, an admin's holiday
//! moves an open ticket's due time, timers survive a restart, and two server instances on
//! one PostgreSQL fire each of 10,000 timers exactly once.

use crate::common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{feedback, t0, TestApp};
use loopdesk_app::Clock;
use loopdesk_app::Config;
use loopdesk_core::calendar::Calendars;
use loopdesk_core::{Event, EventData, TicketId};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::JobState;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Runs `test` on each backend with sessions that outlast the clock's jumps.
async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in TestDatabase::backends() {
        let config = Config { session_hours: 24 * 365, ..Config::default() };
        test(TestApp::start(backend, config).await).await;
    }
}

/// Submits feedback and makes it a medium ticket (first response: 2 working days).
async fn medium_ticket(app: &TestApp) -> i64 {
    let created = app.submit(feedback("请问会员积分可以兑换哪些礼品？", "13800138000")).await;
    let id = created["id"].as_i64().unwrap();
    let body = json!({"priority": "medium", "reason": "SLA test"});
    let a = app.as_role("supervisor", Method::POST, &format!("/api/v1/tickets/{id}/reprioritize"), Some(body)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    id
}

async fn detail(app: &TestApp, id: i64) -> Value {
    let a = app.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

/// The `sla` entry of one target.
fn target(detail: &Value, name: &str) -> Value {
    detail["sla"].as_array().unwrap().iter().find(|c| c["target"] == name).cloned().unwrap_or(Value::Null)
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

async fn events(app: &TestApp, id: i64) -> Vec<Event> {
    app.store.timeline(TicketId(id)).await.unwrap()
}

fn count(events: &[Event], f: impl Fn(&EventData) -> bool) -> usize {
    events.iter().filter(|e| f(&e.data)).count()
}

fn alerts(events: &[Event], alert: &str) -> usize {
    count(events, |d| matches!(d, EventData::SlaAlerted { alert: a, .. } if a.as_str() == alert))
}

/// notify.staff jobs for `alert` about ticket `id`, whether already delivered or not.
async fn staff_alerts(app: &TestApp, id: i64, alert: &str) -> Vec<Value> {
    let mut jobs = Vec::new();
    for state in [JobState::Pending, JobState::Running, JobState::Done, JobState::Failed] {
        jobs.extend(app.store.jobs_of_kind("notify.staff", state, 1000).await.unwrap());
    }
    jobs.into_iter().map(|j| j.payload).filter(|p| p["ticket_id"] == id && p["alert"] == alert).collect()
}

#[tokio::test]
async fn the_warning_and_the_breach_fire_at_their_minute_and_once() {
    each_backend(|app| async move {
        let id = medium_ticket(&app).await;
        let d = detail(&app, id).await;
        let fr = target(&d, "first_response");
        // Recorded Monday 09:30 Shanghai: 2 working days of 9 h → Wednesday 09:30; 80 % → Tuesday 14:54.
        assert_eq!(at(&fr["due"]), Utc.with_ymd_and_hms(2026, 11, 4, 1, 30, 0).unwrap());
        assert_eq!(at(&fr["warn_at"]), Utc.with_ymd_and_hms(2026, 11, 3, 6, 54, 0).unwrap());
        assert_eq!((fr["state"].as_str(), fr["remaining_working_minutes"].as_i64()), (Some("running"), Some(18 * 60)));
        let (warn, due) = (at(&fr["warn_at"]), at(&fr["due"]));

        app.clock.set(warn - Duration::minutes(1));
        app.run_due_jobs().await;
        assert_eq!(alerts(&events(&app, id).await, "warning"), 0, "a minute early: nothing");
        app.clock.set(warn);
        assert!(app.run_due_jobs().await >= 1);
        let ev = events(&app, id).await;
        assert_eq!(alerts(&ev, "warning"), 1);
        assert_eq!(ev.last().unwrap().at, warn);
        assert_eq!(staff_alerts(&app, id, "sla_warning").await.len(), 1);
        assert_eq!(target(&detail(&app, id).await, "first_response")["warned"], true);

        app.clock.set(due - Duration::minutes(1));
        app.run_due_jobs().await;
        let ev = events(&app, id).await;
        assert_eq!(count(&ev, |d| matches!(d, EventData::Escalated { .. })), 0, "a minute before the breach: nothing");
        assert!(staff_alerts(&app, id, "sla_breach").await.is_empty());

        app.clock.set(due);
        app.run_due_jobs().await;
        let ev = events(&app, id).await;
        let escalations: Vec<&Event> = ev.iter().filter(|e| matches!(e.data, EventData::Escalated { .. })).collect();
        assert_eq!(escalations.len(), 1);
        assert_eq!(escalations[0].at, due, "escalated at the minute of the breach");
        let breach = staff_alerts(&app, id, "sla_breach").await;
        assert_eq!(breach.len(), 1);
        assert!(breach[0]["user_ids"].as_array().unwrap().contains(&json!(app.user_ids["supervisor"])));
        let d = detail(&app, id).await;
        assert_eq!(d["ticket"]["escalated"], true);
        assert_eq!(target(&d, "first_response")["state"], "breached");

        // Nothing fires twice, however often the worker runs.
        app.clock.advance(Duration::minutes(30));
        app.run_due_jobs().await;
        let ev = events(&app, id).await;
        assert_eq!(count(&ev, |d| matches!(d, EventData::Escalated { .. })), 1);
        assert_eq!((alerts(&ev, "warning"), alerts(&ev, "breach")), (1, 1));
    })
    .await;
}

#[tokio::test]
async fn clocks_pause_while_awaiting_the_customer() {
    each_backend(|app| async move {
        let id = medium_ticket(&app).await;
        let path = |a: &str| format!("/api/v1/tickets/{id}/{a}");
        let assign = json!({"department_id": app.departments[0].0, "assignee_id": app.user_ids["agent"]});
        app.as_role("supervisor", Method::POST, &path("assign"), Some(assign)).await;
        app.as_role("agent", Method::POST, &path("acknowledge"), Some(json!({}))).await;
        app.clock.advance(Duration::minutes(30));
        let asked = app.clock.now();
        let a = app.as_role("agent", Method::POST, &path("request-info"), Some(json!({"body": "请提供订单号"}))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let d = detail(&app, id).await;
        assert_eq!(target(&d, "first_response")["state"], "paused");
        let pending = app.store.job_by_key(&format!("sla:{id}")).await.unwrap();
        assert!(pending.is_none_or(|j| j.state != JobState::Pending), "no timer while every clock is paused");

        // A week later, past the original due time: still nothing owed.
        app.clock.advance(Duration::days(7));
        app.run_due_jobs().await;
        assert_eq!(count(&events(&app, id).await, |d| matches!(d, EventData::SlaAlerted { .. })), 0);
        let resumed = app.clock.now();
        let a = app.as_role("agent", Method::POST, &path("provide-info"), Some(json!({"body": "订单号 DD1"}))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let fr = target(&detail(&app, id).await, "first_response");
        assert_eq!(fr["state"], "running");
        let cal = Calendars::default();
        let cal = cal.get("default").unwrap();
        let used = cal.working_between(t0(), asked);
        assert_eq!(at(&fr["due"]), cal.add(resumed, Duration::hours(18) - used), "the pause does not count");
        let job = app.store.job_by_key(&format!("sla:{id}")).await.unwrap().unwrap();
        assert_eq!((job.state, job.run_at), (JobState::Pending, at(&fr["warn_at"])), "the timer resumed");
    })
    .await;
}

#[tokio::test]
async fn an_admin_holiday_moves_the_due_time_of_an_open_ticket() {
    each_backend(|app| async move {
        let id = medium_ticket(&app).await;
        let before = target(&detail(&app, id).await, "first_response");
        assert_eq!(at(&before["due"]), Utc.with_ymd_and_hms(2026, 11, 4, 1, 30, 0).unwrap());

        let csv = "date,kind,name\n2026-11-03,holiday,公司周年庆\n";
        let url = "/api/v1/admin/calendars/default/days.csv?expected_version=0";
        let put = |role: &'static str| {
            let req = app.http.put(format!("{}{url}", app.base)).header("cookie", app.cookies[role].clone());
            req.header("content-type", "text/csv").body(csv)
        };
        let refused = common::answer(put("supervisor").send().await.unwrap()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "admins only");
        let a = common::answer(put("admin").send().await.unwrap()).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!((a.body["version"].as_i64(), a.body["imported"].as_i64()), (Some(1), Some(1)));
        let stale = common::answer(put("admin").send().await.unwrap()).await;
        assert_eq!((stale.status, stale.body["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")));

        // Tuesday is now a holiday: the due time moves a working day, to Thursday 09:30.
        let after = target(&detail(&app, id).await, "first_response");
        assert_eq!(at(&after["due"]), Utc.with_ymd_and_hms(2026, 11, 5, 1, 30, 0).unwrap());
        // One sweep reschedules the timer to the new warning instant.
        app.run_due_jobs().await;
        let job = app.store.job_by_key(&format!("sla:{id}")).await.unwrap().unwrap();
        assert_eq!((job.state, job.run_at), (JobState::Pending, at(&after["warn_at"])));
        // The queue's due time moved with it (the sweep writes both).
        assert_eq!(queue_dues(&app, "sort=due").await, vec![(id, Some(at(&after["due"])))]);

        let exported = app.get("/api/v1/admin/calendars/default/days.csv").await;
        assert!(exported.body.as_str().unwrap().contains("2026-11-03,holiday,公司周年庆"));
        let history = app.get("/api/v1/admin/calendars/history").await;
        assert_eq!(history.body["items"][0]["changed_by"], "admin");
        let bad = app
            .as_role(
                "admin",
                Method::PUT,
                "/api/v1/admin/sla-policy",
                Some(json!({
                    "expected_version": 0, "body": {"warn_percent": 0}
                })),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    })
    .await;
}

#[tokio::test]
async fn a_calendar_file_saved_by_chinese_excel_is_read_and_bytes_that_are_no_text_are_refused() {
    let app = TestApp::start(loopdesk_store::Backend::Sqlite, Config::default()).await;
    let put = |version: i64, body: Vec<u8>| {
        let url = format!("{}/api/v1/admin/calendars/default/days.csv?expected_version={version}", app.base);
        let req = app.http.put(url).header("cookie", app.cookies["admin"].clone());
        req.header("content-type", "text/csv").body(body)
    };
    // Excel on a Chinese Windows saves CSV in GBK (GB18030).
    let (gbk, _, _) = encoding_rs::GB18030.encode("date,kind,name\n2026-11-03,holiday,公司周年庆\n");
    let a = common::answer(put(0, gbk.into_owned()).send().await.unwrap()).await;
    assert_eq!((a.status, a.body["imported"].as_i64()), (StatusCode::OK, Some(1)), "{}", a.body);
    let exported = app.get("/api/v1/admin/calendars/default/days.csv").await;
    assert!(exported.body.as_str().unwrap().contains("2026-11-03,holiday,公司周年庆"), "{}", exported.body);

    // Bytes that are neither UTF-8 nor GB18030: a JSON error naming the body, nothing saved.
    let bad = common::answer(put(1, vec![b'd', 0xff, 0xfe, 0x80, b'\n']).send().await.unwrap()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        (bad.body["code"].as_str(), bad.body["field"].as_str()),
        (Some("invalid_field"), Some("body")),
        "{}",
        bad.body
    );
    let history = app.get("/api/v1/admin/calendars/history").await;
    assert_eq!(history.body["items"].as_array().map(Vec::len), Some(1), "the refused file saved nothing");
}

#[tokio::test]
async fn a_policy_may_return_a_breached_ticket_to_the_department_queue() {
    each_backend(|app| async move {
        let current = app.get("/api/v1/admin/sla-policy").await;
        assert_eq!(current.body["version"], 0, "built-in defaults");
        let mut policy = current.body["body"].clone();
        policy["reassign_on_breach"] = json!(true);
        let body = json!({"expected_version": 0, "body": policy, "comment": "reassign on breach"});
        let saved = app.as_role("admin", Method::PUT, "/api/v1/admin/sla-policy", Some(body.clone())).await;
        assert_eq!((saved.status, saved.body["version"].as_i64()), (StatusCode::OK, Some(1)), "{}", saved.body);
        let stale = app.as_role("admin", Method::PUT, "/api/v1/admin/sla-policy", Some(body)).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);

        let id = medium_ticket(&app).await;
        let assign = json!({"department_id": app.departments[0].0, "assignee_id": app.user_ids["agent"]});
        let a = app.as_role("supervisor", Method::POST, &format!("/api/v1/tickets/{id}/assign"), Some(assign)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let ack = target(&detail(&app, id).await, "acknowledge");
        assert_eq!(at(&ack["due"]), t0() + Duration::minutes(15));
        app.clock.set(at(&ack["due"]));
        app.run_due_jobs().await;
        let d = detail(&app, id).await;
        assert_eq!(d["ticket"]["escalated"], true);
        assert_eq!(d["ticket"]["assignee_id"], Value::Null, "taken from the agent who did not acknowledge");
        assert_eq!(d["ticket"]["department_id"], app.departments[0].0);
        assert_eq!(d["ticket"]["state"], "assigned");
    })
    .await;
}

/// The queue's SLA due times, as `GET /api/v1/tickets` gives them.
async fn queue_dues(app: &TestApp, query: &str) -> Vec<(i64, Option<DateTime<Utc>>)> {
    let a = app.get(&format!("/api/v1/tickets?{query}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let items = a.body["items"].as_array().unwrap().clone();
    items.iter().map(|t| (t["id"].as_i64().unwrap(), t["sla_due"].as_str().map(|s| s.parse().unwrap()))).collect()
}

#[tokio::test]
async fn the_queue_sorts_by_sla_due_lists_the_overdue_and_counts_down_on_the_console() {
    each_backend(|app| async move {
        let medium = medium_ticket(&app).await;
        let due = at(&target(&detail(&app, medium).await, "first_response")["due"]);
        let urgent = app.submit(feedback("会员积分页面打不开，显示错误", "13900139000")).await["id"].as_i64().unwrap();
        let body = json!({"priority": "urgent", "reason": "SLA test"});
        let path = format!("/api/v1/tickets/{urgent}/reprioritize");
        assert_eq!(app.as_role("supervisor", Method::POST, &path, Some(body)).await.status, StatusCode::OK);
        let urgent_due = at(&target(&detail(&app, urgent).await, "first_response")["due"]);
        assert!(urgent_due < due);
        let rejected = app.submit(feedback("请问门店几点关门？", "13600136000")).await["id"].as_i64().unwrap();
        let body = json!({"reason": "重复提交"});
        let path = format!("/api/v1/tickets/{rejected}/reject");
        assert_eq!(app.as_role("supervisor", Method::POST, &path, Some(body)).await.status, StatusCode::OK);

        // Soonest due first, each with its due time; a ticket no clock counts for comes last.
        let sorted = queue_dues(&app, "sort=due").await;
        assert_eq!(sorted, vec![(urgent, Some(urgent_due)), (medium, Some(due)), (rejected, None)]);
        let page = queue_dues(&app, "sort=due&limit=1").await;
        assert_eq!(page, vec![(urgent, Some(urgent_due))]);
        let before = |t: DateTime<Utc>| format!("due_before={}", t.to_rfc3339().replace('+', "%2B"));
        assert!(queue_dues(&app, &before(t0())).await.is_empty(), "nothing is overdue yet");
        let bad = app.get("/api/v1/tickets?sort=soonest").await;
        assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("sort")));

        // Past the medium ticket's due time: both are overdue, the due times stay where they were
        // (the breach changed the ticket and left its due time as it was).
        app.clock.set(due + Duration::minutes(5));
        app.run_due_jobs().await;
        let overdue = queue_dues(&app, &format!("{}&sort=due", before(app.clock.now()))).await;
        assert_eq!(overdue, vec![(urgent, Some(urgent_due)), (medium, Some(due))]);
        let counts = app.get(&format!("/api/v1/tickets/counts?{}", before(app.clock.now()))).await;
        assert_eq!(counts.body["total"], 2, "{}", counts.body);

        // The console: an overdue tab with both, red countdowns; breaching soon is empty.
        let page = app.as_role("supervisor", Method::GET, "/console?view=overdue", None).await;
        let html = page.body.as_str().unwrap().to_string();
        assert!(html.contains("id=\"tab-overdue\""), "{html}");
        assert!(html.contains("<option value=\"due\" selected>"), "the tab's order shows in the sort menu");
        let medium_row = html.split(&format!("data-id=\"{medium}\"")).nth(1).expect("the medium ticket is listed");
        let cell = medium_row.split("</tr>").next().unwrap();
        assert!(cell.contains("due due-over") && cell.contains("已超时 5 分钟"), "{cell}");
        assert!(html.contains(&format!("data-id=\"{urgent}\"")));
        assert!(html.find(&format!("data-id=\"{urgent}\"")) < html.find(&format!("data-id=\"{medium}\"")));
        let soon = app.as_role("supervisor", Method::GET, "/console?view=breaching", None).await;
        assert!(!soon.body.as_str().unwrap().contains(&format!("data-id=\"{medium}\"")));
        // Its ticket page counts down too.
        let ticket = app.as_role("supervisor", Method::GET, &format!("/console/tickets/{medium}"), None).await;
        assert!(ticket.body.as_str().unwrap().contains("due due-over"));

        // Resolved without a reply, its first-response clock still counts; but nobody owes
        // work on a resolved ticket, so it is due nowhere.
        let (dept, agent) = (app.departments[0].0, app.user_ids["agent"]);
        let path = |action: &str| format!("/api/v1/tickets/{urgent}/{action}");
        let assign = json!({"department_id": dept, "assignee_id": agent});
        assert_eq!(app.as_role("supervisor", Method::POST, &path("assign"), Some(assign)).await.status, StatusCode::OK);
        assert_eq!(
            app.as_role("agent", Method::POST, &path("acknowledge"), Some(json!({}))).await.status,
            StatusCode::OK
        );
        let outcome = json!({"kind": "solved", "summary": "已远程修复积分页面"});
        let resolved = app.as_role("agent", Method::POST, &path("resolve"), Some(outcome)).await;
        assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
        assert_eq!(target(&detail(&app, urgent).await, "first_response")["state"], "breached");
        assert_eq!(queue_dues(&app, "sort=due").await, vec![(medium, Some(due)), (urgent, None), (rejected, None)]);
    })
    .await;
}
