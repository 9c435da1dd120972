//! When things happen: arrivals spread over the demo period with a daily rhythm, and the
//! delay between a customer giving feedback and it being recorded.

use loopdesk_core::{Channel, Timestamp};
use rand::rngs::StdRng;
use rand::Rng;

/// The period the demo tickets arrive in.
pub struct Period {
    /// The end of the period, whole seconds (so every generated instant is too).
    pub now: Timestamp,
    start: Timestamp,
    span_secs: i64,
    total: usize,
}

impl Period {
    /// `total` arrivals over the `days` before `now`.
    pub fn new(now: Timestamp, days: i64, total: usize) -> Period {
        let now = now - chrono::Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos()));
        Period { now, start: now - chrono::Duration::days(days), span_secs: days * 86_400, total: total.max(1) }
    }

    /// Evenly over the period in ticket order, with jitter; night hours (China time) are
    /// quieter, so most night arrivals move into the day.
    pub fn received_at(&self, rng: &mut StdRng, i: usize) -> Timestamp {
        let slot = (self.span_secs / self.total as i64).max(1);
        let base = (i as i128 * self.span_secs as i128 / self.total as i128) as i64;
        let mut secs = base + rng.gen_range(0..slot);
        let hour_cn = ((self.start.timestamp() + secs) / 3600 + 8).rem_euclid(24);
        if hour_cn < 7 && rng.gen_bool(0.7) {
            secs += 8 * 3600;
        }
        let t = self.start + chrono::Duration::seconds(secs);
        t.min(self.now - chrono::Duration::minutes(2))
    }

    /// Systems record within seconds; people typing in a call or a store note take minutes,
    /// sometimes more than the 30-minute target.
    pub fn recorded_at(&self, rng: &mut StdRng, channel: Channel, received: Timestamp) -> Timestamp {
        let secs = if channel.is_staff_entered() {
            let late = rng.gen_ratio(1, 8);
            rng.gen_range(if late { 25 * 60..=40 * 60 } else { 60..=25 * 60 })
        } else if rng.gen_ratio(1, 50) {
            rng.gen_range(300..=900)
        } else {
            rng.gen_range(1..=120)
        };
        (received + chrono::Duration::seconds(secs)).min(self.now)
    }
}
