//! The channel documents as forms: the WeChat official account (`channel:wechat`), the
//! notification gateway (`channel:outbound`) and each webhook source (`channel:<source>`):
//! its signing secret, the one being rotated out, the clock tolerance, the channel its
//! tickets are recorded under and where each field sits in its JSON (JSON pointers).
//! Secrets are never printed; a channel not configured yet shows an empty form that
//! creates it. A webhook's "rotate" box moves the current secret to `previous_secret`
//! (still accepted until removed) and puts the typed one in force.

use super::inputs::{self, put, Input, Kind, SettingsForm};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_core::Channel;
use serde_json::Value;

/// Which form a channel document has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Wechat,
    Outbound,
    Webhook,
}

impl Form {
    pub fn of(channel: &str) -> Form {
        match channel {
            "wechat" => Form::Wechat,
            "outbound" => Form::Outbound,
            _ => Form::Webhook,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Form::Wechat => "wechat",
            Form::Outbound => "outbound",
            Form::Webhook => "webhook",
        }
    }

    /// The fields the form has (each at its path in the document), besides the secrets'
    /// remove boxes and the rotate box.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Form::Wechat => {
                &["app_id", "token", "encoding_aes_key", "compatible_mode", "max_skew_secs", "app_secret", "api_base"]
            }
            Form::Outbound => &["url", "secret"],
            Form::Webhook => &WEBHOOK_FIELDS,
        }
    }
}

/// Default clock tolerance of WeChat and webhooks, in seconds (as the documents have it).
const DEFAULT_SKEW: &str = "300";
/// Shortest webhook secret (as the document allows).
const MIN_WEBHOOK_SECRET: usize = 16;
const WEBHOOK_FIELDS: [&str; 11] = [
    "secret",
    "previous_secret",
    "tolerance_secs",
    "channel",
    "mapping.text",
    "mapping.subject",
    "mapping.contact_name",
    "mapping.contact_phone",
    "mapping.contact_email",
    "mapping.external_id",
    "mapping.received_at",
];
/// The webhook mapping's optional pointers: every field after `mapping.text`.
const MAPPING_OPTIONAL: &[&str] = WEBHOOK_FIELDS.split_at(5).1;

/// The fields of `body` (the document in force with its secrets masked; null when the
/// channel is not configured). Secrets are left blank.
pub fn fields(form: Form, body: &Value) -> Fields {
    let mut f = Fields::default();
    for name in form.fields() {
        match inputs::at(body, name) {
            _ if is_secret(name) => {}
            Some(Value::Bool(true)) => f.set(*name, "on"),
            _ => f.set(*name, inputs::text_at(body, name)),
        }
    }
    for (name, default) in [("max_skew_secs", DEFAULT_SKEW), ("tolerance_secs", DEFAULT_SKEW), ("channel", "app")] {
        if form.fields().contains(&name) && f.get(name).is_none() {
            f.set(name, default);
        }
    }
    f
}

fn is_secret(name: &str) -> bool {
    matches!(name, "token" | "encoding_aes_key" | "app_secret" | "secret" | "previous_secret")
}

fn any(_: &str) -> Result<(), String> {
    Ok(())
}

fn pointer(t: &T, p: &str) -> Result<(), String> {
    if p.starts_with('/') && !p.contains(char::is_whitespace) {
        Ok(())
    } else {
        Err(t.get("channel_form.err_pointer").to_string())
    }
}

fn required_text(body: &mut Value, f: &mut Fields, t: &T, name: &str, check: impl Fn(&str) -> Result<(), String>) {
    match f.get(name).map(|v| (v.to_string(), check(v))) {
        None => f.refuse(name, t.get("form.err_required")),
        Some((_, Err(message))) => f.refuse(name, message),
        Some((v, Ok(()))) => put(body, name, Value::String(v)),
    }
}

