//! Percentiles of waits from a log-bucketed histogram kept in the rollups, so a median or
//! 90th percentile over any period reads a few rows per hour instead of every ticket.
//!
//! Bucket 0 holds waits under one second; bucket `b ≥ 1` holds `[1 s · γ^(b-1), 1 s · γ^b)`
//! with γ = 2^(1/4) (four buckets per doubling). A percentile is the nearest-rank value
//! (the ⌈q·n⌉-th smallest wait) and is reported as the bucket's harmonic midpoint
//! `2·lo·hi / (lo + hi)`: the true value lies in the same bucket, so the relative error is
//! at most (γ − 1)/(γ + 1) ≈ 8.65% — [`RELATIVE_ERROR`] — and under one second in bucket 0.
//! Waits beyond [`MAX_BUCKET`] (about 4 years) share the last bucket.

/// Buckets per doubling of the wait.
const PER_DOUBLING: f64 = 4.0;
/// The last bucket (1 s · 2^(160/4) ≈ 35 years).
pub const MAX_BUCKET: u32 = 160;
/// Bound of the relative error of a percentile above one second: (γ − 1)/(γ + 1).
pub const RELATIVE_ERROR: f64 = 0.0865;

/// The bucket of a wait in milliseconds (negative waits, from clock skew, count as 0).
pub fn bucket(ms: i64) -> u32 {
    if ms < 1000 {
        return 0;
    }
    let b = 1.0 + (PER_DOUBLING * (ms as f64 / 1000.0).log2()).floor();
    (b as u32).min(MAX_BUCKET)
}

/// The lower and upper bounds of a bucket in milliseconds.
pub fn bounds(b: u32) -> (f64, f64) {
    if b == 0 {
        return (0.0, 1000.0);
    }
    let lo = 1000.0 * 2f64.powf(f64::from(b - 1) / PER_DOUBLING);
    let hi = 1000.0 * 2f64.powf(f64::from(b) / PER_DOUBLING);
    (lo, hi)
}

/// The value reported for a bucket.
fn representative(b: u32) -> f64 {
    let (lo, hi) = bounds(b);
    if b == 0 {
        return 500.0;
    }
    2.0 * lo * hi / (lo + hi)
}

/// Counts per bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: std::collections::BTreeMap<u32, i64>,
}

impl Histogram {
    pub fn add(&mut self, bucket: u32, n: i64) {
        *self.counts.entry(bucket).or_default() += n;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (b, n) in &other.counts {
            self.add(*b, *n);
        }
    }

    pub fn total(&self) -> i64 {
        self.counts.values().sum()
    }

    /// The `q`-quantile (0 < q ≤ 1) in milliseconds, `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.total();
        if n <= 0 {
            return None;
        }
        // Nearest rank: the ⌈q·n⌉-th smallest, at least the first.
        let rank = ((q * n as f64).ceil() as i64).clamp(1, n);
        let mut seen = 0;
        for (b, c) in &self.counts {
            seen += c;
            if seen >= rank {
                return Some(representative(*b));
            }
        }
        None
    }
}

/// The exact nearest-rank quantile of `values` (what the sketch approximates), for tests
/// and small direct computations.
pub fn exact_quantile(values: &[i64], q: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn buckets_are_contiguous_and_contain_their_values() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(999), 0);
        assert_eq!(bucket(1000), 1);
        for b in 1..MAX_BUCKET {
            let (_, hi) = bounds(b);
            let (lo_next, _) = bounds(b + 1);
            assert!((hi - lo_next).abs() < 1e-6);
        }
    }

    proptest! {
        #[test]
        fn quantiles_are_within_the_stated_error(
            waits in proptest::collection::vec(0i64..40 * 86_400_000, 1..300),
            q in 0.01f64..=1.0,
        ) {
            let mut h = Histogram::default();
            for w in &waits {
                h.add(bucket(*w), 1);
            }
            let exact = exact_quantile(&waits, q).unwrap() as f64;
            let estimate = h.quantile(q).unwrap();
            if exact < 1000.0 {
                prop_assert!(estimate < 1000.0);
            } else {
                prop_assert!((estimate - exact).abs() <= RELATIVE_ERROR * exact, "{estimate} vs {exact}");
            }
        }
    }
}
