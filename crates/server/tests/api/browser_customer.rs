//! Finding a customer in a real browser (`tests/browser/customer.mjs`): two tickets of one
//! customer whose phone number was written two ways ("138 0013 8000", "+86 13800138000"),
//! found together by either spelling typed into the console's search box, and by the
//! customer's e-mail address and an order number; the customer panel of each ticket lists
//! the other. Chinese and English consoles. Screenshots `customer-search.png`,
//! `ticket-customer-panel.png`, `ticket-customer-panel-en.png` in `target/screenshots`.

use crate::browser::{ready, run_script};
use crate::common::{self, TestApp};
use loopdesk_app::Config;
use loopdesk_store::Backend;
use reqwest::Method;
use serde_json::{json, Value};

fn ids(v: &Value) -> Vec<i64> {
    let mut out: Vec<i64> =
        v.as_array().unwrap_or(&Vec::new()).iter().filter_map(|x| x.as_str()?.parse().ok()).collect();
    out.sort();
    out
}

#[tokio::test]
async fn search_by_phone_email_and_order_finds_the_customer_and_the_panel_shows_their_other_tickets() {
    if let Err(why) = ready() {
        common::skip(&format!("customer browser test: {why}"));
        return;
    }
    let mut config = Config::default();
    config.limits.feedback_per_minute = 1000;
    let app = TestApp::start(Backend::Sqlite, config).await;
    let submit = |subject: &str, content: &str, customer: Value, product: Value| {
        app.submit(json!({"subject": subject, "content": content, "customer": customer, "product": product}))
    };
    let a = submit(
        "洗碗机漏水",
        "洗碗机底部漏水，地板都湿了。",
        json!({"name": "王芳", "phone": "138 0013 8000", "email": "Wang.Fang@example.com"}),
        json!({"model": "DW-60", "order_no": "DD20261207001"}),
    )
    .await;
    let b = submit(
        "洗碗机不加热",
        "换了新的洗碗机以后水一直不热。",
        json!({"name": "王芳", "phone": "+86 13800138000"}),
        json!({"model": "DW-60"}),
    )
    .await;
    let other = submit(
        "冰箱异响",
        "冰箱晚上嗡嗡响。",
        json!({"name": "李雷", "phone": "139 0000 1111", "email": "li.lei@example.com"}),
        json!({"model": "BCD-500", "order_no": "DD20261207002"}),
    )
    .await;
    let (a, b, other) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());
    // All three in the agent's hands, so the search is not limited by what they may see.
    let (dept, agent) = (app.departments[0].0, app.user_ids["agent"]);
    for id in [a, b, other] {
        let body = json!({"department_id": dept, "assignee_id": agent});
        let r = app.as_role("supervisor", Method::POST, &format!("/api/v1/tickets/{id}/assign"), Some(body)).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    let (a_s, b_s, other_s) = (a.to_string(), b.to_string(), other.to_string());
    let out = run_script(
        &app,
        "customer.mjs",
        &[
            ("TICKET_A", &a_s),
            ("TICKET_B", &b_s),
            ("TICKET_OTHER", &other_s),
            ("PHONE_A", "138 0013 8000"),
            ("PHONE_B", "+86 13800138000"),
            ("PHONE_OTHER", "139 0000 1111"),
            ("EMAIL", "wang.fang@example.com"),
            ("ORDER", "DD20261207001"),
        ],
    )
    .await;

    let both = {
        let mut v = vec![a, b];
        v.sort();
        v
    };
    assert!(out["search_label"].as_str().unwrap().contains("电话"), "{out}");
    assert_eq!(ids(&out["phone_a"]), both, "the phone as the first ticket wrote it: {out}");
    assert_eq!(ids(&out["phone_b"]), both, "the phone as the second ticket wrote it: {out}");
    assert_eq!(ids(&out["phone_bare"]), both, "{out}");
    assert_eq!(ids(&out["email"]), vec![a], "the e-mail address, in any letter case: {out}");
    assert_eq!(ids(&out["order"]), vec![a], "the order number: {out}");
    assert_eq!(ids(&out["other_phone"]), vec![other], "{out}");
    // The panels: each of the customer's tickets lists the other, not itself nor a stranger's.
    assert_eq!(ids(&out["panel_a"]), vec![b], "{out}");
    assert_eq!(ids(&out["panel_b"]), vec![a], "{out}");
    assert_eq!(out["panel_heading"], "该客户的其他工单", "{out}");
    assert!(out["panel_text"].as_str().unwrap().contains("洗碗机不加热"), "{out}");
    assert_eq!(ids(&out["panel_other"]["ids"]), Vec::<i64>::new(), "{out}");
    // English.
    assert!(out["search_label_en"].as_str().unwrap().contains("phone"), "{out}");
    assert_eq!(ids(&out["phone_a_en"]), both, "{out}");
    assert_eq!(ids(&out["panel_b_en"]), vec![a], "{out}");
    assert_eq!(out["panel_heading_en"], "This customer's other tickets", "{out}");
    assert!(out["external_requests"].as_array().unwrap().is_empty(), "{out}");
}
