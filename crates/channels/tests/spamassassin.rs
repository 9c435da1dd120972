//! Parses every message of the SpamAssassin public corpus: zero panics, and a throughput
//! figure. Skips (with a note) when the corpus has not been fetched; run
//! `scripts/fetch-spamassassin.sh` first.

#[path = "support/corpus.rs"]
mod corpus;

use loopdesk_channels::email::{parse_email, EmailPolicy};
use std::collections::BTreeMap;
use std::time::Instant;

#[test]
fn every_corpus_message_parses_without_panic() {
    let Some(messages) = corpus::load() else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "the SpamAssassin corpus is missing under CI");
        println!(
            "note: SpamAssassin corpus not found at {}; run scripts/fetch-spamassassin.sh",
            corpus::dir().display()
        );
        return;
    };
    let policy = EmailPolicy::default();
    let mut panics = Vec::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut automated = 0;
    let started = Instant::now();
    for (path, raw) in &messages {
        match std::panic::catch_unwind(|| parse_email(raw, &policy)) {
            Ok(Ok(mail)) => automated += usize::from(mail.automated.is_some()),
            Ok(Err(e)) => *errors.entry(e.to_string()).or_default() += 1,
            Err(_) => panics.push(path.clone()),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let failed: usize = errors.values().sum();
    println!(
        "parsed {} messages in {secs:.2}s ({:.0} messages/s, unoptimised unless run with --release); \
         {failed} refused, {automated} automated, {} panics",
        messages.len(),
        messages.len() as f64 / secs,
        panics.len()
    );
    for (reason, count) in &errors {
        println!("  refused {count}: {reason}");
    }
    assert!(panics.is_empty(), "panicked on {panics:?}");
    assert!(messages.len() >= 6000, "corpus incomplete: {}", messages.len());
    // Real mail, even spam, should nearly always parse.
    assert!(failed * 100 < messages.len(), "{failed} messages refused");
}

/// Each corpus message cut short and with a few bytes overwritten: real structure with
/// damage in it reaches parser paths that random bytes never do.
#[test]
fn damaged_corpus_messages_parse_without_panic() {
    let Some(messages) = corpus::load() else {
        assert!(std::env::var("CI").map_or(true, |v| v != "true"), "the SpamAssassin corpus is missing under CI");
        println!("note: SpamAssassin corpus not found; run scripts/fetch-spamassassin.sh");
        return;
    };
    let policy = EmailPolicy::default();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut panics = Vec::new();
    for (path, raw) in &messages {
        let mut damaged = raw.clone();
        for _ in 0..8 {
            let at = rng.below(damaged.len());
            damaged[at] = rng.next() as u8;
        }
        damaged.truncate(1 + rng.below(damaged.len()));
        if std::panic::catch_unwind(|| parse_email(&damaged, &policy)).is_err() {
            panics.push(path.clone());
        }
    }
    println!("parsed {} damaged messages, {} panics", messages.len(), panics.len());
    assert!(panics.is_empty(), "panicked on {panics:?}");
}

/// A tiny deterministic generator, so a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
