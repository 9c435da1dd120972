//! Reading HTML form posts (`application/x-www-form-urlencoded`) and checking their CSRF
//! token; safe redirects back to local pages.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// Name of the hidden CSRF field of every console form.
pub const CSRF_FIELD: &str = "_csrf";

/// Every `name=value` pair of a form body, in order (repeated names kept).
pub fn pairs(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The first value of `name`, trimmed; `None` when absent or blank.
pub fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Every value of `name`.
pub fn all(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// Parses a form body into `T` (single-valued fields).
pub fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_urlencoded::from_bytes(body).map_err(|e| ApiError::BadRequest {
        code: "unreadable_body",
        message: e.to_string(),
        field: None,
    })
}

/// Refuses a console post whose CSRF token is not the session's.
pub fn check_csrf(pairs: &[(String, String)], expected: &str) -> Result<(), ApiError> {
    match field(pairs, CSRF_FIELD) {
        Some(t) if t == expected => Ok(()),
        _ => Err(ApiError::Forbidden("csrf".into())),
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `back` if it is a path on this site, else `fallback`: the one check every redirect
/// target taken from a request goes through (no open redirects, no header that cannot be
/// written).
///
/// Accepted: a single leading `/` followed by anything but a second `/` or `\`, made only
/// of URL path and query characters. Control characters (TAB and LF included, which
/// browsers drop before resolving, turning `/<TAB>/evil.example` into
/// `//evil.example`), whitespace and `\` anywhere refuse the whole value; other printable
/// characters outside that set (non-ASCII text, `<`, `"`, …) and `%` not followed by two
/// hex digits are percent-encoded, so the answer is always a valid `Location`.
pub fn local_path(back: Option<&str>, fallback: &str) -> String {
    back.and_then(strict_local_path).unwrap_or_else(|| fallback.to_string())
}

fn strict_local_path(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix('/')?;
    if rest.starts_with(['/', '\\']) || raw.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return None;
    }
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escaped_ok = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) || escaped_ok {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

/// A `303 See Other` to `target`, a path built by this server or passed through
/// [`local_path`]; a value that still cannot be a header falls back to `/` instead of a 500.
pub fn redirect(target: &str) -> Response {
    let location = HeaderValue::from_str(target).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_redirects() {
        assert_eq!(local_path(Some("/console?x=1&y=%2F"), "/"), "/console?x=1&y=%2F");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "/ /evil.example",
            "/\u{0}",
            "/\u{85}/evil",
            "/\u{3000}/evil",
            "/a\\b",
            "",
            "evil.example",
        ] {
            assert_eq!(local_path(Some(evil), "/"), "/", "{evil:?}");
        }
        assert_eq!(local_path(None, "/console"), "/console");
    }

    #[test]
    fn other_characters_are_percent_encoded() {
        assert_eq!(local_path(Some("/track?q=工单"), "/"), "/track?q=%E5%B7%A5%E5%8D%95");
        assert_eq!(local_path(Some("/a\"<b>%zz%4"), "/"), "/a%22%3Cb%3E%25zz%254");
        for ok in ["/console?x=1", "/track?q=工单", "/a\"<b>%zz#x"] {
            let path = local_path(Some(ok), "/");
            assert!(HeaderValue::from_str(&path).is_ok(), "{path}");
            assert!(path.bytes().all(|b| b.is_ascii_graphic()), "{path}");
        }
    }

    #[test]
    fn repeated_fields_are_kept() {
        let body = Bytes::from_static(b"ids=1&ids=2&_csrf=abc&note=%E4%BD%A0");
        let p = pairs(&body);
        assert_eq!(all(&p, "ids"), vec!["1", "2"]);
        assert_eq!(field(&p, "note").as_deref(), Some("你"));
        assert!(check_csrf(&p, "abc").is_ok());
        assert!(check_csrf(&p, "abd").is_err());
    }
}
