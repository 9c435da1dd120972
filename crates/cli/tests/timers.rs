//! Two real `loopdesk serve` processes on one PostgreSQL database fire each of 10,000 SLA
//! timers exactly once. The tickets are recorded (through the server's own intake path and
//! SLA scheduler, on a manual clock) 30 days in the past, so every timer is due when the
//! two processes — on the system clock — start; the test then polls the database until
//! the timers are done (bounded) and checks that each ticket's timer was claimed and run
//! once, by one of the two processes, that both did part of the work, and that each
//! ticket's timeline holds each alert once. Skips with a message when
//! LOOPDESK_TEST_POSTGRES_URL is unset.

use loopdesk_app::{App, Config, ManualClock, Secret};
use loopdesk_core::{Actor, Channel, Customer, EventData, Phone, Ticket, TicketId, Timestamp};
use loopdesk_store::testing::{TestDatabase, POSTGRES_ENV};
use loopdesk_store::{Backend, IntakeRequest, JobState, NoEffects, Store};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const TIMERS: usize = 10_000;

async fn start(data: &Path, url: &str) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loopdesk"));
    cmd.arg("--data").arg(data).args(["serve", "--bind", "127.0.0.1:0"]);
    cmd.env("LOOPDESK_LOG", "warn").env("LOOPDESK_DATABASE_URL", url).env("LOOPDESK_JOBS__MAX_IDLE_SECONDS", "1");
    cmd.stdout(Stdio::piped()).kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn loopdesk");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    while let Some(line) = lines.next_line().await.expect("read stdout") {
        if line.starts_with("Loopdesk is listening on ") {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return child;
        }
    }
    panic!("server exited before listening");
}

fn request(i: usize, at: Timestamp) -> IntakeRequest {
    let customer = Customer { phone: Some(Phone::parse(&format!("139{i:08}")).unwrap()), ..Customer::default() };
    let ticket = Ticket::draft(Channel::Web, format!("第{i}号反馈：积分兑换问题"), customer, at, at);
    IntakeRequest::new(ticket, Actor::Customer)
}

/// Records the tickets through a server instance (its SLA scheduler writes each ticket's
/// `sla:<id>` timer in the intake transaction) on a manual clock 30 days ago, and runs
/// what is due then (routing), so that only the SLA timers are left for the processes.
async fn seed(url: &str, n: usize) -> Vec<TicketId> {
    let t0 = chrono::Utc::now() - chrono::Duration::days(30);
    let clock = ManualClock::new(t0);
    let data = tempfile::tempdir().unwrap();
    let mut config = Config {
        data: data.path().to_path_buf(),
        database_url: Some(Secret::new(url.to_string())),
        ..Config::default()
    };
    config.bind = "127.0.0.1:0".parse().unwrap();
    config.jobs.worker = false;
    let app = App::open(config, Arc::new(clock.clone())).await.unwrap();
    // The administrator exists before the processes start (neither has to create it).
    loopdesk_app::accounts::bootstrap_admin(&app).await.unwrap();
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut set = tokio::task::JoinSet::new();
        for &i in chunk {
            let s = app.store().clone();
            set.spawn(async move { s.intake(request(i, t0)).await.unwrap().ticket.id });
        }
        while let Some(id) = set.join_next().await {
            ids.push(id.unwrap());
        }
    }
    app.run_due_jobs().await.unwrap();
    app.close().await;
    ids
}

