//! The whole life of a feedback over HTTP: submit, queue, assign, acknowledge, reply,
//! resolve, close, timeline and public tracking — on every backend.

use crate::common;

use common::{each_backend, feedback};
use loopdesk_app::Clock as _;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn feedback_walks_the_whole_lifecycle_and_is_tracked_publicly() {
    each_backend(|app| async move {
        let created = app.submit(feedback("扫地机器人X20充电后只能用十分钟，电池是不是有问题？", "13800138000")).await;
        let id = created["id"].as_i64().unwrap();
        let tracking = created["tracking_no"].as_str().unwrap().to_string();
        assert_eq!(created["state"], "new");
        assert!(tracking.starts_with("FB-2611-"), "{tracking}");

        // It is in the queue, with its count.
        let queue = app.get("/api/v1/tickets?state=new").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body["items"].as_array().unwrap().iter().any(|t| t["id"] == id));
        let counts = app.get("/api/v1/tickets/counts").await;
        assert_eq!(counts.body["by_state"]["new"], 1);

        let agent = app.user_ids["agent"];
        let dept = app.departments[0].0;
        let path = |action: &str| format!("/api/v1/tickets/{id}/{action}");
        let steps = [
            ("supervisor", "assign", Some(json!({"department_id": dept, "assignee_id": agent}))),
            ("agent", "acknowledge", None),
            ("agent", "note", Some(json!({"body": "内部备注：客户是老用户"}))),
            ("agent", "reply", Some(json!({"body": "您好，我们已收到，将为您更换电池。"}))),
            ("agent", "resolve", Some(json!({"kind": "solved", "summary": "已为您免费更换电池，续航恢复正常。"}))),
            ("agent", "close", None),
        ];
        let expected_states = ["assigned", "in_progress", "in_progress", "in_progress", "resolved", "closed"];
        for ((role, action, body), want) in steps.into_iter().zip(expected_states) {
            app.clock.advance(chrono::Duration::minutes(5));
            let a = app.as_role(role, Method::POST, &path(action), body.or(Some(json!({})))).await;
            assert_eq!(a.status, StatusCode::OK, "{action}: {}", a.body);
            assert_eq!(a.body["ticket"]["state"], want, "{action}");
        }

        let detail = app.as_role("agent", Method::GET, &format!("/api/v1/tickets/{id}"), None).await;
        let kinds: Vec<&str> =
            detail.body["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["created", "assigned", "acknowledged", "noted", "replied", "resolved", "closed"]);
        assert_eq!(detail.body["timeline"][1]["state_before"], "new");
        assert_eq!(detail.body["timeline"][1]["state_after"], "assigned");
        assert_eq!(detail.body["ticket"]["first_response_at"], "2026-11-02T01:50:00Z");

        // The SLA clocks that stopped were recorded as results when they stopped, and the
        // dashboard's rollups count them: intake, first response and result, all met.
        let now = app.clock.now();
        let d = app.store.dashboard(now - chrono::Duration::days(1), now).await.unwrap();
        let met = |target: &str| d.sla.get(target).map(|f| (f.met, f.breached));
        assert_eq!(met("first_response"), Some((1, 0)), "{:?}", d.sla);
        assert_eq!(met("result"), Some((1, 0)), "{:?}", d.sla);
        assert_eq!((d.total, d.resolved), (1, 1));
        assert_eq!(
            d.per_priority.iter().map(|p| (p.on_time, p.on_time_of)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
            (1, 1)
        );

        // The row equals the replay of its stored timeline.
        let ticket = app.store.ticket(loopdesk_core::TicketId(id)).await.unwrap();
        let events = app.store.timeline(ticket.id).await.unwrap();
        assert_eq!(loopdesk_core::event::replay(&events).unwrap(), ticket);

        // Public tracking: state, dates and public replies; never the internal note.
        let track = app.raw(Method::GET, &format!("/api/v1/track/{tracking}?phone=138-0013-8000"), None, None).await;
        assert_eq!(track.status, StatusCode::OK, "{}", track.body);
        assert_eq!(track.body["state"], "closed");
        let text = track.body.to_string();
        assert!(text.contains("将为您更换电池"));
        assert!(!text.contains("内部备注"));
        assert!(!text.contains("agent"));
        let by_email = app
            .raw(
                Method::GET,
                &format!("/api/v1/track/{}?email=ZHANG.WEI@example.com", tracking.to_lowercase()),
                None,
                None,
            )
            .await;
        assert_eq!(by_email.status, StatusCode::OK);

        // A wrong contact answers exactly like an unknown number.
        let wrong = app.raw(Method::GET, &format!("/api/v1/track/{tracking}?phone=13900000000"), None, None).await;
        let unknown_no = loopdesk_core::TrackingNo::new(loopdesk_core::TicketId(999_999), common::t0());
        let unknown = app.raw(Method::GET, &format!("/api/v1/track/{unknown_no}?phone=13800138000"), None, None).await;
        assert_eq!((wrong.status, unknown.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
        assert_eq!(wrong.body, unknown.body);
    })
    .await;
}

#[tokio::test]
async fn reopen_reject_restore_merge_and_approval_go_through_the_state_machine() {
    each_backend(|app| async move {
        let first = app.submit(feedback("订单一直没有发货", "13700000001")).await["id"].as_i64().unwrap();
        // The same customer's re-send is merged into the open original at intake.
        let resend = app.submit(feedback("订单一直没有发货！！", "13700000001")).await;
        assert_eq!(
            (resend["state"].as_str(), resend["merged_into"].as_i64()),
            (Some("merged"), Some(first)),
            "{resend}"
        );
        // A person may merge a different ticket of the same customer by hand.
        let dup = app.submit(feedback("另外发票抬头写错了，麻烦重开", "13700000001")).await["id"].as_i64().unwrap();
        let unrelated = json!({"content": "能不能把 App 的字体调大一点", "customer": {"email": "other@example.com"}});
        let other = app.submit(unrelated).await["id"].as_i64().unwrap();
        let merge = app.post(&format!("/api/v1/tickets/{dup}/merge"), json!({"into": first})).await;
        assert_eq!(merge.status, StatusCode::OK, "{}", merge.body);
        assert_eq!(merge.body["ticket"]["state"], "merged");
        let cross = app.post(&format!("/api/v1/tickets/{other}/merge"), json!({"into": first})).await;
        assert_eq!((cross.status, cross.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("into")));

        let reject = app.post(&format!("/api/v1/tickets/{other}/reject"), json!({"reason": "广告"})).await;
        assert_eq!(reject.body["ticket"]["state"], "rejected");
        assert_eq!(reject.body["ticket"]["content"], "能不能把 App 的字体调大一点");
        let restore = app.post(&format!("/api/v1/tickets/{other}/restore"), json!({"reason": "误判"})).await;
        assert_eq!(restore.body["ticket"]["state"], "new");

        let dept = app.departments[0].0;
        let agent = app.user_ids["agent"];
        let p = |a: &str| format!("/api/v1/tickets/{first}/{a}");
        app.post(&p("assign"), json!({"department_id": dept, "assignee_id": agent})).await;
        assert_eq!(app.as_role("agent", Method::POST, &p("acknowledge"), Some(json!({}))).await.status, StatusCode::OK);
        let ask =
            app.as_role("agent", Method::POST, &p("request-info"), Some(json!({"message": "请提供订单截图"}))).await;
        assert_eq!(ask.body["ticket"]["state"], "awaiting_customer");
        app.as_role("agent", Method::POST, &p("provide-info"), Some(json!({"body": "截图已发"}))).await;
        let plan = app
            .as_role(
                "agent",
                Method::POST,
                &p("request-approval"),
                Some(json!({"plan": "补发并赠送优惠券", "reasons": ["cost"]})),
            )
            .await;
        assert_eq!(plan.body["ticket"]["state"], "awaiting_approval");
        // An agent cannot approve; a supervisor can.
        let denied = app.as_role("agent", Method::POST, &p("decide-approval"), Some(json!({"approved": true}))).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let ok = app
            .as_role(
                "supervisor",
                Method::POST,
                &p("decide-approval"),
                Some(json!({"approved": true, "comment": "同意"})),
            )
            .await;
        assert_eq!(ok.body["ticket"]["state"], "in_progress");
        let partial = app
            .as_role(
                "agent",
                Method::POST,
                &p("resolve"),
                Some(json!({"kind": "partially_solved", "summary": "已补发"})),
            )
            .await;
        assert_eq!(
            (partial.status, partial.body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("outcome.unresolved"))
        );
        let resolved = app
            .as_role(
                "agent",
                Method::POST,
                &p("resolve"),
                Some(json!({"kind": "partially_solved", "summary": "已补发",
                "unresolved": "赠品缺货", "reason": "库存不足", "alternative": "补偿50积分"})),
            )
            .await;
        assert_eq!(resolved.body["ticket"]["state"], "resolved");
        let reopened = app.as_role("agent", Method::POST, &p("reopen"), Some(json!({"reason": "客户不满意"}))).await;
        assert_eq!(reopened.body["ticket"]["state"], "reopened");
    })
    .await;
}
