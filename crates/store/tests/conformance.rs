//! One conformance suite, run on SQLite and (when LOOPDESK_TEST_POSTGRES_URL is set) on
//! PostgreSQL: every store behaviour the server relies on.

use chrono::{Duration, TimeZone, Utc};
use loopdesk_core::event::{decide, replay, Command};
use loopdesk_core::ticket::OutcomeKind;
use loopdesk_core::{
    Actor, Channel, Customer, DepartmentId, Email, Outcome, Phone, Priority, Role, State, Ticket, Timestamp, UserId,
};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{DocumentChange, IntakeRequest, NewUser, Sort, Store, StoreError, TicketFilter};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn draft(text: &str, phone: &str) -> Ticket {
    let customer =
        Customer { name: Some("陈晨".into()), phone: Some(Phone::parse(phone).unwrap()), ..Customer::default() };
    Ticket::draft(Channel::Web, text.into(), customer, t0(), t0())
}

fn request(text: &str, phone: &str) -> IntakeRequest {
    IntakeRequest { ticket: draft(text, phone), actor: Actor::Customer, idempotency: None, signature: None }
}

fn agent() -> Actor {
    Actor::User { id: UserId(1), name: "agent".into() }
}

async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.expect("create test database");
        let store = db.store().await.expect("connect and migrate");
        test(store.clone()).await;
        store.close().await;
    }
}

#[tokio::test]
async fn intake_assigns_ids_tracking_numbers_and_a_created_event() {
    each_backend(|store| async move {
        let a = store.intake(request("App 闪退，无法登录", "13800138000")).await.unwrap();
        let b = store.intake(request("The order never arrived", "13800138001")).await.unwrap();
        assert_ne!(a.ticket.id, b.ticket.id);
        assert!(!a.replayed);
        assert_eq!(a.ticket.tracking_no.ticket_id(), a.ticket.id);
        let loaded = store.ticket(a.ticket.id).await.unwrap();
        assert_eq!(loaded, a.ticket);
        let timeline = store.timeline(a.ticket.id).await.unwrap();
        assert_eq!(timeline.len(), 1);
        assert_eq!(timeline[0].data.kind(), "created");
        assert_eq!(replay(&timeline).unwrap(), loaded);
    })
    .await;
}

#[tokio::test]
async fn concurrent_intakes_share_commits_and_all_survive() {
    each_backend(|store| async move {
        let mut handles = Vec::new();
        for i in 0..200 {
            let store = store.clone();
            handles.push(tokio::spawn(async move {
                store.intake(request(&format!("第{i}条反馈：充电很慢"), "13900000000")).await
            }));
        }
        let mut ids = std::collections::HashSet::new();
        for h in handles {
            ids.insert(h.await.unwrap().unwrap().ticket.id);
        }
        assert_eq!(ids.len(), 200);
        let counts = store.count_by_state(&TicketFilter::default()).await.unwrap();
        assert_eq!(counts.total, 200);
        assert_eq!(counts.by_state["new"], 200);
    })
    .await;
}

#[tokio::test]
async fn idempotency_key_returns_the_same_ticket_and_refuses_a_different_body() {
    each_backend(|store| async move {
        let keyed = |text: &str, hash: &str| IntakeRequest {
            idempotency: Some(("public:abc".into(), hash.into())),
            ..request(text, "13700000000")
        };
        // Twenty simultaneous retries of one submit end in one ticket.
        let mut handles = Vec::new();
        for _ in 0..20 {
            let store = store.clone();
            let req = keyed("屏幕有亮点", "h1");
            handles.push(tokio::spawn(async move { store.intake(req).await.unwrap() }));
        }
        let mut results = Vec::new();
        for h in handles {
            results.push(h.await.unwrap());
        }
        let first = results[0].ticket.id;
        assert!(results.iter().all(|r| r.ticket.id == first));
        assert_eq!(results.iter().filter(|r| !r.replayed).count(), 1);
        let again = store.intake(keyed("屏幕有亮点", "h1")).await.unwrap();
        assert!(again.replayed);
        assert_eq!(again.ticket.id, first);
        let err = store.intake(keyed("别的内容", "h2")).await.unwrap_err();
        assert!(matches!(err, StoreError::IdempotencyMismatch));
        assert_eq!(store.count_by_state(&TicketFilter::default()).await.unwrap().total, 1);
    })
    .await;
}

