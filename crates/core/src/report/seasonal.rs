//! Seasonal background reports for spike tests (core and the server's end-to-end test):
//! nine weeks of hourly counts, busy working hours, quiet nights and weekends, drawn from a
//! small deterministic generator (the core has no random dependency). Tests and
//! benchmarks only (`testing` feature).

/// Hours in a week.
pub const WEEK: i64 = 7 * 24;

/// A linear congruential generator: reproducible draws from a seed.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A Poisson draw (Knuth), fine for the small means here.
    fn poisson(&mut self, mean: f64) -> i64 {
        let limit = (-mean).exp();
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= self.uniform();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
}

/// Nine weeks of hourly report counts from `seed`, the first hour a Monday 00:00.
pub fn background(seed: u64) -> Vec<i64> {
    let mut rng = Lcg(seed);
    (0..9 * WEEK)
        .map(|h| {
            let (day, hour) = ((h / 24) % 7, h % 24);
            let mean = match (day >= 5, hour) {
                (_, 0..=6) => 0.2,
                (false, 9..=17) => 3.0,
                (true, 9..=17) => 1.2,
                _ => 0.8,
            };
            rng.poisson(mean)
        })
        .collect()
}
