//! SLA urgency in a real browser (`tests/browser/sla.mjs`): a ticket past its first-response
//! time is listed on the console's "overdue" tab and counts down in red, on the queue and on
//! its page, in Chinese and English. Skips like [`crate::browser`] without a browser.

use crate::common;

use common::TestApp;
use loopdesk_app::Config;
use loopdesk_store::Backend;

#[tokio::test]
async fn an_overdue_ticket_is_on_the_overdue_tab_in_red() {
    if let Err(why) = crate::browser::ready() {
        common::skip(&format!("SLA browser test: {why}"));
        return;
    }
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let created = app.submit(common::feedback("洗衣机启动后一直显示E3故障码，无法使用。", "13912345678")).await;
    let tracking = created["tracking_no"].as_str().expect("a tracking number").to_string();
    // A week later no clock of the new ticket is met: it is overdue (the staff sign in
    // afresh in the browser; the seeded sessions have expired by then).
    app.clock.advance(chrono::Duration::days(7));
    app.run_due_jobs().await;

    let out = crate::browser::run_script(&app, "sla.mjs", &[("OVERDUE_TRACKING", &tracking)]).await;
    // Red (#b42318) and worded as overdue in each language.
    for lang in ["zh", "en"] {
        assert_eq!(out[format!("overdue_color_{lang}")], "rgb(180, 35, 24)", "{out}");
        assert!(out[format!("overdue_class_{lang}")].as_str().unwrap_or_default().contains("due-over"), "{out}");
        assert_eq!(out[format!("ticket_clock_color_{lang}")], "rgb(180, 35, 24)", "{out}");
        assert_eq!(out[format!("overdue_tab_on_{lang}")], "on", "{out}");
    }
    assert!(out["overdue_text_zh"].as_str().unwrap_or_default().starts_with("已超时"), "{out}");
    assert!(out["overdue_text_en"].as_str().unwrap_or_default().ends_with("overdue"), "{out}");
    assert!(out["ticket_clock_zh"].as_str().unwrap_or_default().starts_with("已超时"), "{out}");
    // The tab counts it.
    assert!(out["overdue_tab_en"].as_str().unwrap_or_default().ends_with('1'), "{out}");
    assert_eq!(out["external_requests"], serde_json::json!([]));
    for shot in ["queue-overdue-zh.png", "queue-overdue-en.png"] {
        let len = crate::browser::screenshots().join(shot).metadata().map(|m| m.len()).unwrap_or(0);
        assert!(len > 5_000, "screenshot {shot}");
    }
}
