//! Problem clusters: impact scope from cluster size, duplicate/cluster thresholds, and an
//! in-memory LSH band index (for tests and benchmarks; the store keeps the same band keys
//! in a database table).

use crate::minhash::{band_keys, similarity, Signature};
use crate::problem::Fingerprint;
use loopdesk_core::ImpactScope;
use serde::{Deserialize, Serialize};

/// Thresholds for duplicates, clusters and impact scope.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClusterConfig {
    /// Similarity from which a ticket of the same customer is a re-send (merged).
    pub duplicate_similarity: f32,
    /// Similarity from which tickets of different customers join one problem cluster.
    pub cluster_similarity: f32,
    /// Cluster size from which the scope is "some users".
    pub scope_some: u32,
    /// Cluster size from which the scope is "all users".
    pub scope_all: u32,
    /// Problem-signature similarity from which reports of different customers (or of one,
    /// in other words) are one problem.
    #[serde(default = "default_problem_similarity")]
    pub problem_similarity: f32,
}

fn default_problem_similarity() -> f32 {
    0.5
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            duplicate_similarity: 0.8,
            cluster_similarity: 0.4,
            scope_some: 3,
            scope_all: 50,
            problem_similarity: default_problem_similarity(),
        }
    }
}

/// What a similar earlier ticket means for a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The same customer sent it again: merge into the earlier ticket.
    Duplicate,
    /// Another report of the same problem: join its cluster.
    SameProblem,
    /// Not related.
    Unrelated,
}

impl ClusterConfig {
    /// How a new ticket relates to an earlier one at `similarity`.
    pub fn relation(&self, similarity: f32, same_customer: bool) -> Relation {
        if same_customer && similarity >= self.duplicate_similarity {
            Relation::Duplicate
        } else if similarity >= self.cluster_similarity {
            Relation::SameProblem
        } else {
            Relation::Unrelated
        }
    }

    /// How a new ticket relates to an earlier one, and the similarity that decided:
    /// a same-customer near-copy is a duplicate; otherwise shared concepts decide, and
    /// texts without telling concepts fall back to near-copy similarity.
    pub fn relate(&self, new: &Fingerprint, earlier: &Fingerprint, same_customer: bool) -> (f32, Relation) {
        let near = similarity(&new.minhash, &earlier.minhash);
        if same_customer && near >= self.duplicate_similarity {
            return (near, Relation::Duplicate);
        }
        if !new.problem.is_empty() && !earlier.problem.is_empty() {
            let p = new.problem.similarity(&earlier.problem);
            let relation = if p >= self.problem_similarity { Relation::SameProblem } else { Relation::Unrelated };
            return (p, relation);
        }
        (near, self.relation(near, false))
    }

    /// Impact scope of a problem reported by `cluster_size` customers.
    pub fn impact_scope(&self, cluster_size: u32) -> ImpactScope {
        if cluster_size >= self.scope_all {
            ImpactScope::All
        } else if cluster_size >= self.scope_some {
            ImpactScope::Some
        } else {
            ImpactScope::Single
        }
    }
}

/// A stored signature similar to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// The id it was inserted with.
    pub id: u64,
    /// Estimated similarity.
    pub similarity: f32,
}

const NONE: u32 = u32::MAX;

/// Signatures remembered per band key: the newest ones.
pub const BUCKET_RECENT: usize = 4;

/// An LSH index over signatures: each band key keeps the newest [`BUCKET_RECENT`]
/// signatures that had it, inline, so a lookup reads one slot per band and never walks a
/// list; it then verifies only candidates sharing at least `min_band_hits` bands with the
/// query. Its cost does not grow with the number of signatures stored. With the default 32
/// bands of 2 rows and 2 band hits, a pair at similarity 0.4 is found 97% of the time, at
/// 0.3 80% (`examples/lookup_recall.rs` measures it on 1M signatures).
#[derive(Debug, Clone)]
pub struct BandIndex {
    bands: usize,
    min_band_hits: usize,
    heads: Heads,
    ids: Vec<u64>,
    signatures: Vec<Signature>,
}

