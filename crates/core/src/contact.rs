//! Customer contact newtypes, parsed at the edge so the rest of the code trusts them.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// A syntactically plausible e-mail address, trimmed; the domain part is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Validates shape only (one `@`, a dotted domain, no spaces, at most 254 bytes).
    pub fn parse(raw: &str) -> Result<Email, DomainError> {
        let s = raw.trim();
        let bad = || DomainError::invalid("email", format!("{s:?} is not an e-mail address"));
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad());
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `z***@example.com`: enough for a person to recognise, not to reuse.
    pub fn masked(&self) -> String {
        mask_email(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

/// [`Email::masked`] of an address stored in its parsed form (an export reads it without
/// parsing it again).
pub fn mask_email(address: &str) -> String {
    let (local, domain) = address.rsplit_once('@').unwrap_or(("", address));
    let first: String = local.chars().take(1).collect();
    format!("{first}***@{domain}")
}

/// [`Phone::masked`] of a number stored in its normalised form.
pub fn mask_phone(number: &str) -> String {
    let national = number.strip_prefix("+86").unwrap_or(number);
    let chars: Vec<char> = national.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// A phone number in one form, so the same number written two ways is the same number
/// (tracking look-ups, duplicate detection, merges): digits with an optional leading `+`
/// (spaces, dashes, dots and brackets dropped), 5 to 20 digits, and mainland China numbers
/// in E.164 — `13966667777`, `139-6666-7777`, `+86 139 6666 7777` and `0086 13966667777`
/// are all `+8613966667777`; landlines written with their trunk `0` (`010-6552 9988`)
/// become `+861065529988`. Other international numbers keep their `+` (or `00` becomes
/// `+`); short service numbers (95588, 12315) stay as they are.
///
/// Migration `0041_phone_e164` applies the same [`Phone::normalise`] steps to stored rows;
/// the two must change together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Normalises and validates.
    pub fn parse(raw: &str) -> Result<Phone, DomainError> {
        let s = raw.trim();
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '+' if out.is_empty() => out.push('+'),
                '0'..='9' => out.push(c),
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(DomainError::invalid("phone", format!("{s:?} is not a phone number"))),
            }
        }
        let digits = out.trim_start_matches('+').len();
        if !(5..=20).contains(&digits) {
            return Err(DomainError::invalid("phone", format!("{s:?} must have 5 to 20 digits")));
        }
        Ok(Phone(Phone::normalise(out)))
    }

    /// The E.164 steps, in order, on digits with an optional leading `+`. No step leaves
    /// fewer than 5 digits, so every number accepted before is accepted after.
    fn normalise(mut n: String) -> String {
        let len = n.len();
        if n.starts_with("0086") && len >= 9 {
            n = format!("+86{}", &n[4..]);
        } else if n.starts_with("00") && len >= 7 {
            n = format!("+{}", &n[2..]);
        }
        if n.starts_with("+860") && n.len() >= 8 {
            n = format!("+86{}", &n[4..]);
        }
        let b = n.as_bytes();
        if n.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            n = format!("+86{n}");
        } else if (10..=12).contains(&n.len()) && b[0] == b'0' && (b'1'..=b'9').contains(&b[1]) {
            n = format!("+86{}", &n[1..]);
        }
        n
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: keeps the first three and last four digits of the national number,
    /// as Chinese services do.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Li.Wei@Example.COM ").unwrap().as_str(), "Li.Wei@example.com");
        for bad in ["", "a", "a@b", "@b.com", "a b@c.com", "a@.com", "a@b..com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Email::parse("zhang@qq.com").unwrap().masked(), "z***@qq.com");
    }

    #[test]
    fn phones() {
        assert_eq!(Phone::parse("138-0013 8000").unwrap().as_str(), "+8613800138000");
        assert_eq!(Phone::parse("+86 (10) 6552 9988").unwrap().as_str(), "+861065529988");
        assert!(Phone::parse("12").is_err());
        assert!(Phone::parse("call me").is_err());
        assert_eq!(Phone::parse("13800138000").unwrap().masked(), "138****8000");
        assert_eq!(Phone::parse("+8613800138000").unwrap().masked(), "138****8000");
    }

    #[test]
    fn mainland_numbers_have_one_form() {
        for same in [
            "13966667777",
            "+8613966667777",
            "+86 139 6666 7777",
            "0086 139-6666-7777",
            "008613966667777",
            "139-6666-7777",
            "(+86) 139.6666.7777",
        ] {
            assert_eq!(Phone::parse(same).unwrap().as_str(), "+8613966667777", "{same}");
        }
        for landline in ["010-6552 9988", "+86 (010) 6552 9988", "0086 10 6552 9988", "01065529988"] {
            assert_eq!(Phone::parse(landline).unwrap().as_str(), "+861065529988", "{landline}");
        }
        assert_eq!(Phone::parse("0755-8888 9999").unwrap().as_str(), "+8675588889999");
        assert_eq!(Phone::parse("+1 415 555 0100").unwrap().as_str(), "+14155550100");
        assert_eq!(Phone::parse("001 415 555 0100").unwrap().as_str(), "+14155550100");
        assert_eq!(Phone::parse("95588").unwrap().as_str(), "95588");
        assert_eq!(Phone::parse("12315").unwrap().as_str(), "12315");
    }

    #[test]
    fn normalising_twice_changes_nothing_and_keeps_every_old_number_valid() {
        // Every digit string the old parser stored must still parse, to the same number
        // whichever form it was stored in.
        for len in 5..=20 {
            for lead in ["", "+", "0", "00", "0086", "+86", "+860", "1", "13", "01"] {
                let mut n = lead.to_string();
                while n.trim_start_matches('+').len() < len {
                    n.push('7');
                }
                let once = Phone::parse(&n).unwrap_or_else(|e| panic!("{n}: {e}"));
                assert_eq!(Phone::parse(once.as_str()).unwrap(), once, "{n}");
            }
        }
    }
}
