//! A multi-list phrase matcher (Aho–Corasick) over normalised text. Patterns are
//! normalised like the text, so lists may be written in traditional or full-width form.
//! Latin-script patterns match whole words only; a trailing `*` allows any word ending
//! (`explod*` matches "exploded").

use crate::error::TriageError;
use crate::normalize::{fold_char, to_simplified};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

/// One hit: which list, and the word from that list (as the admin wrote it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<'a> {
    /// Index of the list the word belongs to.
    pub list: usize,
    /// The word as written in the list.
    pub word: &'a str,
    /// Byte offsets of the match in the normalised text.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

#[derive(Debug, Clone)]
struct Pattern {
    list: usize,
    word: String,
    prefix: bool,
    latin: bool,
}

/// A compiled set of word lists.
#[derive(Debug, Clone)]
pub struct Lexicon {
    automaton: Option<AhoCorasick>,
    patterns: Vec<Vec<Pattern>>,
    lists: Vec<Vec<String>>,
}

/// Normalises a list entry the way analysed text is normalised.
pub fn normalize_pattern(word: &str) -> String {
    let folded: String = word.trim().chars().filter_map(fold_char).collect();
    to_simplified(&folded)
}

impl Lexicon {
    /// Compiles lists of words; list `i` reports hits with `list == i`.
    pub fn new<S: AsRef<str>>(lists: &[Vec<S>]) -> Result<Lexicon, TriageError> {
        // The automaton reports one pattern per distinct needle, so entries sharing a needle
        // (the same word in several lists) are grouped under it.
        let mut patterns: Vec<Vec<Pattern>> = Vec::new();
        let mut needles: Vec<String> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (list, words) in lists.iter().enumerate() {
            for word in words {
                let word = word.as_ref();
                let norm = normalize_pattern(word);
                let prefix = norm.ends_with('*');
                let needle = norm.trim_end_matches('*').to_string();
                if needle.is_empty() {
                    continue;
                }
                let pattern = Pattern {
                    list,
                    word: word.trim().trim_end_matches('*').to_string(),
                    prefix,
                    latin: needle.is_ascii(),
                };
                match seen.get(&needle) {
                    Some(&i) => patterns[i].push(pattern),
                    None => {
                        seen.insert(needle.clone(), needles.len());
                        needles.push(needle);
                        patterns.push(vec![pattern]);
                    }
                }
            }
        }
        // A contiguous NFA rather than a DFA: with thousands of bilingual needles the DFA's
        // tables miss the cache on every byte of an overlapping scan (profile_loop: the
        // scans took 20% of the analysis as a DFA, 15% as a contiguous NFA).
        let automaton = if needles.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&needles)
                    .map_err(|e| TriageError::Config(format!("word lists: {e}")))?,
            )
        };
        Ok(Lexicon {
            automaton,
            patterns,
            lists: lists.iter().map(|l| l.iter().map(|w| w.as_ref().to_string()).collect()).collect(),
        })
    }

    /// Number of lists (including empty ones).
    pub fn list_count(&self) -> usize {
        self.lists.len()
    }

    /// One lexicon holding the lists of all `parts` in order, so a text is scanned once;
    /// part `i`'s lists start at index `offsets[i]`.
    pub fn joint(parts: &[&Lexicon]) -> Result<(Lexicon, Vec<usize>), TriageError> {
        let mut lists: Vec<Vec<String>> = Vec::new();
        let mut offsets = Vec::with_capacity(parts.len());
        for part in parts {
            offsets.push(lists.len());
            lists.extend(part.lists.iter().cloned());
        }
        Ok((Lexicon::new(&lists)?, offsets))
    }

    /// All hits in `text` (already normalised), overlapping allowed, in text order.
    pub fn find<'a>(&'a self, text: &str) -> Vec<Hit<'a>> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let bytes = text.as_bytes();
        let mut hits = Vec::new();
        for m in ac.find_overlapping_iter(text) {
            let Some(group) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            let before_ok = m.start() == 0 || !is_word_byte(bytes[m.start() - 1]);
            let after_free = m.end() == bytes.len() || !is_word_byte(bytes[m.end()]);
            for p in group {
                if p.latin && !(before_ok && (p.prefix || after_free)) {
                    continue;
                }
                hits.push(Hit { list: p.list, word: &p.word, start: m.start(), end: m.end() });
            }
        }
        hits
    }

    /// Whether the lexicon holds no words.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_words() {
        let lex = Lexicon::new(&[vec!["漏電", "fire"], vec!["explod*", "12315"]]).unwrap();
        let hits = lex.find("充电器漏电, the charger exploded, 我要打12315");
        let words: Vec<(usize, &str)> = hits.iter().map(|h| (h.list, h.word)).collect();
        assert_eq!(words, vec![(0, "漏電"), (1, "explod"), (1, "12315")]);
    }

    #[test]
    fn latin_needs_word_boundaries() {
        let lex = Lexicon::new(&[vec!["fire"]]).unwrap();
        assert!(lex.find("firefox is slow").is_empty());
        assert_eq!(lex.find("the tv caught fire!").len(), 1);
        assert_eq!(lex.find("电视着fire了").len(), 1);
    }

    #[test]
    fn a_word_in_two_lists_hits_both() {
        let lex = Lexicon::new(&[vec!["退款"], vec!["退款", "refund*"], vec!["Refund"]]).unwrap();
        let lists: Vec<usize> = lex.find("申请退款 refund").iter().map(|h| h.list).collect();
        assert_eq!(lists, vec![0, 1, 1, 2]);
    }

    #[test]
    fn joint_lexicon_offsets_lists() {
        let a = Lexicon::new(&[vec!["漏电"]]).unwrap();
        let b = Lexicon::new(&[vec![], vec!["漏电", "fire"]]).unwrap();
        let (j, offsets) = Lexicon::joint(&[&a, &b]).unwrap();
        assert_eq!(offsets, vec![0, 1]);
        assert_eq!(j.list_count(), 3);
        let lists: Vec<usize> = j.find("漏电 fire").iter().map(|h| h.list).collect();
        assert_eq!(lists, vec![0, 2, 2]);
    }

    #[test]
    fn empty_lists() {
        let lex = Lexicon::new::<&str>(&[vec![], vec![" "]]).unwrap();
        assert!(lex.is_empty());
        assert!(lex.find("anything").is_empty());
    }
}
