//! One conformance suite, run on SQLite and (when LOOPDESK_TEST_POSTGRES_URL is set) on
//! PostgreSQL: every store behaviour the server relies on.

use chrono::{Duration, TimeZone, Utc};
use loopdesk_core::event::{decide, replay, Command};
use loopdesk_core::ticket::OutcomeKind;
use loopdesk_core::{
    Actor, Channel, Customer, DepartmentId, Email, Outcome, Phone, Priority, Role, State, Ticket, Timestamp,
    TriageSummary, UserId,
};
use loopdesk_store::testing::{each_backend, each_backend_with};
use loopdesk_store::{
    Change, CompletedTarget, DocumentChange, Effects, IntakeRequest, NewUser, Owed, SlaDue, Sort, StoreError,
    TicketFilter,
};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn draft(text: &str, phone: &str) -> Ticket {
    let customer =
        Customer { name: Some("陈晨".into()), phone: Some(Phone::parse(phone).unwrap()), ..Customer::default() };
    Ticket::draft(Channel::Web, text.into(), customer, t0(), t0())
}

fn request(text: &str, phone: &str) -> IntakeRequest {
    IntakeRequest::new(draft(text, phone), Actor::Customer)
}

fn agent() -> Actor {
    Actor::User { id: UserId(1), name: "agent".into() }
}

