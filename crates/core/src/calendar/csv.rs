//! CSV import/export of holidays and make-up days: `date,kind,name[,hours]`.
//!
//! One row per date; `kind` is `holiday`, `workday` or `holiday_provisional` (computed by
//! rule, written by exports only); `hours` (optional) lists a working
//! day's own spans ("09:00-12:00 13:00-17:00"). Lines starting with `#` and blank lines are
//! ignored; the header row is optional. Fields may be double-quoted (RFC 4180).

use super::days::{DayKind, SpecialDay};
use super::hours::{format_spans, parse_spans};
use super::CalendarError;
use chrono::NaiveDate;

const HEADER: &str = "date,kind,name,hours";

/// Reads holiday rows from CSV text.
pub fn parse(text: &str) -> Result<Vec<SpecialDay>, CalendarError> {
    let mut days = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("date,") {
            continue;
        }
        let err = |message: String| CalendarError::Csv { line: i + 1, message };
        let fields = split_fields(line).map_err(err)?;
        days.push(row(&fields).map_err(err)?);
    }
    Ok(days)
}

fn row(fields: &[String]) -> Result<SpecialDay, String> {
    if !(3..=4).contains(&fields.len()) {
        return Err(format!("expected 3 or 4 fields, found {}", fields.len()));
    }
    let date = NaiveDate::parse_from_str(fields[0].trim(), "%Y-%m-%d")
        .map_err(|_| format!("bad date {:?}, expected YYYY-MM-DD", fields[0]))?;
    let kind = DayKind::parse(fields[1].trim())
        .ok_or_else(|| format!("bad kind {:?}, expected holiday, workday or holiday_provisional", fields[1]))?;
    let hours = match fields.get(3).map(|h| h.trim()) {
        Some(h) if !h.is_empty() => Some(parse_spans(h).map_err(|e| e.to_string())?),
        _ => None,
    };
    Ok(SpecialDay { date, kind, name: fields[2].trim().to_string(), hours })
}

/// Splits one CSV line into fields, honouring double quotes.
fn split_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut().expect("there is always a field");
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(String::new()),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    Ok(fields)
}

/// Writes holiday rows as CSV text with a header, sorted by date.
pub fn write(days: &[SpecialDay]) -> String {
    let mut sorted: Vec<&SpecialDay> = days.iter().collect();
    sorted.sort_by_key(|d| d.date);
    let mut out = format!("{HEADER}\n");
    for d in sorted {
        let hours = d.hours.as_deref().map(format_spans).unwrap_or_default();
        out.push_str(&format!("{},{},{},{}\n", d.date, d.kind, quote(&d.name), hours));
    }
    out
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_comments_headers_quotes_and_hours() {
        let text = "# note\ndate,kind,name\n2026-02-14,workday,春节\n\
                    2026-02-15,holiday,\"Spring, \"\"Festival\"\"\"\n\
                    2026-03-01,workday,盘点,09:00-12:00 13:00-15:00\n";
        let days = parse(text).unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days[0], SpecialDay::workday(days[0].date, "春节"));
        assert_eq!(days[1].name, "Spring, \"Festival\"");
        assert_eq!(days[2].hours.as_ref().unwrap().len(), 2);
        assert_eq!(parse(&write(&days)).unwrap(), days);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("date,kind,name\n2026-02-30,holiday,x\n").unwrap_err();
        assert_eq!(err.to_string(), "csv line 2: bad date \"2026-02-30\", expected YYYY-MM-DD");
        assert!(parse("2026-02-01,vacation,x").is_err());
        assert!(parse("2026-02-01,holiday").is_err());
        assert!(parse("2026-02-01,holiday,\"x").is_err());
    }
}
