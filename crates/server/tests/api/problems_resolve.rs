//! A fixed problem's open tickets resolved together (issue 17) over HTTP on every backend:
//! 20 linked open tickets in different states are resolved through the ordinary ticket
//! path with one message, a ticket closed before is left untouched, each customer gets
//! exactly one result notice carrying the message (in the real mailbox for customers with
//! e-mail when LOOPDESK_TEST_MAIL is set, through the outbox otherwise), and starting it
//! again sends nothing more.

use crate::common::TestApp;
use crate::mailbox;
use loopdesk_app::outbound::outbox;
use loopdesk_app::Config;
use loopdesk_core::TicketId;
use loopdesk_store::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

const MESSAGE: &str = "您好，X20 固件 2.3.1 已修复 WiFi 断连问题，请在 App 中升级后重试。";

/// Result notices (of any outcome) queued for `ticket`, with their text.
async fn results(app: &TestApp, ticket: i64) -> Vec<String> {
    let all = app.store.ticket_deliveries(TicketId(ticket)).await.unwrap();
    all.into_iter().filter(|d| d.kind.starts_with("result_")).map(|d| texts(&d.payload)).collect()
}

/// Every text in a stored payload (an e-mail's parts, a gateway request's body), joined.
fn texts(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(texts).collect::<Vec<_>>().join("\n"),
        Value::Object(o) => o.values().map(texts).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

async fn ticket(app: &TestApp, id: i64) -> Value {
    app.get(&format!("/api/v1/tickets/{id}")).await.body
}

fn kinds(problem: &Value) -> Vec<&str> {
    problem["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_fixed_problem_resolves_its_open_tickets_with_one_message_each_customer_told_once() {
    let mail = mailbox::ports("problem tickets resolved together (mailbox count)");
    for backend in TestDatabase::backends() {
        let mut config = Config::default();
        config.limits.feedback_per_minute = 1000;
        if let Some((smtp, _)) = mail {
            config.channels.smtp = Some(mailbox::smtp(smtp, &mailbox::unique("support")));
        }
        let app = TestApp::start(backend, config).await;
        // 21 customers; every fourth has e-mail (a mailbox of its own), the others a phone.
        let mut ids = Vec::new();
        let mut inboxes = Vec::new();
        for i in 0..21 {
            let text = format!("扫地机器人X20升级固件2.3后连不上WiFi，App显示设备离线（第{i}台）");
            let customer = if i % 4 == 0 {
                let user = mailbox::unique("cust");
                let c = json!({"email": format!("{user}@{}", mailbox::DOMAIN)});
                inboxes.push((ids.len(), user));
                c
            } else {
                json!({"phone": format!("1381234{i:04}")})
            };
            let t = app.submit(json!({"content": text, "customer": customer})).await;
            ids.push(t["id"].as_i64().unwrap());
        }
        // Tickets in several states: routed (assigned), one taken and in progress, one
        // waiting for the customer, and the last resolved and closed before.
        app.run_due_jobs().await;
        let act = |id: i64, what: &str| format!("/api/v1/tickets/{id}/{what}");
        let r = app.as_role("supervisor", Method::POST, &act(ids[1], "acknowledge"), Some(json!({}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        app.as_role("supervisor", Method::POST, &act(ids[2], "acknowledge"), Some(json!({}))).await;
        let r = app
            .as_role("supervisor", Method::POST, &act(ids[2], "request-info"), Some(json!({"message": "请提供型号"})))
            .await;
        assert_eq!(r.body["ticket"]["state"], "awaiting_customer", "{}", r.body);
        let closed = ids[20];
        app.as_role("supervisor", Method::POST, &act(closed, "acknowledge"), Some(json!({}))).await;
        let r = app
            .as_role(
                "supervisor",
                Method::POST,
                &act(closed, "resolve"),
                Some(json!({"kind": "solved", "summary": "已远程重置"})),
            )
            .await;
        assert_eq!(r.body["ticket"]["state"], "resolved", "{}", r.body);
        let r = app.as_role("supervisor", Method::POST, &act(closed, "close"), Some(json!({}))).await;
        assert_eq!(r.body["ticket"]["state"], "closed", "{}", r.body);
        let closed_events = ticket(&app, closed).await["timeline"].as_array().map(Vec::len);
        outbox::drain(&app.state).await.unwrap();

        let body = json!({"title": "X20 固件 2.3 WiFi 断连", "description": "升级后设备离线", "ticket_ids": ids});
        let created = app.as_role("supervisor", Method::POST, "/api/v1/problems", Some(body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{backend:?}: {}", created.body);
        let pid = created.body["id"].as_i64().unwrap();
        let resolve = format!("/api/v1/problems/{pid}/resolve-tickets");
        let tr = format!("/api/v1/problems/{pid}/transition");

        // Not before the fix; agents never; the message is required.
        let r = app.as_role("supervisor", Method::POST, &resolve, Some(json!({"message": MESSAGE}))).await;
        assert_eq!(
            (r.status, r.body["code"].as_str(), r.body["field"].as_str()),
            (StatusCode::CONFLICT, Some("problem_not_fixed"), Some("state")),
            "{}",
            r.body
        );
        let r = app.as_role("agent", Method::POST, &resolve, Some(json!({"message": MESSAGE}))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        for (state, reason) in [("cause_known", "驱动"), ("fix_in_progress", "修复中")] {
            let r = app.as_role("supervisor", Method::POST, &tr, Some(json!({"state": state, "reason": reason}))).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let r = app
            .as_role(
                "supervisor",
                Method::POST,
                &tr,
                Some(json!({"state": "cause_known", "reason": "x", "customer_message": MESSAGE})),
            )
            .await;
        assert_eq!(r.body["field"], "customer_message", "{}", r.body);

        // Fixed, with the message: the tickets are resolved by the job, in the background.
        let step = json!({"state": "fixed", "reason": "2.3.1 已发布", "customer_message": MESSAGE});
        let r = app.as_role("supervisor", Method::POST, &tr, Some(step)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(kinds(&r.body).last(), Some(&"tickets_resolving"));
        let r = app.as_role("supervisor", Method::POST, &resolve, Some(json!({"message": " "}))).await;
        assert_eq!(r.body["field"], "message", "{}", r.body);
        app.run_due_jobs().await;
        outbox::drain(&app.state).await.unwrap();

        let supervisor = app.user_ids["supervisor"];
        for (i, id) in ids.iter().enumerate().take(20) {
            let t = ticket(&app, *id).await;
            assert_eq!(t["ticket"]["state"], "resolved", "{backend:?} ticket {i}: {}", t["ticket"]);
            // Its own resolution (and, the survey delay being zero here, its own survey).
            let resolved = t["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "resolved").count();
            assert_eq!(resolved, 1, "{backend:?} ticket {i}");
            let sent = results(&app, *id).await;
            assert_eq!(sent.len(), 1, "{backend:?} ticket {i}: one result notice");
            assert!(sent[0].contains(MESSAGE), "{}", sent[0]);
        }
        let t = ticket(&app, ids[3]).await;
        let by = t["timeline"].as_array().unwrap().iter().rev().find(|e| e["kind"] == "resolved").unwrap().clone();
        assert_eq!(by["actor"]["id"], supervisor, "{by}");
        let c = ticket(&app, closed).await;
        assert_eq!(c["ticket"]["state"], "closed");
        assert_eq!(c["timeline"].as_array().map(Vec::len), closed_events, "the closed ticket is untouched");
        assert_eq!(results(&app, closed).await.len(), 1, "its own earlier result only");
        let p = app.get(&format!("/api/v1/problems/{pid}")).await.body;
        let tally = p["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "tickets_resolved").unwrap().clone();
        assert_eq!((tally["data"]["resolved"].as_i64(), tally["data"]["already"].as_i64()), (Some(20), Some(1)));

        // Again, explicitly: nothing more is resolved or sent.
        let r = app.as_role("supervisor", Method::POST, &resolve, Some(json!({"message": MESSAGE}))).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
        app.run_due_jobs().await;
        outbox::drain(&app.state).await.unwrap();
        for id in &ids {
            assert_eq!(results(&app, *id).await.len(), 1, "{backend:?}: ticket {id} told once");
        }
        let p = app.get(&format!("/api/v1/problems/{pid}")).await.body;
        let tallies: Vec<Value> =
            p["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "tickets_resolved").cloned().collect();
        assert_eq!(tallies.len(), 2);
        assert_eq!(
            (tallies[1]["data"]["resolved"].as_i64(), tallies[1]["data"]["already"].as_i64()),
            (Some(0), Some(21))
        );

        // In the real mailboxes: the acknowledgement and exactly one result with the message.
        if let Some((_, imap)) = mail {
            for (i, user) in &inboxes {
                // Every e-mail delivery of the ticket (acknowledgement, result, survey) arrived
                // once; the closed ticket's result is its own earlier one.
                let sent = app.store.ticket_deliveries(TicketId(ids[*i])).await.unwrap().len();
                let inbox = mailbox::wait_for(imap, user, sent, Duration::from_secs(20)).await;
                assert_eq!(inbox.len(), sent, "{backend:?} mailbox of ticket {i}");
                let with_message = inbox.iter().filter(|raw| text_of(raw).contains(MESSAGE)).count();
                let want = usize::from(ids[*i] != closed);
                assert_eq!(with_message, want, "{backend:?} mailbox of ticket {i}: the message once");
            }
        }
    }
}

fn text_of(raw: &[u8]) -> String {
    let msg = mail_parser::MessageParser::default().parse(raw).expect("parse");
    format!("{}\n{}", msg.subject().unwrap_or_default(), msg.body_text(0).unwrap_or_default())
}
