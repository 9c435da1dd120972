//! Word segmentation (jieba for Chinese, whitespace/punctuation for Latin script), language
//! detection, and the hashed features the statistical models read.

use crate::hash::hash_str;
use crate::normalize::{is_han, is_wordy, Normalized};
use serde::{Deserialize, Serialize};

/// Feedback-domain words added to jieba's dictionary: `word [frequency [tag]]` per line.
const USER_DICT: &str = include_str!("../data/user-dict.txt");

/// The language of a text, for display and routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Mostly Chinese.
    Zh,
    /// Mostly English (or another Latin-script language).
    En,
    /// Both in substantial amounts.
    Mixed,
    /// No letters at all.
    Unknown,
}

/// Guesses the language from the share of Han characters vs Latin letters.
pub fn detect_language(text: &str) -> Language {
    let (mut han, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_han(c) {
            han += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    if han + latin == 0 {
        return Language::Unknown;
    }
    // About four Latin letters carry what one Han character does.
    let zh_share = han as f64 / (han as f64 + latin as f64 / 4.0);
    if zh_share >= 0.8 {
        Language::Zh
    } else if zh_share <= 0.2 {
        Language::En
    } else {
        Language::Mixed
    }
}

/// Which hashed features to extract; stored with a model so prediction matches training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Whole words from the segmenter.
    pub words: bool,
    /// Single characters (Han, letters, digits).
    pub char_unigrams: bool,
    /// Adjacent character pairs within a run of letters, digits or Han.
    pub char_bigrams: bool,
    /// Adjacent word pairs.
    pub word_bigrams: bool,
    /// Concepts of the bilingual lexicon (added by the engine, which holds the lexicon;
    /// [`features`] alone does not add them).
    #[serde(default)]
    pub concepts: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig { words: true, char_unigrams: true, char_bigrams: true, word_bigrams: false, concepts: false }
    }
}

/// A word segmenter for Chinese and English (wraps a loaded jieba dictionary).
pub struct Segmenter {
    jieba: jieba_rs::Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Segmenter")
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Segmenter::new()
    }
}

/// Whether a segment is a word (has a letter, digit or Han character).
pub fn is_word(token: &str) -> bool {
    token.chars().any(is_wordy)
}

impl Segmenter {
    /// Loads the built-in dictionary plus the feedback-domain words of
    /// `data/user-dict.txt` (闪退, 漏电, 退款 …). Takes a moment: build once and share.
    pub fn new() -> Segmenter {
        let mut jieba = jieba_rs::Jieba::new();
        for line in USER_DICT.lines() {
            let mut parts = line.split_whitespace();
            if let Some(word) = parts.next() {
                let freq = parts.next().and_then(|f| f.parse().ok());
                jieba.add_word(word, freq, parts.next());
            }
        }
        Segmenter { jieba }
    }

    /// The words of a normalised text, punctuation and spaces dropped; entity tokens
    /// (`<url>`, `<phone>` …) appended.
    pub fn words<'a>(&self, norm: &'a Normalized) -> Vec<&'a str> {
        let mut words: Vec<&'a str> =
            self.jieba.cut(&norm.text, false).into_iter().map(|t| t.word).filter(|w| is_word(w)).collect();
        words.extend(norm.entities.iter().map(|e| e.kind.token()));
        words
    }

    /// Words for search indexing, joined by spaces (what the store puts in full-text).
    pub fn index_text(&self, norm: &Normalized) -> String {
        self.words(norm).join(" ")
    }

    /// Search terms of a raw text, deduplicated in order of appearance: the text is
    /// normalised like triage's (half-width, simplified, lower case), segmented for search
    /// (long Chinese words also yield the shorter dictionary words inside them), and entity
    /// values (order numbers, e-mails, URLs) are kept as their letter-and-digit runs. Each
    /// term holds only letters, digits and Han characters, so it is safe to quote in any
    /// full-text query syntax. With `for_query` the segmentation is the plain one, so a
    /// query word is matched whole.
    pub fn search_terms(&self, raw: &str, for_query: bool) -> Vec<String> {
        let norm = crate::normalize::normalize(raw, crate::normalize::DEFAULT_MAX_CHARS);
        let tokens =
            if for_query { self.jieba.cut(&norm.text, false) } else { self.jieba.cut_for_search(&norm.text, false) };
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut push = |piece: &str| {
            for run in piece.split(|c: char| !is_wordy(c)).filter(|r| !r.is_empty()) {
                if seen.insert(run.to_string()) {
                    out.push(run.to_string());
                }
            }
        };
        for t in tokens {
            push(t.word);
        }
        for e in &norm.entities {
            push(&e.value);
        }
        out
    }
}

/// Hashed feature ids of a text, repeated as often as they occur.
pub fn features(words: &[&str], text: &str, cfg: &FeatureConfig) -> Vec<u32> {
    let mut out = Vec::with_capacity(words.len() * 2 + text.len() / 2);
    if cfg.words {
        out.extend(words.iter().map(|w| hash_str(1, w) as u32));
    }
    if cfg.word_bigrams {
        out.extend(word_pair_features(words));
    }
    if cfg.char_unigrams || cfg.char_bigrams {
        let mut prev: Option<char> = None;
        for c in text.chars() {
            if !is_wordy(c) {
                prev = None;
                continue;
            }
            if cfg.char_unigrams {
                out.push(hash_char(2, c, '\0'));
            }
            if let (true, Some(p)) = (cfg.char_bigrams, prev) {
                out.push(hash_char(3, p, c));
            }
            prev = Some(c);
        }
    }
    out
}

/// Hashed features of adjacent word pairs (the `word_bigrams` part of [`features`]).
pub fn word_pair_features<'a>(words: &'a [&'a str]) -> impl Iterator<Item = u32> + 'a {
    words.windows(2).map(|pair| crate::hash::mix64(hash_str(4, pair[0]) ^ hash_str(5, pair[1])) as u32)
}

fn hash_char(ns: u64, a: char, b: char) -> u32 {
    crate::hash::mix64((ns << 56) ^ (u64::from(a as u32) << 24) ^ u64::from(b as u32)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize, DEFAULT_MAX_CHARS};

    #[test]
    fn segments_mixed_text() {
        let seg = Segmenter::new();
        let norm = normalize("APP 登录后闪退，iOS 17 上必现 https://x.cn/a", DEFAULT_MAX_CHARS);
        let words = seg.words(&norm);
        assert!(words.contains(&"app"), "{words:?}");
        assert!(words.contains(&"闪退"), "{words:?}");
        assert!(words.contains(&"ios"), "{words:?}");
        assert!(words.contains(&"<url>"), "{words:?}");
        assert!(!words.contains(&","));
    }

    #[test]
    fn languages() {
        assert_eq!(detect_language("充电器漏电了"), Language::Zh);
        assert_eq!(detect_language("The charger is sparking"), Language::En);
        assert_eq!(detect_language("App 一打开就 crash, 求修复"), Language::Mixed);
        assert_eq!(detect_language("12345 !!!"), Language::Unknown);
    }

    #[test]
    fn features_are_deterministic() {
        let cfg = FeatureConfig::default();
        let a = features(&["漏电", "了"], "漏电了", &cfg);
        let b = features(&["漏电", "了"], "漏电了", &cfg);
        assert_eq!(a, b);
        // 2 words + 3 char unigrams + 2 char bigrams
        assert_eq!(a.len(), 7);
    }
}
