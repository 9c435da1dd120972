//! One automaton for every list (signals, category keywords, moderation, concepts): one
//! scan per text, its hits handed to each part with the part's own list numbers.

use super::Engine;
use crate::concepts::Found;
use crate::error::TriageError;
use crate::lexicon::{Hit, Lexicon};

impl Engine {
    /// Rebuilds the joint automaton after a list changed.
    pub(super) fn rescan(mut self) -> Result<Engine, TriageError> {
        let (scan, offsets) = self.joint_scan()?;
        self.scan = scan;
        self.scan_offsets = offsets;
        self.concepts_scanned = true;
        Ok(self)
    }

    /// The joint automaton of every list, and where the keyword, moderation and concept
    /// lists start in it.
    pub(super) fn joint_scan(&self) -> Result<(Lexicon, [usize; 3]), TriageError> {
        let parts =
            [self.signals.lexicon(), self.classifier.lexicon(), self.moderator.lexicon(), self.concepts.lexicon()];
        let (scan, offsets) = Lexicon::joint(&parts)?;
        Ok((scan, [offsets[1], offsets[2], offsets[3]]))
    }

    /// Concepts of a normalised text, from its concept hits when the joint scan has them.
    pub(super) fn find_concepts(&self, hits: &[Hit<'_>], text: &str) -> Vec<Found> {
        if self.concepts_scanned {
            self.concepts.find_hits(hits, text)
        } else {
            self.concepts.find(text)
        }
    }

    /// One scan of `text`, hits handed to signals, keywords and moderation with their own
    /// list numbers.
    pub(super) fn split_hits<'a>(&'a self, text: &str) -> [Vec<Hit<'a>>; 4] {
        let [keywords_at, moderation_at, concepts_at] = self.scan_offsets;
        let mut parts: [Vec<Hit<'a>>; 4] = Default::default();
        for mut hit in self.scan.find(text) {
            let part = if hit.list >= concepts_at {
                hit.list -= concepts_at;
                3
            } else if hit.list >= moderation_at {
                hit.list -= moderation_at;
                2
            } else if hit.list >= keywords_at {
                hit.list -= keywords_at;
                1
            } else {
                0
            };
            parts[part].push(hit);
        }
        parts
    }
}
