//! Near-duplicate signatures: MinHash over a text's content words, with LSH band keys as
//! `i64` so the store can index them in a database table (a lookup is an indexed query).

use crate::hash::{hash_str, mix64, PassThrough};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Words ignored when comparing texts.
const STOPWORDS: &str = include_str!("../data/stopwords.txt");

/// Signature shape. Changing it invalidates stored band keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinHashConfig {
    /// Hash functions per signature.
    pub num_hashes: usize,
    /// LSH bands; `num_hashes` must be a multiple of it. More bands find less similar
    /// pairs (with 32 bands of 2 rows, pairs at 0.3 similarity are found 95% of the time).
    pub bands: usize,
    /// Seed of the hash family.
    pub seed: u64,
}

impl Default for MinHashConfig {
    fn default() -> Self {
        MinHashConfig { num_hashes: 64, bands: 32, seed: 0x6c6f_6f70 }
    }
}

/// A MinHash signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Signature(pub Vec<u32>);

impl Signature {
    /// Whether the text had no content words (such signatures match nothing).
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&v| v == u32::MAX)
    }
}

/// Computes signatures with one hash family.
#[derive(Debug, Clone)]
pub struct MinHasher {
    config: MinHashConfig,
    coefficients: Vec<(u64, u64)>,
    stopwords: HashSet<u64, PassThrough>,
}

impl MinHasher {
    /// A hasher for `config` (bands are clamped to divide the hash count).
    pub fn new(mut config: MinHashConfig) -> MinHasher {
        config.num_hashes = config.num_hashes.clamp(1, 1024);
        config.bands = config.bands.clamp(1, config.num_hashes);
        while !config.num_hashes.is_multiple_of(config.bands) {
            config.bands -= 1;
        }
        let coefficients = (0..config.num_hashes as u64)
            .map(|i| {
                let a = mix64(config.seed ^ (2 * i + 1)) | 1;
                let b = mix64(config.seed.rotate_left(17) ^ (2 * i + 2));
                (a, b)
            })
            .collect();
        MinHasher { config, coefficients, stopwords: STOPWORDS.split_whitespace().map(|w| hash_str(7, w)).collect() }
    }

    /// The effective configuration.
    pub fn config(&self) -> MinHashConfig {
        self.config
    }

    /// Hashes of the content words: stopwords, numbers and entity tokens left out,
    /// so order numbers and phone numbers do not make reports look different.
    pub fn shingles(&self, words: &[&str]) -> Vec<u64> {
        let mut out: Vec<u64> = words
            .iter()
            .filter(|w| !w.starts_with('<') && !w.bytes().all(|b| b.is_ascii_digit()))
            .map(|w| hash_str(7, w))
            .filter(|h| !self.stopwords.contains(h))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The signature of a set of shingles.
    pub fn signature(&self, shingles: &[u64]) -> Signature {
        let mut sig = vec![u32::MAX; self.config.num_hashes];
        for &s in shingles {
            for (slot, &(a, b)) in sig.iter_mut().zip(&self.coefficients) {
                let v = (a.wrapping_mul(s).wrapping_add(b) >> 32) as u32;
                if v < *slot {
                    *slot = v;
                }
            }
        }
        Signature(sig)
    }

    /// Band keys of a signature (empty for an empty signature).
    pub fn band_keys(&self, sig: &Signature) -> Vec<i64> {
        band_keys(sig, self.config.bands)
    }
}

/// Band keys: one per band, mixing the band number in, so all bands share one column.
pub fn band_keys(sig: &Signature, bands: usize) -> Vec<i64> {
    if sig.is_empty() || bands == 0 || !sig.0.len().is_multiple_of(bands) {
        return Vec::new();
    }
    let rows = sig.0.len() / bands;
    sig.0
        .chunks(rows)
        .enumerate()
        .map(|(band, values)| {
            let mut h = mix64(band as u64 + 1);
            for &v in values {
                h = mix64(h ^ u64::from(v));
            }
            h as i64
        })
        .collect()
}

/// Estimated Jaccard similarity of the two texts' content words (0 when shapes differ or
/// either is empty).
pub fn similarity(a: &Signature, b: &Signature) -> f32 {
    if a.0.len() != b.0.len() || a.0.is_empty() || a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let same = a.0.iter().zip(&b.0).filter(|(x, y)| x == y).count();
    same as f32 / a.0.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(h: &MinHasher, words: &[&str]) -> Signature {
        h.signature(&h.shingles(words))
    }

    #[test]
    fn identical_similar_and_different() {
        let h = MinHasher::new(MinHashConfig::default());
        let a = sig(&h, &["洗衣机", "脱水", "异响", "很", "大"]);
        let b = sig(&h, &["洗衣机", "脱水", "时", "异响", "大"]);
        let c = sig(&h, &["快递", "三天", "没", "送到"]);
        assert_eq!(similarity(&a, &a), 1.0);
        assert!(similarity(&a, &b) > 0.4, "{}", similarity(&a, &b));
        assert!(similarity(&a, &c) < 0.2);
        assert_eq!(h.band_keys(&a).len(), 32);
        let shared = h.band_keys(&a).iter().zip(h.band_keys(&b)).filter(|(x, y)| **x == *y).count();
        assert!(shared > 0);
    }

    #[test]
    fn numbers_and_entities_are_ignored() {
        let h = MinHasher::new(MinHashConfig::default());
        let a = sig(&h, &["订单", "<order_no>", "2023", "没", "发货"]);
        let b = sig(&h, &["订单", "没", "发货", "<phone>"]);
        assert_eq!(similarity(&a, &b), 1.0);
    }

    #[test]
    fn empty_signatures_match_nothing() {
        let h = MinHasher::new(MinHashConfig::default());
        let e = sig(&h, &["的", "了"]);
        assert!(e.is_empty());
        assert!(h.band_keys(&e).is_empty());
        assert_eq!(similarity(&e, &e), 0.0);
    }

    #[test]
    fn band_keys_are_pinned() {
        // Stored in the database: a change here needs a re-index of every ticket.
        let h = MinHasher::new(MinHashConfig::default());
        let keys = h.band_keys(&sig(&h, &["空调", "不制冷"]));
        assert_eq!(keys[0], PINNED_FIRST_KEY, "{}", keys[0]);
    }

    const PINNED_FIRST_KEY: i64 = 8_555_066_881_864_316_938;

    #[test]
    fn config_is_repaired() {
        let h = MinHasher::new(MinHashConfig { num_hashes: 60, bands: 7, seed: 1 });
        assert_eq!(h.config().num_hashes % h.config().bands, 0);
    }
}
