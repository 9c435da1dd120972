//! E-mail in and out against real mail servers on loopback (Postfix + Dovecot from
//! scripts/setup-mail.sh): a GBK message with an attachment, put into the support mailbox
//! over IMAP, is taken in by the poller and becomes a ticket; the acknowledgement arrives in
//! the customer's mailbox threaded to it; the customer's reply joins the ticket; automatic
//! replies are recorded and never answered; broken MIME is quarantined; the result e-mail
//! arrives worded by the outcome. Skips with a message when LOOPDESK_TEST_MAIL is unset.

use crate::common;
use crate::mailbox;

use base64::Engine;
use common::TestApp;
use loopdesk_app::Config;
use loopdesk_app::{inbound::imap, outbound::outbox};
use loopdesk_store::Backend;
use mail_parser::MessageParser;
use serde_json::{json, Value};
use std::time::Duration;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

fn gbk_message(from: &str, to: &str, message_id: &str) -> Vec<u8> {
    let subject = format!("=?GBK?B?{}?=", b64(&gbk("洗衣机漏水，请尽快处理")));
    let body = b64(&gbk("您好，我家的洗衣机从昨天开始漏水，型号 XQG100。照片见附件。\r\n张伟"));
    format!(
        "From: =?GBK?B?{name}?= <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Date: Mon, 02 Nov 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n\
         --b1\r\nContent-Type: image/png; name=\"leak.png\"\r\nContent-Disposition: attachment; filename=\"leak.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{png}\r\n--b1--\r\n",
        name = b64(&gbk("张伟")),
        png = b64(PNG),
    )
    .into_bytes()
}

fn header(raw: &[u8], name: &str) -> Option<String> {
    let msg = MessageParser::default().parse(raw)?;
    msg.header_raw(name).map(|v| v.trim().to_string())
}

fn text_of(raw: &[u8]) -> String {
    let msg = MessageParser::default().parse(raw).expect("parse");
    format!("{}\n{}", msg.subject().unwrap_or_default(), msg.body_text(0).unwrap_or_default())
}

