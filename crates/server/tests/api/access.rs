//! Every route × every role: who may call what, and that the OpenAPI document lists
//! exactly the routes the server answers.

use crate::common;

use common::{feedback, TestApp};
use loopdesk_app::Config;
use loopdesk_server::openapi::{operations, Access};
use loopdesk_store::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The least role an operation needs (None: public).
fn least_role(method: &str, path: &str) -> Option<&'static str> {
    match (method, path) {
        (_, "/feedback" | "/track/{tracking_no}" | "/openapi.json" | "/auth/login" | "/auth/logout") => None,
        // The signed status link is the customer's proof, like a survey link.
        (_, "/status/{token}" | "/status/{token}/messages") => None,
        (_, "/surveys/{token}") => None,
        // Everyone signed in changes their own password.
        ("post", "/auth/password") => Some("viewer"),
        // Everyone signed in manages their own second factor.
        (_, p) if p.starts_with("/auth/totp") => Some("viewer"),
        // Configuration documents by name: tested on `sla_policy`, which only admins read.
        (_, p) if p.starts_with("/documents/") => Some("admin"),
        ("get", "/approvals" | "/admin/routing-rules" | "/admin/routing-rules/history") => Some("supervisor"),
        ("get", "/admin/staffing" | "/admin/staffing/history") => Some("supervisor"),
        // Supervisors read the spike thresholds they are alerted by; admins change them.
        ("get", "/admin/spike-rules" | "/admin/spike-rules/history" | "/spikes") => Some("supervisor"),
        // Everyone who reads tickets reads problems and their actions; supervisors manage them.
        ("get", p) if p.starts_with("/problems") || p.starts_with("/actions") => Some("viewer"),
        (_, p) if p.starts_with("/problems") || p.starts_with("/actions") => Some("supervisor"),
        ("put", "/admin/routing-rules" | "/admin/staffing") => Some("admin"),
        ("get", "/tickets/{id}/survey") => Some("agent"),
        // Agents list and apply macros; supervisors keep them and read their history.
        ("get", "/macros" | "/macros/{id}") => Some("agent"),
        ("get", "/macros/history") | ("post", "/macros") | ("put" | "delete", "/macros/{id}") => Some("supervisor"),
        // The queue's downloads: whoever reads the queue, masked as it shows them.
        ("get", "/tickets/export.csv" | "/tickets/export.xlsx") => Some("viewer"),
        (_, p) if p.starts_with("/inbound/") => None,
        ("get", "/users") | ("post", "/tickets/{id}/decide-approval") => Some("supervisor"),
        (_, p) if p.starts_with("/users/") => Some("admin"),
        ("post", "/users" | "/departments" | "/tokens" | "/triage/retrain") | ("delete", "/tokens/{id}") => {
            Some("admin")
        }
        ("put", "/triage/rules/{part}") => Some("admin"),
        ("get", p) if p.starts_with("/triage/") => Some("supervisor"),
        (_, p) if p.starts_with("/admin/") => Some("admin"),
        // Legal holds and retention runs name customers and decide what is destroyed.
        (_, p) if p.starts_with("/legal-holds") || p.starts_with("/retention/") => Some("admin"),
        ("get", _) => Some("viewer"),
        _ => Some("agent"),
    }
}

const RANK: [&str; 4] = ["viewer", "agent", "supervisor", "admin"];

fn allowed(role: &str, least: Option<&str>) -> bool {
    let pos = |r: &str| RANK.iter().position(|x| *x == r).unwrap();
    least.is_none_or(|l| pos(role) >= pos(l))
}

#[tokio::test]
async fn every_route_for_every_role() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let id = app.submit(feedback("空气净化器滤芯提示不消失", "13800138000")).await["id"].as_i64().unwrap();
    for op in operations() {
        let (method_name, op_path) = (op.method.as_str(), op.path.as_str());
        let path = format!(
            "/api/v1{}",
            op.path
                .replace("/documents/{name}", "/documents/sla_policy")
                .replace("{version}", "0")
                .replace("{id}", &id.to_string())
                .replace("{tracking_no}", "FB-2611-0000X")
                .replace("{part}", "signals")
                .replace("{name}", "default")
                .replace("{token}", "not-a-token")
                .replace("{source}", "crm")
        );
        let method = Method::from_bytes(method_name.to_uppercase().as_bytes()).unwrap();
        let least = least_role(method_name, op_path);
        assert_eq!(op.access == Access::Staff, least.is_some(), "{} {}: documented access", op.method, op.path);
        // Anonymous callers are refused on every staff route.
        if least.is_some() {
            let a = app.raw(method.clone(), &path, None, Some(json!({}))).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "anonymous {} {path}", op.method);
        }
        // Signing out would end the sessions the rest of this test uses; it has its own test.
        if op.path == "/auth/logout" {
            continue;
        }
        for role in RANK {
            if op.path == "/live" {
                // A stream never ends by itself: check the status and hang up.
                let resp = app.http.get(format!("{}{path}", app.base)).header("cookie", &app.cookies[role]);
                let resp = resp.send().await.unwrap();
                assert_eq!(resp.status().is_success(), allowed(role, least), "{role} {path}: {}", resp.status());
                continue;
            }
            let a = app.as_role(role, method.clone(), &path, Some(json!({}))).await;
            let refused = a.status == StatusCode::FORBIDDEN;
            assert_eq!(!refused, allowed(role, least), "{role} {} {path}: {} {}", op.method, a.status, a.body);
            let unrouted = a.body["message"].as_str().is_some_and(|m| m.starts_with("no such endpoint"));
            assert!(!unrouted, "{role} {} {path} is not routed", op.method);
            assert_ne!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{role} {} {path}", op.method);
            assert!(a.body.get("code").is_some() || a.status.is_success(), "{role} {path}: {}", a.body);
        }
    }
}

