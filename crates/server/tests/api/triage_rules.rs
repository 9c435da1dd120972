//! Admin-edited triage rules are validated, versioned with who changed them and why, and
//! take effect on the next feedback without a restart; corrections retrain periodically.

use crate::common;

use chrono::Duration;
use common::{feedback, TestApp};
use loopdesk_app::triage::engine::{load_engine, upkeep};
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use loopdesk_triage::{Input, SignalKind};
use reqwest::Method;
use serde_json::{json, Value};

const FORMALDEHYDE: &str = "新买的儿童衣柜甲醛超标，孩子住进去一直咳嗽";

fn config() -> Config {
    let mut config = Config::default();
    config.limits.feedback_per_minute = 1000;
    config
}

#[tokio::test]
async fn an_edited_signal_list_takes_effect_at_once_and_is_versioned() {
    for backend in TestDatabase::backends() {
        let app = TestApp::start(backend, config()).await;
        let defaults = app.as_role("supervisor", Method::GET, "/api/v1/triage/rules/signals", None).await;
        assert_eq!((defaults.status.as_u16(), defaults.body["version"].as_i64()), (200, Some(0)), "{}", defaults.body);
        let before = app.submit(feedback(FORMALDEHYDE, "13800001111")).await;
        assert_ne!(before["priority"], "urgent", "{before}");

        let mut body = defaults.body["body"].clone();
        body["safety"].as_array_mut().unwrap().push(json!("甲醛超标"));
        let put = |who: &'static str, expected: i64, body: Value| {
            let app = &app;
            async move {
                let req = json!({"expected_version": expected, "body": body, "comment": "家具甲醛超标按安全隐患处理"});
                app.as_role(who, Method::PUT, "/api/v1/triage/rules/signals", Some(req)).await
            }
        };
        assert_eq!(put("agent", 0, body.clone()).await.status, 403);
        let saved = put("admin", 0, body.clone()).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert_eq!((saved.body["version"].as_i64(), saved.body["changed_by"].as_str()), (Some(1), Some("admin")));

        let after = app.submit(feedback(FORMALDEHYDE, "13800002222")).await;
        assert_eq!(after["priority"], "urgent", "{after}");
        let shown = app.as_role("agent", Method::GET, &format!("/api/v1/tickets/{}", after["id"]), None).await;
        let signals = shown.body["ticket"]["triage"]["signals"].to_string();
        assert!(signals.contains("甲醛超标"), "{signals}");
        // A freshly built engine (another node, a restart) reads the same version.
        let fresh = load_engine(&app.store).await.unwrap();
        assert!(fresh.analyze(&Input::new(FORMALDEHYDE)).signals.has(SignalKind::Safety));

        // An edit based on the old version would undo this one: refused, nothing saved.
        let stale = put("admin", 0, body.clone()).await;
        assert_eq!(
            (stale.status.as_u16(), stale.body["code"].as_str()),
            (409, Some("stale_version")),
            "{}",
            stale.body
        );
        let history = app.as_role("supervisor", Method::GET, "/api/v1/triage/rules/signals/history", None).await;
        assert_eq!(history.body["items"].as_array().unwrap().len(), 1, "{}", history.body);
        assert_eq!(history.body["items"][0]["comment"], "家具甲醛超标按安全隐患处理");
    }
}

#[tokio::test]
async fn invalid_rules_are_refused_with_the_field_and_change_nothing() {
    let app = TestApp::start(loopdesk_store::Backend::Sqlite, config()).await;
    let bad_taxonomy =
        json!({"expected_version": 0, "comment": "试一试", "body": {"fallback": "nowhere", "categories": []}});
    let r = app.as_role("admin", Method::PUT, "/api/v1/triage/rules/taxonomy", Some(bad_taxonomy)).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("body")), "{}", r.body);
    assert!(!r.body["message"].as_str().unwrap().is_empty());
    let no_comment = json!({"expected_version": 0, "comment": " ", "body": {}});
    let r = app.as_role("admin", Method::PUT, "/api/v1/triage/rules/moderation", Some(no_comment)).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("comment")), "{}", r.body);
    let r = app.as_role("admin", Method::GET, "/api/v1/triage/rules/nonsense", None).await;
    assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("part")), "{}", r.body);
    assert!(app.store.document_names().await.unwrap().is_empty());
}

#[tokio::test]
async fn corrections_retrain_the_model_once_per_period() {
    let mut config = config();
    config.session_hours = 48;
    let app = TestApp::start(loopdesk_store::Backend::Sqlite, config).await;
    upkeep(&app.state).await.unwrap();
    assert_eq!(app.store.latest_model_version("category").await.unwrap(), None, "no corrections, no retrain");
    let t = app.submit(feedback("会员积分兑换的优惠券用不了", "13800003333")).await;
    let path = format!("/api/v1/tickets/{}/recategorize", t["id"]);
    let r = app.as_role("agent", Method::POST, &path, Some(json!({"category": "payment", "subtags": []}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    upkeep(&app.state).await.unwrap();
    let first = app.store.latest_model_version("category").await.unwrap();
    assert!(first.is_some());
    upkeep(&app.state).await.unwrap();
    assert_eq!(app.store.latest_model_version("category").await.unwrap(), first, "within the period: no retrain");
    app.clock.advance(Duration::hours(25));
    upkeep(&app.state).await.unwrap();
    assert_eq!(app.store.latest_model_version("category").await.unwrap(), first, "no new corrections: no retrain");
    let r = app.as_role("agent", Method::POST, &path, Some(json!({"category": "ux", "subtags": []}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    upkeep(&app.state).await.unwrap();
    assert!(app.store.latest_model_version("category").await.unwrap() > first);
}
