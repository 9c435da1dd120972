//! The agent's workspace in a real browser (`tests/browser/workspace.mjs`): reply with a
//! file and resolve in one step, the e-mail's delivery state on the timeline (through the
//! loopback Postfix when LOOPDESK_TEST_MAIL is set, else as the outbox records it), a macro
//! in one click, the shortcuts help on "?", and a queue selection kept across pages for a
//! bulk change. Chinese and English consoles. Screenshots in `target/screenshots`.

use crate::browser::{ready, run_script, screenshots};
use crate::common;
use crate::mailbox;

use common::TestApp;
use loopdesk_app::Config;
use loopdesk_core::{EventData, Priority, State, TicketId};
use loopdesk_store::Backend;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn an_agent_replies_with_a_file_resolves_applies_a_macro_and_bulk_edits_across_pages() {
    if let Err(why) = ready() {
        common::skip(&format!("workspace browser test: {why}"));
        return;
    }
    let mut config = Config::default();
    config.limits.feedback_per_minute = 1000;
    let ports =
        std::env::var("LOOPDESK_TEST_MAIL").ok().filter(|v| !v.is_empty()).and_then(|_| mailbox::ports("workspace"));
    let customer = mailbox::unique("cust");
    if let Some((smtp, _)) = ports {
        config.channels.smtp = Some(mailbox::smtp(smtp, &mailbox::unique("support")));
    }
    let app = TestApp::start(Backend::Sqlite, config).await;
    let m = json!({"id": "expedite", "title_zh": "物流加急", "title_en": "Expedite shipping", "priority": "high",
        "tags": ["加急"], "reply_zh": "{{customer_name}}您好，您的工单 {{tracking_no}} 已加急处理。",
        "reply_en": "Hello {{customer_name}}, ticket {{tracking_no}} is expedited."});
    let a = app.as_role("supervisor", Method::POST, "/api/v1/macros", Some(m)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let email = format!("{customer}@{}", mailbox::DOMAIN);
    let submit = |content: String, email: String| {
        let body = json!({"subject": "扫地机器人故障", "content": content,
            "customer": {"name": "张伟", "email": email}, "product": {"model": "X20"}});
        app.submit(body)
    };
    // Enough tickets for two queue pages (50 a page).
    for i in 0..52 {
        submit(format!("第 {i} 台扫地机器人无法充电"), format!("c{i}@example.com")).await;
    }
    let t1 = submit("扫地机器人电池鼓包，无法开机。".into(), email).await["id"].as_i64().unwrap();
    let t2 = submit("扫地机器人快递三天未到。".into(), "li@example.com".into()).await["id"].as_i64().unwrap();

    // The job worker of a real node: notices become deliveries; the outbox sends them.
    let state = app.state.clone();
    let worker = tokio::spawn(async move {
        loop {
            let _ = state.run_due_jobs().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mail = if ports.is_some() { "1" } else { "0" };
    let out =
        run_script(&app, "workspace.mjs", &[("TICKET", &t1.to_string()), ("TICKET2", &t2.to_string()), ("MAIL", mail)])
            .await;
    worker.abort();

    // Reply with a file and resolve in one step.
    assert_eq!(out["send_resolve_label"], "发送并办结");
    assert_eq!(out["flash"], "已回复并办结。");
    assert_eq!(out["resolved_state"], "已处理");
    assert!(out["reply_files"].as_str().unwrap().contains("检测报告.png"), "{out}");
    let t = app.store.ticket(TicketId(t1)).await.unwrap();
    assert_eq!(t.state, State::Resolved);
    let timeline = app.store.timeline(TicketId(t1)).await.unwrap();
    let files: Vec<String> = timeline
        .iter()
        .filter_map(|e| match &e.data {
            EventData::Replied { files, .. } => Some(files.iter().map(|f| f.name.clone())),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(files, ["检测报告.png"]);
    // What became of the e-mail, said as honestly as the system knows it.
    match ports {
        Some(_) => {
            assert_eq!(out["delivery_state"], "sent_to_mail_server", "{out}");
            assert!(out["delivery_text"].as_str().unwrap().contains("已交给邮件服务器"), "{out}");
        }
        None => {
            assert_eq!(out["delivery_state"], "retrying", "{out}");
            assert!(out["delivery_text"].as_str().unwrap().contains("SMTP"), "{out}");
        }
    }
    // Every action has its own named button, in both languages; none is a bare "保存".
    let zh: Vec<String> = serde_json::from_value(out["named_buttons"].clone()).unwrap();
    assert!(zh.contains(&"调整优先级".to_string()) && zh.contains(&"转交".to_string()), "{zh:?}");
    assert!(!zh.iter().any(|b| b == "保存"), "{zh:?}");
    let distinct: std::collections::HashSet<&String> = zh.iter().collect();
    assert_eq!(distinct.len(), zh.len(), "each button says what it does: {zh:?}");
    let en: Vec<String> = serde_json::from_value(out["english_buttons"].clone()).unwrap();
    assert!(en.contains(&"Change priority".to_string()) && en.contains(&"Transfer".to_string()), "{en:?}");
    // The macro: priority, tag and a reply in the ticket's language, in one click.
    assert_eq!(out["macro_flash"], "宏已应用。");
    assert_eq!(out["macro_priority"], "高");
    let t = app.store.ticket(TicketId(t2)).await.unwrap();
    assert_eq!(t.priority, Priority::High);
    assert!(t.subtags.contains(&"加急".to_string()));
    assert!(out["macro_reply"].as_str().unwrap().contains(t.tracking_no.as_str()), "{out}");
    // The shortcuts help.
    assert_eq!(out["help_title"], "键盘快捷键");
    assert!(out["help_rows"].as_u64().unwrap() >= 12, "{out}");
    assert_eq!(out["help_closed"], true);
    assert_eq!(out["e_hash"], "#act-resolve");
    assert_eq!(out["slash_focus"], "search");
    // A selection across pages, changed at once; the destructive close asked first.
    assert_eq!(out["count_one"], "1 selected");
    assert_eq!(out["count_two"], "2 selected");
    assert_eq!(out["kept_on_back"], true);
    assert_eq!(out["bulk_flash"], "Done: 2 changed, 0 refused.", "{out}");
    assert_eq!(out["count_after"], "0 selected");
    for key in ["first_page_pick", "second_page_pick"] {
        let id: i64 = out[key].as_str().unwrap().parse().unwrap();
        assert_eq!(app.store.ticket(TicketId(id)).await.unwrap().priority, Priority::Urgent, "{key}");
    }
    assert_eq!(out["confirm_text"], "Close the 1 selected tickets?");
    assert_eq!(out["still_on_queue"], true);
    for shot in ["workspace-ticket.png", "workspace-ticket-resolved.png", "workspace-queue-selection.png"] {
        assert!(screenshots().join(shot).is_file(), "{shot}");
    }
}