#[tokio::test]
async fn lifecycle_changes_are_stored_and_the_row_equals_its_replayed_timeline() {
    each_backend(|store| async move {
        let id = store.intake(request("洗衣机漏电", "13800138000")).await.unwrap().ticket.id;
        let steps = vec![
            Command::Assign { department_id: Some(DepartmentId(3)), assignee_id: Some(UserId(1)), reason: None },
            Command::Acknowledge,
            Command::Note { body: "内部：联系售后".into() },
            Command::Reply { body: "已安排上门检修".into() },
            Command::Resolve {
                outcome: Outcome {
                    kind: OutcomeKind::Solved,
                    summary: "更换电源板".into(),
                    unresolved: None,
                    reason: None,
                    alternative: None,
                },
            },
            Command::Close { reason: loopdesk_core::event::CloseReason::Manual },
        ];
        for (i, cmd) in steps.into_iter().enumerate() {
            let at = t0() + Duration::minutes(i as i64 + 1);
            store.change(id, |t| Ok(vec![decide(t, cmd.clone(), agent(), at)?])).await.unwrap();
        }
        let ticket = store.ticket(id).await.unwrap();
        assert_eq!(ticket.state, State::Closed);
        let timeline = store.timeline(id).await.unwrap();
        assert_eq!(timeline.len(), 7);
        assert_eq!(replay(&timeline).unwrap(), ticket);
        // Illegal transitions are refused and change nothing.
        let err = store.change(id, |t| Ok(vec![decide(t, Command::Acknowledge, agent(), t0())?])).await.unwrap_err();
        assert_eq!(err.to_string(), "cannot acknowledge a ticket that is closed");
        assert_eq!(store.timeline(id).await.unwrap().len(), 7);
        let counts = store.count_by_state(&TicketFilter::default()).await.unwrap();
        assert_eq!((counts.by_state["closed"], counts.by_state["new"]), (1, 0));
    })
    .await;
}

#[tokio::test]
async fn concurrent_changes_to_one_ticket_all_land_in_order() {
    each_backend(|store| async move {
        let id = store.intake(request("物流太慢", "13800138000")).await.unwrap().ticket.id;
        let mut handles = Vec::new();
        for i in 0..10 {
            let store = store.clone();
            handles.push(tokio::spawn(async move {
                let cmd = Command::Note { body: format!("note {i}") };
                store.change(id, |t| Ok(vec![decide(t, cmd.clone(), agent(), t0())?])).await
            }));
        }
        for h in handles {
            h.await.unwrap().unwrap();
        }
        let timeline = store.timeline(id).await.unwrap();
        assert_eq!(timeline.len(), 11);
        assert!(timeline.iter().enumerate().all(|(i, e)| e.seq == i as i64));
    })
    .await;
}

