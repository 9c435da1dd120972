//! Property test (issue 16 §8): random ticket histories written through the store on
//! SQLite and (with LOOPDESK_TEST_POSTGRES_URL) PostgreSQL; every figure the report rollups
//! give — for periods before, across and after the history, every filter, by period, by
//! hour and by day — equals the core's computation straight from the tickets, and both
//! backends give the same figures. Few cases (each makes a database per backend).

use chrono::Duration;
use loopdesk_core::event::{decide, CloseReason, Command};
use loopdesk_core::report::fact::hour_of;
use loopdesk_core::report::{self, Filter, Measure};
use loopdesk_core::ticket::{OutcomeKind, Rating};
use loopdesk_core::{
    Actor, Channel, Customer, CustomerTier, DepartmentId, Outcome, Priority, Satisfaction, Ticket, UserId,
};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{Buckets, IntakeRequest, Store};
use proptest::prelude::*;
use std::sync::Arc;

mod report_common;
use report_common::{check_between, t0, ResultHook};

/// One step of a history; a step the ticket's state refuses is skipped, as staff would.
#[derive(Debug, Clone)]
enum Step {
    Assign(i64, i64),
    Acknowledge,
    Recategorize(usize),
    Reply,
    Resolve,
    Survey(usize, Option<u8>),
    Close,
    Reopen,
    Reject,
    Reprioritize(usize),
    Escalate,
    /// The customer looks the ticket up by its tracking number (no change to it).
    Track,
}

/// A ticket: channel, priority, tier, product, recorded at (minutes after `t0`), received
/// that many minutes before, and its steps, each some minutes after the one before.
#[derive(Debug, Clone)]
struct Spec {
    channel: usize,
    priority: usize,
    tier: usize,
    product: usize,
    at: i64,
    lag: i64,
    steps: Vec<(i64, Step)>,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1i64..3, 7i64..10).prop_map(|(d, a)| Step::Assign(d, a)),
        Just(Step::Acknowledge),
        (0..3usize).prop_map(Step::Recategorize),
        Just(Step::Reply),
        Just(Step::Resolve),
        (0..3usize, proptest::option::of(1u8..=5)).prop_map(|(r, s)| Step::Survey(r, s)),
        Just(Step::Close),
        Just(Step::Reopen),
        Just(Step::Reject),
        (0..4usize).prop_map(Step::Reprioritize),
        Just(Step::Escalate),
        Just(Step::Track),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let steps = proptest::collection::vec((1i64..600, step()), 0..8);
    (0..4usize, 0..4usize, 0..3usize, 0..3usize, 0i64..3 * 24 * 60, 0i64..60, steps).prop_map(
        |(channel, priority, tier, product, at, lag, steps)| Spec { channel, priority, tier, product, at, lag, steps },
    )
}

fn command(step: &Step, at: chrono::DateTime<chrono::Utc>) -> Command {
    let outcome = || Outcome {
        kind: OutcomeKind::Solved,
        summary: "已处理".into(),
        unresolved: None,
        reason: None,
        alternative: None,
    };
    match step {
        Step::Assign(d, a) => {
            Command::Assign { department_id: Some(DepartmentId(*d)), assignee_id: Some(UserId(*a)), reason: None }
        }
        Step::Acknowledge => Command::Acknowledge,
        Step::Recategorize(c) => Command::Recategorize {
            category: Some(["payment", "logistics", "technical"][*c].into()),
            subtags: vec![["外观", "性能", "软件"][*c].into()],
        },
        Step::Reply => Command::Reply { body: "已收到".into(), files: Vec::new() },
        Step::Resolve => Command::Resolve { outcome: outcome() },
        Step::Survey(r, score) => Command::AnswerSurvey {
            satisfaction: Satisfaction {
                rating: [Rating::Satisfied, Rating::Neutral, Rating::Unsatisfied][*r],
                score: *score,
                comment: None,
                answered_at: at,
            },
        },
        Step::Close => Command::Close { reason: CloseReason::Manual },
        Step::Reopen => Command::Reopen { reason: "客户不满意".into() },
        Step::Reject => Command::Reject { reason: "spam".into() },
        Step::Reprioritize(p) => Command::Reprioritize { priority: Priority::ALL[*p], reason: "复核".into() },
        Step::Escalate => Command::Escalate { reason: "超时".into(), to: None },
        Step::Track => unreachable!("a look-up is no command"),
    }
}

