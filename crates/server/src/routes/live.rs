//! `GET /api/v1/live`: a server-sent event stream of changes to the tickets the caller may
//! see (`loopdesk_app::live`), for open console pages.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use loopdesk_app::live::may_hear;
use loopdesk_core::access::Permission;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

/// One server-sent event of `/live`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct LiveEvent {
    /// `ready` (first), `ticket` (a visible ticket changed), `resync` (the stream fell
    /// behind: reload what the page shows).
    #[schema(pattern = "^(ready|ticket|resync)$")]
    event: String,
    /// JSON: `{}`, or for `ticket` `{ticket_id, kind, version, …}`.
    data: String,
    /// The change id, on `ticket` events.
    id: Option<String>,
}

/// `GET /api/v1/live`: a server-sent event stream — `ready` first, then `ticket` events
/// (`{ticket_id, kind, version}`, id = change id) for tickets the caller may see, `resync`
/// when the stream fell behind. Ends after `live.max_stream_seconds`; 429 over the
/// per-user stream limit.
#[utoipa::path(get, path = "/live", tag = "tickets",
    responses((status = 200, description = "The event stream", body = LiveEvent, content_type = "text/event-stream"), crate::openapi::Errors))]
pub async fn stream(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let principal = auth.require(Permission::Read)?.clone();
    let (rx, slot) = state.live.open(principal.user_id)?;
    state.live.offer_start(state.read().live_head().await?);
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
