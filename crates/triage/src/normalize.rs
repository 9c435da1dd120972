//! Normalisation for analysis: full-width → half-width, traditional → simplified, case
//! folding, and recognition of URLs, e-mails, phone and order numbers as entity tokens.
//! The stored text is never changed; this only feeds the analysis.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Longest text analysed, in characters; the rest is ignored (and reported as truncated).
pub const DEFAULT_MAX_CHARS: usize = 20_000;

/// A kind of entity recognised in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// `http://…`, `www.…` or a bare domain.
    Url,
    /// An e-mail address.
    Email,
    /// A phone number (Chinese mobile, landline or international).
    Phone,
    /// A long alphanumeric reference such as an order or serial number.
    OrderNo,
}

impl EntityKind {
    /// The token that stands for the entity in the segmented text.
    pub fn token(self) -> &'static str {
        match self {
            EntityKind::Url => "<url>",
            EntityKind::Email => "<email>",
            EntityKind::Phone => "<phone>",
            EntityKind::OrderNo => "<order_no>",
        }
    }
}

/// One recognised entity, with its normalised text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// What it is.
    pub kind: EntityKind,
    /// Its text as found (after width and case folding).
    pub value: String,
}

/// Text prepared for analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalized {
    /// Half-width, simplified, lower-cased text with entities replaced by spaces.
    pub text: String,
    /// Entities found, in order.
    pub entities: Vec<Entity>,
    /// Whether the input was longer than the analysed limit.
    pub truncated: bool,
    /// Characters that look binary: control, replacement, private-use.
    pub binary_chars: usize,
    /// Characters analysed.
    pub chars: usize,
}

/// Whether `c` is a CJK unified ideograph (the Han characters we segment).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Whether `c` is a letter, digit or Han character (fast for ASCII and Han).
pub fn is_wordy(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_han(c) || c.is_alphanumeric()
    }
}

/// Maps one character to half-width and lower case; `None` drops it.
pub fn fold_char(c: char) -> Option<char> {
    // Han characters, most of a Chinese text, have no width or case to fold: skip the
    // Unicode table look-ups below.
    if is_han(c) {
        return Some(c);
    }
    let c = match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' | '\u{00a0}' => ' ',
        '\u{200b}'..='\u{200d}' | '\u{feff}' => return None,
        c if c.is_control() => ' ',
        c => c,
    };
    if c.is_ascii() {
        Some(c.to_ascii_lowercase())
    } else if c.is_uppercase() {
        c.to_lowercase().next()
    } else {
        Some(c)
    }
}

fn looks_binary(c: char) -> bool {
    (c.is_control() && !c.is_whitespace()) || c == '\u{fffd}' || matches!(c, '\u{e000}'..='\u{f8ff}')
}

/// Normalises `raw`, analysing at most `max_chars` characters.
pub fn normalize(raw: &str, max_chars: usize) -> Normalized {
    let mut folded = String::with_capacity(raw.len().min(max_chars * 4));
    let mut chars = 0;
    let mut binary_chars = 0;
    let mut traditional = false;
    let mut truncated = false;
    for c in raw.chars() {
        if chars == max_chars {
            truncated = true;
            break;
        }
        chars += 1;
        if looks_binary(c) {
            binary_chars += 1;
        }
        if let Some(f) = fold_char(c) {
            traditional |= !f.is_ascii() && may_be_traditional(f);
            folded.push(f);
        }
    }
    let simplified = if traditional { hanconv::t2s(&folded) } else { folded };
    let (text, entities) = extract_entities(&simplified);
    Normalized { text, entities, truncated, binary_chars, chars }
}

/// Han characters (U+3400–U+9FFF) that simplification changes, as a bitset built once.
fn traditional_set() -> &'static [u64] {
    static SET: OnceLock<Vec<u64>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut bits = vec![0u64; (0xa000 - 0x3400) / 64];
        let mut buf = [0u8; 4];
        for code in 0x3400u32..0xa000 {
            if let Some(c) = char::from_u32(code) {
                if hanconv::t2s(c.encode_utf8(&mut buf)).chars().ne(std::iter::once(c)) {
                    let i = (code - 0x3400) as usize;
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
        }
        bits
    })
}

/// Whether `c` may need conversion: a Han character simplification changes, or any
/// non-Han, non-ASCII character (left to the converter to decide).
fn may_be_traditional(c: char) -> bool {
    let code = c as u32;
    if !(0x3400..0xa000).contains(&code) {
        return !c.is_ascii() && is_han(c);
    }
    let i = (code - 0x3400) as usize;
    traditional_set().get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// Converts traditional characters to simplified ones (phrase-aware).
pub fn to_simplified(text: &str) -> String {
    hanconv::t2s(text)
}

fn is_run_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '@' | '.' | '_' | ':' | '/' | '%' | '?' | '=' | '&' | '+' | '-' | '#' | '~')
}

