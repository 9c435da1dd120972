//! Settings forms made of plain inputs (the portal's branding, the channels): one list of
//! inputs rendered by one template, and the small steps they share — reading a value out of
//! the document body, writing it back in place (so what the form does not show stays), and
//! secrets, which are never printed: a stored one shows as "saved", a blank input keeps it.

pub use super::widgets::Kind;
use super::Fields;
use crate::web::i18n::T;
use loopdesk_app::documents::secrets::MASK;
use serde_json::{Map, Value};

/// One input as the page shows it.
#[derive(Debug, Clone)]
pub struct Input {
    /// The form field (`mapping.text`), also the document path below `body`.
    pub name: String,
    /// The element id: the name with dots as dashes.
    pub id: String,
    pub label: String,
    pub hint: Option<String>,
    pub kind: Kind,
    pub value: String,
    pub checked: bool,
    pub options: Vec<(String, String)>,
    /// A secret: one is saved (shown as such, never in clear).
    pub stored: bool,
    /// A secret that may be removed (a "remove" box is offered when one is saved).
    pub optional: bool,
    pub error: Option<String>,
}

impl Input {
    /// Row `name` of kind `kind`, labelled from `{prefix}.{name}` (and its hint from
    /// `{prefix}.{name}_hint` when the catalogue has one), with what `f` holds.
    pub fn new(f: &Fields, t: &T, prefix: &str, name: &str, kind: Kind) -> Input {
        let key = name.replace('.', "_");
        let hint_key = format!("{prefix}.{key}_hint");
        let hint = Some(t.get(&hint_key)).filter(|h| *h != hint_key).map(str::to_string);
        Input {
            name: name.to_string(),
            id: format!("{}-{}", prefix.replace('_', "-"), name.replace(['.', '_'], "-")),
            label: t.name(prefix, &key),
            hint,
            kind,
            value: f.v(name).to_string(),
            checked: f.checked(name),
            options: Vec::new(),
            stored: false,
            optional: false,
            error: f.err(name),
        }
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Input {
        self.options = options;
        self
    }

    /// A secret row: whether `body` holds one at `name`, and whether it may be removed.
    pub fn secret(mut self, body: &Value, optional: bool) -> Input {
        self.stored = is_stored(body, &self.name);
        self.optional = optional;
        self
    }

    pub fn is(&self, kind: &str) -> bool {
        self.kind.as_str() == kind
    }

    /// The id of the remove box of an optional secret.
    pub fn clear_name(&self) -> String {
        format!("{}.clear", self.name)
    }
}

/// A settings form as the page shows it.
#[derive(Debug, Clone)]
pub struct SettingsForm {
    /// `portal`, `wechat`, `outbound` or `webhook`: the form's id and its strings' prefix.
    pub key: &'static str,
    pub title: String,
    pub hint: String,
    /// The channel is not configured yet: saving creates it.
    pub new: bool,
    pub inputs: Vec<Input>,
    /// The logo in force, for a preview (portal).
    pub logo_src: Option<String>,
    pub general: Option<String>,
}

/// The value at `path` (dotted) in `body`.
pub fn at<'a>(body: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(body, |v, k| v.get(k))
}

/// The text at `path`, or a number written as text; "" when absent or null.
pub fn text_at(body: &Value, path: &str) -> String {
    match at(body, path) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Whether a secret is saved at `path` (the body in force shows it masked).
pub fn is_stored(body: &Value, path: &str) -> bool {
    at(body, path).and_then(Value::as_str).is_some_and(|s| !s.is_empty())
}

/// Writes `value` at `path` (dotted), making the objects on the way; a body that is not
/// an object (a channel never configured) becomes one.
pub fn put(body: &mut Value, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut map = object(body);
    for p in parts {
        map = object(map.entry(p.to_string()).or_insert(Value::Null));
    }
    map.insert(last.to_string(), value);
}

/// Removes `path`, so the document's default applies.
pub fn remove(body: &mut Value, path: &str) {
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (at_mut(body, parent), last),
        None => (Some(body), path),
    };
    if let Some(Value::Object(map)) = parent {
        map.remove(last);
    }
}

