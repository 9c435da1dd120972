//! iCalendar (RFC 5545) import/export of holidays and make-up days as all-day VEVENTs.
//!
//! Export writes one event per date with `SUMMARY:春节（休）` or `春节（班）`, the kind
//! also in `CATEGORIES` and `X-LOOPDESK-KIND`. Import accepts those and common Chinese
//! holiday feeds: the kind comes from `X-LOOPDESK-KIND`, else `CATEGORIES`, else the
//! summary (班/上班/补班/workday mean a working day); multi-day events are expanded.
//! Provisional holidays are written `SUMMARY:端午节（休，暂定）` with the kind
//! `holiday_provisional`, and read back as such (so an import can skip them).

use super::days::{DayKind, SpecialDay};
use super::hours::{format_spans, parse_spans};
use super::CalendarError;
use crate::Timestamp;
use chrono::{Duration, NaiveDate};

/// The summary mark of a provisional holiday: a day off, until the notice says otherwise.
const PROVISIONAL_MARK: &str = "休，暂定";

/// Writes `days` as an iCalendar document; `stamp` is the DTSTAMP (the export time).
pub fn write(calendar_name: &str, days: &[SpecialDay], stamp: Timestamp) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Loopdesk//Business calendar//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("X-WR-CALNAME:{}", escape(calendar_name)),
    ];
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for d in days {
        lines.extend(event(d, &stamp));
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

fn event(d: &SpecialDay, stamp: &str) -> Vec<String> {
    let date = |x: NaiveDate| x.format("%Y%m%d").to_string();
    let mark = match d.kind {
        DayKind::Holiday => "休",
        DayKind::Workday => "班",
        DayKind::HolidayProvisional => PROVISIONAL_MARK,
    };
    let mut lines = vec![
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}-{}@loopdesk", d.date, d.kind),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;VALUE=DATE:{}", date(d.date)),
        format!("DTEND;VALUE=DATE:{}", date(d.date + Duration::days(1))),
        format!("SUMMARY:{}（{mark}）", escape(&d.name)),
        format!("CATEGORIES:{}", d.kind.as_str().to_uppercase()),
        format!("X-LOOPDESK-KIND:{}", d.kind),
        "TRANSP:TRANSPARENT".into(),
    ];
    if let Some(hours) = &d.hours {
        lines.push(format!("X-LOOPDESK-HOURS:{}", format_spans(hours)));
    }
    lines.push("END:VEVENT".into());
    lines
}

/// Folds a content line at 75 octets without splitting a character; ends it with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// One VEVENT's properties of interest, collected while reading.
#[derive(Default)]
struct Draft {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    summary: String,
    categories: String,
    kind: Option<DayKind>,
    hours: Option<String>,
}

/// Reads the all-day events of an iCalendar document as holiday rows.
pub fn parse(text: &str) -> Result<Vec<SpecialDay>, CalendarError> {
    let mut days = Vec::new();
    let mut draft: Option<Draft> = None;
    for (n, line) in unfold(text) {
        let err = |message: String| CalendarError::Ical { line: n, message };
        let (head, value) = line.split_once(':').ok_or_else(|| err(format!("not a content line: {line:?}")))?;
        let name = head.split(';').next().unwrap_or("").to_ascii_uppercase();
        match (name.as_str(), draft.as_mut()) {
            ("BEGIN", None) if value.eq_ignore_ascii_case("VEVENT") => draft = Some(Draft::default()),
            ("END", Some(_)) if value.eq_ignore_ascii_case("VEVENT") => {
                let d = draft.take().expect("inside an event");
                days.extend(finish(d).map_err(err)?);
            }
            ("DTSTART", Some(d)) => d.start = Some(ical_date(value).map_err(err)?),
            ("DTEND", Some(d)) => d.end = Some(ical_date(value).map_err(err)?),
            ("SUMMARY", Some(d)) => d.summary = unescape(value),
            ("CATEGORIES", Some(d)) => d.categories = value.to_ascii_lowercase(),
            ("X-LOOPDESK-KIND", Some(d)) => d.kind = DayKind::parse(value.trim()),
            ("X-LOOPDESK-HOURS", Some(d)) => d.hours = Some(value.to_string()),
            _ => {}
        }
    }
    Ok(days)
}