#[tokio::test]
async fn queue_filters_sorts_paginates_and_counts() {
    each_backend(|store| async move {
        for i in 0..30 {
            let mut req = request(&format!("反馈 {i} refund please"), "13800138000");
            req.ticket.priority = if i % 3 == 0 { Priority::High } else { Priority::Low };
            req.ticket.channel = if i % 2 == 0 { Channel::Email } else { Channel::Web };
            req.ticket.category = Some(if i % 5 == 0 { "payment" } else { "logistics" }.into());
            req.ticket.customer.email = Some(Email::parse(&format!("c{i}@example.com")).unwrap());
            store.intake(req).await.unwrap();
        }
        // Pages of 7, newest first, cover everything exactly once.
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list_tickets(&TicketFilter::default(), Sort::Newest, cursor, 7).await.unwrap();
            seen.extend(page.items.iter().map(|s| s.ticket.id.0));
            match page.next_cursor {
                Some(c) => cursor = loopdesk_store::Cursor::decode(&c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 30);
        assert!(seen.windows(2).all(|w| w[0] > w[1]));
        // Priority sort puts every high ticket first.
        let page = store.list_tickets(&TicketFilter::default(), Sort::Priority, None, 10).await.unwrap();
        assert!(page.items.iter().all(|s| s.ticket.priority == Priority::High));
        let filter = TicketFilter {
            channels: vec![Channel::Email],
            categories: vec!["payment".into()],
            ..TicketFilter::default()
        };
        let page = store.list_tickets(&filter, Sort::Oldest, None, 50).await.unwrap();
        assert_eq!(page.items.len(), 3); // i = 0, 10, 20
        let text = TicketFilter { text: Some("REFUND".into()), ..TicketFilter::default() };
        assert_eq!(store.list_tickets(&text, Sort::Newest, None, 50).await.unwrap().items.len(), 30);
        let text = TicketFilter { text: Some("反馈 1".into()), ..TicketFilter::default() };
        assert_eq!(store.list_tickets(&text, Sort::Newest, None, 50).await.unwrap().items.len(), 11);
        // The rollup agrees with a live count.
        let rolled = store.count_by_state(&filter).await.unwrap();
        let live = store.count_by_state(&TicketFilter { text: Some("refund".into()), ..filter.clone() }).await.unwrap();
        assert_eq!(rolled, live);
        assert_eq!(rolled.total, 3);
        store.rebuild_counts().await.unwrap();
        assert_eq!(store.count_by_state(&filter).await.unwrap(), rolled);
    })
    .await;
}

#[tokio::test]
async fn accounts_sessions_and_tokens() {
    each_backend(|store| async move {
        let dept = store.create_department("售后服务部", t0()).await.unwrap();
        let new = NewUser {
            username: "lilei".into(),
            display_name: "李雷".into(),
            role: Role::Agent,
            department_id: Some(dept.id),
            password_hash: "$argon2id$fake".into(),
        };
        let user = store.create_user(&new, t0()).await.unwrap();
        assert!(matches!(store.create_user(&new, t0()).await, Err(StoreError::Duplicate { field: "username" })));
        let (found, hash) = store.user_for_login("lilei").await.unwrap().unwrap();
        assert_eq!((found.id, hash.as_str()), (user.id, "$argon2id$fake"));
        store.create_session("s3cret", user.id, t0(), t0() + Duration::hours(1)).await.unwrap();
        assert_eq!(store.session("s3cret", t0()).await.unwrap().unwrap().user.id, user.id);
        assert!(store.session("s3cret", t0() + Duration::hours(2)).await.unwrap().is_none());
        assert!(store.session("other", t0()).await.unwrap().is_none());
        let token = store.create_api_token("tok", "wechat", user.id, true, t0()).await.unwrap();
        let p = store.principal_for_token("tok").await.unwrap().unwrap();
        assert!(p.intake_only);
        store.revoke_api_token(token.id, t0()).await.unwrap();
        assert!(store.principal_for_token("tok").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn fanned_out_queue_pages_equal_a_full_sort() {
    each_backend(|store| async move {
        let priorities = [Priority::Low, Priority::High, Priority::Medium, Priority::Urgent];
        for i in 0..40 {
            let mut req = request(&format!("问题 {i}"), "13800138000");
            req.ticket.priority = priorities[i % 4];
            let id = store.intake(req).await.unwrap().ticket.id;
            if i % 3 == 0 {
                let cmd = Command::Assign { department_id: Some(DepartmentId(1)), assignee_id: None, reason: None };
                store.change(id, |t| Ok(vec![decide(t, cmd.clone(), agent(), t0())?])).await.unwrap();
            }
        }
        let all: Vec<Ticket> = store
            .list_tickets(&TicketFilter::default(), Sort::Newest, None, 100)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.ticket)
            .collect();
        let filter = TicketFilter { states: vec![State::New, State::Assigned], ..TicketFilter::default() };
        for sort in [Sort::Newest, Sort::Oldest, Sort::Priority] {
            let mut expected: Vec<&Ticket> = all.iter().collect();
            expected.sort_by_key(|t| match sort {
                Sort::Newest => (0, -t.id.0),
                Sort::Oldest => (0, t.id.0),
                Sort::Priority => (t.priority.rank(), -t.id.0),
            });
            let mut got = Vec::new();
            let mut cursor = None;
            loop {
                let page = store.list_tickets(&filter, sort, cursor, 6).await.unwrap();
                got.extend(page.items.iter().map(|s| s.ticket.id));
                match page.next_cursor {
                    Some(c) => cursor = loopdesk_store::Cursor::decode(&c),
                    None => break,
                }
            }
            assert_eq!(got, expected.iter().map(|t| t.id).collect::<Vec<_>>(), "{sort:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn documents_are_versioned_refuse_stale_changes_and_keep_their_history() {
    each_backend(|store| async move {
        assert_eq!(store.document("sla_policy").await.unwrap(), None);
        let v1 = serde_json::json!({"urgent": {"first_response": "2h"}});
        let change = |expected, body| DocumentChange {
            name: "sla_policy",
            expected_version: expected,
            body,
            changed_by: "admin",
            comment: "节假日调整",
            now: t0(),
        };
        let saved = store.put_document(change(0, &v1)).await.unwrap();
        assert_eq!(saved.version, 1);
        let v2 = serde_json::json!({"urgent": {"first_response": "1h"}});
        assert_eq!(store.put_document(change(1, &v2)).await.unwrap().version, 2);
        // A change based on version 1 now would silently undo version 2: refused.
        match store.put_document(change(1, &v1)).await {
            Err(StoreError::StaleVersion { current }) => assert_eq!(current, 2),
            other => panic!("expected a stale version, got {other:?}"),
        }
        let current = store.document("sla_policy").await.unwrap().unwrap();
        assert_eq!((current.version, current.body, current.comment.as_str()), (2, v2, "节假日调整"));
        let history = store.document_history("sla_policy", 10).await.unwrap();
        assert_eq!(history.iter().map(|d| d.version).collect::<Vec<_>>(), vec![2, 1]);
        assert_eq!(history[1].body, v1);
        assert_eq!(store.document_names().await.unwrap(), vec![("sla_policy".to_string(), 2)]);
    })
    .await;
}
