//! The agent's workspace over the API: a reply with files (multipart, checked like every
//! upload) that can resolve the ticket in the same step and reaches the customer as one
//! e-mail carrying the files; macros (CRUD by supervisors, validated and versioned, applied
//! by agents in the ticket's language); and each customer message's delivery state in the
//! ticket's JSON. SQLite and PostgreSQL; the mail goes through the loopback Postfix when
//! LOOPDESK_TEST_MAIL is set, else the outbox records say what became of it.

use crate::common;
use crate::mailbox;

use common::TestApp;
use loopdesk_app::outbound::outbox;
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use mail_parser::{MessageParser, MimeHeaders};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";

/// The mail set-up of this run: the loopback Postfix when there is one.
struct Mail {
    imap: u16,
    customer: String,
}

/// Runs `test` on every backend; with LOOPDESK_TEST_MAIL, SMTP goes to the loopback Postfix
/// and the customer has a mailbox there.
async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestApp, Option<Mail>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let ports =
        std::env::var("LOOPDESK_TEST_MAIL").ok().filter(|v| !v.is_empty()).and_then(|_| mailbox::ports("workspace"));
    for backend in TestDatabase::backends() {
        let mut config = Config::default();
        let mail = ports.map(|(smtp, imap)| {
            config.channels.smtp = Some(mailbox::smtp(smtp, &mailbox::unique("support")));
            Mail { imap, customer: mailbox::unique("cust") }
        });
        test(TestApp::start(backend, config).await, mail).await;
    }
}

/// A feedback body whose customer has `email` (Chinese text unless `english`).
fn feedback(email: &str, english: bool) -> Value {
    let (subject, content) = match english {
        true => ("Robot vacuum stopped", "My robot vacuum stops after two minutes and beeps."),
        false => ("扫地机器人故障", "扫地机器人工作两分钟就停机并报警。"),
    };
    json!({ "subject": subject, "content": content,
        "customer": { "name": "张伟", "email": email },
        "product": { "product": "扫地机器人", "model": "X20" } })
}

const BOUNDARY: &str = "----loopdesk-workspace-boundary";

/// A multipart body of text fields and (field, file name, bytes) files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(app: &TestApp, role: &str, path: &str, body: Vec<u8>) -> common::Answer {
    let req = app
        .http
        .post(format!("{}{path}", app.base))
        .header("cookie", &app.cookies[role])
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body);
    common::answer(req.send().await.unwrap()).await
}

fn kinds(events: &Value) -> Vec<String> {
    events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap_or_default().to_string()).collect()
}

/// Runs the due jobs (notices become deliveries) and sends what the outbox holds.
async fn deliver(app: &TestApp) {
    app.run_due_jobs().await;
    outbox::drain(&app.state).await.unwrap();
}

