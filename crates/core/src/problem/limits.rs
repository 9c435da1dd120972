//! What the fields of a problem and an action may hold: text sizes and list lengths, so one
//! request cannot store a novel in a title or link a million tickets at once.

use crate::DomainError;

pub const TITLE_CHARS: usize = 200;
pub const TEXT_CHARS: usize = 10_000;
pub const SHORT_CHARS: usize = 200;
pub const PRODUCTS: usize = 20;
pub const WHYS: usize = 10;
pub const WHY_CHARS: usize = 1_000;
pub const REASON_CHARS: usize = 2_000;
/// Tickets linked by one request (a cluster's members are read in pages of this).
pub const LINKS: usize = 1_000;
/// Working days a deadline may lie ahead.
pub const WORKING_DAYS: i64 = 365;

/// `text` trimmed, non-empty and at most `max` characters.
pub fn required(field: &'static str, text: &str, max: usize) -> Result<String, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    optional(field, t, max)
}

/// `text` trimmed, at most `max` characters (may be empty).
pub fn optional(field: &'static str, text: &str, max: usize) -> Result<String, DomainError> {
    let t = text.trim();
    if t.chars().count() > max {
        return Err(DomainError::invalid(field, format!("at most {max} characters")));
    }
    Ok(t.to_string())
}

/// A list of at most `max` entries, each at most `chars` characters, blanks dropped.
pub fn list(field: &'static str, items: &[String], max: usize, chars: usize) -> Result<Vec<String>, DomainError> {
    if items.len() > max {
        return Err(DomainError::invalid(field, format!("at most {max} entries")));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let t = optional(field, item, chars)?;
        if !t.is_empty() {
            out.push(t);
        }
    }
    Ok(out)
}

/// A number of working days between 1 and [`WORKING_DAYS`].
pub fn working_days(field: &'static str, n: i64) -> Result<i64, DomainError> {
    if (1..=WORKING_DAYS).contains(&n) {
        Ok(n)
    } else {
        Err(DomainError::invalid(field, format!("between 1 and {WORKING_DAYS} working days")))
    }
}
