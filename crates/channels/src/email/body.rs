//! The readable text of a message: the first text body, or the first HTML body reduced
//! to text, with undeclared Chinese 8-bit text recovered.

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders, PartType};

/// The text and whether it came from HTML, cut to `max_chars` characters.
pub(crate) fn body_text(msg: &Message<'_>, max_chars: usize) -> (String, bool) {
    let Some(part) = msg.text_body.first().and_then(|id| msg.parts.get(*id as usize)) else {
        return (String::new(), false);
    };
    let (text, from_html) = match &part.body {
        PartType::Text(t) => (recover_gb18030(msg, part).unwrap_or_else(|| t.to_string()), false),
        PartType::Html(h) => {
            let html = recover_gb18030(msg, part).unwrap_or_else(|| h.to_string());
            (html_to_text(&html), true)
        }
        _ => (String::new(), false),
    };
    let text = tidy(&text);
    let text = match text.char_indices().nth(max_chars) {
        Some((cut, _)) => text[..cut].to_string(),
        None => text,
    };
    (text, from_html)
}

/// Old Chinese mail clients send 8-bit GBK text without declaring a charset; it then
/// decodes to replacement characters. Such a body is decoded again as GB18030 (a
/// superset of GB2312 and GBK) when that reads cleanly.
fn recover_gb18030(msg: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let (PartType::Text(decoded) | PartType::Html(decoded)) = &part.body else {
        return None;
    };
    let declared = part.content_type().and_then(|ct| ct.attribute("charset")).is_some();
    if declared || part.encoding != Encoding::None || !decoded.contains('\u{FFFD}') {
        return None;
    }
    let raw = msg.raw_message().get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(raw);
    (!had_errors).then(|| text.into_owned())
}

/// Normalises line ends and folds runs of blank lines that HTML reduction leaves behind.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.replace("\r\n", "\n").lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}