/// Writes the histories through `store` and returns the tickets as they end, and the
/// look-ups each with what it contributes (the ticket's key then).
async fn write(store: &Store, specs: &[Spec]) -> (Vec<Ticket>, Vec<report::Fact>) {
    let mut lookups = Vec::new();
    let agent = Actor::User { id: UserId(7), name: "agent".into() };
    let mut ids = Vec::new();
    for s in specs {
        let recorded = t0() + Duration::minutes(s.at);
        let customer = Customer { name: Some("陈晨".into()), tier: CustomerTier::ALL[s.tier], ..Customer::default() };
        let channel = [Channel::Web, Channel::Email, Channel::Phone, Channel::Wechat][s.channel];
        let mut t = Ticket::draft(channel, "反馈".into(), customer, recorded - Duration::minutes(s.lag), recorded);
        t.priority = Priority::ALL[s.priority];
        t.product.product = ["洗衣机", "X1", ""][s.product].to_string().into();
        let id = store.intake(IntakeRequest::new(t, Actor::Customer)).await.unwrap().ticket.id;
        let mut at = recorded;
        for (after, step) in &s.steps {
            at += Duration::minutes(*after);
            if let Step::Track = step {
                let now = store.ticket(id).await.unwrap();
                store.record_tracking_lookup(&now, at).await.unwrap();
                let (hour, key, counts) = report::fact::lookup(&now, at);
                lookups.push(report::Fact { hour, key, counts });
                continue;
            }
            if matches!(step, Step::Survey(..)) {
                let send = Command::SendSurvey { expires_at: at + Duration::days(20) };
                let _ = store.change(id, |t| Ok(vec![decide(t, send.clone(), agent.clone(), at)?])).await;
            }
            let cmd = command(step, at);
            // A step the state refuses is skipped: the history is whatever was allowed.
            let _ = store.change(id, |t| Ok(vec![decide(t, cmd.clone(), agent.clone(), at)?])).await;
        }
        ids.push(id);
    }
    (store.tickets_by_id(&ids).await.unwrap(), lookups)
}

/// Every figure across priorities and per priority over the whole history, to compare the
/// backends (SLA results included).
async fn all_figures(store: &Store) -> Vec<Option<f64>> {
    let (from, to) = (t0() - Duration::days(1), t0() + Duration::days(30));
    let rows = store.report_rows(from, to, &Filter::default(), &[], Buckets::Period).await.unwrap();
    let f = report::figures(&rows);
    let priorities = std::iter::once(None).chain(Priority::ALL.iter().map(|p| Some(*p)));
    priorities.flat_map(|p| Measure::ALL.iter().map(move |m| (*m, p))).map(|(m, p)| f.value(m, p, None)).collect()
}

async fn check(specs: Vec<Spec>, periods: Vec<(i64, i64)>) {
    let mut per_backend = Vec::new();
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.expect("create test database");
        let store = db.store_with(Arc::new(ResultHook)).await.expect("connect and migrate");
        let (tickets, lookups) = write(&store, &specs).await;
        let start = hour_of(t0());
        for (a, len) in &periods {
            check_between(&store, &tickets, &lookups, start + a, start + a + len).await;
        }
        per_backend.push(all_figures(&store).await);
        store.close().await;
    }
    assert!(per_backend.windows(2).all(|w| w[0] == w[1]), "the backends agree: {per_backend:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 16, ..ProptestConfig::default() })]

    #[test]
    fn rollups_equal_the_direct_computation_on_every_backend(
        specs in proptest::collection::vec(spec(), 1..14),
        periods in proptest::collection::vec((-30i64..100, 1i64..120), 1..3),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(check(specs, periods));
    }
}
