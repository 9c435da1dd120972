//! Forms that keep what was typed on a refusal and say, next to the field, what is wrong:
//! the portal's feedback form, the ticket page's action forms and the admin's document
//! editor, in both languages (over HTTP; the same in a browser is `browser_forms.rs`).

use crate::common::feedback;
use crate::web::{csrf, get, login, post, start};
use reqwest::StatusCode;

/// The `aria-describedby` target of `id`'s refusal and its message paragraph.
fn refused(html: &str, id: &str) -> String {
    let marker = format!("aria-invalid=\"true\" aria-describedby=\"{id}-error\"");
    assert!(html.contains(&marker), "{id} is not marked invalid:\n{html}");
    let at = html.find(&format!("id=\"{id}-error\">")).unwrap_or_else(|| panic!("no message for {id}:\n{html}"));
    html[at..].split_once('>').unwrap().1.split('<').next().unwrap().to_string()
}

#[tokio::test]
async fn the_portal_form_keeps_what_was_typed_and_names_the_field() {
    let app = start().await;
    let typed = [
        ("name", "李雷"),
        ("contact", ""),
        ("subject", "洗碗机漏水"),
        ("content", "洗碗机底部漏水，\n地板湿了一片。"),
        ("model", "DW-8"),
        ("order_no", "DD42"),
        ("attachments", "https://example.com/a.jpg"),
    ];
    let zh = post(&app, "/submit", "loopdesk_lang=zh-CN", &typed).await;
    assert_eq!(zh.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", zh.body);
    assert_eq!(refused(&zh.body, "contact"), "请填写电话号码或电子邮箱，以便我们答复您；也可以选择匿名提交。");
    for kept in [
        "value=\"李雷\"",
        "value=\"洗碗机漏水\"",
        "洗碗机底部漏水，\n地板湿了一片。</textarea>",
        "value=\"DW-8\"",
        "value=\"DD42\"",
        "https://example.com/a.jpg</textarea>",
    ] {
        assert!(zh.body.contains(kept), "{kept} was not kept:\n{}", zh.body);
    }
    assert!(zh.body.contains("提交未成功，请修改下面标出的项目。"));
    assert!(!zh.body.contains("请检查此项"), "no general message any more");

    // English, a phone number that is not one: the message says what a valid one is.
    let mut bad_phone = typed.to_vec();
    bad_phone[1] = ("contact", "12");
    let en = post(&app, "/submit", "loopdesk_lang=en", &bad_phone).await;
    assert_eq!(en.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused(&en.body, "contact").contains("valid phone number (5 to 20 digits)"), "{}", en.body);
    assert!(en.body.contains("value=\"12\""));
    // An e-mail address that is not one.
    bad_phone[1] = ("contact", "li@");
    let en = post(&app, "/submit", "loopdesk_lang=en", &bad_phone).await;
    assert!(refused(&en.body, "contact").contains("valid e-mail address"), "{}", en.body);

    // Too long: the limit is named, in Chinese with full-width punctuation.
    let long = "字".repeat(201);
    let mut too_long = typed.to_vec();
    too_long[1] = ("contact", "13912345678");
    too_long[4] = ("model", &long);
    let zh = post(&app, "/submit", "loopdesk_lang=zh-CN", &too_long).await;
    assert_eq!(refused(&zh.body, "model"), "产品型号最多 200 个字，请删减后再提交。");
    assert!(zh.body.contains("value=\"13912345678\""));
    assert_eq!(app.store.count_by_state(&Default::default()).await.unwrap().total, 0, "nothing was recorded");
}

#[tokio::test]
async fn a_refused_action_keeps_its_form_open_with_what_was_typed() {
    let app = start().await;
    let created = app.submit(feedback("空气净化器异味很重", "13800138000")).await;
    let id = created["id"].as_i64().unwrap();
    let path = format!("/console/tickets/{id}");
    let cookie = login(&app, "agent").await;
    let token = csrf(&get(&app, &path, &cookie, "zh").await.body);
    post(&app, &format!("{path}/assign-me"), &cookie, &[("_csrf", &token)]).await;
    post(&app, &format!("{path}/acknowledge"), &cookie, &[("_csrf", &token)]).await;

    // Partially solved without saying what is left: refused at that field, nothing lost.
    let resolve = [
        ("_csrf", token.as_str()),
        ("kind", "partially_solved"),
        ("summary", "更换了滤网，异味减轻"),
        ("unresolved", ""),
        ("reason", "电机需返厂"),
        ("alternative", ""),
    ];
    let zh = post(&app, &format!("{path}/resolve"), &cookie, &resolve).await;
    assert_eq!(zh.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", zh.body);
    assert!(zh.body.contains("id=\"act-resolve\""), "the resolve form is on the page");
    assert_eq!(refused(&zh.body, "unresolved"), "部分解决或无法解决时，请写明未解决的部分。");
    assert!(zh.body.contains("更换了滤网，异味减轻</textarea>") && zh.body.contains("value=\"电机需返厂\""));
    assert!(zh.body.contains("value=\"partially_solved\" selected"), "the chosen outcome is kept");
    assert!(zh.body.contains(&format!("data-page=\"{path}\"")), "the script restores the page's address");
    let en = post(&app, &format!("{path}/resolve"), &format!("{cookie}; loopdesk_lang=en"), &resolve).await;
    assert!(refused(&en.body, "unresolved").starts_with("When the problem is only partly solved"), "{}", en.body);
    assert!(en.body.contains("更换了滤网，异味减轻</textarea>"));

    // Rejecting a new ticket without a reason: the reject form, open, says a reason is needed.
    let other = app.submit(feedback("广告：低价代购", "13800138001")).await["id"].as_i64().unwrap();
    let reject =
        post(&app, &format!("/console/tickets/{other}/reject"), &cookie, &[("_csrf", &token), ("body", "  ")]).await;
    assert_eq!(reject.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused(&reject.body, "reject-body"), "请填写原因。");
    assert!(reject.body.contains("data-confirm=\"确定将此工单标记为无效吗？"), "rejecting asks first");
    // A reply typed and refused (too long) comes back in the box.
    let long = "很".repeat(20_001);
    let reply =
        post(&app, &format!("{path}/message"), &cookie, &[("_csrf", &token), ("kind", "note"), ("body", &long)]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused(&reply.body, "reply-body").contains("20000"), "{}", reply.body);
    assert!(reply.body.contains(&format!("{long}</textarea>")) && reply.body.contains("value=\"note\" checked"));
    let t = app.store.ticket(loopdesk_core::TicketId(id)).await.unwrap();
    assert_eq!(t.state, loopdesk_core::State::InProgress, "nothing refused was done");
}

#[tokio::test]
async fn the_document_editor_keeps_a_broken_edit_and_says_where() {
    let app = start().await;
    let admin = login(&app, "admin").await;
    let path = "/console/admin/documents/reply_templates";
    let token = csrf(&get(&app, path, &admin, "zh").await.body);
    // A missing comma on line 3.
    let broken = "{\n  \"templates\": [\n    {\"name\": \"hi\" \"title_zh\": \"问候\"}\n  ]\n}";
    let r =
        post(&app, path, &admin, &[("_csrf", &token), ("version", "0"), ("body", broken), ("comment", "问候语")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let message = refused(&r.body, "document-body");
    assert!(message.starts_with("JSON 格式有误（第 3 行第 19 列）：缺少逗号或右花括号 }"), "{message}");
    assert!(r.body.contains("data-error-line=\"3\" data-error-column=\"19\""));
    assert!(r.body.contains("{&#34;name&#34;: &#34;hi&#34; &#34;title_zh&#34;: &#34;问候&#34;}"), "{}", r.body);
    assert!(r.body.contains("value=\"问候语\""), "the comment is kept too");

    // Well-formed but not valid: the place in the document is named.
    let invalid = "{\n  \"templates\": [\n    {\"name\": \"\", \"title_zh\": \"问候\", \"title_en\": \"Hi\", \"text_zh\": \"您好\", \"text_en\": \"Hi\"}\n  ]\n}";
    let r = post(&app, path, &admin, &[("_csrf", &token), ("version", "0"), ("body", invalid)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(refused(&r.body, "document-body").starts_with("配置未通过校验："), "{}", r.body);
    assert!(r.body.contains("&#34;name&#34;: &#34;&#34;"));

    // Triage rules need a reason for the change: asked at the comment field, the JSON kept.
    let sla = "/console/admin/documents/triage.signals";
    let page = get(&app, sla, &admin, "en").await.body;
    let at = page.find("id=\"document-body\"").unwrap();
    let text = page[at..].split_once('>').unwrap().1.split("</textarea>").next().unwrap().replace("&#34;", "\"");
    let en = format!("{admin}; loopdesk_lang=en");
    let r = post(&app, sla, &en, &[("_csrf", &token), ("version", "0"), ("body", &text), ("comment", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(refused(&r.body, "document-comment"), "Please say in 1 to 500 characters why you change it.");
    assert_eq!(app.store.document_names().await.unwrap().len(), 0, "nothing was saved");
}

#[tokio::test]
async fn the_error_page_leads_staff_back_to_the_console_and_customers_to_the_portal() {
    let app = start().await;
    let agent = login(&app, "agent").await;
    let missing = get(&app, "/console/tickets/999999", &agent, "zh").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("<a href=\"/console\" class=\"button\" id=\"error-back\">返回</a>"),
        "{}",
        missing.body
    );
    let portal = get(&app, "/survey/not-a-token", "", "zh").await;
    assert!(portal.status.is_client_error(), "{}", portal.body);
    assert!(portal.body.contains("<a href=\"/\" class=\"button\" id=\"error-back\">"), "{}", portal.body);
}
