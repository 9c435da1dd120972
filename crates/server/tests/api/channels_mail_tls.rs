//! E-mail over TLS against the loopback Postfix + Dovecot of scripts/setup-mail.sh, whose
//! certificate is signed by a private CA: notifications go out over SMTP with STARTTLS and
//! with implicit TLS and arrive in the customer's mailbox; the IMAP poller reads a mailbox
//! over IMAPS into a ticket; a server whose certificate the configured CA did not sign (or,
//! without `ca_file`, no public root signed) is refused with a clear error, and the
//! delivery stays queued for a retry instead of being lost. Skips with a message when
//! LOOPDESK_TEST_MAIL / LOOPDESK_TEST_MAIL_TLS are unset.

use crate::common;
use crate::mailbox;

use base64::Engine;
use common::TestApp;
use loopdesk_app::config::channels::{ImapConfig, Security, SmtpConfig};
use loopdesk_app::Config;
use loopdesk_app::{inbound::imap, outbound::outbox};
use loopdesk_store::testing::TestDatabase;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

fn smtp(port: u16, security: Security, ca: Option<&Path>, from_user: &str) -> SmtpConfig {
    SmtpConfig { port, security, ca_file: ca.map(Path::to_path_buf), ..mailbox::smtp(port, from_user) }
}

fn imaps(port: u16, user: &str, ca: Option<&Path>) -> ImapConfig {
    ImapConfig { port, security: Security::Tls, ca_file: ca.map(Path::to_path_buf), ..mailbox::imap(port, user) }
}

/// Submits feedback from `addr` on the public endpoint; returns the ticket id.
async fn submit_from(app: &TestApp, addr: &str, text: &str) -> i64 {
    let body = app
        .submit(json!({
            "subject": "Leaking washer",
            "content": text,
            "customer": { "name": "Zhang Wei", "email": addr },
        }))
        .await;
    body["ticket"]["id"].as_i64().or_else(|| body["id"].as_i64()).unwrap_or_else(|| panic!("ticket id in {body}"))
}

