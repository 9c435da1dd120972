//! Latency summaries.

use std::time::Duration;

/// Percentiles of a set of latencies.
pub struct Summary {
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    /// Summarises (sorts in place).
    pub fn of(samples: &mut [Duration]) -> Summary {
        samples.sort_unstable();
        let at = |q: f64| {
            if samples.is_empty() {
                Duration::ZERO
            } else {
                samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1]
            }
        };
        Summary { p50: at(0.50), p99: at(0.99), max: samples.last().copied().unwrap_or_default() }
    }
}

/// Milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}
