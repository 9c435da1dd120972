//! What the server sends for a robot alert or an outbound webhook.

use serde::{Deserialize, Serialize};

/// One HTTP POST ready to send: the server owns the client, retries and timeouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundRequest {
    /// Full URL, query string included (DingTalk puts its signature there).
    pub url: String,
    /// Headers to set, in order; `Content-Type` is always among them.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes; signatures are computed over these.
    pub body: Vec<u8>,
}

impl OutboundRequest {
    /// A JSON POST with the given extra headers.
    pub fn json(url: String, body: Vec<u8>, extra: Vec<(String, String)>) -> OutboundRequest {
        let mut headers = vec![("Content-Type".to_string(), "application/json; charset=utf-8".to_string())];
        headers.extend(extra);
        OutboundRequest { url, headers, body }
    }

    /// The value of header `name` (case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, for tests and logs.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}
