//! Reading HTML form posts (`application/x-www-form-urlencoded`) and checking their CSRF
//! token; safe redirects back to local pages.

use crate::error::ApiError;
use axum::body::Bytes;
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

/// `back` if it is a path on this site, else `fallback` (no open redirects).
pub fn local_path<'a>(back: Option<&'a str>, fallback: &'a str) -> &'a str {
    match back {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') => b,
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_redirects() {
        assert_eq!(local_path(Some("/console?x=1"), "/"), "/console?x=1");
        assert_eq!(local_path(Some("//evil.example"), "/"), "/");
        assert_eq!(local_path(Some("https://evil.example"), "/"), "/");
        assert_eq!(local_path(Some("/\\evil"), "/"), "/");
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
