//! Problem signatures: what a report is about, as weighted concepts of the bilingual
//! lexicon (products, symptoms, codes, places) plus its category — so that paraphrases and
//! translations of one problem meet while different problems with a word or two in
//! common stay apart. Candidates are found by keys made of *pairs* of telling concepts
//! (one database look-up per key), then scored by weighted overlap.

use crate::concepts::{concept_key, is_symptom_key, Found};
use crate::hash::mix64;
use crate::minhash::Signature;
use serde::{Deserialize, Serialize};

/// Concepts of one report: `(key, weight × 10)`, sorted by key. Stored with the ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemSignature(pub Vec<(u32, u8)>);

/// Weight of the category as a concept: two reports of one problem share it, but it alone
/// says little.
const CATEGORY_WEIGHT: f32 = 1.5;

/// Concepts at least this telling make look-up keys.
const KEY_MIN_WEIGHT: f32 = 2.0;

/// Weight of the telling concepts two reports must share to be one problem.
const MIN_SHARED_TELLING: f32 = 4.0;

/// At most this many concepts (the most telling) make keys: 28 pairs.
const KEY_CONCEPTS: usize = 8;

impl ProblemSignature {
    /// From the concepts found and the category.
    pub fn new(found: &[Found], category: &str) -> ProblemSignature {
        let mut v: Vec<(u32, u8)> =
            found.iter().map(|f| (f.key, (f.weight * 10.0).round().clamp(1.0, 255.0) as u8)).collect();
        v.push((concept_key(&format!("category:{category}")) & !1, (CATEGORY_WEIGHT * 10.0) as u8));
        v.sort_unstable();
        v.dedup_by_key(|(k, _)| *k);
        ProblemSignature(v)
    }

    /// Total weight.
    fn mass(&self) -> f32 {
        self.0.iter().map(|(_, w)| f32::from(*w)).sum()
    }

    /// Whether it names a symptom.
    fn has_symptom(&self) -> bool {
        self.0.iter().any(|(k, _)| is_symptom_key(*k))
    }

    /// Weight of the concepts both share, of the telling ones among them, and whether a
    /// symptom is among them.
    fn shared(&self, other: &ProblemSignature) -> (f32, f32, bool) {
        let (mut i, mut j, mut sum, mut telling, mut symptom) = (0, 0, 0.0, 0.0, false);
        while i < self.0.len() && j < other.0.len() {
            match self.0[i].0.cmp(&other.0[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let w = self.0[i].1.min(other.0[j].1);
                    sum += f32::from(w);
                    symptom |= is_symptom_key(self.0[i].0);
                    if f32::from(w) >= KEY_MIN_WEIGHT * 10.0 {
                        telling += f32::from(w) / 10.0;
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        (sum, telling, symptom)
    }

    /// How likely the two describe one problem, 0–1: the shared weight over the mean of
    /// the two totals (Dice), so a long report that adds details is not pushed away; 0
    /// unless the telling concepts they share weigh [`MIN_SHARED_TELLING`]: two ordinary
    /// ones or one very specific one (a dark mode, an error code). One ordinary product or
    /// symptom alone is not a problem: "the button is too small" and "the city button is
    /// oddly placed" are not one. When both name a symptom, they must share one.
    pub fn similarity(&self, other: &ProblemSignature) -> f32 {
        let total = self.mass() + other.mass();
        let (shared, telling, shared_symptom) = self.shared(other);
        // Each names what went wrong, and not the same thing: two problems.
        let different_symptoms = self.has_symptom() && other.has_symptom() && !shared_symptom;
        if total <= 0.0 || telling < MIN_SHARED_TELLING || different_symptoms {
            return 0.0;
        }
        2.0 * shared / total
    }

    /// Look-up keys: every pair of the most telling concepts (a pair is specific enough
    /// for a database index to stay selective at millions of tickets), and each concept
    /// specific enough on its own (an error code, a dark mode) alone.
    pub fn keys(&self) -> Vec<i64> {
        let singles = self.0.iter().filter(|(_, w)| f32::from(*w) >= MIN_SHARED_TELLING * 10.0);
        let singles: Vec<i64> = singles.map(|(k, _)| mix64(0x7369_6e67 ^ u64::from(*k)) as i64).collect();
        let mut telling: Vec<(u32, u8)> =
            self.0.iter().copied().filter(|(_, w)| f32::from(*w) >= KEY_MIN_WEIGHT * 10.0).collect();
        telling.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        telling.truncate(KEY_CONCEPTS);
        telling.sort_unstable();
        let mut keys = singles;
        for (i, a) in telling.iter().enumerate() {
            for b in &telling[i + 1..] {
                keys.push(mix64(0x7072_6f62 ^ (u64::from(a.0) << 32 | u64::from(b.0))) as i64);
            }
        }
        keys
    }

    /// Whether nothing telling was found.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|(_, w)| f32::from(*w) < KEY_MIN_WEIGHT * 10.0)
    }
}

/// What is stored per ticket for clustering: the near-copy signature (same-customer
/// re-sends) and the problem signature (same problem, any wording).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// MinHash of the content words.
    pub minhash: Signature,
    /// Weighted concepts.
    #[serde(default)]
    pub problem: ProblemSignature,
}

impl Fingerprint {
    /// Parses a stored fingerprint; signatures stored before problem signatures existed
    /// (a bare MinHash) still parse, with no concepts.
    pub fn from_stored(json: &str) -> Option<Fingerprint> {
        serde_json::from_str(json).ok().or_else(|| {
            serde_json::from_str::<Signature>(json).ok().map(|minhash| Fingerprint { minhash, ..Default::default() })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concepts::Concepts;
    use crate::normalize::normalize;

    fn sig(c: &Concepts, text: &str, category: &str) -> ProblemSignature {
        ProblemSignature::new(&c.find(&normalize(text, 1000).text), category)
    }

    #[test]
    fn paraphrases_in_two_languages_are_close_and_other_problems_far() {
        let c = Concepts::defaults().unwrap();
        let a = sig(&c, "导出的CSV用Excel打开中文全是乱码", "technical");
        let b = sig(&c, "Exported CSV shows garbled Chinese characters in Excel", "technical");
        let other = sig(&c, "App 打开就闪退，重装也没用", "technical");
        assert!(a.similarity(&b) > 0.6, "{}", a.similarity(&b));
        assert!(a.similarity(&other) < 0.3, "{}", a.similarity(&other));
        let shared = a.keys().iter().filter(|k| b.keys().contains(k)).count();
        assert!(shared > 0);
    }

    #[test]
    fn old_stored_signatures_still_parse() {
        let f = Fingerprint::from_stored("[1,2,3]").unwrap();
        assert_eq!(f.minhash.0, vec![1, 2, 3]);
        assert!(f.problem.0.is_empty());
        let json = serde_json::to_string(&Fingerprint {
            minhash: Signature(vec![4]),
            problem: ProblemSignature(vec![(7, 20)]),
        })
        .unwrap();
        assert_eq!(Fingerprint::from_stored(&json).unwrap().problem.0, vec![(7, 20)]);
    }
}
