//! Stable hashing for feature ids, MinHash and band keys.
//!
//! Model files and band keys stored in the database outlive a process and a crate
//! version, so the hash must never change: it is defined here rather than borrowed from a
//! hasher whose output may differ between releases.

use std::hash::{BuildHasherDefault, Hasher};

/// Final avalanche step (the SplitMix64 finaliser).
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hashes bytes with a seed; stable across platforms and versions.
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = mix64(seed ^ 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = mix64(h ^ u64::from_le_bytes(word)).rotate_left(23);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = mix64(h ^ u64::from_le_bytes(word) ^ 0xff);
    }
    mix64(h)
}

/// Hashes a string with a one-byte namespace so equal text in different roles differs.
pub fn hash_str(namespace: u8, s: &str) -> u64 {
    hash_bytes(u64::from(namespace), s.as_bytes())
}

/// A `Hasher` for keys that are already good hashes: it passes them through.
#[derive(Default, Clone, Copy)]
pub struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only used for non-integer keys by mistake; still correct, just slower.
        self.0 = hash_bytes(self.0, bytes);
    }

    fn write_u32(&mut self, n: u32) {
        // Keys are hash values already; one multiply spreads them over all 64 bits.
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Build-hasher for maps keyed by pre-hashed integers.
pub type PassThrough = BuildHasherDefault<PassThroughHasher>;

/// A tiny deterministic generator (SplitMix64) for shuffles in training.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next pseudo-random value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }

    /// Shuffles a slice in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_values() {
        // Pinned: changing these breaks stored models and band keys.
        assert_eq!(hash_str(1, "漏电"), 7_867_197_198_419_706_634);
        assert_eq!(mix64(1), 6_238_072_747_940_578_789);
        assert_eq!(hash_bytes(0, b"abcdefgh1"), 16_679_633_933_217_948_592);
        assert_ne!(hash_str(1, "漏电"), hash_str(2, "漏电"));
        assert_ne!(hash_bytes(0, b"abcdefgh1"), hash_bytes(0, b"abcdefgh2"));
        assert_eq!(mix64(0), 0);
    }

    #[test]
    fn shuffle_is_deterministic() {
        let mut a: Vec<u32> = (0..20).collect();
        let mut b = a.clone();
        SplitMix::new(7).shuffle(&mut a);
        SplitMix::new(7).shuffle(&mut b);
        assert_eq!(a, b);
    }
}
