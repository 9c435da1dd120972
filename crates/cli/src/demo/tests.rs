//! The demo generator against a real store: temporary SQLite, and PostgreSQL when configured.

use super::catalog::CATEGORIES;
use super::{run, DemoOptions};
use chrono::TimeZone;
use loopdesk_core::event::replay;
use loopdesk_core::{Channel, Priority, State, Ticket, TicketId, Timestamp};
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::{Backend, Store};
use std::collections::HashSet;

const N: usize = 300;

fn now() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap()
}

async fn all_tickets(store: &Store, n: usize) -> Vec<Ticket> {
    let mut out = Vec::with_capacity(n);
    for id in 1..=n as i64 {
        out.push(store.ticket(TicketId(id)).await.unwrap());
    }
    out
}

#[tokio::test]
async fn generates_every_state_channel_priority_and_category() {
    for backend in TestDatabase::backends() {
        let db = TestDatabase::create(backend).await.unwrap();
        let store = db.store().await.unwrap();
        generates_everything(&store).await;
    }
}

async fn generates_everything(store: &Store) {
    let options = DemoOptions { tickets: N, seed: 7 };
    let report = run(store, options, now()).await.unwrap();
    assert_eq!(report.tickets, N);
    assert!(report.to_string().contains("loopdesk-demo"));

    let counts = store.count_by_state(&Default::default()).await.unwrap();
    assert_eq!(counts.total, N as i64);
    assert_eq!(counts.by_state.values().sum::<i64>(), N as i64);

    let tickets = all_tickets(store, N).await;
    let states: HashSet<State> = tickets.iter().map(|t| t.state).collect();
    let channels: HashSet<Channel> = tickets.iter().map(|t| t.channel).collect();
    let priorities: HashSet<Priority> = tickets.iter().map(|t| t.priority).collect();
    let categories: HashSet<&str> = tickets.iter().filter_map(|t| t.category.as_deref()).collect();
    assert_eq!(states.len(), State::ALL.len(), "{states:?}");
    assert_eq!(channels.len(), Channel::ALL.len(), "{channels:?}");
    assert_eq!(priorities.len(), Priority::ALL.len(), "{priorities:?}");
    for c in CATEGORIES {
        assert!(categories.contains(c.id), "no ticket in {}", c.id);
    }
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let english = tickets.iter().filter(|t| !t.content.chars().any(cjk)).count();
    assert!(english > N / 10 && english < N / 2, "{english} English tickets");
    assert!(tickets.iter().all(|t| !t.priority_reasons.is_empty()));
    for t in &tickets {
        let timeline = store.timeline(t.id).await.unwrap();
        assert_eq!(&replay(&timeline).unwrap(), t, "ticket {}", t.id);
    }
    assert!(tickets.iter().all(|t| t.updated_at <= now() && t.recorded_at >= t.received_at));

    // Reports of one problem share a cluster named after an earlier ticket of it, so the
    // dashboard has top problems to show.
    let joined: Vec<(TicketId, i64)> =
        tickets.iter().filter_map(|t| t.triage.as_ref()?.cluster_id.map(|c| (t.id, c))).collect();
    assert!(joined.len() >= N / 50, "{} of {N} joined a cluster", joined.len());
    for (id, cluster) in &joined {
        let first = tickets.iter().find(|t| t.id.0 == *cluster).unwrap();
        assert!(first.triage.as_ref().is_some_and(|x| x.cluster_id.is_none()), "{cluster} started its cluster");
        assert!(first.id < *id && first.category == tickets[(id.0 - 1) as usize].category);
    }
    let d = store.dashboard(now() - chrono::Duration::days(400), now()).await.unwrap();
    assert!(!d.top_problems.is_empty(), "the demo has top problems");

    // The report rollups are kept by the import: the report counts every ticket, and each
    // state-derived share as the tickets say.
    let filter = loopdesk_core::report::Filter::default();
    let rows = store
        .report_rows(now() - chrono::Duration::days(400), now(), &filter, &[], loopdesk_store::Buckets::Period)
        .await
        .unwrap();
    let f = loopdesk_core::report::figures(&rows);
    use loopdesk_core::report::Measure;
    assert_eq!(f.value(Measure::Volume, None, None), Some(N as f64));
    let rejected = tickets.iter().filter(|t| t.state == State::Rejected).count();
    assert_eq!(f.value(Measure::SpamShare, None, None), Some(rejected as f64 / N as f64));
    let reopened = tickets.iter().filter(|t| t.reopened).count();
    assert_eq!(f.value(Measure::ReopenRate, None, None), Some(reopened as f64 / N as f64));
}

#[tokio::test]
async fn timelines_are_ordered_and_merges_point_back_to_the_same_customer() {
    let db = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let store = db.store().await.unwrap();
    let options = DemoOptions { tickets: 400, seed: 3 };
    run(&store, options, now()).await.unwrap();
    let mut merged = 0;
    for id in 1..=400 {
        let ticket = store.ticket(TicketId(id)).await.unwrap();
        let timeline = store.timeline(TicketId(id)).await.unwrap();
        let ordered = timeline.windows(2).all(|w| w[0].at <= w[1].at);
        assert!(ordered, "ticket {id} out of order");
        assert!(timeline.iter().all(|e| e.at <= now()));
        if let Some(into) = ticket.merged_into {
            let original = store.ticket(into).await.unwrap();
            assert!(into < ticket.id);
            assert_eq!(original.customer, ticket.customer);
            assert!(original.received_at <= ticket.received_at);
            merged += 1;
        }
    }
    assert!(merged > 0);
}

#[tokio::test]
async fn a_second_run_reuses_staff_and_the_same_seed_gives_the_same_text() {
    let db = TestDatabase::create(Backend::Sqlite).await.unwrap();
    let store = db.store().await.unwrap();
    let first = run(&store, DemoOptions { tickets: 30, seed: 11 }, now()).await.unwrap();
    let users = store.users().await.unwrap().len();
    let second = run(&store, DemoOptions { tickets: 30, seed: 11 }, now()).await.unwrap();
    assert_eq!(first.accounts_created, users);
    assert_eq!(second.accounts_created, 0);
    assert_eq!(store.users().await.unwrap().len(), users);
    assert_eq!(store.departments().await.unwrap().len(), 6);
    let a = store.ticket(TicketId(5)).await.unwrap();
    let b = store.ticket(TicketId(35)).await.unwrap();
    assert_eq!(a.content, b.content);
    assert_eq!(a.state, b.state);
}