fn at_mut<'a>(body: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    path.split('.').try_fold(body, |v, k| v.get_mut(k))
}

fn object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    match v {
        Value::Object(map) => map,
        _ => unreachable!("made an object above"),
    }
}

/// Optional text at `name`: set when typed, removed when blank.
pub fn optional_text(body: &mut Value, f: &Fields, name: &str) {
    match f.get(name) {
        Some(v) => put(body, name, Value::String(v.to_string())),
        None => remove(body, name),
    }
}

/// A secret from the form onto `body`: typed replaces (after `check`), blank keeps the
/// saved one (left masked, the save restores it), the remove box of an optional one
/// removes it; a required one that was never saved must be typed.
pub fn secret(
    body: &mut Value,
    f: &mut Fields,
    t: &T,
    name: &str,
    optional: bool,
    check: impl Fn(&str) -> Result<(), String>,
) {
    if optional && f.checked(&format!("{name}.clear")) {
        put(body, name, Value::Null);
        return;
    }
    let typed = f.v(name).trim().to_string();
    if typed.is_empty() {
        if is_stored(body, name) {
            put(body, name, Value::String(MASK.into()));
        } else if optional {
            remove(body, name);
        } else {
            f.refuse(name, t.get("form.err_required"));
        }
        return;
    }
    if typed == MASK {
        f.refuse(name, t.get("settings_form.err_mask"));
        return;
    }
    match check(&typed) {
        Ok(()) => put(body, name, Value::String(typed)),
        Err(message) => f.refuse(name, message),
    }
}

/// A whole number from `min` to `max` at `name`, written into `body`.
pub fn number(body: &mut Value, f: &mut Fields, t: &T, name: &str, min: u32, max: u32) {
    if let Some(n) = f.number(t, name, min, max) {
        put(body, name, Value::from(n));
    }
}

/// An `http(s)://` address, else the message.
pub fn http_url(t: &T, url: &str) -> Result<(), String> {
    let ok = ["https://", "http://"].iter().any(|p| url.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(t.get("settings_form.err_url").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t() -> T {
        T { lang: crate::web::i18n::Lang::Zh, tz: crate::web::i18n::DEFAULT_TZ }
    }

    #[test]
    fn put_and_remove_keep_the_rest() {
        let mut body = Value::Null;
        put(&mut body, "mapping.text", json!("/text"));
        put(&mut body, "secret", json!("s"));
        assert_eq!(body, json!({"mapping": {"text": "/text"}, "secret": "s"}));
        remove(&mut body, "mapping.text");
        remove(&mut body, "nothing.here");
        assert_eq!(body, json!({"mapping": {}, "secret": "s"}));
        assert_eq!(text_at(&json!({"a": {"b": 3}}), "a.b"), "3");
    }

    #[test]
    fn a_blank_secret_keeps_the_saved_one_and_a_new_one_must_be_typed() {
        let ok = |_: &str| Ok(());
        let mut body = json!({"secret": MASK});
        let mut f = Fields::default();
        secret(&mut body, &mut f, &t(), "secret", false, ok);
        assert_eq!(body["secret"], MASK);
        f.set("secret", "a-new-secret");
        secret(&mut body, &mut f, &t(), "secret", false, ok);
        assert_eq!(body["secret"], "a-new-secret");
        let mut fresh = Value::Null;
        let mut f = Fields::default();
        secret(&mut fresh, &mut f, &t(), "secret", false, ok);
        assert!(f.err("secret").is_some());
        let mut f = Fields::default();
        f.set("previous_secret.clear", "on");
        secret(&mut body, &mut f, &t(), "previous_secret", true, ok);
        assert_eq!(body["previous_secret"], Value::Null);
    }
}
