//! The console on a phone-sized screen (`tests/browser/phone.mjs`), in Chinese and English:
//! the queue, a ticket page and the admin SLA form fit 390 px without the page scrolling
//! sideways, and their controls are tall enough to tap. Screenshots `queue-phone-*.png`,
//! `ticket-phone-*.png` and `admin-sla-form-phone-*.png` in `target/screenshots`.

use crate::common::{self, TestApp};
use loopdesk_app::Config;
use loopdesk_store::Backend;

#[tokio::test]
async fn the_queue_ticket_and_sla_form_fit_a_phone() {
    if let Err(why) = crate::browser::ready() {
        common::skip(&format!("phone browser test: {why}"));
        return;
    }
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let created = app.submit(common::feedback("支付成功但订单一直显示待付款，请尽快处理。", "13912345678")).await;
    let id = created["id"].as_i64().expect("a ticket id").to_string();
    let out = crate::browser::run_script(&app, "phone.mjs", &[("TICKET_ID", &id)]).await;
    for page in ["queue", "ticket", "sla_form"] {
        for lang in ["zh", "en"] {
            let seen = &out[format!("{page}_{lang}")];
            assert!(seen["overflow"].as_i64().is_some_and(|o| o <= 1), "{page} ({lang}) scrolls sideways: {seen}");
            assert!(seen["count"].as_i64().is_some_and(|n| n > 0), "{page} ({lang}) has controls: {seen}");
            // 24 px is WCAG 2.2's minimum target size (2.5.8).
            let smallest = seen["smallest"]["h"].as_i64().unwrap_or(0);
            assert!(smallest >= 24, "{page} ({lang}) has a control {smallest} px tall: {seen}");
        }
    }
    assert_eq!(out["external_requests"], serde_json::json!([]));
    for shot in ["queue-phone-zh.png", "ticket-phone-en.png", "admin-sla-form-phone-zh.png"] {
        let len = crate::browser::screenshots().join(shot).metadata().map(|m| m.len()).unwrap_or(0);
        assert!(len > 5_000, "screenshot {shot}");
    }
}
