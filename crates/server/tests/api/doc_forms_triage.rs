//! The forms for the triage rules (taxonomy, signal and moderation lists, priority rules),
//! the standard replies and the supervisors' macros, over HTTP on both backends: each
//! shows the values in force, posting it as shown with one change saves a new version
//! with the comment, the change takes effect, and a refused post keeps what was typed
//! with the message at the field.

use crate::common::{self, TestApp};
use crate::web::{csrf, get, login, post};
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn config() -> Config {
    let mut config = Config::default();
    config.limits.feedback_per_minute = 1000;
    config
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(unescape(&tag[at..][..tag[at..].find('"')?]))
}

/// The fields of form `id` in `html` as a browser posts them: inputs, ticked boxes, the
/// chosen option of each list, text areas.
fn form(html: &str, id: &str) -> Vec<(String, String)> {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no form {id}:\n{html}"));
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        let Some(name) = attr(tag, "name") else { continue };
        if tag.starts_with("input") {
            if attr(tag, "type").as_deref() == Some("checkbox") {
                if tag.contains(" checked") {
                    out.push((name, "on".to_string()));
                }
            } else {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("textarea") {
            let close = rest.find("</textarea>").unwrap();
            out.push((name, unescape(&rest[end + 1..close])));
        } else if tag.starts_with("select") {
            let inner = &rest[..rest.find("</select>").unwrap()];
            let options: Vec<&str> = inner.split("<option").skip(1).collect();
            let chosen = options.iter().find(|o| o.contains(" selected")).or(options.first());
            out.push((name, chosen.and_then(|o| attr(o, "value")).unwrap_or_default()));
        }
    }
    out
}

/// `fields` with `name` set to `value` (added when missing).
fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(f) => f.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
    fields
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no field {name}"))
}

/// The message of the refusal at element `id`, checking the field points at it.
fn refused(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {id}:\n{html}"));
    let tag_end = at + html[at..].find('>').unwrap();
    let tag = &html[at..tag_end];
    assert!(tag.contains(&format!("aria-invalid=\"true\" aria-describedby=\"{id}-error\"")), "{id} not invalid: {tag}");
    let msg = html.find(&format!("id=\"{id}-error\">")).unwrap_or_else(|| panic!("no message for {id}"));
    html[msg..].split_once('>').unwrap().1.split('<').next().unwrap().to_string()
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(String, String)]) -> crate::web::Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(app, path, cookie, &pairs).await
}

async fn saved(app: &TestApp, name: &str) -> loopdesk_store::Document {
    app.store.document(name).await.unwrap().unwrap_or_else(|| panic!("{name} was not saved"))
}

/// A feedback whose text names nothing any category knows yet.
fn plain(text: &str, phone: &str) -> Value {
    json!({ "subject": text, "content": text, "customer": { "name": "王芳", "phone": phone } })
}

const WORD: &str = "紫藤协议";

#[tokio::test]
async fn a_keyword_added_in_the_taxonomy_form_classifies_the_next_ticket() {
    for backend in TestDatabase::backends() {
        let app = TestApp::start(backend, config()).await;
        let admin = login(&app, "admin").await;
        let zh = format!("{admin}; loopdesk_lang=zh-CN");
        let path = "/console/admin/documents/triage.taxonomy";
        let page = get(&app, path, &admin, "zh-CN").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        // The built-in taxonomy is in force and shown in the form.
        assert!(page.body.contains("value=\"logistics\""), "{}", page.body);
        let fields = form(&page.body, "taxonomy-form");
        let i = fields.iter().find(|(k, v)| k.ends_with(".id") && v == "logistics").unwrap().0.clone();
        let row = i.trim_end_matches(".id").to_string();
        let before = app.submit(plain(&format!("关于{WORD}的事情"), "13800003333")).await;
        assert_ne!(before["category"], "logistics", "{before}");

        // No comment: the triage rules need one; refused at the comment, the keyword kept.
        let kw = format!("{}\n{WORD}", value(&fields, &format!("{row}.keywords")));
        let typed = with(fields.clone(), &format!("{row}.keywords"), &kw);
        let r = post_form(&app, &format!("{path}/form"), &zh, &typed).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(!refused(&r.body, "form-comment").is_empty());
        assert!(r.body.contains(&format!("{WORD}</textarea>")), "the keyword typed is kept");
        // A duplicate id: refused at that row's id, before anything is saved.
        let dup = with(with(typed.clone(), "c1.id", "technical"), "comment", "测试");
        let r = post_form(&app, &format!("{path}/form"), &zh, &dup).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused(&r.body, "f-c1-id"), "该标识已被前面的条目使用。");
        assert!(r.body.contains("value=\"测试\""), "the comment typed is kept");
        assert!(app.store.document("triage.taxonomy").await.unwrap().is_none(), "nothing saved");

        let ok = with(typed, "comment", &format!("物流类新增关键词{WORD}"));
        let r = post_form(&app, &format!("{path}/form"), &zh, &ok).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let doc = saved(&app, "triage.taxonomy").await;
        assert_eq!((doc.version, doc.changed_by.as_str()), (1, "admin"));
        assert_eq!(doc.comment, format!("物流类新增关键词{WORD}"));
        let cats = doc.body["categories"].as_array().unwrap();
        assert_eq!(cats.len(), 10, "every category kept");
        let logistics = cats.iter().find(|c| c["id"] == "logistics").unwrap();
        assert_eq!(logistics["keywords"].as_array().unwrap().last().unwrap(), WORD);
        // The rest is as it was: the same as the defaults but for the one keyword.
        let mut expected = serde_json::to_value(loopdesk_triage::Taxonomy::defaults().unwrap()).unwrap();
        let at = expected["categories"].as_array().unwrap().iter().position(|c| c["id"] == "logistics").unwrap();
        expected["categories"][at]["keywords"].as_array_mut().unwrap().push(json!(WORD));
        expected["version"] = doc.body["version"].clone();
        assert_eq!(doc.body, expected);

        let after = app.submit(plain(&format!("关于{WORD}的事情"), "13800004444")).await;
        assert_eq!(after["category"], "logistics", "{after}");
        // The page shows the saved version.
        let page = get(&app, path, &admin, "zh-CN").await;
        assert!(page.body.contains(&format!("{WORD}</textarea>")) && page.body.contains("v1"));
    }
}