#[tokio::test]
async fn reply_with_a_file_and_resolve_in_one_step_reaches_the_customer_once() {
    each_backend(|app, mail| async move {
        let email = match &mail {
            Some(m) => format!("{}@{}", m.customer, mailbox::DOMAIN),
            None => "zhang.wei@example.com".to_string(),
        };
        let id = app.submit(feedback(&email, false)).await["id"].as_i64().unwrap();
        deliver(&app).await;

        // A file of a refused type is named by its field, and nothing is kept.
        let refused = post_multipart(
            &app,
            "supervisor",
            &format!("/api/v1/tickets/{id}/reply"),
            multipart(&[("body", "附件见附件"), ("resolve", "true")], &[("attachment", "tool.exe", EXE)]),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", refused.body);
        assert_eq!(refused.body["field"], "attachments[0]");
        let files = app.get(&format!("/api/v1/tickets/{id}/deliveries")).await.body["attachments"].clone();
        assert_eq!(files.as_array().unwrap().len(), 0, "{files}");

        // A new ticket is taken up, answered with the photo and resolved in one request.
        let text = "已为您更换电池，请查收检测报告。";
        let a = post_multipart(
            &app,
            "supervisor",
            &format!("/api/v1/tickets/{id}/reply"),
            multipart(&[("body", text), ("resolve", "true")], &[("attachment", "检测报告.png", PNG)]),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["ticket"]["state"], "resolved");
        // Whatever routing did, the ticket is accepted, answered and resolved, in that order.
        let k = kinds(&a.body["events"]);
        assert!(k.ends_with(&["acknowledged".into(), "replied".into(), "resolved".into()]), "{k:?}");
        let n = k.len();
        let replied = &a.body["events"][n - 2];
        assert_eq!(replied["files"][0]["name"], "检测报告.png", "{replied}");
        assert_eq!(a.body["events"][n - 1]["outcome"]["summary"], text);
        let file_id = replied["files"][0]["id"].as_i64().unwrap();
        let download = app.get(&format!("/api/v1/attachments/{file_id}")).await;
        assert_eq!(download.status, StatusCode::OK);

        // The ticket's JSON shows the message's state on the resolution event.
        app.run_due_jobs().await;
        let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        let resolved = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "resolved").unwrap().clone();
        // The outbox may already have tried it: any state but a missing one.
        let early = ["queued", "sending", "retrying", "sent_to_mail_server"];
        assert!(early.contains(&resolved["delivery"]["state"].as_str().unwrap_or_default()), "{resolved}");
        assert_eq!(resolved["delivery"]["kind"], "result_solved");
        // The acknowledgement is the creation's message.
        assert_eq!(t["timeline"][0]["kind"], "created");
        assert_eq!(t["timeline"][0]["delivery"]["kind"], "acknowledgement", "{}", t["timeline"][0]);
        // The reply was told with the result: one message, not two.
        let replied = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "replied").unwrap().clone();
        assert!(replied.get("delivery").is_none(), "{replied}");
        let kinds: Vec<&str> = t["messages"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds[..2], ["acknowledgement", "result_solved"], "{kinds:?}");
        assert!(!kinds.contains(&"progress_update"), "{kinds:?}");

        outbox::drain(&app.state).await.unwrap();
        // The server's own sender may hold the message (claimed before the drain): wait
        // for its answer from the mail server rather than for the drain's.
        let mut result = Value::Null;
        for _ in 0..100 {
            let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
            result = t["messages"].as_array().unwrap().iter().find(|m| m["kind"] == "result_solved").unwrap().clone();
            if result["state"] != "sending" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        match &mail {
            Some(m) => {
                assert_eq!(result["state"], "sent_to_mail_server", "{result}");
                assert!(result["sent_at"].is_string());
                // The customer's mailbox holds the result with the photo attached.
                let mut found = None;
                for _ in 0..100 {
                    let msgs = mailbox::fetch_all(m.imap, &m.customer).await;
                    found = msgs.into_iter().find(|raw| String::from_utf8_lossy(raw).contains("image/png"));
                    if found.is_some() {
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                let raw = found.expect("the result e-mail with its attachment arrived");
                let msg = MessageParser::default().parse(&raw).unwrap();
                let att = msg.attachment(0).expect("an attachment");
                assert_eq!(att.attachment_name(), Some("检测报告.png"));
                assert_eq!(att.contents(), PNG);
                assert!(msg.body_text(0).unwrap_or_default().contains(text));
            }
            None => {
                // No SMTP server configured: the outbox says so and retries.
                assert_eq!(result["state"], "retrying", "{result}");
                assert!(result["error"].as_str().unwrap().contains("SMTP"), "{result}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_plain_reply_is_its_own_message_and_json_replies_work() {
    each_backend(|app, _| async move {
        let id = app.submit(feedback("li.na@example.com", false)).await["id"].as_i64().unwrap();
        let path = format!("/api/v1/tickets/{id}/reply");
        // Reply and resolve takes up even a ticket nobody routed yet; then a plain reply.
        let a = app
            .as_role("supervisor", Method::POST, &path, Some(json!({"body": "您好，正在处理", "resolve": true})))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let a = app.as_role("supervisor", Method::POST, &path, Some(json!({"body": "补充说明：报告已寄出"}))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(kinds(&a.body["events"]), ["replied"]);
        app.run_due_jobs().await;
        let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        let last = t["timeline"].as_array().unwrap().iter().rfind(|e| e["kind"] == "replied").unwrap().clone();
        assert_eq!(last["delivery"]["kind"], "progress_update", "{last}");
        // An outcome given explicitly; unknown fields are refused.
        let bad = app.as_role("supervisor", Method::POST, &path, Some(json!({"body": "x", "resolved": true}))).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        // Viewers never reply.
        let v = app.as_role("viewer", Method::POST, &path, Some(json!({"body": "x"}))).await;
        assert_eq!(v.status, StatusCode::FORBIDDEN);
    })
    .await;
}

fn a_macro(id: &str) -> Value {
    json!({
        "id": id, "title_zh": "物流加急", "title_en": "Expedite shipping",
        "priority": "high", "category": "logistics", "tags": ["加急"],
        "reply_zh": "{{customer_name}}您好，您的工单 {{tracking_no}} 已加急处理。",
        "reply_en": "Hello {{customer_name}}, ticket {{tracking_no}} is expedited."
    })
}

#[tokio::test]
async fn supervisors_keep_macros_validated_and_versioned() {
    each_backend(|app, _| async move {
        let m = a_macro("expedite");
        // Agents apply macros but do not write them.
        let a = app.as_role("agent", Method::POST, "/api/v1/macros", Some(m.clone())).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        let a = app.as_role("supervisor", Method::POST, "/api/v1/macros", Some(m.clone())).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let a = app.as_role("supervisor", Method::POST, "/api/v1/macros", Some(m.clone())).await;
        assert_eq!(
            (a.status, a.body["code"].as_str(), a.body["field"].as_str()),
            (StatusCode::CONFLICT, Some("macro_exists"), Some("id"))
        );
        // Each refusal names its field.
        let cases = [
            (json!({"category": "no_such_category"}), "category"),
            (json!({"id": "Bad Id"}), "id"),
            (json!({"department_id": 9999}), "department_id"),
            (json!({"state": "resolved", "department_id": app.departments[0].0}), "state"),
            (json!({"title_zh": ""}), "title_zh"),
            (json!({"tags": vec!["x"; 21]}), "tags"),
        ];
        for (change, field) in cases {
            let mut body = a_macro("other");
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let a = app.as_role("supervisor", Method::POST, "/api/v1/macros", Some(body)).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", a.body);
            assert_eq!(a.body["field"], field, "{}", a.body);
        }
        let a = app.as_role("supervisor", Method::POST, "/api/v1/macros", Some(json!({"id": "x", "oops": 1}))).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);

        // Agents list them; viewers do not.
        let l = app.as_role("agent", Method::GET, "/api/v1/macros", None).await;
        assert_eq!(l.status, StatusCode::OK);
        assert_eq!(l.body["items"][0]["id"], "expedite");
        assert_eq!(app.as_role("viewer", Method::GET, "/api/v1/macros", None).await.status, StatusCode::FORBIDDEN);

        // Change, then remove; the history names who did what.
        let mut changed = m.clone();
        changed["priority"] = json!("urgent");
        let a = app.as_role("supervisor", Method::PUT, "/api/v1/macros/expedite", Some(changed.clone())).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(app.as_role("agent", Method::GET, "/api/v1/macros/expedite", None).await.body["priority"], "urgent");
        let a = app.as_role("supervisor", Method::PUT, "/api/v1/macros/other", Some(changed)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        let a = app.as_role("supervisor", Method::DELETE, "/api/v1/macros/expedite", None).await;
        assert_eq!(a.status, StatusCode::NO_CONTENT);
        assert_eq!(
            app.as_role("agent", Method::GET, "/api/v1/macros/expedite", None).await.status,
            StatusCode::NOT_FOUND
        );
        let h = app.as_role("supervisor", Method::GET, "/api/v1/macros/history", None).await;
        assert_eq!(h.status, StatusCode::OK);
        let log: Vec<(String, String)> = h.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["changed_by"].as_str().unwrap().to_string(), v["comment"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(
            log,
            [
                ("supervisor".to_string(), "macro expedite removed".to_string()),
                ("supervisor".to_string(), "macro expedite changed".to_string()),
                ("supervisor".to_string(), "macro expedite created".to_string()),
            ]
        );
        assert_eq!(
            app.as_role("agent", Method::GET, "/api/v1/macros/history", None).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

#[tokio::test]
async fn applying_a_macro_changes_fields_and_replies_in_the_tickets_language() {
    each_backend(|app, _| async move {
        let a = app.as_role("supervisor", Method::POST, "/api/v1/macros", Some(a_macro("expedite"))).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let mut resolve = a_macro("done");
        resolve["state"] = json!("resolved");
        resolve["reply_zh"] = json!("问题已解决，感谢您的耐心。");
        resolve["reply_en"] = json!("");
        let a = app.as_role("supervisor", Method::POST, "/api/v1/macros", Some(resolve)).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);

        for english in [false, true] {
            let t = app.submit(feedback(&format!("wang.fang.{english}@example.com"), english)).await;
            let (id, tracking) = (t["id"].as_i64().unwrap(), t["tracking_no"].as_str().unwrap().to_string());
            let path = format!("/api/v1/tickets/{id}/macros/expedite");
            assert_eq!(app.as_role("viewer", Method::POST, &path, None).await.status, StatusCode::FORBIDDEN);
            let a = app.as_role("supervisor", Method::POST, &path, None).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            let ticket = &a.body["ticket"];
            assert_eq!((ticket["priority"].as_str(), ticket["category"].as_str()), (Some("high"), Some("logistics")));
            assert!(ticket["subtags"].as_array().unwrap().contains(&json!("加急")), "{ticket}");
            assert_eq!(ticket["state"], "in_progress");
            let reply = a.body["events"].as_array().unwrap().iter().find(|e| e["kind"] == "replied").unwrap().clone();
            let expected = match english {
                false => format!("张伟您好，您的工单 {tracking} 已加急处理。"),
                true => format!("Hello 张伟, ticket {tracking} is expedited."),
            };
            assert_eq!(reply["body"], expected.as_str());
            // A macro written in Chinese only still answers an English ticket, and resolves.
            let a = app.as_role("supervisor", Method::POST, &format!("/api/v1/tickets/{id}/macros/done"), None).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.body);
            assert_eq!(a.body["ticket"]["state"], "resolved");
            assert_eq!(a.body["ticket"]["outcome"]["summary"], "问题已解决，感谢您的耐心。");
        }
        let id = app.submit(feedback("x@example.com", false)).await["id"].as_i64().unwrap();
        let a = app.as_role("agent", Method::POST, &format!("/api/v1/tickets/{id}/macros/nope"), None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
        // All or nothing: a macro the ticket's state refuses changes no field.
        let a = app
            .as_role("supervisor", Method::POST, &format!("/api/v1/tickets/{id}/reject"), Some(json!({"body": "spam"})))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let a = app.as_role("supervisor", Method::POST, &format!("/api/v1/tickets/{id}/macros/expedite"), None).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
        let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        assert_ne!(t["ticket"]["category"], "logistics", "{}", t["ticket"]);
        assert_eq!(t["ticket"]["subtags"], json!([]), "{}", t["ticket"]);
    })
    .await;
}
