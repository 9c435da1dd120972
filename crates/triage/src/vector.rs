//! Sparse vectors for the models: counting hashed features, TF-IDF weighting, scores.

use crate::hash::PassThrough;
use std::collections::HashMap;

/// Feature id → row of a model's arrays (ids are hashes already, so they are not hashed
/// again).
#[derive(Debug, Clone, Default)]
pub struct FeatureIndex(HashMap<u32, u32, PassThrough>);

impl FeatureIndex {
    /// An index over `ids`: `ids[i]` maps to row `i` (the first occurrence wins).
    pub fn new(ids: &[u32]) -> FeatureIndex {
        let mut map: HashMap<u32, u32, PassThrough> = HashMap::default();
        map.reserve(ids.len());
        for (row, &id) in ids.iter().enumerate() {
            map.entry(id).or_insert(row as u32);
        }
        FeatureIndex(map)
    }

    /// The row of `id`, if known.
    pub fn get(&self, id: u32) -> Option<u32> {
        self.0.get(&id).copied()
    }
}

/// Counts features: sorted, unique `(feature, occurrences)`. Compute once per text and
/// give it to every model that reads the same feature configuration.
pub fn count_features(mut feats: Vec<u32>) -> Vec<(u32, u32)> {
    feats.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(feats.len());
    for f in feats {
        match out.last_mut() {
            Some(last) if last.0 == f => last.1 += 1,
            _ => out.push((f, 1)),
        }
    }
    out
}

/// Counts features like [`count_features`], in first-seen order rather than sorted: for
/// a pass that only sums over them (an open-addressing table instead of a sort, which took
/// 8% of an analysis).
pub(crate) fn count_unsorted(feats: &[u32]) -> Vec<(u32, u32)> {
    const FREE: u32 = u32::MAX;
    thread_local! {
        /// The table, kept between texts (a fresh one of several kilobytes per text was a
        /// trip to the allocator's slow path).
        static SLOTS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let size = (feats.len() * 2).next_power_of_two().max(16);
    let (mask, shift) = (size - 1, 32 - size.trailing_zeros());
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(feats.len());
    SLOTS.with_borrow_mut(|slots| {
        slots.clear();
        slots.resize(size, FREE);
        for &f in feats {
            let mut at = (f.wrapping_mul(0x9e37_79b1) >> shift) as usize;
            loop {
                match slots[at] {
                    FREE => {
                        slots[at] = out.len() as u32;
                        out.push((f, 1));
                        break;
                    }
                    i if out[i as usize].0 == f => {
                        out[i as usize].1 += 1;
                        break;
                    }
                    _ => at = (at + 1) & mask,
                }
            }
        }
    });
    out
}

/// `1 + ln(count)`, from a table for small counts (most features occur once or twice).
pub(crate) fn sublinear_tf(count: u32) -> f32 {
    const TABLE: [f32; 8] = [0.0, 1.0, 1.693_147_2, 2.098_612_4, 2.386_294_4, 2.609_438, 2.791_759_5, 2.945_910_2];
    match TABLE.get(count as usize) {
        Some(v) => *v,
        None => 1.0 + (count as f32).ln(),
    }
}

/// Merges two counted feature lists (both sorted by feature).
pub fn merge_counts(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Sparse TF-IDF vector `(index, value, count)` of known features, L2-normalised.
pub(crate) fn vectorize(counts: &[(u32, u32)], index: &FeatureIndex, idf: &[f32], out: &mut Vec<(u32, f32, f32)>) {
    out.clear();
    let mut norm = 0.0f32;
    for &(f, c) in counts {
        if let Some(i) = index.get(f) {
            let v = sublinear_tf(c) * idf[i as usize];
            let c = c as f32;
            norm += v * v;
            out.push((i, v, c));
        }
    }
    if norm > 0.0 {
        let inv = 1.0 / norm.sqrt();
        out.iter_mut().for_each(|e| e.1 *= inv);
    }
}

pub(crate) fn scores(v: &[(u32, f32, f32)], weights: &[f32], bias: &[f32], out: &mut [f32]) {
    let k = bias.len();
    out.copy_from_slice(bias);
    for &(i, x, _) in v {
        let row = &weights[i as usize * k..(i as usize + 1) * k];
        for (o, w) in out.iter_mut().zip(row) {
            *o += w * x;
        }
    }
}

pub(crate) fn softmax(s: &mut [f32]) {
    let max = s.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x));
    let mut sum = 0.0;
    for x in s.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    s.iter_mut().for_each(|x| *x /= sum);
}

/// Index and value of the largest element (0, 0.0 when empty).
pub fn argmax(xs: &[f32]) -> (usize, f32) {
    xs.iter().copied().enumerate().fold((0, f32::MIN), |best, (i, x)| if x > best.1 { (i, x) } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_table_matches_the_formula() {
        for c in 1..20u32 {
            assert!((sublinear_tf(c) - (1.0 + (c as f32).ln())).abs() < 1e-6, "{c}");
        }
    }

    #[test]
    fn unsorted_counts_match_sorted_ones() {
        let feats: Vec<u32> = (0..3000u32).map(|i| (i % 977).wrapping_mul(2_654_435_761) ^ (i % 3)).collect();
        let mut unsorted = count_unsorted(&feats);
        unsorted.sort_unstable();
        assert_eq!(unsorted, count_features(feats));
        assert!(count_unsorted(&[]).is_empty());
    }

    #[test]
    fn counts_and_merges() {
        assert_eq!(count_features(vec![5, 3, 5, 9]), vec![(3, 1), (5, 2), (9, 1)]);
        assert_eq!(merge_counts(&[(1, 1), (4, 2)], &[(2, 1), (4, 1)]), vec![(1, 1), (2, 1), (4, 3)]);
    }

    #[test]
    fn feature_index_finds_every_id() {
        let ids: Vec<u32> = (0..5000u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        let index = FeatureIndex::new(&ids);
        for (row, id) in ids.iter().enumerate() {
            assert_eq!(index.get(*id), Some(row as u32));
        }
        assert_eq!(index.get(7), None);
        assert_eq!(FeatureIndex::new(&[]).get(1), None);
        assert_eq!(FeatureIndex::default().get(1), None);
    }

    #[test]
    fn argmax_and_softmax() {
        let mut s = [1.0f32, 3.0, 2.0];
        softmax(&mut s);
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(argmax(&s).0, 1);
    }
}
