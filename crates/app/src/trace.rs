//! Which request a piece of work belongs to. The server gives each request an id (returned
//! as `X-Request-Id`) and runs its handler inside [`with_request`]; jobs the request
//! causes carry the id, and the job's span names it, so a request's log lines and the jobs
//! it caused can be read together.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `fut` as part of request `id`.
pub async fn with_request<F: Future>(id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(id, fut).await
}

/// The id of the request this task works for, if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
