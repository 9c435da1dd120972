//! The bilingual concept lexicon: products, symptoms, places and intents with one id for
//! every way of saying them (simplified, traditional, English, mixed), so that
//! "验证码收不到" and "never get the SMS code" meet. Admin-editable text
//! (`data/concepts.txt`); read by problem clustering and by the learned models.

use crate::error::TriageError;
use crate::hash::hash_str;
use crate::lexicon::{Hit, Lexicon};

/// The default lexicon, embedded.
pub const DEFAULT_CONCEPTS: &str = include_str!("../data/concepts.txt");

/// Namespace of concept and code hashes (stored in signatures: do not change).
const CONCEPT_SEED: u8 = 31;

/// One concept found in a text: its stable key and weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    /// Stable hash of the concept id (or of an error code such as `e21`).
    pub key: u32,
    /// How telling sharing it is.
    pub weight: f32,
}

impl Found {
    /// Whether it names what went wrong (a symptom, an error code).
    pub fn is_symptom(&self) -> bool {
        is_symptom_key(self.key)
    }
}

/// Symptom keys are odd, other keys even: the kind travels with the stored key.
pub fn is_symptom_key(key: u32) -> bool {
    key & 1 == 1
}

fn with_kind(key: u32, symptom: bool) -> u32 {
    if symptom {
        key | 1
    } else {
        key & !1
    }
}

/// Compiled concepts.
#[derive(Debug, Clone)]
pub struct Concepts {
    ids: Vec<String>,
    keys: Vec<u32>,
    weights: Vec<f32>,
    lexicon: Lexicon,
}

/// Weight of an alphanumeric code (E21, F3): the most telling thing two reports share.
const CODE_WEIGHT: f32 = 4.0;

/// The stable key of a concept id or code.
pub fn concept_key(id: &str) -> u32 {
    hash_str(CONCEPT_SEED, id) as u32
}

impl Concepts {
    /// The embedded defaults.
    pub fn defaults() -> Result<Concepts, TriageError> {
        Concepts::parse(DEFAULT_CONCEPTS)
    }

    /// Parses `id weight: term, term, …` lines (`#` starts a comment).
    pub fn parse(text: &str) -> Result<Concepts, TriageError> {
        let (mut ids, mut weights, mut lists, mut symptoms) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || TriageError::Config(format!("concepts line {}: expected `id weight: terms`", n + 1));
            let (head, terms) = line.split_once(':').ok_or_else(bad)?;
            let mut head = head.split_whitespace();
            let id = head.next().ok_or_else(bad)?;
            let weight: f32 = head.next().and_then(|w| w.parse().ok()).ok_or_else(bad)?;
            let symptom = match head.next() {
                None => false,
                Some("symptom") => true,
                Some(_) => return Err(bad()),
            };
            ids.push(id.to_string());
            symptoms.push(symptom);
            weights.push(weight);
            lists.push(terms.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect::<Vec<_>>());
        }
        let keys = ids.iter().zip(&symptoms).map(|(id, s)| with_kind(concept_key(id), *s)).collect();
        Ok(Concepts { ids, keys, weights, lexicon: Lexicon::new(&lists)? })
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The concepts and codes in a normalised text, each once, sorted by key.
    pub fn find(&self, text: &str) -> Vec<Found> {
        self.find_hits(&self.lexicon.find(text), text)
    }

    /// The compiled terms, one list per concept (the engine scans them with its other
    /// lists in one pass).
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Like [`Concepts::find`], from hits of [`Concepts::lexicon`] found in `text`.
    pub fn find_hits(&self, hits: &[Hit<'_>], text: &str) -> Vec<Found> {
        let mut out: Vec<Found> = hits
            .iter()
            .filter_map(|h| Some(Found { key: *self.keys.get(h.list)?, weight: *self.weights.get(h.list)? }))
            .collect();
        out.extend(
            codes(text).map(|c| Found { key: with_kind(concept_key(&format!("code:{c}")), true), weight: CODE_WEIGHT }),
        );
        out.sort_by_key(|f| f.key);
        out.dedup_by_key(|f| f.key);
        out
    }

    /// The id of a concept key (codes and unknown keys have none).
    pub fn id(&self, key: u32) -> Option<&str> {
        self.keys.iter().position(|k| *k == key).map(|i| self.ids[i].as_str())
    }
}

/// Error and model codes: one or two letters then one to three digits, as a whole word
/// (`E21`, `F3`, `ER05`); order and phone numbers are longer and were taken out already.
fn codes(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| {
        let letters = w.bytes().take_while(u8::is_ascii_alphabetic).count();
        let digits = w.len() - letters;
        (1..=2).contains(&letters) && (1..=3).contains(&digits) && w[letters..].bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn ids(c: &Concepts, text: &str) -> Vec<String> {
        let norm = normalize(text, 1000);
        let mut out: Vec<String> =
            c.find(&norm.text).iter().map(|f| c.id(f.key).unwrap_or("code").to_string()).collect();
        out.sort();
        out
    }

    #[test]
    fn chinese_traditional_and_english_meet() {
        let c = Concepts::defaults().unwrap();
        let zh = ids(&c, "验证码一直收不到，登录不了");
        let tw = ids(&c, "簡訊驗證碼都收不到，無法登入");
        let en = ids(&c, "I never get the SMS code when logging in");
        for want in ["verification_code", "login"] {
            assert!(zh.iter().any(|x| x == want), "{zh:?}");
            assert!(tw.iter().any(|x| x == want), "{tw:?}");
            assert!(en.iter().any(|x| x == want), "{en:?}");
        }
    }

    #[test]
    fn codes_are_concepts() {
        let c = Concepts::defaults().unwrap();
        let a = c.find(&normalize("洗衣机一直显示E21", 100).text);
        let b = c.find(&normalize("washer shows e21 after update", 100).text);
        let code = concept_key("code:e21") | 1;
        assert!(a.iter().any(|f| f.key == code) && b.iter().any(|f| f.key == code));
    }

    #[test]
    fn bad_lines_are_refused() {
        assert!(Concepts::parse("dark_mode: 深色模式").is_err());
        assert!(Concepts::parse("dark_mode x: 深色模式").is_err());
    }
}
