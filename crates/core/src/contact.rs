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
        let (local, domain) = self.0.rsplit_once('@').unwrap_or(("", &self.0));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
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

/// A phone number reduced to digits with an optional leading `+` (spaces, dashes and
/// brackets dropped), 5 to 20 digits: Chinese mobiles, landlines with area codes, and
/// international numbers all fit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Normalises and validates.
    pub fn parse(raw: &str) -> Result<Phone, DomainError> {
        let s = raw.trim();
        let mut out = String::with_capacity(s.len());
        for (i, c) in s.chars().enumerate() {
            match c {
                '+' if i == 0 => out.push('+'),
                '0'..='9' => out.push(c),
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(DomainError::invalid("phone", format!("{s:?} is not a phone number"))),
            }
        }
        let digits = out.trim_start_matches('+').len();
        if !(5..=20).contains(&digits) {
            return Err(DomainError::invalid("phone", format!("{s:?} must have 5 to 20 digits")));
        }
        Ok(Phone(out))
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: keeps the first three and last four digits, as Chinese services do.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() <= 7 {
            return "*".repeat(chars.len());
        }
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}****{tail}")
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
        assert_eq!(Phone::parse("138-0013 8000").unwrap().as_str(), "13800138000");
        assert_eq!(Phone::parse("+86 (10) 6552 9988").unwrap().as_str(), "+861065529988");
        assert!(Phone::parse("12").is_err());
        assert!(Phone::parse("call me").is_err());
        assert_eq!(Phone::parse("13800138000").unwrap().masked(), "138****8000");
    }
}
