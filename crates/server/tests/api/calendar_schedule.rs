//! A calendar that cannot silently run out: after the shipped schedule (2026) the statutory
//! holidays are provisional, the exports say so, admins are warned (in `/readyz` and by one
//! staff alert), and importing the official notice replaces the provisional days and moves
//! an open ticket's due time, keeping the working time already used.

use crate::common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{feedback, TestApp};
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::JobState;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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

/// Beijing wall time as UTC.
fn bj(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&Utc)
}

async fn schedule_alerts(app: &TestApp) -> usize {
    let mut n = 0;
    for state in [JobState::Pending, JobState::Done, JobState::Failed] {
        let jobs = app.store.jobs_of_kind("notify.staff", state, 1000).await.unwrap();
        n += jobs.iter().filter(|j| j.key.as_deref().is_some_and(|k| k.starts_with("calendar.schedule:"))).count();
    }
    n
}

async fn readiness(app: &TestApp) -> Value {
    let a = app.raw(Method::GET, "/readyz", None, None).await;
    assert_eq!(a.status, StatusCode::OK, "a schedule warning does not make the node unready");
    a.body["details"]["calendar_schedules"].clone()
}

fn first_response_due(detail: &Value) -> DateTime<Utc> {
    let fr = detail["sla"].as_array().unwrap().iter().find(|c| c["target"] == "first_response").unwrap();
    fr["due"].as_str().unwrap().parse().unwrap()
}

async fn put_csv(app: &TestApp, csv: &str, version: i64) -> common::Answer {
    let url = format!("{}/api/v1/admin/calendars/default/days.csv?expected_version={version}", app.base);
    let req = app.http.put(url).header("cookie", app.cookies["admin"].clone()).header("content-type", "text/csv");
    common::answer(req.body(csv.to_string()).send().await.unwrap()).await
}

#[tokio::test]
async fn admins_are_warned_once_before_the_official_schedule_ends() {
    each_backend(|app| async move {
        // 2026-11-02: 59 days before the shipped schedule ends.
        let w = readiness(&app).await;
        assert_eq!(w.as_array().map(Vec::len), Some(1), "{w}");
        assert_eq!((w[0]["calendar"].as_str(), w[0]["official_until"].as_str()), (Some("default"), Some("2026-12-31")));
        assert_eq!((w[0]["days_left"].as_i64(), w[0]["provisional_from"].as_i64()), (Some(59), Some(2027)));

        loopdesk_app::sla::schedule_watch::ensure(&app.state).await.unwrap();
        app.run_due_jobs().await;
        assert_eq!(schedule_alerts(&app).await, 1);
        // Daily runs, a second node's start-up: still one alert.
        for day in 1..=3 {
            app.clock.set(common::t0() + Duration::days(day));
            loopdesk_app::sla::schedule_watch::ensure(&app.state).await.unwrap();
            app.run_due_jobs().await;
        }
        assert_eq!(schedule_alerts(&app).await, 1);

        // The console shows the admin the same warning; an agent sees none.
        let dash = app.as_role("admin", Method::GET, "/console/dashboard", None).await;
        assert!(dash.body.as_str().unwrap().contains("schedule-warning"), "{}", dash.body);
        let page = app.as_role("admin", Method::GET, "/console/admin/documents/calendars", None).await;
        assert!(page.body.as_str().unwrap().contains("2026-12-31"));
        let agent = app.as_role("agent", Method::GET, "/console/dashboard", None).await;
        assert!(!agent.body.as_str().unwrap().contains("schedule-warning"));
    })
    .await;
}

#[tokio::test]
async fn importing_the_official_notice_replaces_provisional_days_and_keeps_time_used() {
    each_backend(|app| async move {
        // Wednesday 2027-02-03 10:00: a medium ticket's first response is due in 18 working
        // hours. Friday 02-05 (除夕) to Monday 02-08 are provisional holidays: due Tuesday.
        app.clock.set(bj(2027, 2, 3, 10));
        let created = app.submit(feedback("请问会员积分可以兑换哪些礼品？", "13800138000")).await;
        let id = created["id"].as_i64().unwrap();
        let path = format!("/api/v1/tickets/{id}");
        let body = json!({"priority": "medium", "reason": "calendar test"});
        let a = app.as_role("supervisor", Method::POST, &format!("{path}/reprioritize"), Some(body)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(first_response_due(&app.get(&path).await.body), bj(2027, 2, 9, 10));

        let exported = app.get("/api/v1/admin/calendars/default/days.csv").await;
        let csv = exported.body.as_str().unwrap().to_string();
        assert!(csv.contains("2027-02-05,holiday_provisional,春节,"), "{csv}");
        assert!(csv.contains("2027-09-15,holiday_provisional,中秋节,"));
        let ics = app.get("/api/v1/admin/calendars/default/days.ics").await;
        assert!(ics.body.as_str().unwrap().contains("X-LOOPDESK-KIND:holiday_provisional"));
        let w = readiness(&app).await;
        assert_eq!(w[0]["days_left"].as_i64(), Some(-34), "ended: provisional days in force");

        // Thursday 10:00, 9 working hours used: the notice arrives (a test notice: the real
        // one has its own dates), with a longer break and a make-up Saturday.
        app.clock.set(bj(2027, 2, 4, 10));
        let notice: String = ["date,kind,name".to_string(), "2027-01-01,holiday,元旦".into()]
            .into_iter()
            .chain((5..=11).map(|d| format!("2027-02-{d:02},holiday,春节")))
            .chain(["2027-02-20,workday,春节".to_string()])
            .map(|l| l + "\n")
            .collect();
        let a = put_csv(&app, &notice, 0).await;
        assert_eq!((a.status, a.body["imported"].as_i64()), (StatusCode::OK, Some(9)), "{}", a.body);
        // 9 hours left from Thursday 10:00: 8 that day, then 1 after the break, on Friday 02-12.
        assert_eq!(first_response_due(&app.get(&path).await.body), bj(2027, 2, 12, 10));
        app.run_due_jobs().await;
        let job = app.store.job_by_key(&format!("sla:{id}")).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Pending, "the timer was rescheduled");

        let csv = app.get("/api/v1/admin/calendars/default/days.csv").await.body.as_str().unwrap().to_string();
        assert!(!csv.lines().any(|l| l.starts_with("2027-") && l.contains("holiday_provisional")), "{csv}");
        assert!(csv.contains("2027-02-11,holiday,春节,") && csv.contains("2027-02-20,workday,春节,"));
        assert!(csv.contains("2028-01-25,holiday_provisional,春节,"), "the next year is provisional now");
        assert_eq!(readiness(&app).await, json!([]), "the schedule runs to 2027-12-31 now");

        // Reading an export back changes nothing, and a listed provisional day is refused
        // with a JSON error naming the field.
        let again = put_csv(&app, &csv, 1).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        let cal = app.get("/api/v1/admin/calendars").await;
        let mut doc = cal.body["body"].clone();
        doc["calendars"][0]["days"]
            .as_array_mut()
            .unwrap()
            .push(json!({"date": "2028-01-26", "kind": "holiday_provisional", "name": "春节"}));
        let version = cal.body["version"].as_i64().unwrap();
        let bad = app
            .as_role(
                "admin",
                Method::PUT,
                "/api/v1/admin/calendars",
                Some(json!({"expected_version": version, "body": doc})),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body["field"].as_str().unwrap_or("").starts_with("calendars"), "{}", bad.body);
        assert!(bad.body["message"].as_str().unwrap().contains("holiday_provisional"), "{}", bad.body);
    })
    .await;
}
