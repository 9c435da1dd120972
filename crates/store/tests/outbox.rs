//! The outbox on SQLite and (when LOOPDESK_TEST_POSTGRES_URL is set) PostgreSQL: group-committed
//! channel writes, claims that take only what is due, outcomes recorded together, and a
//! delivery whose claim ran out (the worker died mid-send) resent once and shown in doubt.

use chrono::{Duration, TimeZone, Utc};
use loopdesk_core::{TicketId, Timestamp};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{ChannelWrite, DeliveryState, NewDelivery, Outcome, Store};
use serde_json::json;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn delivery(key: &str, ticket: Option<i64>) -> NewDelivery {
    NewDelivery {
        key: key.into(),
        ticket_id: ticket.map(TicketId),
        transport: "email".into(),
        kind: "acknowledgement".into(),
        target: "cu***@example.com".into(),
        payload: json!({ "n": key }),
        failed: None,
    }
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
async fn channel_writes_commit_together_and_answer_each() {
    each_backend(|store| async move {
        let writes = vec![
            ChannelWrite::ClaimKey { key: "email:<a@x>".into(), ticket: TicketId(7) },
            ChannelWrite::SetKey { key: "email-last:7".into(), ticket: TicketId(7), value: Some("<a@x>".into()) },
            ChannelWrite::Delivery(delivery("notify:7:ack", Some(7))),
        ];
        assert_eq!(store.channel_writes(writes, t0()).await.unwrap(), vec![true, true, true]);
        // Concurrent callers: the same key is claimed once, the same delivery added once.
        let mut calls = tokio::task::JoinSet::new();
        for i in 0..20 {
            let store = store.clone();
            calls.spawn(async move {
                let writes = vec![
                    ChannelWrite::ClaimKey { key: "email:<a@x>".into(), ticket: TicketId(i) },
                    ChannelWrite::ClaimKey { key: format!("email:<{i}@x>"), ticket: TicketId(i) },
                    ChannelWrite::Delivery(delivery("notify:7:ack", Some(7))),
                ];
                store.channel_writes(writes, t0()).await.unwrap()
            });
        }
        while let Some(answer) = calls.join_next().await {
            assert_eq!(answer.unwrap(), vec![false, true, false]);
        }
        assert_eq!(store.channel_key("email:<a@x>").await.unwrap().map(|(t, _)| t), Some(TicketId(7)));
        let last = store.channel_key("email-last:7").await.unwrap();
        assert_eq!(last.and_then(|(_, v)| v).as_deref(), Some("<a@x>"));
        assert_eq!(store.ticket_deliveries(TicketId(7)).await.unwrap().len(), 1);
        assert_eq!(store.add_deliveries(&[delivery("notify:7:ack", Some(7))], t0()).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn outcomes_are_recorded_and_an_expired_claim_is_resent_in_doubt() {
    each_backend(|store| async move {
        let list: Vec<_> = (0..5).map(|i| delivery(&format!("d{i}"), Some(1))).collect();
        assert_eq!(store.add_deliveries(&list, t0()).await.unwrap(), 5);
        let lease = Duration::seconds(60);
        let claimed = store.claim_deliveries(t0(), 3, lease).await.unwrap();
        assert_eq!(claimed.len(), 3, "no more than asked for");
        assert!(claimed.iter().all(|d| d.state == DeliveryState::Sending && !d.in_doubt));
        let later = t0() + Duration::seconds(1);
        let outcomes = vec![
            (claimed[0].id, Outcome::Sent),
            (claimed[1].id, Outcome::Retry { error: "421 busy".into(), at: later + Duration::seconds(30) }),
        ];
        store.record_outcomes(&outcomes, later).await.unwrap();
        // claimed[2] is left `sending`: its worker "died". The two never claimed come next.
        let next = store.claim_deliveries(later, 10, lease).await.unwrap();
        assert_eq!(next.len(), 2);
        assert!(next.iter().all(|d| !d.in_doubt));
        store.record_outcomes(&next.iter().map(|d| (d.id, Outcome::Sent)).collect::<Vec<_>>(), later).await.unwrap();
        // After the lease: the interrupted one is taken over, counted and shown in doubt;
        // the retry falls due at its own time.
        let after = t0() + Duration::seconds(61);
        let again = store.claim_deliveries(after, 10, lease).await.unwrap();
        assert_eq!(again.iter().map(|d| d.id).collect::<Vec<_>>(), vec![claimed[1].id, claimed[2].id]);
        let resent = again.iter().find(|d| d.id == claimed[2].id).unwrap();
        assert!(resent.in_doubt);
        assert_eq!((resent.attempts, resent.resends), (2, 1));
        assert!(!again.iter().find(|d| d.id == claimed[1].id).unwrap().in_doubt);
        let done =
            vec![(claimed[1].id, Outcome::Failed { error: "550 no such user".into() }), (resent.id, Outcome::Sent)];
        store.record_outcomes(&done, after).await.unwrap();
        let shown = store.ticket_deliveries(TicketId(1)).await.unwrap();
        let by_id = |id: i64| shown.iter().find(|d| d.id == id).unwrap();
        assert_eq!(by_id(claimed[0].id).state, DeliveryState::Sent);
        assert_eq!(by_id(claimed[1].id).state, DeliveryState::Failed);
        assert_eq!(by_id(claimed[1].id).last_error.as_deref(), Some("550 no such user"));
        assert_eq!(by_id(claimed[2].id).state, DeliveryState::Sent);
        assert!(by_id(claimed[2].id).in_doubt, "the ticket shows the resend in doubt");
        assert_eq!(serde_json::to_value(by_id(claimed[2].id)).unwrap()["in_doubt"], json!(true));
        assert_eq!(store.deliveries_in_doubt().await.unwrap(), 1);
        assert!(store.claim_deliveries(after, 10, lease).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn delivery_reports_attach_to_their_delivery_and_a_final_one_wins() {
    use loopdesk_store::{DeliveryReport, ReportOutcome};
    each_backend(|store| async move {
        store.add_deliveries(&[delivery("notify:9:reply", Some(9))], t0()).await.unwrap();
        let id = store.claim_deliveries(t0(), 10, Duration::seconds(60)).await.unwrap()[0].id;
        let report = |outcome, minutes: i64, diagnostic: &str| DeliveryReport {
            outcome,
            status: Some(if outcome == ReportOutcome::Failed { "5.1.1" } else { "4.4.1" }.into()),
            diagnostic: Some(diagnostic.into()),
            at: t0() + Duration::minutes(minutes),
        };
        // Unknown delivery: nothing recorded.
        let unknown = store.record_delivery_report(id + 1000, &report(ReportOutcome::Delayed, 1, "x"), t0()).await;
        assert_eq!(unknown.unwrap(), None);
        let delayed = report(ReportOutcome::Delayed, 5, "connection timed out");
        assert_eq!(store.record_delivery_report(id, &delayed, t0()).await.unwrap(), Some(Some(TicketId(9))));
        let shown = store.ticket_deliveries(TicketId(9)).await.unwrap();
        assert_eq!(shown[0].report.as_ref(), Some(&delayed));
        // The bounce replaces the delay warning …
        let failed = report(ReportOutcome::Failed, 60, "mailbox unavailable");
        store.record_delivery_report(id, &failed, t0()).await.unwrap();
        // … and a late delay warning does not replace the bounce.
        store.record_delivery_report(id, &report(ReportOutcome::Delayed, 30, "late"), t0()).await.unwrap();
        let shown = store.ticket_deliveries(TicketId(9)).await.unwrap();
        assert_eq!(shown[0].report.as_ref(), Some(&failed));
        assert_eq!(store.ticket_deliveries(TicketId(8)).await.unwrap().len(), 0);
    })
    .await;
}
