//! Agents' corrections are training examples: re-categorise tickets over the API, retrain,
//! and the new model version classifies similar feedback the corrected way.

use crate::common;

use common::TestApp;
use loopdesk_app::triage::engine::load_engine;
use loopdesk_app::triage::retrain;
use loopdesk_app::Config;
use loopdesk_store::Backend;
use loopdesk_triage::Input;
use reqwest::Method;
use serde_json::json;

const TEXTS: [&str; 10] = [
    "紫藤会员徽章在个人主页不显示",
    "我的紫藤徽章怎么没了",
    "紫藤会员的徽章一直看不到",
    "个人主页上紫藤徽章消失了",
    "紫藤徽章显示不出来，会员还在",
    "请恢复我的紫藤会员徽章",
    "紫藤徽章又不见了",
    "开通紫藤会员后没有徽章",
    "紫藤徽章图标是空白的",
    "为什么我看不到紫藤会员徽章",
];

#[tokio::test]
async fn corrections_retrain_the_category_model() {
    for backend in loopdesk_store::testing::TestDatabase::backends() {
        corrections_retrain_on(backend).await;
    }
}

async fn corrections_retrain_on(backend: Backend) {
    let mut config = Config::default();
    config.limits.feedback_per_minute = 1000;
    let app = TestApp::start(backend, config).await;
    let probe = "我的紫藤会员徽章还是不显示";
    let before = load_engine(&app.store).await.unwrap().analyze(&Input::new(probe)).classification.category;
    let target = if before == "payment" { "ux" } else { "payment" };
    for (i, text) in TEXTS.iter().enumerate() {
        let t = app.submit(json!({"content": text, "customer": {"phone": format!("1380000{i:04}")}})).await;
        let path = format!("/api/v1/tickets/{}/recategorize", t["id"]);
        let r = app.as_role("agent", Method::POST, &path, Some(json!({"category": target, "subtags": []}))).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let first = retrain::retrain(&app.state).await.unwrap();
    assert_eq!((first.version, first.corrections), (1, 10));
    assert!(first.examples > 300);
    let after = load_engine(&app.store).await.unwrap().analyze(&Input::new(probe)).classification;
    assert_eq!(after.category, target, "before retraining: {before}; after: {after:?}");
    // Every retrain is a new version; the newest is in effect.
    assert_eq!(retrain::retrain(&app.state).await.unwrap().version, 2);
}
