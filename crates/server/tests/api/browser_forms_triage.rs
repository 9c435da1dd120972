//! The triage and macros forms in a real headless Chromium (`tests/browser/forms_triage.mjs`),
//! in Chinese: an admin adds a keyword to a category in the taxonomy form (refused without
//! a reason, the keyword kept; then saved) and the next ticket gets that category; a
//! supervisor creates a macro on the macros page and applies it on a ticket.
//! Screenshots: `admin-taxonomy-form.png`, `console-macros.png` in `target/screenshots`.

use crate::browser::{ready, run_script, screenshots};
use crate::common::{self, feedback, TestApp};
use loopdesk_app::Config;
use loopdesk_core::{Priority, TicketId};
use loopdesk_store::Backend;
use serde_json::json;

const WORD: &str = "紫藤协议";

#[tokio::test]
async fn an_admin_adds_a_keyword_and_a_supervisor_makes_and_applies_a_macro() {
    if let Err(why) = ready() {
        common::skip(&format!("triage forms browser test: {why}"));
        return;
    }
    let mut config = Config::default();
    config.limits.feedback_per_minute = 1000;
    let app = TestApp::start(Backend::Sqlite, config).await;
    let ticket = app.submit(feedback("扫地机器人充不进电", "13800005555")).await;
    let id = ticket["id"].as_i64().unwrap();
    let out = run_script(&app, "forms_triage.mjs", &[("WORD", WORD), ("TICKET", &id.to_string())]).await;

    assert_eq!(out["taxonomy_title"], "分类与关键词", "{out}");
    assert!(out["effective_hint"].as_str().unwrap().contains("内置默认值"), "{out}");
    assert_eq!((out["folded"].as_bool(), out["logistics_name"].as_str()), (Some(true), Some("物流配送")), "{out}");
    assert_eq!(out["comment_invalid"], "true", "{out}");
    assert_eq!(out["comment_error"], "请用 1 到 500 个字说明这次修改的原因。", "{out}");
    assert_eq!(out["keyword_kept"], true, "{out}");
    assert_eq!(out["saved_flash"], "已保存为新版本。", "{out}");
    assert!(out["saved_version"].as_str().unwrap().ends_with("v1"), "{out}");
    assert_eq!(out["keyword_shown"], true, "{out}");
    assert!(out["fixed_hint"].as_str().unwrap().starts_with("此条件无法用表单表示"), "{out}");
    assert_eq!(out["rule_signal_ticked"], true, "{out}");
    let doc = app.store.document("triage.taxonomy").await.unwrap().unwrap();
    assert_eq!((doc.version, doc.comment.as_str()), (1, "物流类新增关键词"));
    let after = app
        .submit(json!({"subject": format!("关于{WORD}"), "content": format!("关于{WORD}的事情"),
        "customer": {"name": "王芳", "phone": "13800006666"}}))
        .await;
    assert_eq!(after["category"], "logistics", "{after}");

    assert_eq!(out["macros_title"].as_str().map(|t| t.starts_with("宏")), Some(true), "{out}");
    assert_eq!(out["macro_flash"], "已保存为新版本。", "{out}");
    assert_eq!(out["macro_legend"], "加急回电", "{out}");
    assert_eq!(out["applied_flash"], "宏已应用。", "{out}");
    let t = app.store.ticket(TicketId(id)).await.unwrap();
    assert_eq!(t.priority, Priority::High);
    let macros = app.store.document("macros").await.unwrap().unwrap();
    assert_eq!((macros.version, macros.changed_by.as_str()), (1, "supervisor"));
    assert_eq!(out["external_requests"], json!([]));
    let shots = screenshots();
    for shot in ["admin-taxonomy-form.png", "console-macros.png"] {
        assert!(shots.join(shot).metadata().map(|m| m.len() > 5_000).unwrap_or(false), "screenshot {shot}");
    }
}