/// `body` with the posted fields applied; `None` when a field was refused (in `f`).
/// `current_secret` is the webhook's saved secret in clear, for a rotation.
pub fn apply(form: Form, mut body: Value, f: &mut Fields, t: &T, current_secret: Option<&str>) -> Option<Value> {
    match form {
        Form::Wechat => {
            required_text(&mut body, f, t, "app_id", any);
            inputs::secret(&mut body, f, t, "token", false, any);
            inputs::secret(&mut body, f, t, "encoding_aes_key", true, |k| {
                loopdesk_channels::wechat::EncodingAesKey::parse(k)
                    .map(|_| ())
                    .map_err(|e| super::refusal_text(t, &e.to_string()))
            });
            put(&mut body, "compatible_mode", Value::Bool(f.checked("compatible_mode")));
            inputs::number(&mut body, f, t, "max_skew_secs", 1, 3600);
            inputs::secret(&mut body, f, t, "app_secret", true, any);
            match f.get("api_base").map(|u| inputs::http_url(t, u)) {
                Some(Err(message)) => f.refuse("api_base", message),
                _ => inputs::optional_text(&mut body, f, "api_base"),
            }
        }
        Form::Outbound => {
            required_text(&mut body, f, t, "url", |u| inputs::http_url(t, u));
            inputs::secret(&mut body, f, t, "secret", false, any);
        }
        Form::Webhook => webhook(&mut body, f, t, current_secret),
    }
    (!f.has_errors()).then_some(body)
}

fn webhook(body: &mut Value, f: &mut Fields, t: &T, current_secret: Option<&str>) {
    let long_enough = |s: &str| {
        if s.chars().count() >= MIN_WEBHOOK_SECRET {
            Ok(())
        } else {
            Err(t.get("channel_form.err_secret_short").replace("{min}", &MIN_WEBHOOK_SECRET.to_string()))
        }
    };
    let rotating = f.checked("rotate");
    if rotating && f.get("secret").is_none() {
        f.refuse("secret", t.get("channel_form.err_rotate"));
    }
    inputs::secret(body, f, t, "secret", false, long_enough);
    match (rotating, current_secret) {
        // The saved secret stays accepted while senders move to the new one.
        (true, Some(old)) => put(body, "previous_secret", Value::String(old.to_string())),
        _ => inputs::secret(body, f, t, "previous_secret", true, any),
    }
    inputs::number(body, f, t, "tolerance_secs", 1, 86_400);
    match f.get("channel").and_then(Channel::parse) {
        Some(c) => put(body, "channel", Value::String(c.as_str().to_string())),
        None => f.refuse("channel", t.get("form.err_required")),
    }
    required_text(body, f, t, "mapping.text", |p| pointer(t, p));
    for &name in MAPPING_OPTIONAL {
        match f.get(name).map(|p| pointer(t, p)) {
            Some(Err(message)) => f.refuse(name, message),
            _ => inputs::optional_text(body, f, name),
        }
    }
}

