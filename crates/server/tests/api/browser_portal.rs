//! The customer's side of the portal in a real headless Chromium on a phone-sized screen
//! (`tests/browser/portal.mjs`), in Chinese and English: submit, reopen the bookmarked
//! status link in a fresh browser, see the own message and the stage, write a follow-up,
//! and — after the agent resolved through the API — answer the survey unsatisfied and be
//! told what happens next. The company's branding is set first, and no request may leave
//! the server. Screenshots: `target/screenshots/portal-*-phone-*.png`.

use crate::browser::{ready, run_script};
use crate::common::{self, TestApp};
use loopdesk_app::Config;
use loopdesk_core::{State, TrackingNo};
use loopdesk_store::Backend;
use reqwest::Method;
use serde_json::json;

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

#[tokio::test]
async fn a_customer_follows_up_and_answers_unsatisfied_on_a_phone() {
    if let Err(why) = ready() {
        common::skip(&format!("portal browser walk: {why}"));
        return;
    }
    let mut config = Config::default();
    config.limits.feedback_per_minute = 100;
    let app = TestApp::start(Backend::Sqlite, config).await;
    let branding = json!({"branding": {"company": "海川电器 Haichuan", "accent": "#0b5394",
        "logo": format!("data:image/png;base64,{PNG}")}});
    let saved = app
        .as_role(
            "admin",
            Method::PUT,
            "/api/v1/admin/portal",
            Some(json!({"expected_version": 0, "body": branding, "comment": "brand"})),
        )
        .await;
    assert_eq!(saved.status, reqwest::StatusCode::OK, "{}", saved.body);

    // The job worker is off in tests: run due jobs while the walk runs, so the survey goes
    // out once the agent resolves.
    let worker = {
        let state = app.state.clone();
        tokio::spawn(async move {
            loop {
                let _ = state.run_due_jobs().await;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        })
    };
    let dept = app.departments[0].0.to_string();
    let agent_id = app.user_ids["agent"].to_string();
    let env = [
        ("ADMIN_COOKIE", app.cookies["admin"].as_str()),
        ("AGENT_COOKIE", app.cookies["agent"].as_str()),
        ("DEPT", dept.as_str()),
        ("AGENT_ID", agent_id.as_str()),
    ];
    let out = run_script(&app, "portal.mjs", &env).await;
    worker.abort();

    assert_eq!(out["external_requests"], json!([]), "everything comes from this server: {out}");
    for (lang, submitted, handling, promise, reopened) in [
        ("zh-CN", "已提交", "处理中", "8 个工作小时内", "重新打开"),
        ("en", "Submitted", "Being handled", "within 8 working hours", "Reopened"),
    ] {
        let o = &out[lang];
        let number = TrackingNo::parse(o["tracking_no"].as_str().unwrap()).expect("a tracking number");
        // The bookmark opened in a fresh context shows the stage and the customer's words.
        assert!(o["status_url"].as_str().unwrap().contains(&format!("/status/{}.", number.as_str())), "{o}");
        assert_eq!(o["current_stage"], submitted, "{o}");
        assert!(o["stage_label"].as_str().is_some_and(|l| !l.is_empty()), "the stage list is named: {o}");
        assert!(o["own_message"].as_str().unwrap().len() > 10, "{o}");
        // The follow-up is on the page and on the agent's timeline.
        assert_eq!(o["mine"].as_array().map(Vec::len), Some(2), "{o}");
        assert_eq!(o["agent_sees_follow_up"], true, "{o}");
        assert_eq!(o["resolved_stage"], if lang == "en" { "Resolved" } else { "已处理" }, "{o}");
        // The survey: one named group of large choices, no drop-down.
        assert_eq!(o["rating_groups"], 1, "{o}");
        assert_eq!(o["radios"], 8, "three answers and five scores: {o}");
        assert_eq!(o["selects"], 0, "{o}");
        assert!(o["smallest_choice"]["h"].as_f64().unwrap() >= 44.0, "tap targets of 44 px or more: {o}");
        assert!(o["smallest_choice"]["w"].as_f64().unwrap() >= 44.0, "{o}");
        // Unsatisfied: what happens next, on the survey page and the status page.
        assert!(o["next_steps"].as_str().unwrap().contains(promise), "{o}");
        assert!(o["after_next_steps"].as_str().unwrap().contains(promise), "{o}");
        assert_eq!(o["after_stage"], handling, "{o}");
        assert_eq!(o["after_state"], reopened, "{o}");
        let t = app.store.ticket(number.ticket_id()).await.unwrap();
        assert_eq!(t.state, State::Reopened);
        assert!(t.escalated, "escalated to a supervisor");
    }
}