#[tokio::test]
async fn intake_tokens_may_only_submit_and_set_channel_and_receipt_time() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let created = app.post("/api/v1/tokens", json!({"name": "wechat gateway", "intake_only": true})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_string();
    let with = |m: Method, p: &str| app.http.request(m, format!("{}{p}", app.base)).bearer_auth(&token);
    let body = json!({"channel": "phone", "content": "电话反馈：洗衣机噪音很大", "customer": {"phone": "13800138000", "tier": "vip"},
        "received_at": "2026-11-02T01:00:00Z"});
    let a = common::answer(with(Method::POST, "/api/v1/feedback").json(&body).send().await.unwrap()).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(
        (a.body["channel"].as_str(), a.body["received_at"].as_str()),
        (Some("phone"), Some("2026-11-02T01:00:00Z"))
    );
    let ticket = app.store.ticket(loopdesk_core::TicketId(a.body["id"].as_i64().unwrap())).await.unwrap();
    assert_eq!(ticket.customer.tier, loopdesk_core::CustomerTier::Vip);
    assert_eq!(ticket.recorded_at, common::t0());
    let q = common::answer(with(Method::GET, "/api/v1/tickets").send().await.unwrap()).await;
    assert_eq!(q.status, StatusCode::FORBIDDEN);
    // A wrong token is refused, never treated as anonymous.
    let bad = app
        .http
        .post(format!("{}/api/v1/feedback", app.base))
        .bearer_auth("ldk_wrong")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    // Revoked tokens stop working.
    let tid = created.body["id"].as_i64().unwrap();
    assert_eq!(
        app.as_role("admin", Method::DELETE, &format!("/api/v1/tokens/{tid}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    let after = common::answer(with(Method::POST, "/api/v1/feedback").json(&body).send().await.unwrap()).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn agents_see_their_department_and_viewers_see_masked_personal_data() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let id = app.submit(feedback("售后维修太慢", "13800138000")).await["id"].as_i64().unwrap();
    let d2 = app.departments[1].0;
    app.post(&format!("/api/v1/tickets/{id}/assign"), json!({"department_id": d2})).await;
    // agent is in department 1: the ticket is not visible; agent2 (department 2) sees it.
    assert_eq!(
        app.as_role("agent", Method::GET, &format!("/api/v1/tickets/{id}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let list = app.as_role("agent", Method::GET, "/api/v1/tickets", None).await;
    assert!(list.body["items"].as_array().unwrap().is_empty());
    assert_eq!(app.as_role("agent2", Method::GET, &format!("/api/v1/tickets/{id}"), None).await.status, StatusCode::OK);
    let v = app.as_role("viewer", Method::GET, &format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(v.body["ticket"]["customer"]["phone"], "138****8000");
    assert_eq!(v.body["ticket"]["customer"]["email"], "z***@example.com");
    let s = app.as_role("supervisor", Method::GET, &format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(s.body["ticket"]["customer"]["phone"], "+8613800138000", "stored in one form (E.164)");
}

#[tokio::test]
async fn sessions_log_in_and_out() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let bad = app
        .raw(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "agent", "password": "wrong password"})))
        .await;
    assert_eq!((bad.status, bad.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("bad_credentials")));
    let me = app.as_role("agent", Method::GET, "/api/v1/auth/me", None).await;
    assert_eq!(me.body["user"]["username"], "agent");
    let cookie = app.cookies["agent"].clone();
    let login = app
        .raw(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "agent", "password": common::PASSWORD})))
        .await;
    let set = login.headers["set-cookie"].to_str().unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    assert_eq!(app.raw(Method::POST, "/api/v1/auth/logout", Some(&cookie), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.raw(Method::GET, "/api/v1/auth/me", Some(&cookie), None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn openapi_document_lists_every_operation() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let doc = app.raw(Method::GET, "/api/v1/openapi.json", None, None).await.body;
    assert_eq!(doc, serde_json::to_value(loopdesk_server::openapi::build()).unwrap());
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, operations().len());
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"].is_object(), "{method} {path}");
            assert!(
                ids.insert(op["operationId"].as_str().unwrap().to_string()),
                "{method} {path}: operationId repeated"
            );
            // Every `{parameter}` of the path is declared (four operations could not be called).
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            for name in path.split('{').skip(1).filter_map(|rest| rest.split('}').next()) {
                assert!(declared.contains(&name), "{method} {path}: path parameter {name} not declared");
            }
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = piece.split('"').next().unwrap();
        assert!(doc["components"]["schemas"][name].is_object(), "schema {name}");
    }
}
