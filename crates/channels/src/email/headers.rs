//! Reading individual header fields: subjects, message ids, dates, file names.

use loopdesk_core::Timestamp;
use mail_parser::{DateTime, HeaderName, HeaderValue, Message};

/// The decoded subject. Some Chinese mail clients send raw GBK bytes in the header
/// instead of encoded words; those arrive as replacement characters and are decoded
/// again as GB18030 (a superset of GB2312 and GBK) when that reads cleanly.
pub(crate) fn subject(msg: &Message<'_>) -> String {
    let decoded = msg.subject().unwrap_or_default();
    if !decoded.contains('\u{FFFD}') {
        return unfold(decoded);
    }
    raw_gb18030_subject(msg).unwrap_or_else(|| unfold(decoded))
}

fn raw_gb18030_subject(msg: &Message<'_>) -> Option<String> {
    let header = msg.headers().iter().find(|h| matches!(h.name, HeaderName::Subject))?;
    let raw = msg.raw_message().get(header.offset_start as usize..header.offset_end as usize)?;
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(raw);
    (!had_errors).then(|| unfold(&text))
}

/// Joins folded header lines and trims.
fn unfold(s: &str) -> String {
    s.split(['\r', '\n']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A message id without angle brackets or surrounding space.
pub(crate) fn bare_id(id: &str) -> String {
    id.trim().trim_start_matches('<').trim_end_matches('>').to_string()
}

/// The ids of an In-Reply-To or References header, in header order.
pub(crate) fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    let ids: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.as_ref()).collect(),
        _ => Vec::new(),
    };
    ids.into_iter().map(bare_id).filter(|id| !id.is_empty()).collect()
}

/// A valid Date header as a UTC instant.
pub(crate) fn timestamp(date: &DateTime) -> Option<Timestamp> {
    if !date.is_valid() {
        return None;
    }
    chrono::DateTime::from_timestamp(date.to_timestamp(), 0)
}

/// A file name safe to show and store: no directories, no control characters.
pub(crate) fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(200)
        .collect()
}
