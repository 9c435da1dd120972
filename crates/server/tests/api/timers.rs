//! Timers survive a restart (SQLite file reopened by a new server instance). Two real
//! server processes on one PostgreSQL firing each of 10,000 timers exactly once is
//! crates/cli/tests/timers.rs.

use crate::common;

use chrono::{TimeZone, Utc};
use common::t0;
use loopdesk_app::ManualClock;
use loopdesk_app::{Config, Secret};
use loopdesk_core::{Actor, Channel, Customer, EventData, Phone, Ticket, TicketId, Timestamp};
use loopdesk_server::Server;
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{Backend, IntakeRequest, Store};
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
    IntakeRequest::new(ticket, Actor::Customer)
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
    let app = Server::build(config(&db.url, false), Arc::new(clock.clone())).await.unwrap();
    let ids = intake(app.state.app.store(), 20).await;
    app.state.app.store().close().await;
    drop(app);

    clock.set(after_breach());
    let app = Server::build(config(&db.url, false), Arc::new(clock.clone())).await.unwrap();
    assert!(app.state.run_due_jobs().await.unwrap() >= ids.len());
    for id in ids {
        assert_eq!(fired(app.state.app.store(), id).await, (1, 1, 1), "ticket {id:?}");
    }
}
