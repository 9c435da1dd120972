//! The portal's promise to an unsatisfied customer ("we contact you within N working
//! hours", portal document `unsatisfied.contact_within_working_hours`) is an SLA clock,
//! `recontact`: an unsatisfied survey answer starts it, due N working hours later on the
//! ticket's calendar (over a weekend and a company holiday here), shown on the ticket page
//! with its countdown; staff's public reply meets it; without one it breaches at its due
//! minute with the usual escalation and staff alert. Manual clock, SQLite and PostgreSQL.

use crate::common;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use common::{feedback, TestApp};
use loopdesk_app::Config;
use loopdesk_core::{EventData, TicketId};
use loopdesk_store::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A Beijing wall-clock time.
fn bj(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(8 * 3600).unwrap();
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().with_timezone(&Utc)
}

async fn detail(app: &TestApp, id: i64) -> Value {
    let a = app.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body
}

fn recontact(detail: &Value) -> Value {
    detail["sla"].as_array().unwrap().iter().find(|c| c["target"] == "recontact").cloned().unwrap_or(Value::Null)
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// A ticket taken from new to resolved by its agent; the survey goes out at once.
async fn resolved(app: &TestApp, text: &str) -> i64 {
    let id = app.submit(feedback(text, "13900139000")).await["id"].as_i64().unwrap();
    let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
    let (dept, agent) = (app.departments[0].0, app.user_ids["agent"]);
    let r = app.post(&p("assign"), json!({"department_id": dept, "assignee_id": agent})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.as_role("agent", Method::POST, &p("acknowledge"), Some(json!({}))).await;
    let outcome = json!({"kind": "solved", "summary": "已更换滤芯"});
    let r = app.as_role("agent", Method::POST, &p("resolve"), Some(outcome)).await;
    assert_eq!(r.body["ticket"]["state"], "resolved", "{}", r.body);
    app.run_due_jobs().await;
    id
}

async fn answer_unsatisfied(app: &TestApp, id: i64) {
    let s = app.get(&format!("/api/v1/tickets/{id}/survey")).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    let token = s.body["survey_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let answer = json!({"satisfaction": "unsatisfied", "score": 1, "comment": "滤芯换了还是有异味"});
    let a = app.raw(Method::POST, &format!("/api/v1/surveys/{token}"), None, Some(answer)).await;
    assert_eq!((a.status, a.body["state"].as_str()), (StatusCode::OK, Some("reopened")), "{}", a.body);
}

async fn escalations(app: &TestApp, id: i64) -> Vec<String> {
    let timeline = app.store.timeline(TicketId(id)).await.unwrap();
    timeline
        .into_iter()
        .filter_map(|e| match e.data {
            EventData::Escalated { reason, .. } => Some(reason),
            _ => None,
        })
        .collect()
}

async fn page(app: &TestApp, id: i64) -> String {
    let cookie = format!("{}; loopdesk_lang=zh-CN", app.cookies["supervisor"]);
    let r = app.http.get(format!("{}/console/tickets/{id}", app.base)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn an_unsatisfied_answer_starts_a_working_hours_clock_met_by_a_reply_or_breached() {
    for backend in TestDatabase::backends() {
        let config = Config { session_hours: 24 * 365, ..Config::default() };
        let app = TestApp::start(backend, config).await;
        // The portal promises a call back within 8 working hours (the default), and the
        // Monday after is a company holiday.
        let portal = app.get("/api/v1/admin/portal").await;
        assert_eq!(portal.body["body"]["unsatisfied"]["contact_within_working_hours"], 8, "{}", portal.body);
        let csv = "date,kind,name\n2026-11-09,holiday,公司周年庆\n";
        let put = app
            .http
            .put(format!("{}/api/v1/admin/calendars/default/days.csv?expected_version=0", app.base))
            .header("cookie", app.cookies["admin"].clone())
            .header("content-type", "text/csv")
            .body(csv);
        let a = common::answer(put.send().await.unwrap()).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);

        // Friday 15:00: two tickets resolved and surveyed; no promise is running yet.
        app.clock.set(bj(2026, 11, 6, 15, 0));
        let met = resolved(&app, "净水器出水有异味，换滤芯后仍然有。").await;
        let missed = resolved(&app, "净水器漏水，师傅来过还是漏。").await;
        assert_eq!(recontact(&detail(&app, met).await), Value::Null, "no unsatisfied answer: no clock");

        // Friday 16:00 both customers answer unsatisfied.
        app.clock.set(bj(2026, 11, 6, 16, 0));
        answer_unsatisfied(&app, met).await;
        answer_unsatisfied(&app, missed).await;
        // 8 working hours: 2 on Friday (to 18:00), none on the weekend or the holiday, 6 on
        // Tuesday from 09:00.
        let due = bj(2026, 11, 10, 15, 0);
        for id in [met, missed] {
            let c = recontact(&detail(&app, id).await);
            assert_eq!((c["state"].as_str(), c["calendar"].as_str()), (Some("running"), Some("default")), "{c}");
            assert_eq!(at(&c["started_at"]), bj(2026, 11, 6, 16, 0), "{c}");
            assert_eq!(at(&c["due"]), due, "{c}");
            assert_eq!(c["remaining_working_minutes"], 8 * 60, "{c}");
        }
        // The ticket page lists it with its countdown, like the other clocks.
        let html = page(&app, met).await;
        let row = html.split(r#"<tr data-target="recontact">"#).nth(1).expect("a recontact row").to_string();
        let row = row.split("</tr>").next().unwrap();
        assert!(row.contains("联系不满意的客户") && row.contains("data-due="), "{row}");
        // The queue sorts by it too: the promise is the earliest due time of the reopened ticket.
        let q = app.get("/api/v1/tickets?sort=due").await.body;
        let item = q["items"].as_array().unwrap().iter().find(|t| t["id"] == met).cloned().unwrap();
        assert_eq!(at(&item["sla_due"]), due, "{item}");

        // Tuesday 10:00 staff call back with a public reply: met.
        app.clock.set(bj(2026, 11, 10, 10, 0));
        app.run_due_jobs().await;
        let body = json!({"body": "您好，我们明天上午再派工程师上门，为您免费更换整机滤芯组件。"});
        let r = app.as_role("supervisor", Method::POST, &format!("/api/v1/tickets/{met}/reply"), Some(body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = recontact(&detail(&app, met).await);
        assert_eq!(c["state"], "met", "{c}");

        // The other one is not called back: a minute early nothing, at the minute a breach.
        app.clock.set(due - Duration::minutes(1));
        app.run_due_jobs().await;
        assert_eq!(escalations(&app, missed).await.len(), 1, "only the survey's escalation");
        app.clock.set(due);
        app.run_due_jobs().await;
        let reasons = escalations(&app, missed).await;
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[1].contains("recontact"), "{reasons:?}");
        assert_eq!(recontact(&detail(&app, missed).await)["state"], "breached");
        let timeline = app.store.timeline(TicketId(missed)).await.unwrap();
        let breach = timeline.iter().find(
            |e| matches!(&e.data, EventData::SlaAlerted { target, alert, .. } if target.as_str() == "recontact" && alert.as_str() == "breach"),
        );
        assert_eq!(breach.map(|e| e.at), Some(due), "the breach is recorded at its minute");
        // And only once.
        app.clock.advance(Duration::hours(1));
        app.run_due_jobs().await;
        assert_eq!(escalations(&app, missed).await.len(), 2);
        // The met ticket never breached.
        assert_eq!(escalations(&app, met).await.len(), 1);
    }
}
