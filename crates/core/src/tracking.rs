//! Tracking numbers: `FB-2611-7K3Q9` — prefix, year and month of receipt, a body derived
//! from the ticket id, and a check character.
//!
//! The body is a bijective scramble of the id written in Crockford base 32 (no I, L, O, U, so
//! nothing is misheard as 1 or 0), at least four characters, so numbers are unique by
//! construction and do not reveal how many tickets a company gets. The check character is
//! Luhn mod 32 over the body and the month digits: it catches every single mistyped character
//! and most swaps of neighbours.

use crate::{DomainError, TicketId, Timestamp};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MIN_BODY: usize = 4;
const MAX_BODY: usize = 12;
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15; // odd, so invertible modulo any 2^k

/// A parsed, check-verified tracking number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingNo {
    yymm: u16,
    id: TicketId,
    text: String,
}

impl TrackingNo {
    /// The tracking number of ticket `id`, received at `received`.
    pub fn new(id: TicketId, received: Timestamp) -> TrackingNo {
        let yymm = ((received.year().rem_euclid(100)) * 100) as u16 + received.month() as u16;
        let body = encode_body(id.0 as u64);
        let check = check_char(&format!("{yymm:04}{body}"));
        let text = format!("FB-{yymm:04}-{body}{check}");
        TrackingNo { yymm, id, text }
    }

    /// Parses what a customer typed: case-insensitive, tolerant of spaces and of the letters
    /// O/I/L read as digits; refuses a wrong check character.
    pub fn parse(raw: &str) -> Result<TrackingNo, DomainError> {
        let bad = |why: &str| DomainError::invalid("tracking_no", why.to_string());
        let cleaned: String = raw.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let rest = cleaned.strip_prefix("FB-").ok_or_else(|| bad("must start with FB-"))?;
        let (yymm_txt, tail) = rest.split_once('-').ok_or_else(|| bad("must look like FB-2611-7K3Q9"))?;
        let yymm: u16 = (yymm_txt.len() == 4)
            .then(|| yymm_txt.parse().ok())
            .flatten()
            .filter(|v| (1..=12).contains(&(v % 100)))
            .ok_or_else(|| bad("the four digits after FB- are the year and month"))?;
        let tail: String = tail.chars().map(normalise_char).collect();
        if tail.len() < MIN_BODY + 1 || tail.len() > MAX_BODY + 1 || !tail.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(bad("has the wrong length or characters"));
        }
        let (body, check) = tail.split_at(tail.len() - 1);
        if check_char(&format!("{yymm:04}{body}")).to_string() != check {
            return Err(bad("check character does not match; please re-read the number"));
        }
        let id = decode_body(body).ok_or_else(|| bad("is not a valid number"))?;
        Ok(TrackingNo { yymm, id: TicketId(id as i64), text: format!("FB-{yymm:04}-{tail}") })
    }

    /// The ticket this number belongs to.
    pub fn ticket_id(&self) -> TicketId {
        self.id
    }

    /// The number as printed.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for TrackingNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for TrackingNo {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TrackingNo::parse(&s)
    }
}

impl From<TrackingNo> for String {
    fn from(t: TrackingNo) -> String {
        t.text
    }
}

fn normalise_char(c: char) -> char {
    match c {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    }
}

fn value_of(b: u8) -> Option<u64> {
    ALPHABET.iter().position(|&a| a == b).map(|p| p as u64)
}

/// Bits of the scramble space for a body of `chars` characters.
fn bits(chars: usize) -> u32 {
    (chars * 5) as u32
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Ids below 2^20 get 4 characters, below 2^25 five, and so on.
fn body_len(id: u64) -> usize {
    let mut len = MIN_BODY;
    while len < MAX_BODY && id > mask(bits(len)) {
        len += 1;
    }
    len
}

fn scramble(x: u64, b: u32) -> u64 {
    let m = mask(b);
    let mut v = x.wrapping_mul(MULTIPLIER) & m;
    v ^= v >> (b / 2);
    v.wrapping_mul(MULTIPLIER) & m
}

fn unscramble(v: u64, b: u32) -> u64 {
    let m = mask(b);
    let inv = mod_inverse(MULTIPLIER);
    let y = v.wrapping_mul(inv) & m;
    // y = x ^ (x >> s)  =>  x = y ^ (y >> s) ^ (y >> 2s) ^ ...
    let s = b / 2;
    let mut x = y;
    let mut t = y >> s;
    while t != 0 {
        x ^= t;
        t >>= s;
    }
    x.wrapping_mul(inv) & m
}

/// Inverse of an odd number modulo 2^64 (Newton's iteration).
fn mod_inverse(a: u64) -> u64 {
    let mut x = a;
    for _ in 0..6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
    }
    x
}

fn encode_body(id: u64) -> String {
    let len = body_len(id);
    let mut v = scramble(id, bits(len));
    let mut out = vec![b'0'; len];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8(out).unwrap_or_default()
}

fn decode_body(body: &str) -> Option<u64> {
    let mut v = 0u64;
    for b in body.bytes() {
        v = (v << 5) | value_of(b)?;
    }
    let id = unscramble(v, bits(body.len()));
    // A body longer than needed for its id is not one we issued.
    (body_len(id) == body.len() && id > 0).then_some(id)
}

/// Luhn mod N over base-32 code points.
fn check_char(payload: &str) -> char {
    let mut factor = 2;
    let mut sum = 0u64;
    for b in payload.bytes().rev() {
        let mut addend = factor * value_of(b).unwrap_or(0);
        factor = if factor == 2 { 1 } else { 2 };
        addend = addend / 32 + addend % 32;
        sum += addend;
    }
    ALPHABET[((32 - sum % 32) % 32) as usize] as char
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 3, 8, 0, 0).unwrap()
    }

    #[test]
    fn looks_like_the_example() {
        let t = TrackingNo::new(TicketId(1), at());
        assert!(t.as_str().starts_with("FB-2611-"), "{t}");
        assert_eq!(t.as_str().len(), "FB-2611-7K3Q9".len());
        assert_eq!(TrackingNo::parse(t.as_str()).unwrap().ticket_id(), TicketId(1));
    }

    #[test]
    fn lenient_about_case_and_spaces() {
        let t = TrackingNo::new(TicketId(4242), at());
        let typed = t.as_str().to_lowercase().replace('-', " - ");
        assert_eq!(TrackingNo::parse(&typed).unwrap(), t);
    }

    proptest! {
        #[test]
        fn round_trips(id in 1i64..(1i64 << 45)) {
            let t = TrackingNo::new(TicketId(id), at());
            prop_assert_eq!(TrackingNo::parse(t.as_str()).unwrap().ticket_id(), TicketId(id));
        }

        #[test]
        fn any_single_mistyped_character_is_caught(id in 1i64..5_000_000, pos in 0usize..6, sub in 0usize..32) {
            let t = TrackingNo::new(TicketId(id), at());
            let mut chars: Vec<u8> = t.as_str().as_bytes().to_vec();
            let idx = 8 + pos % (chars.len() - 8);
            let replacement = ALPHABET[sub];
            prop_assume!(chars[idx] != replacement);
            chars[idx] = replacement;
            let typo = String::from_utf8(chars).unwrap();
            prop_assert!(TrackingNo::parse(&typo).is_err(), "{} accepted as {}", typo, t);
        }
    }

    #[test]
    fn distinct_ids_give_distinct_numbers() {
        let mut seen = std::collections::HashSet::new();
        for id in 1..50_000 {
            assert!(seen.insert(TrackingNo::new(TicketId(id), at()).to_string()));
        }
    }
}