#[tokio::test]
async fn intake_assigns_ids_tracking_numbers_and_a_created_event() {
    each_backend(|store, _| async move {
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
    each_backend(|store, _| async move {
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
    each_backend(|store, _| async move {
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
    each_backend(|store, _| async move {
        let id = store.intake(request("洗衣机漏电", "13800138000")).await.unwrap().ticket.id;
        let steps = vec![
            Command::Assign { department_id: Some(DepartmentId(3)), assignee_id: Some(UserId(1)), reason: None },
            Command::Acknowledge,
            Command::Note { body: "内部：联系售后".into() },
            Command::Reply { body: "已安排上门检修".into(), files: Vec::new() },
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
    each_backend(|store, _| async move {
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
async fn a_batch_of_changes_lands_whole_in_one_statement_per_table() {
    each_backend(|store, _| async move {
        let mut ids = Vec::new();
        for i in 0..40 {
            ids.push(
                store.intake(request(&format!("批量修改 {i}"), &format!("1380013{i:04}"))).await.unwrap().ticket.id,
            );
        }
        // One of them moved on before the batch: the batch decides on its current state.
        let first = Command::Note { body: "先到".into() };
        store.change(ids[0], |t| Ok(vec![decide(t, first.clone(), agent(), t0())?])).await.unwrap();
        let changed = store
            .change_many(&ids, |t| Ok(vec![decide(t, Command::Note { body: "批量".into() }, agent(), t0())?].into()))
            .await
            .unwrap();
        assert!(changed.iter().all(Result::is_ok));
        for id in &ids {
            let t = store.ticket(*id).await.unwrap();
            let timeline = store.timeline(*id).await.unwrap();
            assert_eq!(t, replay(&timeline).unwrap(), "the row is its replayed timeline");
            assert_eq!(timeline.last().map(|e| e.data.kind()), Some("noted"));
        }
        assert_eq!(store.timeline(ids[0]).await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn top_problems_count_every_report_including_the_one_that_started_the_cluster() {
    each_backend(|store, _| async move {
        let triaged = |text: &str, phone: &str, cluster: Option<i64>| {
            let mut t = draft(text, phone);
            t.triage = Some(TriageSummary { cluster_id: cluster, ..TriageSummary::default() });
            IntakeRequest::new(t, Actor::Customer)
        };
        let first = store.intake(triaged("洗衣机漏水", "13800138001", None)).await.unwrap().ticket.id;
        store.intake(triaged("洗衣机又漏水了", "13800138002", Some(first.0))).await.unwrap();
        store.intake(triaged("洗衣机底部漏水", "13800138003", Some(first.0))).await.unwrap();
        store.intake(triaged("发票开错了", "13800138004", None)).await.unwrap();
        let d = store.dashboard(t0() - Duration::hours(1), t0() + Duration::hours(1)).await.unwrap();
        let top: Vec<(i64, i64)> = d.top_problems.iter().map(|p| (p.cluster_id, p.tickets)).collect();
        assert_eq!(top, vec![(first.0, 3)], "a single report is no top problem");
        // A rebuild from the tickets gives the same.
        store.rebuild_dashboard().await.unwrap();
        let again = store.dashboard(t0() - Duration::hours(1), t0() + Duration::hours(1)).await.unwrap();
        assert_eq!(again.top_problems, d.top_problems);
    })
    .await;
}

#[tokio::test]
async fn queue_filters_sorts_paginates_and_counts() {
    each_backend(|store, _| async move {
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
        // The queue and search results page alike, in every order: pages of 7 cross the
        // boundary between the priorities (a priority-ordered read stops at the first
        // priority after a page in hand).
        for sort in [Sort::Newest, Sort::Oldest, Sort::Priority] {
            let full = store.list_tickets(&TicketFilter::default(), sort, None, 50).await.unwrap();
            let expected: Vec<i64> = full.items.iter().map(|s| s.ticket.id.0).collect();
            for filter in [&text, &TicketFilter::default()] {
                let mut seen = Vec::new();
                let mut cursor = None;
                loop {
                    let page = store.list_tickets(filter, sort, cursor, 7).await.unwrap();
                    seen.extend(page.items.iter().map(|s| s.ticket.id.0));
                    match page.next_cursor {
                        Some(c) => cursor = loopdesk_store::Cursor::decode(&c),
                        None => break,
                    }
                }
                assert_eq!(seen, expected, "{sort:?} {filter:?}");
            }
        }
        let high =
            TicketFilter { priorities: vec![Priority::High], states: vec![loopdesk_core::State::New], ..text.clone() };
        assert_eq!(store.list_tickets(&high, Sort::Priority, None, 50).await.unwrap().items.len(), 10);
        // Whole words: "1" is not a word of "反馈 10".
        let text = TicketFilter { text: Some("反馈 1".into()), ..TicketFilter::default() };
        assert_eq!(store.list_tickets(&text, Sort::Newest, None, 50).await.unwrap().items.len(), 1);
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
    each_backend(|store, _| async move {
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
    each_backend(|store, _| async move {
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
                Sort::Due => unreachable!("not in this list"),
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
    each_backend(|store, _| async move {
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

#[tokio::test]
async fn full_text_search_finds_chinese_and_english_words_tracking_numbers_and_replies() {
    each_backend(|store, _| async move {
        let search = |text: &str| TicketFilter { text: Some(text.into()), ..TicketFilter::default() };
        let ids = |page: loopdesk_store::Page| page.items.iter().map(|s| s.ticket.id).collect::<Vec<_>>();
        let crash = store.intake(request("手机App频繁闪退，无法登录账户", "13800138000")).await.unwrap().ticket;
        let mut req = request("The parcel never arrived, order SF1234567890", "13800138001");
        req.ticket.subject = Some("Delivery problem".into());
        let parcel = store.intake(req).await.unwrap().ticket;
        // Traditional characters and full-width letters in the text.
        let refund =
            store.intake(request("退款申請被拒絕了，ＲＥＦＵＮＤ please", "13800138002")).await.unwrap().ticket;
        let find = |q: &str| {
            let (store, filter) = (store.clone(), search(q));
            async move { ids(store.list_tickets(&filter, Sort::Newest, None, 50).await.unwrap()) }
        };
        assert_eq!(find("闪退").await, vec![crash.id]);
        assert_eq!(find("登录 闪退").await, vec![crash.id]);
        assert_eq!(find("閃退").await, vec![crash.id], "traditional query finds simplified text");
        assert_eq!(find("申请").await, vec![refund.id], "simplified query finds traditional text");
        assert_eq!(find("refund").await, vec![refund.id], "full-width text found by half-width word");
        assert_eq!(find("ARRIVED").await, vec![parcel.id]);
        assert_eq!(find("delivery").await, vec![parcel.id], "the subject is searched");
        assert_eq!(find("sf1234567890").await, vec![parcel.id], "order numbers are words");
        assert_eq!(find(parcel.tracking_no.as_str()).await, vec![parcel.id]);
        assert!(find("退货").await.is_empty());
        assert!(find("umbrella").await.is_empty());
        assert!(find("，。!").await.is_empty(), "punctuation alone matches nothing");
        assert!(find("闪退 umbrella").await.is_empty(), "every word must match");
        // A note's words are found too, from the change's own transaction.
        store
            .change(crash.id, |t| {
                Ok(vec![decide(t, Command::Note { body: "请先卸载后重新安装".into() }, agent(), t0())?])
            })
            .await
            .unwrap();
        assert_eq!(find("卸载").await, vec![crash.id]);
        assert_eq!(find("闪退").await, vec![crash.id], "the earlier words are kept");
        let live = store.count_by_state(&search("闪退")).await.unwrap();
        assert_eq!(live.total, 1);
        // Tickets older than the index are filled in by the backfill.
        store.forget_search_index_for_tests().await.unwrap();
        assert!(find("闪退").await.is_empty());
        store.backfill_search_all().await.unwrap();
        assert_eq!(find("闪退").await, vec![crash.id]);
        assert_eq!(find("卸载").await, vec![crash.id]);
        assert_eq!(find("arrived").await, vec![parcel.id]);
        store.backfill_search_all().await.unwrap();
        assert_eq!(find("refund").await, vec![refund.id]);
    })
    .await;
}

#[tokio::test]
async fn a_search_narrowed_to_a_rare_state_pages_through_every_match_in_priority_order() {
    each_backend(|store, _| async move {
        // 310 tickets, half with the word; three assigned, two of those with it: the state
        // keeps under 1 in 100 tickets, so SQLite reads the state's tickets, not the word's.
        let mut expected = Vec::new();
        for i in 0..310usize {
            let text = if i % 2 == 0 { "扫地机器人无法充电" } else { "App 登录失败" };
            let mut req = request(text, &format!("138{i:08}"));
            req.ticket.priority = Priority::ALL[i % Priority::ALL.len()];
            let t = store.intake(req).await.unwrap().ticket;
            if [10, 21, 40].contains(&i) {
                let cmd = Command::Assign { department_id: Some(DepartmentId(1)), assignee_id: None, reason: None };
                store.change(t.id, |t| Ok(vec![decide(t, cmd.clone(), agent(), t0())?])).await.unwrap();
                if i % 2 == 0 {
                    expected.push((t.priority.rank(), std::cmp::Reverse(t.id)));
                }
            }
        }
        expected.sort();
        let expected: Vec<_> = expected.into_iter().map(|(_, id)| id.0).collect();
        for states in [vec![State::Assigned], vec![State::Assigned, State::Rejected]] {
            let filter = TicketFilter { text: Some("充电".into()), states, ..TicketFilter::default() };
            let (mut seen, mut after) = (Vec::new(), None);
            loop {
                let page = store.list_tickets(&filter, Sort::Priority, after, 1).await.unwrap();
                seen.extend(page.items.iter().map(|s| s.ticket.id));
                match page.next_cursor {
                    Some(c) => after = loopdesk_store::Cursor::decode(&c),
                    None => break,
                }
            }
            assert_eq!(seen, expected);
        }
        // Unassigned tickets of one state and priority, both directions (an index order of
        // its own on PostgreSQL).
        let unassigned = TicketFilter {
            assignee: Some(None),
            states: vec![State::New],
            priorities: vec![Priority::ALL[0]],
            ..TicketFilter::default()
        };
        let want = (0..310usize).filter(|i| i % Priority::ALL.len() == 0 && ![10, 21, 40].contains(i)).count();
        for sort in [Sort::Newest, Sort::Oldest, Sort::Priority] {
            let got = store.list_tickets(&unassigned, sort, None, 500).await.unwrap().items;
            assert_eq!(got.len(), want, "{sort:?}");
            assert!(got.iter().all(|s| s.ticket.assignee_id.is_none() && s.ticket.state == State::New));
            let ids: Vec<i64> = got.iter().map(|s| s.ticket.id.0).collect();
            let ordered = if sort == Sort::Oldest {
                ids.windows(2).all(|w| w[0] < w[1])
            } else {
                ids.windows(2).all(|w| w[0] > w[1])
            };
            assert!(ordered, "{sort:?}: {ids:?}");
        }
        // The whole word, unnarrowed: every ticket that has it.
        let all = TicketFilter { text: Some("充电".into()), ..TicketFilter::default() };
        assert_eq!(store.list_tickets(&all, Sort::Newest, None, 300).await.unwrap().items.len(), 155);
    })
    .await;
}

/// Effects that record a met `result` target whenever a ticket gets resolved.
struct ResultHook;

impl loopdesk_store::Effects for ResultHook {
    fn owed(&self, c: &loopdesk_store::Change<'_>) -> loopdesk_store::Owed {
        let sla_results = match (c.before, c.after.resolved_at) {
            (Some(before), Some(at)) if before.resolved_at != Some(at) => vec![loopdesk_store::CompletedTarget {
                target: "result".into(),
                stopped_at: at,
                met: c.after.priority != Priority::Urgent,
            }],
            _ => Vec::new(),
        };
        loopdesk_store::Owed { sla_results, ..Default::default() }
    }
}

/// The dashboard computed directly from the tickets (what the rollups must equal).
fn direct_dashboard(tickets: &[Ticket], from: Timestamp, to: Timestamp) -> loopdesk_store::Dashboard {
    let within = |t: Timestamp| t >= from && t < to;
    let mut d = loopdesk_store::Dashboard::default();
    let mut per: std::collections::BTreeMap<i64, loopdesk_store::PriorityFigures> = Priority::ALL
        .iter()
        .map(|p| (p.rank(), loopdesk_store::PriorityFigures { priority: Some(*p), ..Default::default() }))
        .collect();
    let mut fr_sum = std::collections::BTreeMap::<i64, i64>::new();
    let mut handling_sum = std::collections::BTreeMap::<i64, i64>::new();
    for t in tickets {
        let p = per.get_mut(&t.priority.rank()).unwrap();
        if within(t.recorded_at) {
            d.total += 1;
            d.intake_on_time += i64::from(loopdesk_store::intake_on_time(t));
            *d.by_channel.entry(t.channel.as_str().to_string()).or_default() += 1;
            *d.by_category.entry(t.category.clone().unwrap_or_default()).or_default() += 1;
            if let Some(at) = t.first_response_at {
                p.first_responses += 1;
                *fr_sum.entry(t.priority.rank()).or_default() += (at - t.received_at).num_milliseconds();
            }
        }
        if let Some(at) = t.resolved_at.filter(|at| within(*at)) {
            p.resolved += 1;
            *handling_sum.entry(t.priority.rank()).or_default() += (at - t.received_at).num_milliseconds();
        }
        if let Some(s) = t.satisfaction.as_ref().filter(|s| within(s.answered_at)) {
            d.surveys += 1;
            match s.rating {
                loopdesk_core::ticket::Rating::Satisfied => d.satisfied += 1,
                loopdesk_core::ticket::Rating::Neutral => d.neutral += 1,
                loopdesk_core::ticket::Rating::Unsatisfied => d.unsatisfied += 1,
            }
            if let Some(score) = s.score {
                d.scored += 1;
                d.score_sum += i64::from(score);
            }
        }
    }
    for (rank, p) in per.iter_mut() {
        let fr = fr_sum.get(rank).copied().unwrap_or(0);
        p.first_response_avg_ms = if p.first_responses > 0 { fr / p.first_responses } else { 0 };
        let h = handling_sum.get(rank).copied().unwrap_or(0);
        p.handling_avg_ms = if p.resolved > 0 { h / p.resolved } else { 0 };
    }
    d.per_priority = per.into_values().collect();
    d.resolved = d.per_priority.iter().map(|p| p.resolved).sum();
    d
}

#[tokio::test]
async fn dashboard_rollups_equal_a_direct_computation_after_changes_and_rebuild() {
    loopdesk_store::testing::each_backend_with(std::sync::Arc::new(ResultHook), |store, _| async move {
        let solved = Outcome {
            kind: OutcomeKind::Solved,
            summary: "更换电源板".into(),
            unresolved: None,
            reason: None,
            alternative: None,
        };
        let mut ids = Vec::new();
        for i in 0..12 {
            let mut req = request(&format!("反馈 {i}"), "13800138000");
            req.ticket.priority = Priority::ALL[i % 4];
            req.ticket.channel = [Channel::Web, Channel::Email, Channel::Phone][i % 3];
            req.ticket.recorded_at = t0() + Duration::minutes(i as i64 * 20);
            req.ticket.received_at = req.ticket.recorded_at - Duration::minutes(i as i64 * 3);
            ids.push(store.intake(req).await.unwrap().ticket.id);
        }
        let satisfaction = |rating, score| loopdesk_core::Satisfaction {
            rating,
            score,
            comment: None,
            answered_at: t0() + Duration::hours(30),
        };
        use loopdesk_core::ticket::Rating;
        for (n, id) in ids.iter().enumerate() {
            let mut steps = vec![
                Command::Assign { department_id: Some(DepartmentId(1)), assignee_id: Some(UserId(1)), reason: None },
                Command::Acknowledge,
                Command::Recategorize { category: Some(["payment", "logistics"][n % 2].into()), subtags: vec![] },
            ];
            if n % 2 == 0 {
                steps.push(Command::Reply { body: "已收到".into(), files: Vec::new() });
            }
            if n % 3 != 2 {
                steps.push(Command::Resolve { outcome: solved.clone() });
                steps.push(Command::SendSurvey { expires_at: t0() + Duration::days(5) });
            }
            if n % 3 == 0 {
                // Unsatisfied: reopened, then resolved again and answered again.
                steps.push(Command::AnswerSurvey { satisfaction: satisfaction(Rating::Unsatisfied, Some(1)) });
                steps.push(Command::Reprioritize { priority: Priority::High, reason: "客户不满".into() });
                steps.push(Command::Acknowledge);
                steps.push(Command::Resolve { outcome: solved.clone() });
                steps.push(Command::SendSurvey { expires_at: t0() + Duration::days(9) });
                steps.push(Command::AnswerSurvey { satisfaction: satisfaction(Rating::Satisfied, Some(5)) });
            } else if n % 3 == 1 {
                steps.push(Command::AnswerSurvey { satisfaction: satisfaction(Rating::Neutral, None) });
            }
            for (i, cmd) in steps.into_iter().enumerate() {
                let at = t0() + Duration::hours(n as i64 * 7 + i as i64 * 2);
                store.change(*id, |t| Ok(vec![decide(t, cmd.clone(), agent(), at)?])).await.unwrap();
            }
        }
        let tickets = store.tickets_by_id(&ids).await.unwrap();
        let periods = [
            (t0() - Duration::days(1), t0() + Duration::days(30)),
            (t0(), t0() + Duration::hours(3)),
            (t0() + Duration::hours(24), t0() + Duration::hours(48)),
        ];
        let check = |got: loopdesk_store::Dashboard, from, to| {
            let want = direct_dashboard(&tickets, from, to);
            assert_eq!(
                (got.total, got.intake_on_time, &got.by_channel, &got.by_category),
                (want.total, want.intake_on_time, &want.by_channel, &want.by_category),
                "volume {from}..{to}"
            );
            let strip = |d: &loopdesk_store::Dashboard| {
                d.per_priority
                    .iter()
                    .map(|p| (p.priority, p.first_responses, p.first_response_avg_ms, p.resolved, p.handling_avg_ms))
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(&got), strip(&want), "per priority {from}..{to}");
            assert_eq!(
                (got.resolved, got.surveys, got.satisfied, got.neutral, got.unsatisfied, got.scored, got.score_sum),
                (
                    want.resolved,
                    want.surveys,
                    want.satisfied,
                    want.neutral,
                    want.unsatisfied,
                    want.scored,
                    want.score_sum
                ),
                "surveys {from}..{to}"
            );
        };
        for (from, to) in periods {
            check(store.dashboard(from, to).await.unwrap(), from, to);
        }
        let all = store.dashboard(periods[0].0, periods[0].1).await.unwrap();
        assert!(all.total == 12 && all.resolved > 0 && all.surveys > 0, "{all:?}");
        // SLA results: one per resolution (the reopened ones were resolved twice), urgent missed.
        let resolutions = ids.len() - ids.len() / 3 + ids.len().div_ceil(3);
        let result = all.sla.get("result").cloned().unwrap_or_default();
        assert_eq!((result.met + result.breached) as usize, resolutions);
        assert_eq!(all.per_priority.iter().map(|p| p.on_time_of).sum::<i64>() as usize, resolutions);
        assert!(result.breached > 0 && result.met > result.breached, "{result:?}");

        // A rebuild from the tickets and the recorded results gives the same figures.
        assert_eq!(store.rebuild_dashboard().await.unwrap(), 12);
        for (from, to) in periods {
            assert_eq!(store.dashboard(from, to).await.unwrap(), store.dashboard(from, to).await.unwrap());
            check(store.dashboard(from, to).await.unwrap(), from, to);
        }
        assert_eq!(store.dashboard(periods[0].0, periods[0].1).await.unwrap(), all);

        // A backfill walks every ticket with its timeline; results already recorded are kept
        // once, new ones are added.
        let walked = store.tickets_with_timelines_after(loopdesk_core::TicketId(0), 100).await.unwrap();
        assert_eq!(walked.len(), 12);
        let mut backfill = Vec::new();
        for (t, timeline) in walked {
            assert_eq!(timeline, store.timeline(t.id).await.unwrap());
            let stopped: Vec<CompletedTarget> =
                t.resolved_at
                    .into_iter()
                    .flat_map(|at| {
                        [("result", t.priority != Priority::Urgent), ("plan", true)]
                            .map(|(target, met)| CompletedTarget { target: target.into(), stopped_at: at, met })
                    })
                    .collect();
            backfill.push((t, stopped));
        }
        let resolved = backfill.iter().filter(|(t, _)| t.resolved_at.is_some()).count();
        store.backfill_sla_results(&backfill).await.unwrap();
        store.rebuild_dashboard().await.unwrap();
        let refilled = store.dashboard(periods[0].0, periods[0].1).await.unwrap();
        assert_eq!(refilled.sla.get("result"), all.sla.get("result"));
        assert_eq!(refilled.sla.get("plan").map(|p| (p.met, p.breached)), Some((resolved as i64, 0)));

        // The owner counts equal live counts too.
        store.rebuild_counts().await.unwrap();
        for f in [
            TicketFilter { assignee: Some(Some(UserId(1))), ..TicketFilter::default() },
            TicketFilter { assignee: Some(None), ..TicketFilter::default() },
            TicketFilter { needs_manual_triage: true, ..TicketFilter::default() },
            TicketFilter {
                department: Some(Some(DepartmentId(1))),
                assignee: Some(Some(UserId(1))),
                ..TicketFilter::default()
            },
        ] {
            let rolled = store.count_by_state(&f).await.unwrap();
            let live = store.count_by_state(&TicketFilter { text: Some("反馈".into()), ..f.clone() }).await.unwrap();
            assert_eq!(rolled, live, "{f:?}");
        }
    })
    .await;
}

/// Due times as a test sets them: every fifth ticket has none (no clock counting), the
/// others are due a number of hours from `t0` that does not follow their ids; a resolved
/// ticket has none.
struct TestDues;

impl TestDues {
    fn due(t: &Ticket) -> Option<Timestamp> {
        let n = t.content.trim_start_matches("问题 ").parse::<i64>().ok()?;
        (n % 5 != 0 && t.state.is_open()).then(|| t0() + Duration::hours((n * 7) % 11 - 5))
    }
}

impl Effects for TestDues {
    fn owed(&self, change: &Change<'_>) -> Owed {
        Owed { sla_due: Some(SlaDue(TestDues::due(change.after))), ..Owed::default() }
    }
}

#[tokio::test]
async fn the_due_order_pages_soonest_first_then_the_rest_and_filters_by_due_time() {
    each_backend_with(std::sync::Arc::new(TestDues), |store, _| async move {
        let mut tickets = Vec::new();
        for i in 1..=30 {
            tickets.push(store.intake(request(&format!("问题 {i}"), "13800138000")).await.unwrap().ticket);
        }
        // A ticket that leaves the workflow loses its due time with the change.
        let reject = Command::Reject { reason: "广告".into() };
        let (rejected, _) =
            store.change(tickets[1].id, |t| Ok(vec![decide(t, reject.clone(), agent(), t0())?])).await.unwrap();
        assert!(TestDues::due(&tickets[1]).is_some() && TestDues::due(&rejected).is_none());
        tickets[1] = rejected;
        let mut expected: Vec<(i64, i64)> =
            tickets.iter().map(|t| (TestDues::due(t).map_or(i64::MAX, |d| d.timestamp_millis()), t.id.0)).collect();
        expected.sort();
        let mut got = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list_tickets(&TicketFilter::default(), Sort::Due, cursor, 7).await.unwrap();
            for s in &page.items {
                assert_eq!(s.sla_due, TestDues::due(&s.ticket), "ticket {}", s.ticket.id);
                got.push((s.sla_due.map_or(i64::MAX, |d| d.timestamp_millis()), s.ticket.id.0));
            }
            match page.next_cursor {
                Some(c) => cursor = loopdesk_store::Cursor::decode(&c),
                None => break,
            }
        }
        assert_eq!(got, expected);
        // With a state condition the order is the same (the rejected ticket drops out).
        let new = TicketFilter { states: vec![State::New], ..TicketFilter::default() };
        let page = store.list_tickets(&new, Sort::Due, None, 100).await.unwrap();
        let want: Vec<(i64, i64)> = expected.iter().copied().filter(|(_, id)| *id != tickets[1].id.0).collect();
        let got: Vec<(i64, i64)> =
            page.items.iter().map(|s| (s.sla_due.map_or(i64::MAX, |d| d.timestamp_millis()), s.ticket.id.0)).collect();
        assert_eq!(got, want);
        // Overdue (due before now) and due within the next three hours; counted the same.
        let now = t0();
        let overdue = TicketFilter { due_before: Some(now), ..TicketFilter::default() };
        let soon =
            TicketFilter { due_from: Some(now), due_before: Some(now + Duration::hours(3)), ..TicketFilter::default() };
        for (filter, keep) in [
            (overdue, Box::new(move |d: Timestamp| d < now) as Box<dyn Fn(Timestamp) -> bool>),
            (soon, Box::new(move |d: Timestamp| d >= now && d < now + Duration::hours(3))),
        ] {
            let want: Vec<i64> = tickets
                .iter()
                .filter_map(|t| TestDues::due(t).filter(|d| keep(*d)).map(|d| (d, t.id.0)))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|(_, id)| id)
                .collect();
            assert!(!want.is_empty());
            let page = store.list_tickets(&filter, Sort::Due, None, 100).await.unwrap();
            assert_eq!(page.items.iter().map(|s| s.ticket.id.0).collect::<Vec<_>>(), want);
            assert_eq!(store.count_by_state(&filter).await.unwrap().total, want.len() as i64);
        }
    })
    .await;
}

#[tokio::test]
async fn a_search_by_phone_number_or_e_mail_address_finds_the_customers_tickets() {
    each_backend(|store, _| async move {
        let mut ids = Vec::new();
        for (text, phone) in
            [("空调不制冷", "13800138000"), ("空调漏水", "13800138000"), ("订单号 13800138000 退款", "13900139000")]
        {
            ids.push(store.intake(request(text, phone)).await.unwrap().ticket.id);
        }
        let mut mail = draft("Invoice shows the wrong amount", "13700137000");
        mail.customer.phone = None;
        mail.customer.email = Some(Email::parse("Anna.Li@Example.com").unwrap());
        let anna = store.intake(IntakeRequest::new(mail, Actor::Customer)).await.unwrap().ticket.id;
        let found = |q: &'static str| {
            let store = store.clone();
            async move {
                let filter = TicketFilter { text: Some(q.into()), ..TicketFilter::default() };
                let page = store.list_tickets(&filter, Sort::Newest, None, 50).await.unwrap();
                page.items.iter().map(|s| s.ticket.id).collect::<Vec<_>>()
            }
        };
        // However the number is written; not the ticket that only mentions it in its text.
        for q in ["13800138000", "138 0013 8000", "+86 138-0013-8000"] {
            assert_eq!(found(q).await, vec![ids[1], ids[0]], "{q}");
        }
        assert_eq!(found("anna.li@example.com").await, vec![anna]);
        assert_eq!(found("ANNA.LI@EXAMPLE.COM").await, vec![anna]);
        assert!(found("13600136000").await.is_empty());
        // The order number the form asked for finds its ticket.
        let mut ordered = draft("洗衣机不脱水", "13500135000");
        ordered.product.order_no = Some("DD20261102001".into());
        let order = store.intake(IntakeRequest::new(ordered, Actor::Customer)).await.unwrap().ticket.id;
        assert_eq!(found("DD20261102001").await, vec![order]);
        // Words still find words.
        assert_eq!(found("退款").await, vec![ids[2]]);
    })
    .await;
}
