//! Staff notes ("门店记录：…", "客户来电：…", "Store note: …", "Caller reports: …") start
//! with a header saying who wrote the note down and how the customer came, not what the
//! feedback is about. The models read the note without it: with it, a phone or store note
//! about a sagging sofa read as a complaint about service (cross-validation inside the
//! training half and the held-out half both showed notes pulled that way).

use std::borrow::Cow;

/// Words of a header, in normalised (simplified, lower-case) text.
const HEADER_WORDS: [&str; 12] = [
    "来电",
    "记录",
    "登记",
    "门店反馈",
    "store note",
    "store visit",
    "store record",
    "front desk",
    "caller",
    "inbound call",
    "phone call",
    "call note",
];

/// A header ends with a colon within this many characters.
const HEADER_CHARS: usize = 24;

/// Byte offset where the note's body starts in normalised text (0: no header).
pub(crate) fn body_start(text: &str) -> usize {
    let head = text.char_indices().nth(HEADER_CHARS).map_or(text.len(), |(i, _)| i);
    let Some(colon) = text[..head].find([':', '：']) else {
        return 0;
    };
    let before = &text[..colon];
    if !HEADER_WORDS.iter().any(|w| before.contains(w)) {
        return 0;
    }
    colon + text[colon..].chars().next().map_or(1, char::len_utf8)
}

/// The words of `text` at or after byte `body` (words that are not slices of `text`,
/// such as entity tokens, are kept).
pub(crate) fn words_after<'a, 'w>(words: &'w [&'a str], text: &str, body: usize) -> Cow<'w, [&'a str]> {
    if body == 0 {
        return Cow::Borrowed(words);
    }
    let start = text.as_ptr() as usize;
    let end = start + text.len();
    let kept = words
        .iter()
        .filter(|w| {
            let at = w.as_ptr() as usize;
            at < start || at >= end || at - start >= body
        })
        .copied()
        .collect();
    Cow::Owned(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_staff_headers_only() {
        let t = "门店记录:顾客反映沙发坐垫塌陷";
        assert_eq!(&t[body_start(t)..], "顾客反映沙发坐垫塌陷");
        let e = "store note: customer says the case colour is lighter";
        assert_eq!(&e[body_start(e)..], " customer says the case colour is lighter");
        let vip = "客户(钻石会员)来电:投诉客户经理未回复";
        assert_eq!(&vip[body_start(vip)..], "投诉客户经理未回复");
        assert_eq!(body_start("error: app crashes on start"), 0);
        assert_eq!(body_start("订单号:12345 还没发货"), 0);
        assert_eq!(body_start("no colon here at all"), 0);
    }

    #[test]
    fn keeps_words_of_the_body() {
        let text = String::from("门店记录:沙发塌陷");
        let words: Vec<&str> = vec![&text[0..6], &text[6..12], &text[13..19], &text[19..25], "<url>"];
        let body = body_start(&text);
        assert_eq!(words_after(&words, &text, body).as_ref(), [&text[13..19], &text[19..25], "<url>"]);
        assert!(matches!(words_after(&words, &text, 0), Cow::Borrowed(_)));
    }
}
