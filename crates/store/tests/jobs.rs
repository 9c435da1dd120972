//! The job queue's conformance suite, on SQLite and (when LOOPDESK_TEST_POSTGRES_URL is set)
//! PostgreSQL: dedup, due order, leases, retries, and exactly-once claims across stores.

use chrono::{Duration, TimeZone, Utc};
use loopdesk_core::event::{decide, Command};
use loopdesk_core::{
    Actor, Channel, Customer, Event, EventData, Phone, State, Ticket, TicketId, Timestamp, TrackingNo, UserId,
};
use loopdesk_store::testing::{each_backend, each_backend_with};
use loopdesk_store::{
    Change, Decision, Effects, IntakeRequest, JobOp, JobState, NewJob, NoEffects, Owed, Store, StoreOptions,
};
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap()
}

fn job(kind: &str, key: Option<&str>, n: i64, at: Timestamp) -> NewJob {
    NewJob { kind: kind.into(), key: key.map(String::from), payload: json!({ "n": n }), run_at: at, origin: None }
}

#[tokio::test]
async fn a_key_holds_one_pending_job_and_enqueueing_it_again_reschedules() {
    each_backend(|store, _| async move {
        store.enqueue(job("sla.check", Some("sla:1"), 1, t0() + Duration::hours(2))).await.unwrap();
        store.enqueue(job("sla.check", Some("sla:1"), 2, t0() + Duration::hours(1))).await.unwrap();
        store.enqueue(job("notify.staff", None, 3, t0() + Duration::hours(3))).await.unwrap();
        let pending = store.jobs_of_kind("sla.check", JobState::Pending, 10).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].payload, json!({ "n": 2 }));
        assert_eq!(store.next_run_at().await.unwrap(), Some(t0() + Duration::hours(1)));
        assert!(store.cancel_job("sla:1").await.unwrap());
        assert!(!store.cancel_job("sla:1").await.unwrap());
        assert_eq!(store.next_run_at().await.unwrap(), Some(t0() + Duration::hours(3)));
    })
    .await;
}