/// The form as shown from `f`; `body` tells which secrets are saved.
pub fn view(form: Form, f: &Fields, t: &T, body: &Value) -> SettingsForm {
    let key = form.key();
    let prefix = "channel_form";
    let row = |name: &str, kind| Input::new(f, t, prefix, name, kind);
    let inputs = match form {
        Form::Wechat => vec![
            row("app_id", Kind::Text),
            row("token", Kind::Secret).secret(body, false),
            row("encoding_aes_key", Kind::Secret).secret(body, true),
            row("compatible_mode", Kind::Check),
            row("max_skew_secs", Kind::Number),
            row("app_secret", Kind::Secret).secret(body, true),
            row("api_base", Kind::Text),
        ],
        Form::Outbound => vec![row("url", Kind::Text), row("secret", Kind::Secret).secret(body, false)],
        Form::Webhook => {
            let channels =
                Channel::ALL.iter().map(|c| (c.as_str().to_string(), t.name("channel", c.as_str()))).collect();
            let mut rows = vec![row("secret", Kind::Secret).secret(body, false)];
            if inputs::is_stored(body, "secret") {
                rows.push(row("rotate", Kind::Check));
            }
            rows.push(row("previous_secret", Kind::Secret).secret(body, true));
            rows.push(row("tolerance_secs", Kind::Number));
            rows.push(row("channel", Kind::Select).options(channels));
            rows.push(row("mapping.text", Kind::Text));
            rows.extend(MAPPING_OPTIONAL.iter().map(|n| row(n, Kind::Text)));
            rows
        }
    };
    SettingsForm {
        key,
        title: t.get(&format!("channel_form.title_{key}")).to_string(),
        hint: t.get(&format!("channel_form.hint_{key}")).to_string(),
        new: body.is_null(),
        inputs,
        logo_src: None,
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopdesk_app::documents::channel::{GatewayDoc, WebhookDoc, WechatDoc};
    use loopdesk_app::documents::secrets::MASK;
    use serde_json::json;

    fn t() -> T {
        T { lang: crate::web::i18n::Lang::Zh, tz: crate::web::i18n::DEFAULT_TZ }
    }

    #[test]
    fn a_new_webhook_is_created_from_an_empty_form() {
        let mut f = fields(Form::Webhook, &Value::Null);
        assert_eq!((f.v("tolerance_secs"), f.v("channel")), ("300", "app"));
        assert!(apply(Form::Webhook, Value::Null, &mut f.clone(), &t(), None).is_none());
        f.set("secret", "short");
        f.set("mapping.text", "data/content");
        assert!(apply(Form::Webhook, Value::Null, &mut f, &t(), None).is_none());
        assert!(f.err("secret").is_some() && f.err("mapping.text").is_some());
        let mut f = fields(Form::Webhook, &Value::Null);
        f.set("secret", "0123456789abcdef");
        f.set("mapping.text", "/data/content");
        f.set("mapping.contact_phone", "/user/phone");
        f.set("channel", "sms");
        let body = apply(Form::Webhook, Value::Null, &mut f, &t(), None).unwrap();
        let doc: WebhookDoc = serde_json::from_value(body).unwrap();
        assert_eq!(doc.mapping.contact_phone.as_deref(), Some("/user/phone"));
        assert_eq!((doc.channel, doc.tolerance_secs), (Channel::Sms, 300));
    }

    #[test]
    fn secrets_stay_hidden_blank_keeps_and_rotate_moves_the_current_one() {
        let saved = json!({"secret": MASK, "previous_secret": MASK, "tolerance_secs": 60,
            "mapping": {"text": "/t", "external_id": "/id"}, "channel": "app"});
        let mut f = fields(Form::Webhook, &saved);
        assert_eq!((f.v("secret"), f.v("previous_secret")), ("", ""));
        let v = view(Form::Webhook, &f, &t(), &saved);
        assert!(v.inputs.iter().all(|i| !i.value.contains(MASK)));
        assert!(v.inputs.iter().any(|i| i.name == "rotate"));
        let kept = apply(Form::Webhook, saved.clone(), &mut f.clone(), &t(), Some("the-old-secret-123")).unwrap();
        assert_eq!((kept["secret"].as_str(), kept["mapping"]["external_id"].as_str()), (Some(MASK), Some("/id")));
        f.set("rotate", "on");
        assert!(apply(Form::Webhook, saved.clone(), &mut f.clone(), &t(), Some("x")).is_none());
        f.set("secret", "the-new-secret-4567");
        let rotated = apply(Form::Webhook, saved, &mut f, &t(), Some("the-old-secret-123")).unwrap();
        assert_eq!(rotated["secret"], "the-new-secret-4567");
        assert_eq!(rotated["previous_secret"], "the-old-secret-123");
    }

    #[test]
    fn wechat_and_outbound_read_into_their_documents() {
        let mut f = fields(Form::Wechat, &Value::Null);
        f.set("app_id", "wx123");
        f.set("token", "tok");
        f.set("compatible_mode", "on");
        let body = apply(Form::Wechat, Value::Null, &mut f, &t(), None).unwrap();
        let doc: WechatDoc = serde_json::from_value(body).unwrap();
        assert!(doc.compatible_mode && doc.max_skew_secs == 300 && doc.encoding_aes_key.is_none());
        f.set("encoding_aes_key", "too-short");
        assert!(apply(Form::Wechat, Value::Null, &mut f, &t(), None).is_none());
        assert!(f.err("encoding_aes_key").is_some());
        let mut f = fields(Form::Outbound, &Value::Null);
        f.set("url", "ftp://gateway");
        f.set("secret", "s");
        assert!(apply(Form::Outbound, Value::Null, &mut f, &t(), None).is_none());
        assert!(f.err("url").is_some());
        let mut f2 =
            Fields::posted(&[("url".into(), "https://gateway.example.com/send".into()), ("secret".into(), "s".into())]);
        let body = apply(Form::Outbound, Value::Null, &mut f2, &t(), None).unwrap();
        let doc: GatewayDoc = serde_json::from_value(body).unwrap();
        assert_eq!(doc.url, "https://gateway.example.com/send");
    }
}