impl BandIndex {
    /// An empty index for signatures cut into `bands` bands.
    pub fn new(bands: usize) -> BandIndex {
        BandIndex {
            bands: bands.max(1),
            min_band_hits: 2,
            heads: Heads::default(),
            ids: Vec::new(),
            signatures: Vec::new(),
        }
    }

    /// Candidates must share this many bands with the query to be verified (default 2;
    /// 1 finds more distant pairs at a higher cost).
    pub fn with_min_band_hits(mut self, hits: usize) -> BandIndex {
        self.min_band_hits = hits.clamp(1, self.bands);
        self
    }

    /// Number of signatures stored.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds a signature under `id` (empty signatures are not indexed).
    pub fn insert(&mut self, id: u64, sig: Signature) {
        let keys = band_keys(&sig, self.bands);
        if keys.len() != self.bands {
            return;
        }
        let doc = self.ids.len() as u32;
        self.ids.push(id);
        self.signatures.push(sig);
        for key in keys {
            self.heads.push(key as u64, doc);
        }
    }

    /// Stored signatures with similarity ≥ `min_similarity`, most similar first.
    pub fn query(&self, sig: &Signature, min_similarity: f32) -> Vec<Neighbour> {
        let keys = band_keys(sig, self.bands);
        // Load every band's home slot before probing: independent loads, so the cache
        // misses of a large index overlap instead of following one another.
        let touched = keys.iter().fold(0u64, |acc, &key| acc ^ self.heads.touch(key as u64));
        std::hint::black_box(touched);
        let mut candidates: Vec<u32> = Vec::with_capacity(keys.len() * BUCKET_RECENT);
        for key in keys {
            if let Some(recent) = self.heads.get(key as u64) {
                candidates.extend(recent.iter().copied().filter(|&d| d != NONE));
            }
        }
        candidates.sort_unstable();
        // Keep candidates seen in at least `min_band_hits` bands.
        let mut verified = Vec::new();
        let mut i = 0;
        while i < candidates.len() {
            let run = candidates[i..].iter().take_while(|&&c| c == candidates[i]).count();
            if run >= self.min_band_hits {
                verified.push(candidates[i]);
            }
            i += run;
        }
        let mut out: Vec<Neighbour> = verified
            .into_iter()
            .filter_map(|doc| {
                let s = similarity(sig, &self.signatures[doc as usize]);
                (s >= min_similarity).then(|| Neighbour { id: self.ids[doc as usize], similarity: s })
            })
            .collect();
        out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.id.cmp(&b.id)));
        out
    }
}

/// One slot: a band key (0 = empty) and its newest documents, newest first.
#[derive(Debug, Clone, Copy)]
struct Slot {
    key: u64,
    recent: [u32; BUCKET_RECENT],
}

const EMPTY: Slot = Slot { key: 0, recent: [NONE; BUCKET_RECENT] };

/// Band key → newest documents: open addressing with 24-byte slots at most half full, so
/// a lookup in a large index costs about one cache miss.
#[derive(Debug, Clone, Default)]
struct Heads {
    slots: Vec<Slot>,
    used: usize,
}

impl Heads {
    /// Key 0 marks an empty slot; a real key 0 is stored as 1 (keys are hashes).
    fn slot_key(key: u64) -> u64 {
        key.max(1)
    }

