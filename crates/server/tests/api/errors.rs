//! Bad input gets a clear JSON error `{code, message, field?}` with the right status, and
//! loses nothing.

use crate::common;

use common::{each_backend, feedback, TestApp};
use loopdesk_app::Config;
use loopdesk_store::Backend;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn assert_error(a: &common::Answer, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.body["code"], code, "{}", a.body);
    assert!(a.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", a.body);
    assert_eq!(a.body["field"].as_str(), field, "{}", a.body);
}

async fn post_raw(app: &TestApp, path: &str, content_type: &str, body: &'static str) -> common::Answer {
    let req = app.http.post(format!("{}{path}", app.base)).header("content-type", content_type).body(body);
    common::answer(req.send().await.unwrap()).await
}

#[tokio::test]
async fn malformed_wrong_types_missing_fields_and_unknown_fields() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let p = "/api/v1/feedback";
    assert_error(
        &post_raw(&app, p, "application/json", "{\"content\": ").await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        Some("content"),
    );
    assert_error(
        &post_raw(&app, p, "text/plain", "hello").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        None,
    );
    let cases: Vec<(Value, &str)> = vec![
        (json!({"content": 5}), "content"),
        (json!({"customer": {"phone": "13800138000"}}), "."),
        (json!({"content": "x", "customer": {"phone": 138}}), "customer.phone"),
        (json!({"content": "x", "customer": {"phone": "13800138000"}, "channel": "fax"}), "channel"),
        (json!({"content": "x", "customer": {"phone": "13800138000"}, "colour": "red"}), "colour"),
        (json!({"content": "   ", "customer": {"phone": "13800138000"}}), "content"),
        (json!({"content": "x"}), "customer.phone"),
        (json!({"content": "x", "customer": {"email": "not-an-email"}}), "customer.email"),
        (json!({"content": "x", "customer": {"phone": "13800138000"}, "channel": "email"}), "channel"),
        (
            json!({"content": "x", "customer": {"phone": "13800138000"}, "received_at": "2026-11-01T00:00:00Z"}),
            "received_at",
        ),
        (json!({"content": "字".repeat(10_001), "customer": {"phone": "13800138000"}}), "content"),
    ];
    for (body, field) in cases {
        let a = app.raw(Method::POST, p, None, Some(body.clone())).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", a.body);
        let expected = if field == "." { None } else { Some(field) };
        assert_eq!(a.body["field"].as_str(), expected, "{body}: {}", a.body);
        assert_eq!(a.body["code"], "invalid_field");
    }
    // serde reads a struct from an array of its fields; the API does not.
    let array = app
        .as_role("admin", Method::POST, &format!("/api/v1/users/{}", app.user_ids["agent"]), Some(json!([null, null])))
        .await;
    assert_error(&array, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", None);
    assert_error(
        &post_raw(&app, p, "application/json", " [\"x\"]").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        None,
    );
    // Page sizes outside what the document allows are refused, not clamped.
    for path in
        ["/api/v1/tickets?limit=0", "/api/v1/tickets/counts?limit=201", "/api/v1/admin/sla-policy/history?limit=0"]
    {
        let a = app.as_role("admin", Method::GET, path, None).await;
        assert_error(&a, StatusCode::BAD_REQUEST, "invalid_query", Some("limit"));
    }
    let a = app.as_role("admin", Method::GET, "/api/v1/tickets/counts?sort=colour", None).await;
    assert_error(&a, StatusCode::BAD_REQUEST, "invalid_query", Some("sort"));
    // Anonymous feedback needs no contact.
    let anon = app
        .raw(Method::POST, p, None, Some(json!({"content": "匿名建议：增加夜间模式", "customer": {"anonymous": true}})))
        .await;
    assert_eq!(anon.status, StatusCode::CREATED, "{}", anon.body);
    assert_eq!(app.store.count_by_state(&Default::default()).await.unwrap().total, 1);
}

