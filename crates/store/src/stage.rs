//! Time spent in each stage of an intake, and in each step of the job worker that does what
//! intakes owe (claim, each kind's run, the change transaction, completion), as Prometheus
//! summaries (`loopdesk_intake_stage_seconds{stage="…"}`), so the cost of every step — and
//! the next regression — is visible (`loopdesk bench intake --breakdown` reads them).

use std::time::Instant;

/// The name of the summary.
pub const METRIC: &str = "loopdesk_intake_stage_seconds";

/// Records the time since `start` under `stage`, and returns now for the next stage.
pub fn done(stage: &'static str, start: Instant) -> Instant {
    let now = Instant::now();
    metrics::histogram!(METRIC, "stage" => stage).record((now - start).as_secs_f64());
    now
}
