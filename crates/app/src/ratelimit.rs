//! Token-bucket rate limits keyed by client (address, contact, tracking number). Kept in
//! memory per node: they protect the node from strangers; nothing depends on exactness.

use crate::error::AppError;
use loopdesk_core::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

/// Largest number of keys tracked before idle ones are dropped.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Timestamp,
}

/// A limit of `per_minute` requests per key, with bursts up to the same number.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` per key.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute: f64::from(per_minute.max(1)), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key` at `now`, or answers 429 with when to retry.
    pub fn check(&self, key: &str, now: Timestamp) -> Result<(), AppError> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_KEYS {
            let cap = self.per_minute;
            buckets.retain(|_, b| self.refill(*b, now).tokens < cap);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: self.per_minute, updated: now });
        let mut b = self.refill(*bucket, now);
        if b.tokens < 1.0 {
            let per_second = self.per_minute / 60.0;
            let retry_after = ((1.0 - b.tokens) / per_second).ceil().max(1.0) as u64;
            *bucket = b;
            return Err(AppError::RateLimited { retry_after });
        }
        b.tokens -= 1.0;
        *bucket = b;
        Ok(())
    }

    fn refill(&self, b: Bucket, now: Timestamp) -> Bucket {
        let elapsed = (now - b.updated).num_milliseconds().max(0) as f64 / 60_000.0;
        Bucket { tokens: (b.tokens + elapsed * self.per_minute).min(self.per_minute), updated: now.max(b.updated) }
    }
}

/// The rate limiters of the doors strangers can reach.
pub struct Limiters {
    pub feedback_by_ip: RateLimiter,
    pub feedback_by_contact: RateLimiter,
    pub track_by_ip: RateLimiter,
    pub track_by_number: RateLimiter,
    pub login_by_ip: RateLimiter,
    /// Public survey look-ups and answers.
    pub survey_by_ip: RateLimiter,
    /// A customer's follow-up messages on one ticket (the status page).
    pub follow_up_by_ticket: RateLimiter,
}

impl Limiters {
    /// Limiters sized from the configuration.
    pub fn from_config(config: &crate::Config) -> Limiters {
        let l = &config.limits;
        Limiters {
            feedback_by_ip: RateLimiter::new(l.feedback_per_minute),
            feedback_by_contact: RateLimiter::new(l.feedback_per_minute),
            track_by_ip: RateLimiter::new(l.track_per_minute),
            // Guessing contacts for one number is slowed much more than honest look-ups.
            track_by_number: RateLimiter::new(l.track_per_minute.div_ceil(4)),
            login_by_ip: RateLimiter::new(l.login_per_minute),
            survey_by_ip: RateLimiter::new(l.track_per_minute),
            // A person writes a few messages a minute at most; more is a script.
            follow_up_by_ticket: RateLimiter::new(l.feedback_per_minute.div_ceil(2)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    #[test]
    fn allows_a_burst_then_refills() {
        let rl = RateLimiter::new(3);
        let t = Utc::now();
        for _ in 0..3 {
            rl.check("1.2.3.4", t).unwrap();
        }
        assert!(matches!(rl.check("1.2.3.4", t), Err(AppError::RateLimited { retry_after: 20 })));
        rl.check("5.6.7.8", t).unwrap();
        rl.check("1.2.3.4", t + Duration::seconds(20)).unwrap();
    }
}
