//! Turning an alert into plain lines and markdown, safely.

use super::{Alert, Severity};

/// The alert with every title and field neutralised (see [`neutral`]).
pub(crate) fn neutralised(alert: &Alert) -> Alert {
    let mut a = alert.clone();
    a.title = neutral(&a.title);
    for (label, value) in &mut a.fields {
        *label = neutral(label);
        *value = neutral(value);
    }
    if let Some(link) = &mut a.link {
        link.label = neutral(&link.label);
    }
    a
}

/// One line, with the characters robots read as markup (`<@id>`, `<at>`, `<font>`,
/// `[text](url)`) replaced by their full-width look-alikes: a customer's words stay
/// readable but cannot mention people or plant links in a staff group.
pub(crate) fn neutral(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => '＜',
            '>' => '＞',
            '[' => '［',
            ']' => '］',
            '\r' | '\n' | '\t' => ' ',
            c => c,
        })
        .collect()
}

/// `【紧急】` style prefix for plain text.
pub(crate) fn severity_tag(s: Severity) -> &'static str {
    match s {
        Severity::Info => "【通知】",
        Severity::Warning => "【预警】",
        Severity::Critical => "【紧急】",
    }
}

/// The alert as plain text lines: title, `label：value`, link.
pub(crate) fn plain(alert: &Alert) -> String {
    let mut out = format!("{}{}", severity_tag(alert.severity), alert.title);
    for (label, value) in &alert.fields {
        out.push_str(&format!("\n{label}：{value}"));
    }
    if let Some(link) = &alert.link {
        out.push_str(&format!("\n{}：{}", link.label, link.url));
    }
    out
}

/// The fields as markdown quote lines, and the link, after a heading.
pub(crate) fn markdown(alert: &Alert, heading: &str) -> String {
    let mut out = format!("{heading}\n");
    for (label, value) in &alert.fields {
        out.push_str(&format!("> {label}：{value}\n"));
    }
    if let Some(link) = &alert.link {
        out.push_str(&format!("\n[{}]({})", link.label, link.url));
    }
    out.trim_end().to_string()
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking the cut.
pub(crate) fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mark = "…";
    let mut end = max.saturating_sub(mark.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{mark}", &s[..end])
}