    fn home(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    /// Reads `key`'s home slot (to bring it into cache ahead of [`Heads::get`]).
    fn touch(&self, key: u64) -> u64 {
        if self.slots.is_empty() {
            return 0;
        }
        self.slots[self.home(Heads::slot_key(key))].key
    }

    fn get(&self, key: u64) -> Option<&[u32; BUCKET_RECENT]> {
        let key = Heads::slot_key(key);
        let mask = self.slots.len().checked_sub(1)?;
        let mut at = self.home(key);
        loop {
            let slot = &self.slots[at];
            if slot.key == key {
                return Some(&slot.recent);
            }
            if slot.key == 0 {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Makes `doc` the newest document of `key`.
    fn push(&mut self, key: u64, doc: u32) {
        if (self.used + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let key = Heads::slot_key(key);
        let mask = self.slots.len() - 1;
        let mut at = self.home(key);
        loop {
            let slot = &mut self.slots[at];
            if slot.key == key {
                slot.recent.rotate_right(1);
                slot.recent[0] = doc;
                return;
            }
            if slot.key == 0 {
                *slot = Slot { key, recent: [doc, NONE, NONE, NONE] };
                self.used += 1;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![EMPTY; (old.len() * 2).max(1024)];
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.key != 0) {
            let mut at = self.home(slot.key);
            while self.slots[at].key != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::{MinHashConfig, MinHasher};

    #[test]
    fn scope_thresholds() {
        let c = ClusterConfig::default();
        assert_eq!(c.impact_scope(1), ImpactScope::Single);
        assert_eq!(c.impact_scope(3), ImpactScope::Some);
        assert_eq!(c.impact_scope(49), ImpactScope::Some);
        assert_eq!(c.impact_scope(50), ImpactScope::All);
    }

    #[test]
    fn heads_table_grows_and_keeps_the_newest() {
        let mut heads = Heads::default();
        assert_eq!(heads.get(5), None);
        for i in 0..5000u64 {
            heads.push(i.wrapping_mul(0x9e37_79b9), i as u32);
        }
        assert_eq!(heads.get(0), Some(&[0, NONE, NONE, NONE]));
        for i in 1..5000u64 {
            assert_eq!(heads.get(i.wrapping_mul(0x9e37_79b9)).map(|r| r[0]), Some(i as u32));
        }
        for doc in 10..16 {
            heads.push(42, doc);
        }
        assert_eq!(heads.get(42), Some(&[15, 14, 13, 12]));
    }

    #[test]
    fn relations() {
        let c = ClusterConfig::default();
        assert_eq!(c.relation(0.95, true), Relation::Duplicate);
        assert_eq!(c.relation(0.95, false), Relation::SameProblem);
        assert_eq!(c.relation(0.5, true), Relation::SameProblem);
        assert_eq!(c.relation(0.1, true), Relation::Unrelated);
    }

    #[test]
    fn finds_similar_not_different() {
        let h = MinHasher::new(MinHashConfig::default());
        let mut index = BandIndex::new(h.config().bands);
        let docs: [&[&str]; 3] = [
            &["空调", "不", "制冷", "外机", "异响"],
            &["快递", "丢件", "没人", "处理"],
            &["app", "登录", "闪退", "ios"],
        ];
        for (i, d) in docs.iter().enumerate() {
            index.insert(i as u64, h.signature(&h.shingles(d)));
        }
        index.insert(99, h.signature(&h.shingles(&["的"])));
        assert_eq!(index.len(), 3);
        let q = h.signature(&h.shingles(&["空调", "制冷", "外机", "异响", "严重"]));
        let found = index.query(&q, 0.4);
        assert_eq!(found.first().map(|n| n.id), Some(0));
        assert!(found.iter().all(|n| n.id != 1));
    }

    proptest::proptest! {
        #[test]
        fn an_inserted_signature_is_found_and_similarity_is_symmetric(
            words in proptest::collection::vec("[a-z]{2,6}", 1..20),
            other in proptest::collection::vec("[a-z]{2,6}", 1..20),
        ) {
            let h = MinHasher::new(MinHashConfig::default());
            let refs: Vec<&str> = words.iter().map(String::as_str).collect();
            let other_refs: Vec<&str> = other.iter().map(String::as_str).collect();
            let a = h.signature(&h.shingles(&refs));
            let b = h.signature(&h.shingles(&other_refs));
            proptest::prop_assert_eq!(similarity(&a, &b), similarity(&b, &a));
            let mut index = BandIndex::new(h.config().bands);
            index.insert(1, b.clone());
            index.insert(2, a.clone());
            if !a.is_empty() {
                let found = index.query(&a, 1.0);
                proptest::prop_assert!(found.iter().any(|n| n.id == 2));
            }
        }
    }
}