#[tokio::test]
async fn claims_take_only_due_jobs_in_due_order_and_each_once() {
    each_backend(|store, _| async move {
        for i in 0..5 {
            store.enqueue(job("k", None, i, t0() + Duration::minutes(10 - i))).await.unwrap();
        }
        let lease = Duration::minutes(5);
        assert!(store.claim_due(t0(), 10, "w1", lease).await.unwrap().is_empty());
        let now = t0() + Duration::minutes(8);
        let first = store.claim_due(now, 2, "w1", lease).await.unwrap();
        let mut got: Vec<i64> = first.iter().map(|j| j.payload["n"].as_i64().unwrap()).collect();
        got.sort();
        assert_eq!(got, vec![3, 4], "the two earliest");
        let second = store.claim_due(now, 10, "w2", lease).await.unwrap();
        assert_eq!(second.len(), 1, "only job 2 is still due and unclaimed");
        assert_eq!(second[0].payload["n"], 2);
        assert_eq!(second[0].attempts, 1);
        assert_eq!(second[0].state, JobState::Running);
        for j in first.iter().chain(&second) {
            store.complete(j.id).await.unwrap();
        }
        assert_eq!(store.next_run_at().await.unwrap(), Some(t0() + Duration::minutes(9)));
        assert_eq!(store.purge_done_jobs(now + Duration::hours(1), 100).await.unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_crashed_workers_lease_runs_out_and_the_job_is_claimed_again() {
    each_backend(|store, _| async move {
        store.enqueue(job("k", Some("x"), 1, t0())).await.unwrap();
        let lease = Duration::minutes(5);
        let claimed = store.claim_due(t0(), 10, "crashed", lease).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(store.next_run_at().await.unwrap(), Some(t0() + lease), "the lease end is the next look");
        assert!(store.claim_due(t0() + Duration::minutes(4), 10, "w2", lease).await.unwrap().is_empty());
        let again = store.claim_due(t0() + lease, 10, "w2", lease).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id, claimed[0].id);
        assert_eq!(again[0].attempts, 2);
    })
    .await;
}

#[tokio::test]
async fn retry_puts_a_job_back_with_its_error_and_fail_keeps_it() {
    each_backend(|store, _| async move {
        store.enqueue(job("k", Some("r"), 1, t0())).await.unwrap();
        let lease = Duration::minutes(5);
        let j = store.claim_due(t0(), 1, "w", lease).await.unwrap().remove(0);
        store.retry(j.id, "smtp down", t0() + Duration::minutes(1)).await.unwrap();
        let back = store.job_by_key("r").await.unwrap().unwrap();
        assert_eq!(back.state, JobState::Pending);
        assert_eq!(back.last_error.as_deref(), Some("smtp down"));
        assert_eq!(back.run_at, t0() + Duration::minutes(1));
        let j = store.claim_due(t0() + Duration::minutes(1), 1, "w", lease).await.unwrap().remove(0);
        // A newer job with the same key arrived while this one ran: the retry yields to it.
        store.enqueue(job("k", Some("r"), 2, t0() + Duration::minutes(3))).await.unwrap();
        store.retry(j.id, "again", t0() + Duration::minutes(2)).await.unwrap();
        let pending = store.jobs_of_kind("k", JobState::Pending, 10).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].payload["n"], 2);
        let j = store.claim_due(t0() + Duration::minutes(3), 1, "w", lease).await.unwrap().remove(0);
        store.fail(j.id, "bad payload").await.unwrap();
        let failed = store.jobs_of_kind("k", JobState::Failed, 10).await.unwrap();
        assert_eq!(failed.len(), 2);
        assert_eq!(store.next_run_at().await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn concurrent_claimers_on_separate_connections_get_each_job_exactly_once() {
    each_backend(|store, url| async move {
        let n = 2000;
        let ops: Vec<JobOp> = (0..n)
            .map(|i| JobOp::Enqueue(job("k", Some(&format!("j{i}")), i, t0() + Duration::seconds(i % 7))))
            .collect();
        store.enqueue_all(&ops).await.unwrap();
        let mut handles = Vec::new();
        for w in 0..4 {
            let other = Store::connect(&url, StoreOptions::default(), Arc::new(NoEffects)).await.unwrap();
            handles.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                let worker = format!("w{w}");
                loop {
                    let batch = other.claim_due(t0() + Duration::minutes(1), 50, &worker, Duration::minutes(5));
                    let batch = batch.await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    for j in batch {
                        other.complete(j.id).await.unwrap();
                        mine.push(j.payload["n"].as_i64().unwrap());
                    }
                }
            }));
        }
        let mut seen = HashSet::new();
        let mut total = 0;
        for h in handles {
            for n in h.await.unwrap() {
                total += 1;
                assert!(seen.insert(n), "job {n} claimed twice");
            }
        }
        assert_eq!(total, n);
    })
    .await;
}

/// Schedules one `timer` job per ticket at its last event + 1 h, cancelled once closed;
/// a new ticket that is still new also owes a `route` job.
struct TimerHook;

fn timer(ticket: &Ticket, timeline: &[Event]) -> JobOp {
    let key = format!("timer:{}", ticket.id.0);
    match timeline.last() {
        Some(e) if ticket.state.is_open() => JobOp::Enqueue(NewJob::keyed(
            "timer",
            key,
            json!({ "ticket_id": ticket.id.0, "events": timeline.len() }),
            e.at + Duration::hours(1),
        )),
        _ => JobOp::Cancel { key },
    }
}

impl Effects for TimerHook {
    fn owed(&self, c: &Change<'_>) -> Owed {
        let mut jobs = vec![timer(c.after, c.timeline)];
        if c.before.is_none() && c.after.state == State::New {
            let payload = json!({ "ticket_id": c.after.id.0 });
            jobs.push(JobOp::Enqueue(NewJob::keyed(
                "route",
                format!("route:{}", c.after.id.0),
                payload,
                c.after.recorded_at,
            )));
        }
        Owed { jobs, ..Owed::default() }
    }

    fn imported(&self, ticket: &Ticket, timeline: &[Event]) -> Owed {
        Owed { jobs: vec![timer(ticket, timeline)], ..Owed::default() }
    }
}

#[tokio::test]
async fn intake_and_changes_write_the_jobs_they_owe_in_their_transaction() {
    each_backend_with(Arc::new(TimerHook), |store, _| async move {
        let customer = Customer { phone: Some(Phone::parse("13800138000").unwrap()), ..Customer::default() };
        let draft = Ticket::draft(Channel::Web, "App 闪退".into(), customer, t0(), t0());
        let t = store.intake(IntakeRequest::new(draft, Actor::Customer)).await.unwrap().ticket;
        let key = format!("timer:{}", t.id.0);
        let j = store.job_by_key(&key).await.unwrap().expect("intake scheduled the timer");
        assert_eq!((j.run_at, j.payload["events"].as_i64()), (t0() + Duration::hours(1), Some(1)));

        let agent = Actor::User { id: UserId(1), name: "a".into() };
        let later = t0() + Duration::minutes(30);
        let (_, events) = store
            .change_with(t.id, |cur| {
                let events = vec![decide(cur, Command::Note { body: "看一下".into() }, agent.clone(), later)?];
                let jobs = vec![JobOp::Enqueue(job("notify.staff", Some("notify:x"), 9, later))];
                Ok(Decision { events, owed: Owed { jobs, ..Owed::default() } })
            })
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
        let j = store.job_by_key(&key).await.unwrap().unwrap();
        assert_eq!((j.run_at, j.payload["events"].as_i64()), (later + Duration::hours(1), Some(2)));
        assert_eq!(
            store.jobs_of_kind("timer", JobState::Pending, 10).await.unwrap().len(),
            1,
            "rescheduled, not added"
        );
        assert!(store.job_by_key("notify:x").await.unwrap().is_some());
    })
    .await;
}

fn draft(text: &str, phone: &str) -> Ticket {
    let customer = Customer { phone: Some(Phone::parse(phone).unwrap()), ..Customer::default() };
    Ticket::draft(Channel::Web, text.into(), customer, t0(), t0())
}

#[tokio::test]
async fn an_intake_and_its_follow_up_are_one_transaction_that_owes_what_the_final_ticket_owes() {
    each_backend_with(Arc::new(TimerHook), |store, _| async move {
        let routed = store.intake(IntakeRequest::new(draft("App 闪退", "13800138000"), Actor::Customer)).await.unwrap();
        let mut spam = IntakeRequest::new(draft("加微信领红包", "13800138001"), Actor::Customer);
        spam.then = vec![Command::Reject { reason: "automatic moderation: ad".into() }];
        let held = store.intake(spam).await.unwrap().ticket;
        let j = store
            .job_by_key(&format!("route:{}", routed.ticket.id.0))
            .await
            .unwrap()
            .expect("routing job with the ticket");
        assert_eq!((j.kind.as_str(), j.run_at), ("route", t0()));
        // Recorded and rejected together: never routed, no timer, both events on its timeline.
        assert_eq!(held.state, State::Rejected);
        assert_eq!(store.timeline(held.id).await.unwrap().len(), 2);
        assert!(store.job_by_key(&format!("route:{}", held.id.0)).await.unwrap().is_none());
        assert!(store.job_by_key(&format!("timer:{}", held.id.0)).await.unwrap().is_none());
        assert!(store.job_by_key(&format!("timer:{}", routed.ticket.id.0)).await.unwrap().is_some());
    })
    .await;
}

#[tokio::test]
async fn import_schedules_each_tickets_timers_in_its_transaction() {
    each_backend_with(Arc::new(TimerHook), |store, _| async move {
        let ids = store.reserve_ticket_ids(2).await.unwrap();
        let batch: Vec<(Ticket, Vec<Event>)> = ids
            .iter()
            .map(|&id| {
                let mut t = draft("导入的历史反馈", "13800138002");
                t.id = TicketId(id);
                t.tracking_no = TrackingNo::new(t.id, t.received_at);
                let mut initial = t.clone();
                initial.version = 0;
                let created = Event {
                    ticket_id: t.id,
                    seq: 0,
                    at: t.recorded_at,
                    actor: Actor::Customer,
                    state_before: None,
                    state_after: State::New,
                    data: EventData::Created { ticket: Box::new(initial) },
                };
                t.state = State::New;
                t.version = 1;
                (t, vec![created])
            })
            .collect();
        store.import(&batch).await.unwrap();
        for id in ids {
            let j = store.job_by_key(&format!("timer:{id}")).await.unwrap().expect("import scheduled the timer");
            assert_eq!((j.run_at, j.state), (t0() + Duration::hours(1), JobState::Pending));
            // Imported history is not new work: no routing job.
            assert!(store.job_by_key(&format!("route:{id}")).await.unwrap().is_none());
        }
    })
    .await;
}
