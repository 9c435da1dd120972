//! Forms in a real browser (`tests/browser/forms.mjs`): nothing typed is lost on a refusal
//! and the message is at the field (portal in Chinese on a phone and in English with a
//! file, the resolve form in both languages, the admin's JSON editor); a double click
//! posts once; rejecting and deactivating ask first; axe-core finds no serious or critical
//! violation on the main pages in either language.

use crate::browser::{ready, run_script};
use crate::common::{self, feedback, TestApp};
use loopdesk_app::Config;
use loopdesk_core::{State, TicketId};
use loopdesk_store::Backend;

#[tokio::test]
async fn refused_forms_keep_their_input_and_actions_ask_first_in_a_real_browser() {
    if let Err(why) = ready() {
        common::skip(&format!("browser forms test: {why}"));
        return;
    }
    let mut config = Config::default();
    config.limits.feedback_per_minute = 100;
    let app = TestApp::start(Backend::Sqlite, config).await;
    let zh = app.submit(feedback("净水器出水很慢，滤芯才用了一个月", "13600136000")).await;
    let en = app.submit(feedback("The purifier leaks from the tap", "13600136001")).await;
    let (ticket, ticket_en) = (zh["id"].as_i64().unwrap(), en["id"].as_i64().unwrap());
    let spam = app.submit(feedback("冰箱门关不严，冷藏室结霜很厚", "13600136002")).await["id"].as_i64().unwrap();
    let double = "双击提交按钮只应记录一次反馈";
    let out = run_script(
        &app,
        "forms.mjs",
        &[
            ("TICKET", &ticket.to_string()),
            ("TICKET_EN", &ticket_en.to_string()),
            ("TICKET_NEW", &spam.to_string()),
            ("TRACKING", zh["tracking_no"].as_str().unwrap()),
            ("CONTACT", "13600136000"),
            ("DOUBLE_TEXT", double),
        ],
    )
    .await;

    // The portal, Chinese, on a phone: everything typed is there, the field says what is wrong.
    let p = &out["portal_zh"];
    assert_eq!(p["contact"], "请填写有效的电话号码（5 到 20 位数字），或电子邮箱。", "{out}");
    assert_eq!(p["top"], "提交未成功，请修改下面标出的项目。");
    assert_eq!(p["name"], "韩梅梅");
    assert_eq!(p["contact_value"], "12");
    assert_eq!(p["content"], "更换滤芯后提示灯一直亮着，\n复位也没有用。");
    // English with a photo: sent with progress, refused, the photo still chosen, then sent.
    assert_eq!(out["portal_en_status"], 422);
    let p = &out["portal_en"];
    assert!(p["contact"].as_str().unwrap().starts_with("Please give a phone number or an e-mail address"), "{out}");
    assert_eq!(p["files_kept"], 1, "{out}");
    assert!(!p["top"].as_str().unwrap().contains("choose them again"), "the script kept the files: {out}");
    assert!(out["portal_en_tracking"].as_str().unwrap().starts_with("FB-"), "{out}");

    // The resolve form, both languages: open again, with what was typed and the message.
    for (key, message) in [
        ("resolve_zh", "部分解决或无法解决时，请写明未解决的部分。"),
        ("resolve_en", "When the problem is only partly solved or not solved, say what remains unsolved."),
    ] {
        let r = &out[key];
        assert_eq!(r["open"], true, "{out}");
        assert_eq!(r["unresolved"], message);
        assert_eq!(r["summary"], "更换了滤芯，提示灯仍亮");
        assert_eq!(r["reason"], "主板需返厂检测");
        assert_eq!(r["kind"], "partially_solved");
        assert!(
            r["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/console/tickets/{}", if key == "resolve_zh" { ticket } else { ticket_en })),
            "{out}"
        );
    }
    // Rejecting asked first; cancelled, nothing happened; confirmed, rejected.
    assert_eq!(out["reject_question"], "确定将此工单标记为无效吗？客户会收到通知。");
    assert_eq!(out["state_after_cancel"], "待处理");
    assert_eq!(out["state_after_confirm"], "无效");
    assert_eq!(app.store.ticket(TicketId(spam)).await.unwrap().state, State::Rejected);
    for id in [ticket, ticket_en] {
        assert_eq!(app.store.ticket(TicketId(id)).await.unwrap().state, State::InProgress, "nothing refused was done");
    }

    // The admin's editor: the broken text kept, the place named, the caret put there.
    let e = &out["editor"];
    assert_eq!(e["kept"], true, "{out}");
    assert!(e["error"].as_str().unwrap().starts_with("JSON 格式有误（第 3 行第 19 列）：缺少逗号或右花括号"), "{out}");
    assert_eq!(e["comment"], "问候语");
    assert_eq!(e["caret"][0], true);
    assert_eq!(e["caret"][1], 2 + 17 + 18, "line 3, column 19: {out}");
    assert_eq!(out["deactivate_question"], "确定停用此账号吗？停用后此人将无法登录。");
    assert_eq!(out["still_active"], true);

    // One ticket per click: three made here, the English customer's and the double click's.
    assert!(out["double_tracking"].as_str().unwrap().starts_with("FB-"));
    assert_eq!(app.store.count_by_state(&Default::default()).await.unwrap().total, 5, "{out}");

    // No serious or critical accessibility violation on the main pages.
    assert_eq!(out["axe"], serde_json::json!([]), "{out}");
}