const FORMALDEHYDE: &str = "新买的儿童衣柜甲醛超标，孩子住进去一直咳嗽";

#[tokio::test]
async fn signal_moderation_and_priority_forms_save_what_was_changed() {
    for backend in TestDatabase::backends() {
        let app = TestApp::start(backend, config()).await;
        let admin = login(&app, "admin").await;

        // Signals: a safety word added makes the next such ticket urgent.
        let path = "/console/admin/documents/triage.signals";
        let fields = form(&get(&app, path, &admin, "en").await.body, "signals-form");
        assert!(value(&fields, "safety").lines().any(|w| w == "漏电"), "the defaults are shown");
        let before = app.submit(common::feedback(FORMALDEHYDE, "13800001111")).await;
        assert_ne!(before["priority"], "urgent", "{before}");
        let safety = format!("{}\n甲醛超标", value(&fields, "safety"));
        let bad = with(with(fields.clone(), "safety", &safety), "anger", "气死了\n***");
        let r = post_form(&app, &format!("{path}/form"), &admin, &with(bad, "comment", "x")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused(&r.body, "f-anger").contains("***"), "{}", r.body);
        assert!(r.body.contains("甲醛超标</textarea>"));
        let ok = with(with(fields, "safety", &safety), "comment", "家具甲醛超标按安全隐患处理");
        assert_eq!(post_form(&app, &format!("{path}/form"), &admin, &ok).await.status, StatusCode::SEE_OTHER);
        let doc = saved(&app, "triage.signals").await;
        assert_eq!(doc.version, 1);
        assert_eq!(doc.body["safety"].as_array().unwrap().last().unwrap(), "甲醛超标");
        let after = app.submit(common::feedback(FORMALDEHYDE, "13800002222")).await;
        assert_eq!(after["priority"], "urgent", "{after}");

        // Moderation: a threshold out of range is refused at its field; a good one saved.
        let path = "/console/admin/documents/triage.moderation";
        let fields = form(&get(&app, path, &admin, "en").await.body, "moderation-form");
        assert_eq!(value(&fields, "spam_reject_score"), "3");
        let bad = with(with(fields.clone(), "spam_flag_probability", "1.5"), "comment", "阈值");
        let r = post_form(&app, &format!("{path}/form"), &admin, &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused(&r.body, "f-spam_flag_probability"), "请输入 0 到 1 之间的数。");
        assert!(r.body.contains("value=\"1.5\""));
        let ok = with(with(fields, "spam_reject_score", "4"), "comment", "少误杀");
        assert_eq!(post_form(&app, &format!("{path}/form"), &admin, &ok).await.status, StatusCode::SEE_OTHER);
        let doc = saved(&app, "triage.moderation").await;
        assert_eq!((doc.version, doc.body["spam_reject_score"].as_f64()), (1, Some(4.0)));
        assert_eq!(
            doc.body["spam"],
            serde_json::to_value(loopdesk_triage::moderation::ModerationLists::defaults().unwrap().spam).unwrap()
        );

        // Priority rules: a new rule from fields; conditions not shown as fields are kept.
        let path = "/console/admin/documents/triage.priority-rules";
        let page = get(&app, path, &admin, "en").await;
        assert!(page.body.contains("id=\"r15-fixed\""), "an any-of condition is listed read-only");
        let fields = form(&page.body, "priority-form");
        let n = value(&fields, "count").to_string();
        let new = |k: &str| format!("r{n}.{k}");
        let mut typed = with(fields.clone(), &new("id"), "vip_privacy");
        typed = with(typed, &new("effect"), "set_urgent");
        typed = with(typed, &new("reason"), "VIP privacy risk: {words}");
        typed = with(typed, &new("sig.privacy"), "on");
        typed = with(typed, &new("tier.vip"), "on");
        typed = with(typed, "base.ux", "medium");
        let r = post_form(&app, &format!("{path}/form"), &admin, &with(typed.clone(), &new("cluster"), "one")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused(&r.body, &format!("f-r{n}-cluster")), "请输入不小于 2 的整数。");
        assert!(r.body.contains("value=\"vip_privacy\""));
        let r = post_form(&app, &format!("{path}/form"), &admin, &with(typed, "comment", "VIP 隐私风险直接紧急")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let doc = saved(&app, "triage.priority-rules").await;
        let defaults = serde_json::to_value(loopdesk_triage::PriorityRules::defaults().unwrap()).unwrap();
        let rules = doc.body["rules"].as_array().unwrap();
        assert_eq!(rules[..rules.len() - 1], defaults["rules"].as_array().unwrap()[..], "every rule kept as it was");
        assert_eq!(rules.last().unwrap()["when"], json!({"all": [{"signal": "privacy"}, {"tier": ["vip"]}]}));
        assert_eq!(doc.body["base"]["ux"], "medium");
    }
}

#[tokio::test]
async fn standard_replies_and_macros_are_kept_in_forms() {
    for backend in TestDatabase::backends() {
        let app = TestApp::start(backend, config()).await;
        let admin = login(&app, "admin").await;
        let path = "/console/admin/documents/reply_templates";
        let fields = form(&get(&app, path, &admin, "zh-CN").await.body, "replies-form");
        assert_eq!(value(&fields, "t0.name"), "received");
        let mut typed = with(fields, "t3.name", "thanks");
        typed = with(typed, "t3.title_zh", "感谢反馈");
        typed = with(typed, "t3.text_zh", "感谢您的反馈，{{customer_name}}。");
        typed = with(typed, "t3.text_en", "Thank you, {{customer_name}}.");
        let r = post_form(&app, &format!("{path}/form"), &admin, &typed).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!refused(&r.body, "f-t3-title_en").is_empty());
        assert!(r.body.contains("感谢您的反馈，{{customer_name}}。</textarea>"));
        let typed = with(with(typed, "t3.title_en", "Thanks"), "comment", "新增感谢话术");
        assert_eq!(post_form(&app, &format!("{path}/form"), &admin, &typed).await.status, StatusCode::SEE_OTHER);
        let doc = saved(&app, "reply_templates").await;
        assert_eq!((doc.version, doc.comment.as_str()), (1, "新增感谢话术"));
        assert_eq!(doc.body["templates"].as_array().unwrap().len(), 4);
        assert_eq!(doc.body["templates"][3]["title_en"], "Thanks");

        // Macros: the supervisor's page; agents are not let in.
        let agent = login(&app, "agent").await;
        assert_eq!(get(&app, "/console/macros", &agent, "zh-CN").await.status, StatusCode::FORBIDDEN);
        let sup = login(&app, "supervisor").await;
        let page = get(&app, "/console/macros", &sup, "zh-CN").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("href=\"/console/macros\""), "the navigation leads here");
        let fields = form(&page.body, "macros-form");
        let mut typed = with(fields, "m0.id", "ask-photo");
        typed = with(typed, "m0.title_zh", "请补充照片");
        typed = with(typed, "m0.title_en", "Ask for a photo");
        typed = with(typed, "m0.state", "awaiting_customer");
        typed = with(typed, "m0.priority", "low");
        // Asking the customer without a question: the use case refuses it at the reply.
        let r = post_form(&app, "/console/macros", &sup, &typed).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(!refused(&r.body, "f-m0-reply_zh").is_empty());
        assert!(r.body.contains("value=\"请补充照片\""));
        typed = with(typed, "m0.reply_zh", "{{customer_name}}您好，请发一张产品照片。");
        typed = with(typed, "comment", "新增补充照片宏");
        let r = post_form(&app, "/console/macros", &sup, &typed).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let doc = saved(&app, "macros").await;
        assert_eq!((doc.version, doc.changed_by.as_str(), doc.comment.as_str()), (1, "supervisor", "新增补充照片宏"));
        assert_eq!(
            doc.body["macros"][0],
            json!({"id": "ask-photo", "title_zh": "请补充照片", "title_en": "Ask for a photo",
                   "state": "awaiting_customer", "priority": "low",
                   "reply_zh": "{{customer_name}}您好，请发一张产品照片。", "reply_en": ""})
        );
        // The page shows it, and a removal is a new version.
        let page = get(&app, "/console/macros", &sup, "zh-CN").await;
        let fields = form(&page.body, "macros-form");
        assert_eq!(value(&fields, "m0.reply_zh"), "{{customer_name}}您好，请发一张产品照片。");
        let token = csrf(&page.body);
        let gone = with(with(fields, "m0.remove", "on"), "_csrf", &token);
        assert_eq!(post_form(&app, "/console/macros", &sup, &gone).await.status, StatusCode::SEE_OTHER);
        assert_eq!(saved(&app, "macros").await.body["macros"], json!([]));
    }
}
