//! "Delivered" for real, through the loopback Postfix and Dovecot (scripts/setup-mail.sh):
//! e-mails go out asking for delivery status notifications (RFC 3461), Postfix's reports
//! come back to the support mailbox, the poller records them on the deliveries, and the
//! ticket (JSON and console page) shows 已送达 with the time — or 退信 with the reason
//! for an address on the local domain that does not exist. SQLite and PostgreSQL. Skips
//! with a message when LOOPDESK_TEST_MAIL is unset.

use crate::common;
use crate::mailbox;

use common::TestApp;
use loopdesk_app::Config;
use loopdesk_app::{inbound::imap, outbound::outbox};
use loopdesk_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

fn customer_mail(from: &str, to: &str, id: &str, text: &str) -> Vec<u8> {
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{subject}?=\r\nMessage-ID: <{id}>\r\n\
         Date: Mon, 07 Dec 2026 09:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n",
        subject = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "空调不制冷"),
    )
    .into_bytes()
}

/// The ticket's customer messages once the outbox has sent them all.
async fn sent(app: &TestApp, ticket: i64, n: usize) -> Vec<Value> {
    for _ in 0..200 {
        outbox::drain(&app.state).await.unwrap();
        let t = app.get(&format!("/api/v1/tickets/{ticket}")).await.body;
        let m = t["messages"].as_array().cloned().unwrap_or_default();
        if m.len() >= n && m.iter().all(|x| x["state"] == "sent_to_mail_server") {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the messages of ticket {ticket} were not sent");
}

#[tokio::test]
async fn a_reply_shows_delivered_and_one_to_a_missing_mailbox_bounced() {
    let Some((smtp_port, imap_port)) = mailbox::ports("a_reply_shows_delivered_and_one_to_a_missing_mailbox_bounced")
    else {
        return;
    };
    for backend in TestDatabase::backends() {
        let support = mailbox::unique("support");
        let customer = format!("{}@{}", mailbox::unique("cust"), mailbox::DOMAIN);
        // Postfix accepts mail for nosuch… on the local domain, then bounces it (5.1.1).
        let missing = format!("{}@{}", mailbox::unique("nosuch"), mailbox::DOMAIN);
        let support_addr = format!("{support}@{}", mailbox::DOMAIN);
        let mut config = Config::default();
        config.channels.smtp = Some(mailbox::smtp(smtp_port, &support));
        config.channels.message_id_host = "mail.loopdesk.test".into();
        let app = TestApp::start(backend, config).await;
        let poll = mailbox::imap(imap_port, &support);

        // Two customers write in; each ticket is acknowledged, then answered by staff.
        let first = mailbox::unique("m");
        mailbox::append(
            imap_port,
            &support,
            &customer_mail(&customer, &support_addr, &first, "空调开机十分钟后不制冷。"),
        )
        .await;
        let second = mailbox::unique("m");
        mailbox::append(imap_port, &support, &customer_mail(&missing, &support_addr, &second, "空调漏水。")).await;
        let r = imap::poll_once(&app.state, &poll).await.unwrap();
        assert_eq!((r.fetched, r.opened), (2, 2), "{r:?}");
        let items = app.get("/api/v1/tickets?channel=email").await.body["items"].clone();
        let (mut good, mut bad) = (0, 0);
        for t in items.as_array().unwrap() {
            let id = t["id"].as_i64().unwrap();
            let d = app.get(&format!("/api/v1/tickets/{id}")).await.body;
            match d["ticket"]["customer"]["email"].as_str() {
                Some(e) if e == customer => good = id,
                Some(e) if e == missing => bad = id,
                other => panic!("unexpected customer {other:?}"),
            }
        }
        assert!(good > 0 && bad > 0 && good != bad, "{items}");
        sent(&app, good, 1).await;
        sent(&app, bad, 1).await;
        let (dept, agent) = (app.departments[0].0, app.user_ids["agent"]);
        for id in [good, bad] {
            let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
            let r = app.post(&p("assign"), json!({"department_id": dept, "assignee_id": agent})).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let body = json!({"body": "您好，工程师明天上午上门检修。"});
            let r = app.as_role("agent", Method::POST, &p("reply"), Some(body)).await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        app.run_due_jobs().await;
        sent(&app, good, 2).await;
        sent(&app, bad, 2).await;

        // Four reports come back to the support mailbox (after the two customer messages).
        let inbox = mailbox::wait_for(imap_port, &support, 6, Duration::from_secs(30)).await;
        assert_eq!(inbox.len(), 6, "two customer messages and four delivery reports");
        let r = imap::poll_once(&app.state, &poll).await.unwrap();
        assert_eq!((r.fetched, r.reports, r.opened, r.threaded), (4, 4, 0, 0), "{r:?}");

        // Delivered: the acknowledgement and the reply, with the time, in the JSON …
        let t = app.get(&format!("/api/v1/tickets/{good}")).await.body;
        for m in t["messages"].as_array().unwrap() {
            assert_eq!(m["state"], "delivered", "{m}");
            assert_eq!(m["report"]["outcome"], "delivered", "{m}");
            assert_eq!(m["report"]["status"], "2.0.0", "{m}");
            assert!(m["report"]["at"].is_string(), "{m}");
        }
        let replied = t["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "replied").unwrap().clone();
        assert_eq!(replied["delivery"]["state"], "delivered", "{replied}");
        assert_eq!(replied["delivery"]["kind"], "progress_update", "{replied}");
        // … and on the agent's page, in Chinese and in English.
        let html = page(&app, good, "zh-CN").await;
        assert_eq!(html.matches(r#"data-delivery="delivered""#).count(), 2, "{html}");
        assert!(html.contains("已送达"), "{html}");
        assert!(page(&app, good, "en").await.contains(">Delivered<"));

        // Bounced: "no such user" is the reason shown.
        let t = app.get(&format!("/api/v1/tickets/{bad}")).await.body;
        for m in t["messages"].as_array().unwrap() {
            assert_eq!(m["state"], "bounced", "{m}");
            assert_eq!(m["report"]["outcome"], "failed", "{m}");
            assert_eq!(m["report"]["status"], "5.1.1", "{m}");
            assert_eq!(m["report"]["diagnostic"], "mailbox unavailable: no such user here", "{m}");
        }
        let html = page(&app, bad, "zh-CN").await;
        assert_eq!(html.matches(r#"data-delivery="bounced""#).count(), 2, "{html}");
        assert!(html.contains("退信") && html.contains("mailbox unavailable: no such user here"), "{html}");
        assert!(page(&app, bad, "en").await.contains(">Bounced<"));

        // Polled again: nothing new, nothing changes; a forged report is not ours.
        let forged = String::from_utf8_lossy(&inbox[2]).replace("Original-Envelope-Id: d", "Original-Envelope-Id: x");
        mailbox::append(imap_port, &support, forged.as_bytes()).await;
        let r = imap::poll_once(&app.state, &poll).await.unwrap();
        assert_eq!((r.fetched, r.reports), (1, 0), "{r:?}");
        let t = app.get(&format!("/api/v1/tickets/{good}")).await.body;
        assert_eq!(t["messages"][0]["state"], "delivered");
    }
}

/// The console's ticket page in `lang`.
async fn page(app: &TestApp, id: i64, lang: &str) -> String {
    let cookie = format!("{}; loopdesk_lang={lang}", app.cookies["admin"]);
    let r = app.http.get(format!("{}/console/tickets/{id}", app.base)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}
