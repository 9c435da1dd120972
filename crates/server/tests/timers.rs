//! Timers survive a restart (SQLite file reopened by a new server instance), and two
//! server instances on one PostgreSQL — each with its own runtime, pool and job worker —
//! fire each of 10,000 SLA timers exactly once.

mod common;

use chrono::{TimeZone, Utc};
use common::t0;
use loopdesk_core::{Actor, Channel, Customer, EventData, Phone, Ticket, TicketId, Timestamp};
use loopdesk_server::clock::ManualClock;
use loopdesk_server::config::{Config, Secret};
use loopdesk_server::App;
use loopdesk_store::testing::{TestDatabase, POSTGRES_ENV};
use loopdesk_store::{Backend, IntakeRequest, JobState, Store, StoreOptions};
use std::sync::Arc;

fn config(url: &str, worker: bool) -> Config {
    let mut c = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        data: tempfile::tempdir().unwrap().keep(),
        database_url: Some(Secret::new(url.to_string())),
        ..Config::default()
    };
    c.jobs.worker = worker;
    c.jobs.max_idle_seconds = 1;
    c
}

fn request(i: usize) -> IntakeRequest {
    let customer = Customer { phone: Some(Phone::parse(&format!("139{:08}", i)).unwrap()), ..Customer::default() };
    let ticket = Ticket::draft(Channel::Web, format!("第{i}号反馈：积分兑换问题"), customer, t0(), t0());
    IntakeRequest { ticket, actor: Actor::Customer, idempotency: None, signature: None }
}

/// Records `n` medium tickets at t0 through `store` (which schedules their timers).
async fn intake(store: &Store, n: usize) -> Vec<TicketId> {
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut set = tokio::task::JoinSet::new();
        for &i in chunk {
            let s = store.clone();
            set.spawn(async move { s.intake(request(i)).await.unwrap().ticket.id });
        }
        while let Some(id) = set.join_next().await {
            ids.push(id.unwrap());
        }
    }
    ids
}

/// After the first-response breach of a medium ticket recorded at t0 (Wednesday 10:00
/// Shanghai), before the plan's warning (Wednesday 13:06).
fn after_breach() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 4, 2, 0, 0).unwrap()
}

/// (warnings, breaches, escalations) on a ticket's timeline.
async fn fired(store: &Store, id: TicketId) -> (usize, usize, usize) {
    let events = store.timeline(id).await.unwrap();
    let alert = |name: &str| {
        events
            .iter()
            .filter(|e| matches!(&e.data, EventData::SlaAlerted { alert, .. } if alert.as_str() == name))
            .count()
    };
    let escalated = events.iter().filter(|e| matches!(e.data, EventData::Escalated { .. })).count();
    (alert("warning"), alert("breach"), escalated)
}

#[tokio::test]
async fn a_restart_keeps_every_timer() {
    let db = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let clock = ManualClock::new(t0());
    let app = App::build(config(&db.url, false), Arc::new(clock.clone())).await.unwrap();
    let ids = intake(&app.state.store, 20).await;
    app.state.store.close().await;
    drop(app);

    clock.set(after_breach());
    let app = App::build(config(&db.url, false), Arc::new(clock.clone())).await.unwrap();
    assert!(app.state.run_due_jobs().await.unwrap() >= ids.len());
    for id in ids {
        assert_eq!(fired(&app.state.store, id).await, (1, 1, 1), "ticket {id:?}");
    }
}

/// Two server instances, each on its own thread and runtime, serving with their workers.
struct Node {
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

fn start_node(url: String, clock: ManualClock) -> Node {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let app = App::build(config(&url, true), Arc::new(clock)).await.unwrap();
            let store = app.state.store.clone();
            app.serve(async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
            store.close().await;
        });
    });
    Node { stop, thread }
}

#[tokio::test]
async fn two_servers_on_postgresql_fire_each_of_10000_timers_exactly_once() {
    if std::env::var(POSTGRES_ENV).is_ok_and(|v| v.is_empty()) || std::env::var(POSTGRES_ENV).is_err() {
        eprintln!("note: {POSTGRES_ENV} is not set; skipped");
        return;
    }
    let n = 10_000;
    let db = TestDatabase::create(Backend::Postgres).await.unwrap();
    let clock = ManualClock::new(t0());
    let seeder = App::build(config(&db.url, false), Arc::new(clock.clone())).await.unwrap();
    let ids = intake(&seeder.state.store, n).await;
    seeder.state.store.close().await;
    drop(seeder);

    clock.set(after_breach());
    let nodes = [start_node(db.url.clone(), clock.clone()), start_node(db.url.clone(), clock.clone())];
    let store = Store::connect(&db.url, StoreOptions::default()).await.unwrap();
    // Wait (real time: two workers are really running) until nothing is due or running.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    loop {
        let idle = store.next_run_at().await.unwrap().is_none_or(|t| t > after_breach())
            && store.jobs_of_kind("sla.check", JobState::Running, 1).await.unwrap().is_empty();
        if idle {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "timers still due after 10 minutes");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    for node in nodes {
        let _ = node.stop.send(());
        node.thread.join().unwrap();
    }
    let mut wrong = Vec::new();
    for id in &ids {
        let f = fired(&store, *id).await;
        if f != (1, 1, 1) {
            wrong.push((*id, f));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {n} tickets fired other than once: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
    store.close().await;
}