#[tokio::test]
async fn oversize_bodies_unknown_ids_routes_and_illegal_transitions() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let huge = json!({"content": "a".repeat(300 * 1024), "customer": {"phone": "13800138000"}});
    assert_error(
        &app.raw(Method::POST, "/api/v1/feedback", None, Some(huge)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        None,
    );
    assert_error(&app.get("/api/v1/tickets/424242").await, StatusCode::NOT_FOUND, "not_found", None);
    assert_error(&app.get("/api/v1/tickets/abc").await, StatusCode::BAD_REQUEST, "invalid_path", Some("id"));
    assert_error(&app.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND, "not_found", None);
    let m = app.as_role("admin", Method::DELETE, "/api/v1/feedback", None).await;
    assert_error(&m, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None);
    assert_error(
        &app.get("/api/v1/tickets?state=bogus").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
        Some("state"),
    );
    assert_error(
        &app.get("/api/v1/tickets?sort=sideways").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
        Some("sort"),
    );
    assert_error(
        &app.get("/api/v1/tickets?cursor=zzz").await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
        Some("cursor"),
    );
    assert_error(&app.get("/api/v1/tickets?limit=many").await, StatusCode::BAD_REQUEST, "invalid_query", Some("limit"));

    let id = app.submit(feedback("屏幕有坏点", "13800138000")).await["id"].as_i64().unwrap();
    let a = app.post(&format!("/api/v1/tickets/{id}/resolve"), json!({"kind": "solved", "summary": "done"})).await;
    assert_error(&a, StatusCode::CONFLICT, "illegal_transition", None);
    assert!(a.body["message"].as_str().unwrap().contains("cannot resolve a ticket that is new"));
    let a = app.post(&format!("/api/v1/tickets/{id}/reply"), json!({"body": "hi"})).await;
    assert_error(&a, StatusCode::CONFLICT, "illegal_transition", None);
    let a = app.post(&format!("/api/v1/tickets/{id}/assign"), json!({"department_id": 999})).await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("department_id"));
    let a = app.post(&format!("/api/v1/tickets/{id}/reject"), json!({"reason": ""})).await;
    assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("reason"));
    // Nothing of the refused changes was written.
    assert_eq!(app.store.timeline(loopdesk_core::TicketId(id)).await.unwrap().len(), 1);
}

#[tokio::test]
async fn idempotency_key_returns_the_same_ticket() {
    each_backend(|app| async move {
        let body = feedback("手表W3屏幕突然黑屏", "13600000000");
        let send = |key: &'static str, body: Value| {
            let req = app.http.post(format!("{}/api/v1/feedback", app.base)).header("idempotency-key", key).json(&body);
            async move { common::answer(req.send().await.unwrap()).await }
        };
        let a = send("retry-1", body.clone()).await;
        let b = send("retry-1", body.clone()).await;
        assert_eq!((a.status, b.status), (StatusCode::CREATED, StatusCode::CREATED));
        assert_eq!(a.body["id"], b.body["id"]);
        assert_eq!(a.body["tracking_no"], b.body["tracking_no"]);
        assert_eq!(b.headers["idempotent-replayed"], "true");
        let c = send("retry-1", feedback("不同的内容", "13600000000")).await;
        assert_error(&c, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", Some("Idempotency-Key"));
        assert_eq!(app.store.count_by_state(&Default::default()).await.unwrap().total, 1);
    })
    .await;
}

#[tokio::test]
async fn public_endpoints_are_rate_limited_per_client() {
    let mut config = Config::default();
    config.limits.feedback_per_minute = 3;
    config.limits.track_per_minute = 4;
    let app = TestApp::start(Backend::Sqlite, config).await;
    for i in 0..3 {
        app.submit(feedback("充电很慢", &format!("1380013800{i}"))).await;
    }
    let limited = app.raw(Method::POST, "/api/v1/feedback", None, Some(feedback("充电很慢", "13800138009"))).await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None);
    assert!(limited.headers.contains_key("retry-after"));
    // A minute later the client may submit again.
    app.clock.advance(chrono::Duration::minutes(1));
    app.submit(feedback("充电很慢", "13800138009")).await;
    // Guessing contacts for one tracking number is slowed down.
    let t = loopdesk_core::TrackingNo::new(loopdesk_core::TicketId(1), common::t0());
    let mut statuses = Vec::new();
    for i in 0..4 {
        statuses.push(app.raw(Method::GET, &format!("/api/v1/track/{t}?phone=1390000000{i}"), None, None).await.status);
    }
    assert_eq!(statuses[0], StatusCode::NOT_FOUND);
    assert_eq!(*statuses.last().unwrap(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    assert_eq!(app.raw(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);
    assert_eq!(app.raw(Method::GET, "/readyz", None, None).await.body["status"], "ready");
    app.submit(feedback("App 闪退", "13800138000")).await;
    let m = app.raw(Method::GET, "/metrics", None, None).await;
    let text = m.body.as_str().unwrap().to_string();
    assert!(text.contains("loopdesk_tickets{state=\"new\"} 1"), "{text}");
    assert!(text.contains("http_requests_total{method=\"POST\",route=\"/api/v1/feedback\",status=\"201\"}"), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
    // Personal data never reaches metrics labels.
    assert!(!text.contains("13800138000"));
}