/// Joins folded lines (a line starting with a space or tab continues the previous one).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        match (raw.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(rest), Some((_, prev))) => prev.push_str(rest),
            _ if raw.trim().is_empty() => {}
            _ => out.push((i + 1, raw.to_string())),
        }
    }
    out
}

fn ical_date(value: &str) -> Result<NaiveDate, String> {
    let digits = value.get(..8).unwrap_or(value);
    NaiveDate::parse_from_str(digits, "%Y%m%d").map_err(|_| format!("bad date {value:?}"))
}

fn finish(d: Draft) -> Result<Vec<SpecialDay>, String> {
    let start = d.start.ok_or("event without DTSTART")?;
    let end = d.end.unwrap_or(start + Duration::days(1)).max(start + Duration::days(1));
    let (name, hint) = strip_mark(&d.summary);
    let kind = d.kind.unwrap_or_else(|| guess_kind(&d.categories, hint, &d.summary));
    let hours = match d.hours {
        Some(h) => Some(parse_spans(&h).map_err(|e| e.to_string())?),
        None => None,
    };
    Ok(start
        .iter_days()
        .take_while(|day| *day < end)
        .map(|date| SpecialDay { date, kind, name: name.clone(), hours: hours.clone() })
        .collect())
}

/// Splits "春节（休）" into the name and the kind its mark gives.
fn strip_mark(summary: &str) -> (String, Option<DayKind>) {
    let s = summary.trim();
    for (open, close) in [("（", "）"), ("(", ")")] {
        let marks =
            [(PROVISIONAL_MARK, DayKind::HolidayProvisional), ("休", DayKind::Holiday), ("班", DayKind::Workday)];
        for (mark, kind) in marks {
            if let Some(name) = s.strip_suffix(&format!("{open}{mark}{close}")) {
                return (name.trim().to_string(), Some(kind));
            }
        }
    }
    (s.to_string(), None)
}

fn guess_kind(categories: &str, hint: Option<DayKind>, summary: &str) -> DayKind {
    if categories.contains("provisional") {
        return DayKind::HolidayProvisional;
    }
    if categories.contains("workday") {
        return DayKind::Workday;
    }
    if categories.contains("holiday") {
        return DayKind::Holiday;
    }
    let working = ["班", "workday", "working day"].iter().any(|w| summary.to_lowercase().contains(w));
    hint.unwrap_or(if working { DayKind::Workday } else { DayKind::Holiday })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn stamp() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn round_trips_the_china_schedule() {
        let days = crate::calendar::holidays::china();
        let text = write("中国大陆", &days, stamp());
        assert!(text.contains("SUMMARY:春节（休）\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20260214\r\n"));
        assert!(text.lines().all(|l| l.len() <= 76));
        assert_eq!(parse(&text).unwrap(), days);
    }

    #[test]
    fn reads_foreign_feeds_with_ranges_folding_and_marks() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\n\
                    DTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆\r\n 节\r\nEND:VEVENT\r\n\
                    BEGIN:VEVENT\r\nDTSTART:20261010\r\nSUMMARY:国庆节补班\r\nEND:VEVENT\r\n\
                    BEGIN:VEVENT\r\nDTSTART:20260920T000000\r\nSUMMARY:国庆节 (班)\r\nEND:VEVENT\r\n\
                    END:VCALENDAR\r\n";
        let days = parse(text).unwrap();
        assert_eq!(days.len(), 9);
        assert!(days[..7].iter().all(|d| d.kind == DayKind::Holiday && d.name == "国庆节"));
        assert_eq!(days[7].kind, DayKind::Workday);
        assert_eq!((days[8].kind, days[8].name.as_str()), (DayKind::Workday, "国庆节"));
    }

    #[test]
    fn escapes_text_and_reports_bad_dates() {
        let d = SpecialDay::holiday(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(), "a,b;c");
        let text = write("x", std::slice::from_ref(&d), stamp());
        assert!(text.contains("SUMMARY:a\\,b\\;c（休）"));
        assert_eq!(parse(&text).unwrap(), vec![d]);
        let err = parse("BEGIN:VEVENT\nDTSTART:2026\nEND:VEVENT\n").unwrap_err();
        assert!(err.to_string().contains("line 2"));
    }
}
