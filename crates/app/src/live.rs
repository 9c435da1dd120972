//! Live updates for open console pages: which ticket changed and how
//! (`{"ticket_id":…,"kind":"replied","version":…}`), only for tickets the listener may see,
//! nothing personal. The server streams them as server-sent events.
//!
//! One tailer task per node reads the store's live feed (written in each change's own
//! transaction, so every node hears changes made on any node) with one query per interval,
//! whoever is listening, and fans the rows out to this node's streams. It sleeps when
//! nobody listens. PostgreSQL may commit feed rows out of id order, so the tailer re-reads a
//! small window below its newest id and skips rows it already sent.

use crate::error::AppError;
use crate::App;
use loopdesk_core::access::Principal;
use loopdesk_core::UserId;
use loopdesk_store::LiveChange;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
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

    /// Opens a stream for `user`: the changes to come and the place it holds (given back
    /// when dropped); refused when the user holds too many.
    pub fn open(self: &Arc<Self>, user: UserId) -> Result<(broadcast::Receiver<Arc<LiveChange>>, Slot), AppError> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let n = streams.entry(user).or_default();
        if *n >= self.max_per_user {
            return Err(AppError::RateLimited { retry_after: 30 });
        }
        *n += 1;
        Ok((self.tx.subscribe(), Slot { hub: self.clone(), user }))
    }

    /// Offers the feed's head as the tailer's starting point (the lowest offer wins).
    pub fn offer_start(&self, head: i64) {
        let mut start = self.start.lock().unwrap_or_else(|e| e.into_inner());
        *start = Some(start.map_or(head, |s| s.min(head)));
    }

    fn take_start(&self) -> Option<i64> {
        self.start.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// A user's place among the open streams, given back when the stream ends.
pub struct Slot {
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
pub fn may_hear(p: &Principal, c: &LiveChange) -> bool {
    p.can_see_owned(c.department_id, c.assignee_id, &c.collaborators)
}

/// Tails the live feed until `stop` turns true; one per node.
pub async fn tail(app: App, mut stop: tokio::sync::watch::Receiver<bool>) {
    let interval = Duration::from_millis(app.config.live.poll_ms.max(10));
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
        if app.live.listeners() == 0 {
            // Nobody listens: start from the head when someone does.
            cursor = None;
            sent.clear();
            app.live.take_start();
            continue;
        }
        if let Err(e) = poll(&app, &mut cursor, &mut sent).await {
            tracing::warn!(error = %e, "reading the live feed failed");
        }
        if last_purge.elapsed() > Duration::from_secs(300) {
            last_purge = std::time::Instant::now();
            // Every node may purge: the delete is idempotent and cheap on the `at` index.
            if let Err(e) = app.store.purge_live_changes(app.now() - RETENTION).await {
                tracing::warn!(error = %e, "purging the live feed failed");
            }
        }
    }
}

/// One read of the feed: sends the rows not sent yet.
async fn poll(app: &App, cursor: &mut Option<i64>, sent: &mut BTreeSet<i64>) -> Result<(), AppError> {
    let head = match *cursor {
        Some(h) => h,
        None => {
            let h = match app.live.take_start() {
                Some(h) => h,
                None => app.read().live_head().await?,
            };
            *cursor = Some(h);
            // Rows up to the head happened before anyone listened.
            sent.extend((h - WINDOW).max(0) + 1..=h);
            return Ok(());
        }
    };
    let rows = app.read().live_changes_after((head - WINDOW).max(0), BATCH).await?;
    let mut newest = head;
    for row in rows {
        newest = newest.max(row.id);
        if sent.insert(row.id) {
            let _ = app.live.tx.send(Arc::new(row));
        }
    }
    *cursor = Some(newest);
    let floor = newest - WINDOW;
    *sent = sent.split_off(&floor);
    Ok(())
}