/// Replaces entities in `text` by spaces and returns them.
fn extract_entities(text: &str) -> (String, Vec<Entity>) {
    let mut out = String::with_capacity(text.len());
    let mut entities = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(is_run_char) {
        out.push_str(&rest[..start]);
        let run_len = rest[start..].find(|c: char| !is_run_char(c)).unwrap_or(rest.len() - start);
        let run = &rest[start..start + run_len];
        let core = run.trim_end_matches(['.', ':', '?', '-', '/', '#', '~', '&', '=']);
        match classify_run(core) {
            Some(kind) => {
                entities.push(Entity { kind, value: core.to_string() });
                out.push(' ');
                out.push_str(&run[core.len()..]);
            }
            None => out.push_str(run),
        }
        rest = &rest[start + run_len..];
    }
    out.push_str(rest);
    (out, entities)
}

fn classify_run(run: &str) -> Option<EntityKind> {
    if run.len() < 5 {
        return None;
    }
    if run.starts_with("http://") || run.starts_with("https://") || run.starts_with("www.") {
        return Some(EntityKind::Url);
    }
    if let Some((local, domain)) = run.split_once('@') {
        let ok = !local.is_empty() && domain.contains('.') && !domain.starts_with('.');
        return ok.then_some(EntityKind::Email);
    }
    if is_bare_domain(run) {
        return Some(EntityKind::Url);
    }
    let digits = run.bytes().filter(u8::is_ascii_digit).count();
    let phone_shape = run.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || b == b'-' || (b == b'+' && i == 0));
    if phone_shape && is_phone(run, digits) {
        return Some(EntityKind::Phone);
    }
    let alnum = run.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if alnum && digits >= 6 && run.len() >= 8 {
        return Some(EntityKind::OrderNo);
    }
    None
}

fn is_phone(run: &str, digits: usize) -> bool {
    let bare: String = run.chars().filter(char::is_ascii_digit).collect();
    if run.starts_with('+') {
        return (8..=15).contains(&digits);
    }
    let mobile =
        bare.len() == 11 && bare.starts_with('1') && bare.as_bytes().get(1).is_some_and(|b| (b'3'..=b'9').contains(b));
    let landline = bare.starts_with('0') && (10..=12).contains(&bare.len()) && run.contains('-');
    let hotline = (bare.starts_with("400") || bare.starts_with("800")) && bare.len() == 10;
    mobile || landline || hotline
}

fn is_bare_domain(run: &str) -> bool {
    const TLDS: [&str; 8] = [".com", ".cn", ".net", ".org", ".io", ".top", ".xyz", ".cc"];
    let host = run.split('/').next().unwrap_or(run);
    host.contains('.')
        && TLDS.iter().any(|t| host.ends_with(t) && host.len() > t.len() + 1)
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Normalized {
        normalize(s, DEFAULT_MAX_CHARS)
    }

    #[test]
    fn full_width_and_case() {
        assert_eq!(n("ＡＰＰ　閃退！").text, "app 闪退!");
        assert_eq!(n("WiFi Keeps DROPPING").text, "wifi keeps dropping");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(n("電池發熱，還冒煙").text, "电池发热,还冒烟");
        assert_eq!(n("處理要求").text, "处理要求");
    }

    #[test]
    fn only_texts_with_traditional_characters_are_converted() {
        assert!(may_be_traditional('發'));
        assert!(may_be_traditional('電'));
        assert!(!may_be_traditional('发'));
        assert!(!may_be_traditional('漏'));
        // Phrase-level conversion still applies once a traditional character is present.
        assert_eq!(n("這個軟體").text, to_simplified("這個軟體"));
        assert_eq!(n("这个软件很好").text, "这个软件很好");
    }

    #[test]
    fn entities_become_tokens() {
        let x =
            n("订单号2023110512345678没到，请联系13812345678或 li.wei@example.com，详见https://shop.example.com/o/1。");
        let kinds: Vec<EntityKind> = x.entities.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, vec![EntityKind::OrderNo, EntityKind::Phone, EntityKind::Email, EntityKind::Url]);
        assert!(!x.text.contains("13812345678"));
        assert!(x.text.contains("没到"));
    }

    #[test]
    fn short_numbers_are_not_entities() {
        let x = n("我要打12315投诉, 等了3天, model x200");
        assert!(x.entities.is_empty());
        assert!(x.text.contains("12315"));
        let y = n("call 010-62345678 or +44 20 or 400-820-8820 now");
        assert_eq!(y.entities.len(), 2);
    }

    #[test]
    fn truncation_and_binary() {
        let long = "漏".repeat(30);
        let x = normalize(&long, 10);
        assert!(x.truncated);
        assert_eq!(x.chars, 10);
        let b = n("\u{0}\u{1}\u{fffd}\u{fffd}abc");
        assert_eq!(b.binary_chars, 4);
        assert_eq!(n("").text, "");
    }
}