/// The process id in a worker name `host:pid:n`.
fn pid_of(worker: &str) -> Option<u32> {
    worker.rsplit(':').nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_postgresql_fire_each_of_10000_timers_exactly_once() {
    if std::env::var(POSTGRES_ENV).is_ok_and(|v| v.is_empty()) || std::env::var(POSTGRES_ENV).is_err() {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "{POSTGRES_ENV} is not set under CI");
        eprintln!("SKIPPED two_processes_on_postgresql…: {POSTGRES_ENV} is not set");
        return;
    }
    let db = TestDatabase::create(Backend::Postgres).await.unwrap();
    let ids = seed(&db.url, TIMERS).await;
    let store = db.store().await.unwrap();
    let due = store.jobs_of_kind("sla.check", JobState::Pending, TIMERS + 1).await.unwrap();
    assert_eq!(due.len(), TIMERS, "one pending timer per ticket");
    assert!(due.iter().all(|j| j.run_at < chrono::Utc::now()), "every timer is due");

    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = start(a_dir.path(), &db.url).await;
    let mut b = start(b_dir.path(), &db.url).await;
    let pids: HashSet<u32> = [a.id().unwrap(), b.id().unwrap()].into();

    // Poll the database (bounded) until every timer ran and nothing is claimed.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let done = store.jobs_of_kind("sla.check", JobState::Done, TIMERS + 1).await.unwrap().len();
        let running = store.jobs_of_kind("sla.check", JobState::Running, 1).await.unwrap().len();
        if done >= TIMERS && running == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "only {done} of {TIMERS} timers done after 10 minutes");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    a.start_kill().unwrap();
    b.start_kill().unwrap();
    a.wait().await.unwrap();
    b.wait().await.unwrap();

    // Each ticket's timer was claimed once (attempt 1), run by one of the two processes.
    let done = store.jobs_of_kind("sla.check", JobState::Done, TIMERS * 2).await.unwrap();
    assert_eq!(done.len(), TIMERS);
    assert!(store.jobs_of_kind("sla.check", JobState::Failed, 1).await.unwrap().is_empty());
    let keys: HashSet<&str> = done.iter().filter_map(|j| j.key.as_deref()).collect();
    assert_eq!(keys.len(), TIMERS, "one run per ticket's timer");
    assert!(done.iter().all(|j| j.attempts == 1), "a timer was claimed twice");
    let mut by_pid: HashMap<u32, usize> = HashMap::new();
    for j in &done {
        let pid = j.worker.as_deref().and_then(pid_of).expect("worker recorded");
        assert!(pids.contains(&pid), "timer run by an unknown worker {:?}", j.worker);
        *by_pid.entry(pid).or_default() += 1;
    }
    println!("timers run per process: {by_pid:?}");
    assert_eq!(by_pid.len(), 2, "both processes did part of the work: {by_pid:?}");

    // Each alert is on each ticket's timeline once; every breach escalated once.
    let mut wrong = Vec::new();
    for id in &ids {
        let events = store.timeline(*id).await.unwrap();
        let alerts: Vec<String> = events
            .iter()
            .filter_map(|e| match &e.data {
                EventData::SlaAlerted { target, alert, .. } => Some(format!("{}/{}", target.as_str(), alert.as_str())),
                _ => None,
            })
            .collect();
        let unique: HashSet<&String> = alerts.iter().collect();
        let breaches = alerts.iter().filter(|a| a.ends_with("/breach")).count();
        let escalated = events.iter().filter(|e| matches!(e.data, EventData::Escalated { .. })).count();
        if unique.len() != alerts.len() || breaches == 0 || escalated != breaches {
            wrong.push((*id, alerts, escalated));
        }
    }
    assert!(wrong.is_empty(), "{} tickets fired other than once: {:?}", wrong.len(), &wrong[..wrong.len().min(3)]);
    store.close().await;
}

#[tokio::test]
async fn demo_import_schedules_the_sla_timers_of_open_tickets() {
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_loopdesk"))
        .arg("--data")
        .arg(data.path())
        .args(["demo", "--tickets", "300"])
        .env("LOOPDESK_LOG", "warn")
        .env_remove("LOOPDESK_DATABASE_URL")
        .stdout(Stdio::null())
        .status()
        .await
        .expect("run loopdesk demo");
    assert!(status.success());
    let url = format!("sqlite://{}", data.path().join("loopdesk.db").display());
    let store = Store::connect(&url, loopdesk_store::StoreOptions::default(), Arc::new(NoEffects)).await.unwrap();
    // No `sla.recompute` ran: the import itself wrote each open ticket's timer.
    assert!(store.job_by_key("sla.recompute").await.unwrap().is_none());
    let timers = store.jobs_of_kind("sla.check", JobState::Pending, 1000).await.unwrap();
    assert!(!timers.is_empty(), "the demo's open tickets have SLA timers");
    for j in &timers {
        let id = TicketId(j.payload["ticket_id"].as_i64().unwrap());
        assert!(store.ticket(id).await.unwrap().state.is_open(), "timer of a closed ticket {id:?}");
        assert_eq!(j.key.as_deref(), Some(format!("sla:{}", id.0).as_str()));
    }
    store.close().await;
}
