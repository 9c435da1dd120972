//! One span per request, named by the route template (never the raw path, which may hold
//! a tracking number), with a request id: the client's `X-Request-Id` when it is a short
//! token, else a new one, returned in the answer. Handlers run inside
//! [`loopdesk_app::trace::with_request`], so the jobs a request causes carry its id.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use tracing::Instrument;

/// The header carrying the id.
pub const REQUEST_ID: &str = "x-request-id";

/// A client's id is kept when it is 1–64 letters, digits, `-` or `_` (it goes into logs).
fn given(req: &Request) -> Option<String> {
    let v = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| v.to_string())
}

fn fresh() -> String {
    let mut bytes = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The middleware.
pub async fn request_span(req: Request, next: Next) -> Response {
    let id = given(&req).unwrap_or_else(fresh);
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "-".into());
    let span = tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id, status = tracing::field::Empty);
    let started = std::time::Instant::now();
    let fut = loopdesk_app::trace::with_request(id.clone(), next.run(req));
    let mut resp = fut.instrument(span.clone()).await;
    span.record("status", resp.status().as_u16());
    span.in_scope(|| {
        tracing::debug!(elapsed_ms = started.elapsed().as_secs_f64() * 1000.0, "answered");
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}