async fn deliveries_settled(app: &TestApp, ticket: i64) -> Value {
    for _ in 0..200 {
        outbox::drain(&app.state).await.unwrap();
        let d = app.get(&format!("/api/v1/tickets/{ticket}/deliveries")).await.body;
        let all = d["deliveries"].as_array().cloned().unwrap_or_default();
        if !all.is_empty() && all.iter().all(|x| x["state"] != "queued" && x["state"] != "sending") {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries of ticket {ticket} did not settle");
}

#[tokio::test]
async fn email_round_trip_through_real_mail_servers() {
    let Some((smtp_port, imap_port)) = mailbox::ports("email_round_trip_through_real_mail_servers") else {
        return;
    };
    let support = mailbox::unique("support");
    let customer = mailbox::unique("cust");
    let customer_addr = format!("{customer}@{}", mailbox::DOMAIN);
    let mut config = Config::default();
    config.channels.smtp = Some(mailbox::smtp(smtp_port, &support));
    config.channels.message_id_host = "mail.loopdesk.test".into();
    config.channels.company = "示例电器".into();
    let app = TestApp::start(Backend::Sqlite, config).await;
    let poll = mailbox::imap(imap_port, &support);

    // 1. A GBK message with a PNG attachment, through IMAP, becomes a ticket.
    let first_id = format!("first.{customer}@example.com");
    mailbox::append(imap_port, &support, &gbk_message(&customer_addr, &support, &first_id)).await;
    let report = imap::poll_once(&app.state, &poll).await.unwrap();
    assert_eq!((report.fetched, report.opened), (1, 1), "{report:?}");
    let again = imap::poll_once(&app.state, &poll).await.unwrap();
    assert_eq!(again.fetched, 0, "the cursor keeps a message from being taken twice");
    let page = app.get("/api/v1/tickets?channel=email").await.body;
    let id = page["items"][0]["id"].as_i64().expect("a ticket");
    let detail = app.get(&format!("/api/v1/tickets/{id}")).await.body;
    let t = &detail["ticket"];
    assert_eq!(t["subject"], "洗衣机漏水，请尽快处理");
    assert!(t["content"].as_str().unwrap().contains("洗衣机从昨天开始漏水"), "{t}");
    assert_eq!(t["customer"]["email"], customer_addr.as_str());
    assert_eq!(t["attachments"][0]["name"], "leak.png");
    assert_eq!(t["attachments"][0]["content_type"], "image/png");
    let tracking = t["tracking_no"].as_str().unwrap().to_string();
    let location = t["attachments"][0]["location"].as_str().unwrap().to_string();
    let bytes = app.http.get(format!("{}{location}", app.base)).header("cookie", &app.cookies["admin"]).send().await;
    assert_eq!(bytes.unwrap().bytes().await.unwrap().as_ref(), PNG);

    // 2. The acknowledgement reaches the customer's mailbox, threaded to their message.
    let d = deliveries_settled(&app, id).await;
    assert_eq!(d["deliveries"][0]["kind"], "acknowledgement");
    assert_eq!(d["deliveries"][0]["state"], "sent", "{d}");
    let inbox = mailbox::wait_for(imap_port, &customer, 1, Duration::from_secs(20)).await;
    assert_eq!(inbox.len(), 1);
    let ack = &inbox[0];
    let text = text_of(ack);
    assert!(text.contains(&tracking) && text.contains("已收到您的反馈") && text.contains("48"), "{text}");
    assert_eq!(header(ack, "In-Reply-To").as_deref(), Some(format!("<{first_id}>").as_str()));
    assert_eq!(header(ack, "Auto-Submitted").as_deref(), Some("auto-generated"));
    let our_id = header(ack, "Message-ID").unwrap();

    // 3. The customer's reply joins the ticket; no second acknowledgement.
    let reply = format!(
        "From: <{customer_addr}>\r\nTo: <{support}@loopdesk.test>\r\nSubject: Re: ok\r\n\
         Message-ID: <reply.{customer}@example.com>\r\nIn-Reply-To: {our_id}\r\nReferences: <{first_id}> {our_id}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n补充：漏水位置在底部。\r\n"
    );
    // 4. An out-of-office answer to our acknowledgement: recorded, never answered.
    let auto = format!(
        "From: <{customer_addr}>\r\nTo: <{support}@loopdesk.test>\r\nSubject: 自动回复: 已收到\r\n\
         Auto-Submitted: auto-replied\r\nMessage-ID: <auto.{customer}@example.com>\r\nIn-Reply-To: {our_id}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n我正在休假。\r\n"
    );
    // 5. An automatic reply that answers nothing we sent, and broken MIME: quarantined.
    let stray = format!(
        "From: <{customer_addr}>\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\
         Message-ID: <stray.{customer}@example.com>\r\n\r\nAway.\r\n"
    );
    let broken = format!(
        "From: <{customer_addr}>\r\nSubject: broken\r\nMessage-ID: <broken.{customer}@example.com>\r\n\
         Content-Type: multipart/mixed; boundary=\"never-used\"\r\n\r\nno parts at all\r\n"
    );
    for raw in [&reply, &auto, &stray, &broken] {
        mailbox::append(imap_port, &support, raw.as_bytes()).await;
    }
    // Postfix's delivery report on the acknowledgement (RFC 3461 DSN) came back to the
    // support mailbox, after the customer's first message.
    let support_box = mailbox::wait_for(imap_port, &support, 6, Duration::from_secs(20)).await;
    assert_eq!(support_box.len(), 6, "the first message, the delivery report and the four above");
    let report = imap::poll_once(&app.state, &poll).await.unwrap();
    assert_eq!((report.fetched, report.threaded, report.quarantined, report.reports), (5, 2, 2, 1), "{report:?}");
    let detail = app.get(&format!("/api/v1/tickets/{id}")).await.body;
    let ack = &detail["messages"][0];
    assert_eq!((&ack["kind"], &ack["state"]), (&json!("acknowledgement"), &json!("delivered")), "{ack}");
    assert_eq!(ack["report"]["outcome"], "delivered", "{ack}");
    assert_eq!(ack["report"]["status"], "2.0.0", "{ack}");
    assert_eq!(detail["timeline"][0]["delivery"]["state"], "delivered", "{}", detail["timeline"][0]);
    let detail = app.get(&format!("/api/v1/tickets/{id}")).await.body;
    let timeline = detail["timeline"].to_string();
    assert!(timeline.contains("补充：漏水位置在底部"), "{timeline}");
    assert!(timeline.contains("automated mail received, not answered"), "{timeline}");
    let q = app.get("/api/v1/admin/quarantine").await.body;
    let reasons: Vec<&str> = q["items"].as_array().unwrap().iter().map(|i| i["reason"].as_str().unwrap()).collect();
    assert!(reasons.iter().any(|r| r.contains("boundary")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("auto_reply")), "{reasons:?}");
    outbox::drain(&app.state).await.unwrap();
    let d = app.get(&format!("/api/v1/tickets/{id}/deliveries")).await.body;
    assert_eq!(d["deliveries"].as_array().unwrap().len(), 1, "nothing answers the reply or the auto-reply");

    // 6. Resolved: the result e-mail, worded for "solved", threaded to the customer's reply.
    let agent = app.user_ids["agent"];
    let dept = app.departments[0].0;
    let r =
        app.post(&format!("/api/v1/tickets/{id}/assign"), json!({"department_id": dept, "assignee_id": agent})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.as_role("agent", reqwest::Method::POST, &format!("/api/v1/tickets/{id}/acknowledge"), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let outcome = json!({"kind": "solved", "summary": "已上门更换进水阀，漏水问题解决。"});
    let r = app.as_role("agent", reqwest::Method::POST, &format!("/api/v1/tickets/{id}/resolve"), Some(outcome)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The result and the survey are jobs the resolution wrote in its own transaction.
    app.run_due_jobs().await;
    let d = deliveries_settled(&app, id).await;
    let kinds: Vec<&str> = d["deliveries"].as_array().unwrap().iter().map(|x| x["kind"].as_str().unwrap()).collect();
    let failed = app.store.jobs_of_kind("notify.customer", loopdesk_store::JobState::Failed, 100).await.unwrap();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(kinds, ["acknowledgement", "result_solved", "survey"]);
    let inbox = mailbox::wait_for(imap_port, &customer, 3, Duration::from_secs(20)).await;
    assert_eq!(inbox.len(), 3);
    let result_at = inbox.iter().position(|m| text_of(m).contains("已上门更换进水阀")).expect("the result e-mail");
    let result = text_of(&inbox[result_at]);
    assert!(result.contains(&tracking), "{result}");
    assert!(inbox.iter().any(|m| text_of(m).contains("/survey/")), "a survey e-mail with its link");
    assert_eq!(
        header(&inbox[result_at], "In-Reply-To").as_deref(),
        Some(format!("<reply.{customer}@example.com>").as_str())
    );
}

#[tokio::test]
async fn inbound_endpoint_needs_its_token_and_threads_by_tracking_number() {
    let mut config = Config::default();
    config.channels.inbound_email_token = Some(loopdesk_app::config::Secret::new("inbound-token-123456"));
    let app = TestApp::start(Backend::Sqlite, config).await;
    let raw = "From: Li Na <li.na@example.com>\r\nSubject: Broken kettle\r\nMessage-ID: <k1@example.com>\r\n\r\n\
               The kettle stopped heating after a week.\r\n";
    let url = format!("{}/api/v1/inbound/email?source=provider", app.base);
    let r = app.http.post(&url).header("authorization", "Bearer wrong").body(raw).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let post =
        |body: String| app.http.post(&url).header("authorization", "Bearer inbound-token-123456").body(body).send();
    let r = post(raw.to_string()).await.unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let tracking = v["tracking_no"].as_str().unwrap().to_string();
    let again: Value = post(raw.to_string()).await.unwrap().json().await.unwrap();
    assert_eq!(again["outcome"], "duplicate");
    // The tracking number in the subject threads only from the ticket's own customer.
    let follow = format!(
        "From: <li.na@example.com>\r\nSubject: Re: {tracking}\r\nMessage-ID: <k2@example.com>\r\n\r\nStill broken.\r\n"
    );
    let v: Value = post(follow).await.unwrap().json().await.unwrap();
    assert_eq!(v["outcome"], "threaded", "{v}");
    let stranger = format!(
        "From: <someone@example.org>\r\nSubject: about {tracking}\r\nMessage-ID: <k3@example.com>\r\n\r\nHi\r\n"
    );
    let v: Value = post(stranger).await.unwrap().json().await.unwrap();
    assert_eq!(v["outcome"], "opened", "{v}");
    let r = post("\u{0}\u{1}garbage without headers".into()).await.unwrap();
    assert_eq!(r.status(), 202);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["outcome"], "quarantined");
}
