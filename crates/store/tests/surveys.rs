//! Surveys and agents' open load, on SQLite and (when LOOPDESK_TEST_POSTGRES_URL is set)
//! PostgreSQL.

use chrono::{Duration, TimeZone, Utc};
use loopdesk_core::event::{decide, CloseReason, Command};
use loopdesk_core::{
    Actor, Channel, Customer, DepartmentId, Outcome, OutcomeKind, Priority, Ticket, TicketId, Timestamp, UserId,
};
use loopdesk_store::testing::each_backend;
use loopdesk_store::{IntakeRequest, Store};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

#[tokio::test]
async fn a_survey_is_answered_or_expires_once_and_counts_in_the_follow_up_rate() {
    each_backend(|store, _| async move {
        let (a, b) = (TicketId(1), TicketId(2));
        let round = t0().timestamp_millis();
        store.record_survey(a, round, t0(), t0() + Duration::hours(72)).await.unwrap();
        // Recording again (a retried job) keeps the first record.
        store.record_survey(a, round, t0() + Duration::minutes(5), t0() + Duration::hours(80)).await.unwrap();
        store.record_survey(b, round, t0(), t0() + Duration::hours(72)).await.unwrap();
        let s = store.survey(a, round).await.unwrap().unwrap();
        assert_eq!((s.sent_at, s.expires_at, s.answered_at), (t0(), t0() + Duration::hours(72), None));
        assert!(store.answer_survey(a, round, "satisfied", t0() + Duration::hours(1)).await.unwrap());
        assert!(!store.answer_survey(a, round, "unsatisfied", t0() + Duration::hours(2)).await.unwrap());
        assert!(!store.expire_survey(a, round, t0() + Duration::hours(72)).await.unwrap());
        assert!(store.expire_survey(b, round, t0() + Duration::hours(72)).await.unwrap());
        assert!(!store.answer_survey(b, round, "neutral", t0() + Duration::hours(73)).await.unwrap());
        assert_eq!(store.survey(a, round).await.unwrap().unwrap().rating.as_deref(), Some("satisfied"));
        let c = store.follow_up_counts(t0() - Duration::days(1), t0()).await.unwrap();
        assert_eq!((c.surveyed, c.answered, c.expired), (2, 1, 1));
        let none = store.follow_up_counts(t0() + Duration::seconds(1), t0() + Duration::days(1)).await.unwrap();
        assert_eq!(none.surveyed, 0);
    })
    .await;
}

async fn assigned(store: &Store, priority: Priority, to: UserId) -> Ticket {
    let mut t = Ticket::draft(Channel::Web, "空调不制冷".into(), Customer::default(), t0(), t0());
    t.priority = priority;
    let intake = store.intake(IntakeRequest::new(t, Actor::Customer));
    let t = intake.await.unwrap().ticket;
    let assign = Command::Assign { department_id: Some(DepartmentId(1)), assignee_id: Some(to), reason: None };
    store.change(t.id, |cur| Ok(vec![decide(cur, assign.clone(), Actor::System, t0())?])).await.unwrap().0
}

#[tokio::test]
async fn open_load_counts_open_tickets_per_assignee_and_priority() {
    each_backend(|store, _| async move {
        let (u1, u2) = (UserId(10), UserId(11));
        assigned(&store, Priority::Urgent, u1).await;
        assigned(&store, Priority::Low, u1).await;
        assigned(&store, Priority::Low, u1).await;
        assigned(&store, Priority::High, u2).await;
        // A closed ticket is no longer load.
        let done = assigned(&store, Priority::Urgent, u2).await;
        let outcome = Outcome {
            kind: OutcomeKind::Solved,
            summary: "已修复".into(),
            unresolved: None,
            reason: None,
            alternative: None,
        };
        for cmd in [Command::Acknowledge, Command::Resolve { outcome }, Command::Close { reason: CloseReason::Manual }]
        {
            store.change(done.id, |cur| Ok(vec![decide(cur, cmd.clone(), Actor::System, t0())?])).await.unwrap();
        }
        let mut load = store.open_load(&[u1, u2, UserId(12)]).await.unwrap();
        load.sort();
        assert_eq!(load, vec![(u1, Priority::Urgent, 1), (u1, Priority::Low, 2), (u2, Priority::High, 1)]);
        assert!(store.open_load(&[]).await.unwrap().is_empty());
    })
    .await;
}
