//! Triage at intake over HTTP: category, signals, priority with its reasons, moderation.

use crate::common;

use common::TestApp;
use loopdesk_app::Config;
use loopdesk_store::Backend;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn submit(app: &TestApp, text: &str) -> Value {
    app.submit(json!({"content": text, "customer": {"phone": "13800138000"}})).await
}

fn reasons(v: &Value) -> String {
    v["priority_reasons"].to_string()
}

#[tokio::test]
async fn safety_words_make_a_ticket_urgent_and_say_why() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let zh = submit(&app, "洗衣机漏电，手碰到外壳有麻的感觉，太危险了").await;
    assert_eq!(zh["priority"], "urgent", "{zh}");
    assert!(reasons(&zh).contains("漏电"), "{zh}");
    assert_eq!(zh["category"], "product_quality");
    assert!(zh["triage"]["signals"].to_string().contains("safety"), "{zh}");
    // Traditional characters are analysed as simplified; the stored text stays verbatim.
    let hant = submit(&app, "熱水器漏電，洗澡時被電了一下").await;
    assert_eq!(hant["priority"], "urgent", "{hant}");
    let t = app.get(&format!("/api/v1/tickets/{}", hant["id"])).await;
    assert_eq!(t.body["ticket"]["content"], "熱水器漏電，洗澡時被電了一下");
    let en = submit(&app, "The charger started smoking and caught fire while my phone was charging.").await;
    assert_eq!(en["priority"], "urgent", "{en}");
    assert_eq!(en["triage"]["language"], "en");
}

#[tokio::test]
async fn inquiries_are_low_and_outcry_is_high() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let ask = submit(&app, "请问你们周末客服几点上班？").await;
    assert_eq!(ask["priority"], "low", "{ask}");
    let outcry = submit(&app, "退款拖了一个月还没到账，再不处理我就投诉到12315并找媒体曝光！").await;
    assert!(matches!(outcry["priority"].as_str(), Some("high" | "urgent")), "{outcry}");
    assert!(reasons(&outcry).contains("12315") || reasons(&outcry).contains("曝光"), "{outcry}");
    let vip = app.post("/api/v1/tokens", json!({"name": "crm", "intake_only": true})).await.body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"channel": "phone", "content": "App 打开很慢，偶尔卡顿", "customer": {"phone": "13900000000", "tier": "vip"}});
    let r = app.http.post(format!("{}/api/v1/feedback", app.base)).bearer_auth(vip).json(&body).send().await.unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(reasons(&v).to_lowercase().contains("vip"), "{v}");
}

#[tokio::test]
async fn spam_is_recorded_rejected_with_reasons_and_can_be_restored() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let text =
        "【限时优惠】加微信 abc12345 领取免费代刷好评，日赚500元，点击 http://spam.example.com 立即咨询，代开发票";
    let spam = submit(&app, text).await;
    assert_eq!(spam["state"], "rejected", "{spam}");
    assert_eq!(spam["triage"]["moderation"], "reject");
    let id = spam["id"].as_i64().unwrap();
    let t = app.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(t.body["ticket"]["content"], text);
    assert!(t.body["ticket"]["reject_reason"].as_str().unwrap().starts_with("automatic moderation"));
    let restored = app
        .as_role("agent", Method::POST, &format!("/api/v1/tickets/{id}/restore"), Some(json!({"reason": "误判"})))
        .await;
    assert_eq!((restored.status, restored.body["ticket"]["state"].as_str()), (StatusCode::OK, Some("new")));
}

#[tokio::test]
async fn empty_huge_and_binary_looking_text_gets_a_clear_outcome() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let binary: String = (0u8..200).map(|b| char::from(b % 94 + 33)).chain("\u{0}\u{1}\u{fffd}".chars()).collect();
    let v = submit(&app, &binary).await;
    assert!(v["state"].is_string());
    let huge = "电池续航很差。".repeat(1400);
    let v = submit(&app, &huge).await;
    assert_eq!(v["state"], "new", "{v}");
    let empty = app
        .raw(Method::POST, "/api/v1/feedback", None, Some(json!({"content": "", "customer": {"phone": "13800138000"}})))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn unsure_classifications_wait_in_the_manual_triage_queue_until_a_person_decides() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let vague = submit(&app, "上次那个事情还没弄好").await;
    assert_eq!(vague["triage"]["needs_manual_triage"], true, "{vague}");
    let clear = submit(&app, "洗衣机漏电，手碰到外壳有麻的感觉").await;
    assert_eq!(clear["triage"]["needs_manual_triage"], false, "{clear}");
    let queue = app.get("/api/v1/tickets?triage=manual").await;
    let ids: Vec<&Value> = queue.body["items"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
    assert_eq!(ids, [&vague["id"]]);
    let path = format!("/api/v1/tickets/{}/recategorize", vague["id"]);
    let r =
        app.as_role("agent", Method::POST, &path, Some(json!({"category": "service_complaint", "subtags": []}))).await;
    assert_eq!(r.body["ticket"]["triage"]["needs_manual_triage"], false, "{}", r.body);
    assert!(app.get("/api/v1/tickets?triage=manual").await.body["items"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/api/v1/tickets?triage=auto").await.status, StatusCode::BAD_REQUEST);
}
