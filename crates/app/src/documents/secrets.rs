//! Secrets inside documents are write-only: channel tokens, keys and signing secrets, and
//! robot webhook addresses (their key is the secret) are shown masked, and a masked or
//! omitted value written back keeps the saved one; writing a new value replaces it, and
//! `null` removes an optional one.

use super::DocumentKind;
use serde_json::{Map, Value};

/// What a secret is shown as.
pub const MASK: &str = "********";

/// Field names that hold secrets in the documents that have any.
const SECRET_FIELDS: &[&str] = &["token", "encoding_aes_key", "app_secret", "secret", "previous_secret", "webhook_url"];

fn has_secrets(kind: &DocumentKind) -> bool {
    matches!(kind, DocumentKind::Channel(_) | DocumentKind::Robots)
}

/// `body` with every secret replaced by [`MASK`].
pub fn masked(kind: &DocumentKind, mut body: Value) -> Value {
    if has_secrets(kind) {
        mask(&mut body);
    }
    body
}

fn mask(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) && v.as_str().is_some_and(|s| !s.is_empty()) {
                    *v = Value::String(MASK.into());
                } else {
                    mask(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

/// `new` with every masked or omitted secret taken from `saved` (the version in force).
pub fn restored(kind: &DocumentKind, mut new: Value, saved: Option<&Value>) -> Value {
    if has_secrets(kind) {
        restore(&mut new, saved);
    }
    new
}

fn restore(new: &mut Value, saved: Option<&Value>) {
    match new {
        Value::Object(map) => restore_object(map, saved.and_then(Value::as_object)),
        Value::Array(items) => {
            let old = saved.and_then(Value::as_array);
            for (i, item) in items.iter_mut().enumerate() {
                // Entries with a name (robots) are matched by name, others by position.
                let name = item.get("name").and_then(Value::as_str).map(str::to_string);
                let before = old.and_then(|o| match &name {
                    Some(n) => o.iter().find(|x| x.get("name").and_then(Value::as_str) == Some(n)),
                    None => o.get(i),
                });
                restore(item, before);
            }
        }
        _ => {}
    }
}

fn restore_object(map: &mut Map<String, Value>, saved: Option<&Map<String, Value>>) {
    for field in SECRET_FIELDS {
        let kept = saved.and_then(|s| s.get(*field)).filter(|v| v.is_string());
        let wants_kept = match map.get(*field) {
            None => true,
            Some(Value::String(s)) => s == MASK,
            Some(_) => false,
        };
        if let (true, Some(kept)) = (wants_kept, kept) {
            map.insert((*field).to_string(), kept.clone());
        }
    }
    for (k, v) in map.iter_mut() {
        if !SECRET_FIELDS.contains(&k.as_str()) {
            restore(v, saved.and_then(|s| s.get(k)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::ChannelName;
    use serde_json::json;

    #[test]
    fn masked_on_the_way_out_kept_when_written_back() {
        let kind = DocumentKind::Channel(ChannelName::wechat());
        let saved = json!({"token": "tok", "app_id": "wx1", "encoding_aes_key": "k".repeat(43), "app_secret": "s"});
        let shown = masked(&kind, saved.clone());
        assert_eq!(shown, json!({"token": MASK, "app_id": "wx1", "encoding_aes_key": MASK, "app_secret": MASK}));
        assert_eq!(restored(&kind, shown, Some(&saved)), saved);
        // Omitted keeps; a new value replaces; null removes.
        let edit = json!({"app_id": "wx2", "token": "new", "app_secret": null});
        assert_eq!(
            restored(&kind, edit, Some(&saved)),
            json!({"token": "new", "app_id": "wx2", "encoding_aes_key": "k".repeat(43), "app_secret": null})
        );
    }

    #[test]
    fn robots_are_matched_by_name() {
        let saved = json!({"robots": [
            {"name": "a", "kind": "wecom", "webhook_url": "https://x/send?key=A"},
            {"name": "b", "kind": "dingtalk", "webhook_url": "https://y/send?access_token=B", "secret": "SECb"},
        ]});
        let shown = masked(&DocumentKind::Robots, saved.clone());
        assert_eq!(shown["robots"][1]["secret"], MASK);
        let reordered = json!({"robots": [shown["robots"][1].clone(), shown["robots"][0].clone()]});
        let back = restored(&DocumentKind::Robots, reordered, Some(&saved));
        assert_eq!(back["robots"][0], saved["robots"][1]);
        assert_eq!(back["robots"][1], saved["robots"][0]);
        assert_eq!(masked(&DocumentKind::SlaPolicy, json!({"token": "t"})), json!({"token": "t"}));
    }
}
