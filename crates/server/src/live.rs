//! Live updates for open console pages: `GET /api/v1/live` is a server-sent event stream
//! that says which ticket changed and how (`{"ticket_id":…,"kind":"replied","version":…}`),
//! only for tickets the caller may see, nothing personal.
//!
//! One tailer task per node reads the store's live feed (written in each change's own
//! transaction, so every node hears changes made on any node) with one query per interval,
//! whoever is listening, and fans the rows out to this node's streams. It sleeps when
//! nobody listens. PostgreSQL may commit feed rows out of id order, so the tailer re-reads a
//! small window below its newest id and skips rows it already sent.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use loopdesk_core::access::{Permission, Principal};
use loopdesk_core::UserId;
use loopdesk_store::LiveChange;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// Settings of live updates (`[live]` in the config file).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct LiveConfig {
    /// Milliseconds between reads of the live feed while someone listens.
    pub poll_ms: u64,
    /// Open streams one user may hold (tabs, windows); more are refused with 429.
    pub max_streams_per_user: usize,
    /// Seconds between keep-alive comments on an idle stream.
    pub keep_alive_seconds: u64,
    /// Seconds after which a stream ends (the browser reconnects and is authenticated again,
    /// so a deactivated user or an ended session stops hearing changes).
    pub max_stream_seconds: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        LiveConfig { poll_ms: 1000, max_streams_per_user: 5, keep_alive_seconds: 15, max_stream_seconds: 600 }
    }
}

/// Feed rows re-read below the newest id, for rows committed late on PostgreSQL.
const WINDOW: i64 = 128;
/// Feed rows read per query.
const BATCH: usize = 500;
/// How long feed rows are kept.
const RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// This node's listeners.
pub struct LiveHub {
    tx: broadcast::Sender<Arc<LiveChange>>,
    streams: Mutex<HashMap<UserId, usize>>,
    max_per_user: usize,
    /// The feed's head when the first stream opened, for the tailer to start from: a change
    /// made after a stream said `ready` is never taken for one made before.
    start: Mutex<Option<i64>>,
}

impl LiveHub {
    /// A hub allowing `max_per_user` streams per user.
    pub fn new(max_per_user: usize) -> LiveHub {
        LiveHub { tx: broadcast::channel(1024).0, streams: Mutex::default(), max_per_user, start: Mutex::default() }
    }

    /// Open streams on this node.
    pub fn listeners(&self) -> usize {
        self.tx.receiver_count()
    }

    fn open(self: &Arc<Self>, user: UserId) -> Result<(broadcast::Receiver<Arc<LiveChange>>, Slot), ApiError> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let n = streams.entry(user).or_default();
        if *n >= self.max_per_user {
            return Err(ApiError::TooManyRequests { retry_after: 30 });
        }
        *n += 1;
        Ok((self.tx.subscribe(), Slot { hub: self.clone(), user }))
    }

    /// Offers the feed's head as the tailer's starting point (the lowest offer wins).
    fn offer_start(&self, head: i64) {
        let mut start = self.start.lock().unwrap_or_else(|e| e.into_inner());
        *start = Some(start.map_or(head, |s| s.min(head)));
    }

    fn take_start(&self) -> Option<i64> {
        self.start.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// A user's place among the open streams, given back when the stream ends.
struct Slot {
    hub: Arc<LiveHub>,
    user: UserId,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut streams = self.hub.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = streams.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                streams.remove(&self.user);
            }
        }
    }
}

/// Whether `p` may hear about the change (the same rule as seeing the ticket).
fn may_hear(p: &Principal, c: &LiveChange) -> bool {
    p.can_see_owned(c.department_id, c.assignee_id, &c.collaborators)
}

/// `GET /api/v1/live`: the stream of changes to tickets the caller may see.
pub async fn stream(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let principal = auth.require(Permission::Read)?.clone();
    let (rx, slot) = state.live.open(principal.user_id)?;
    state.live.offer_start(state.store.live_head().await?);
    let cfg = &state.config.live;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(cfg.max_stream_seconds.max(1));
    let hello = Event::default().event("ready").data("{}");
    let events = futures::stream::unfold(
        (rx, principal, slot, Some(hello)),
        move |(mut rx, principal, slot, first)| async move {
            if let Some(ev) = first {
                return Some((Ok(ev), (rx, principal, slot, None)));
            }
            loop {
                let next = tokio::time::timeout_at(deadline, rx.recv()).await;
                let ev = match next {
                    Err(_) | Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                    // This stream fell behind: the page reloads what it shows.
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => Event::default().event("resync").data("{}"),
                    Ok(Ok(change)) if may_hear(&principal, &change) => {
                        let data = serde_json::to_string(&*change).unwrap_or_else(|_| "{}".into());
                        Event::default().event("ticket").id(change.id.to_string()).data(data)
                    }
                    Ok(Ok(_)) => continue,
                };
                return Some((Ok(ev), (rx, principal, slot, None)));
            }
        },
    );
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(cfg.keep_alive_seconds.max(1)))))
}

/// Tails the live feed until `stop` turns true; one per node.
pub async fn tail(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let interval = Duration::from_millis(state.config.live.poll_ms.max(10));
    let mut cursor: Option<i64> = None;
    let mut sent: BTreeSet<i64> = BTreeSet::new();
    let mut last_purge = std::time::Instant::now() - Duration::from_secs(3600);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        if state.live.listeners() == 0 {
            // Nobody listens: start from the head when someone does.
            cursor = None;
            sent.clear();
            state.live.take_start();
            continue;
        }
        if let Err(e) = poll(&state, &mut cursor, &mut sent).await {
            tracing::warn!(error = %e, "reading the live feed failed");
        }
        if last_purge.elapsed() > Duration::from_secs(300) {
            last_purge = std::time::Instant::now();
            // Every node may purge: the delete is idempotent and cheap on the `at` index.
            if let Err(e) = state.store.purge_live_changes(state.now() - RETENTION).await {
                tracing::warn!(error = %e, "purging the live feed failed");
            }
        }
    }
}

/// One read of the feed: sends the rows not sent yet.
async fn poll(state: &AppState, cursor: &mut Option<i64>, sent: &mut BTreeSet<i64>) -> Result<(), ApiError> {
    let head = match *cursor {
        Some(h) => h,
        None => {
            let h = match state.live.take_start() {
                Some(h) => h,
                None => state.store.live_head().await?,
            };
            *cursor = Some(h);
            // Rows up to the head happened before anyone listened.
            sent.extend((h - WINDOW).max(0) + 1..=h);
            return Ok(());
        }
    };
    let rows = state.store.live_changes_after((head - WINDOW).max(0), BATCH).await?;
    let mut newest = head;
    for row in rows {
        newest = newest.max(row.id);
        if sent.insert(row.id) {
            let _ = state.live.tx.send(Arc::new(row));
        }
    }
    *cursor = Some(newest);
    let floor = newest - WINDOW;
    *sent = sent.split_off(&floor);
    Ok(())
}