/// Drains the outbox until the ticket's acknowledgement has been attempted at least `n` times
/// or is no longer queued; returns it.
async fn acknowledgement(app: &TestApp, ticket: i64, attempts: i64) -> Value {
    for _ in 0..200 {
        outbox::drain(&app.state).await.unwrap();
        let d = app.get(&format!("/api/v1/tickets/{ticket}/deliveries")).await.body;
        let ack = d["deliveries"].as_array().and_then(|l| l.iter().find(|x| x["kind"] == "acknowledgement")).cloned();
        if let Some(a) = ack {
            let settled =
                a["state"] == "sent" || a["state"] == "failed" || a["attempts"].as_i64().unwrap_or(0) >= attempts;
            if settled && a["state"] != "sending" {
                return a;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the acknowledgement of ticket {ticket} was not attempted");
}

#[tokio::test]
async fn notifications_go_out_over_starttls_and_implicit_tls() {
    let Some((_, imap_port)) = mailbox::ports("notifications_go_out_over_starttls_and_implicit_tls") else {
        return;
    };
    let Some(tls) = mailbox::tls_ports("notifications_go_out_over_starttls_and_implicit_tls") else {
        return;
    };
    for backend in TestDatabase::backends() {
        for (security, port) in [(Security::Starttls, tls.starttls), (Security::Tls, tls.smtps)] {
            let support = mailbox::unique("support");
            let customer = mailbox::unique("cust");
            let addr = format!("{customer}@{}", mailbox::DOMAIN);
            let mut config = Config::default();
            config.channels.smtp = Some(smtp(port, security, Some(&tls.ca), &support));
            let app = TestApp::start(backend, config).await;
            let ticket = submit_from(&app, &addr, &format!("The washer leaks ({security:?}).")).await;
            let ack = acknowledgement(&app, ticket, 1).await;
            assert_eq!(ack["state"], "sent", "{security:?} on {backend:?}: {ack}");
            let inbox = mailbox::wait_for(imap_port, &customer, 1, Duration::from_secs(20)).await;
            assert_eq!(inbox.len(), 1, "{security:?}: the acknowledgement arrives in the customer's mailbox");
            let raw = String::from_utf8_lossy(&inbox[0]).to_string();
            // Postfix notes the TLS session in the Received header it adds.
            assert!(raw.contains("ESMTPS") || raw.contains("TLS"), "{security:?}: not received over TLS:\n{raw}");
        }
    }
}

#[tokio::test]
async fn the_poller_reads_a_mailbox_over_imaps() {
    let Some((_, imap_port)) = mailbox::ports("the_poller_reads_a_mailbox_over_imaps") else {
        return;
    };
    let Some(tls) = mailbox::tls_ports("the_poller_reads_a_mailbox_over_imaps") else {
        return;
    };
    for backend in TestDatabase::backends() {
        let support = mailbox::unique("support");
        let app = TestApp::start(backend, Config::default()).await;
        let raw = format!(
            "From: Li Na <li.na@example.com>\r\nTo: <{support}@loopdesk.test>\r\nSubject: =?UTF-8?B?{subject}?=\r\n\
             Message-ID: <tls.{support}@example.com>\r\nDate: Mon, 02 Nov 2026 09:00:00 +0800\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n冰箱不制冷，型号 BCD-500。\r\n",
            subject = base64::engine::general_purpose::STANDARD.encode("冰箱不制冷"),
        );
        mailbox::append(imap_port, &support, raw.as_bytes()).await;

        // Not signed by the CA we were told to trust: refused, nothing taken in.
        let err = imap::poll_once(&app.state, &imaps(tls.imaps, &support, Some(&tls.other_ca))).await.unwrap_err();
        let text = err.to_string();
        assert!(text.contains("TLS certificate of 127.0.0.1:") && text.contains("other-ca.pem"), "{text}");
        // No ca_file: the public roots do not know our private CA either.
        let err = imap::poll_once(&app.state, &imaps(tls.imaps, &support, None)).await.unwrap_err();
        assert!(err.to_string().contains("public web roots"), "{err}");
        // A missing CA file says so.
        let err = imap::poll_once(&app.state, &imaps(tls.imaps, &support, Some(Path::new("/nonexistent/ca.pem"))))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("cannot read the CA file /nonexistent/ca.pem"), "{err}");
        assert_eq!(app.get("/api/v1/tickets?channel=email").await.body["items"].as_array().map(Vec::len), Some(0));

        // The right CA: the message becomes a ticket.
        let report = imap::poll_once(&app.state, &imaps(tls.imaps, &support, Some(&tls.ca))).await.unwrap();
        assert_eq!((report.fetched, report.opened), (1, 1), "{report:?}");
        let page = app.get("/api/v1/tickets?channel=email").await.body;
        let id = page["items"][0]["id"].as_i64().expect("a ticket");
        let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        assert_eq!(t["ticket"]["subject"], "冰箱不制冷", "{t}");
        assert!(t["ticket"]["content"].as_str().unwrap().contains("BCD-500"));
    }
}

#[tokio::test]
async fn a_wrong_ca_is_refused_and_the_delivery_retried() {
    let Some(_) = mailbox::ports("a_wrong_ca_is_refused_and_the_delivery_retried") else {
        return;
    };
    let Some(tls) = mailbox::tls_ports("a_wrong_ca_is_refused_and_the_delivery_retried") else {
        return;
    };
    for backend in TestDatabase::backends() {
        for (security, port) in [(Security::Starttls, tls.starttls), (Security::Tls, tls.smtps)] {
            let support = mailbox::unique("support");
            let addr = format!("{}@{}", mailbox::unique("cust"), mailbox::DOMAIN);
            let mut config = Config::default();
            config.channels.smtp = Some(smtp(port, security, Some(&tls.other_ca), &support));
            config.channels.retry_base_secs = 30;
            let app = TestApp::start(backend, config).await;
            let ticket = submit_from(&app, &addr, "The washer leaks.").await;
            let ack = acknowledgement(&app, ticket, 1).await;
            assert_eq!(ack["state"], "queued", "{security:?}: kept for a retry, not lost: {ack}");
            assert_eq!(ack["attempts"], 1);
            let why = ack["last_error"].as_str().unwrap_or_default();
            assert!(
                why.contains(&format!("TLS certificate of 127.0.0.1:{port} refused"))
                    && why.contains("other-ca.pem")
                    && why.contains("UnknownIssuer"),
                "{security:?}: {why}"
            );
            // Due again after the backoff: attempted again (and refused again), still kept.
            app.clock.advance(chrono::Duration::seconds(31));
            let again = acknowledgement(&app, ticket, 2).await;
            assert_eq!((again["state"].as_str(), again["attempts"].as_i64()), (Some("queued"), Some(2)), "{again}");
        }
    }
}
