//! Forms shown again after a refusal: what was typed is kept, and each refusal is said in
//! the reader's language next to the field it is about (the field is `aria-invalid` and
//! described by the message; see `templates/fields.html`).
//!
//! The use cases refuse with a field name and an English sentence. The sentence is for API
//! clients; a page says what to do instead, from the field, what was typed and the kind of
//! refusal (missing, too long, not valid), with a specific text where the catalogue has
//! one (`form.<field>.<kind>`) and a general one (`form.<kind>`) otherwise.

use super::i18n::T;
use crate::error::ApiError;

/// A refusal tied to one field of a form.
pub struct FieldError {
    /// The form field's name (`contact`, `summary`, `body`).
    pub field: String,
    pub text: String,
}

/// A form as it was posted, with what is wrong with it.
#[derive(Default)]
pub struct Kept {
    /// Which form of the page (a ticket page has one per action).
    pub form: String,
    values: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl Kept {
    /// The posted `values` of `form`, without errors yet.
    pub fn new(form: &str, values: Vec<(String, String)>) -> Kept {
        Kept { form: form.to_string(), values, errors: Vec::new() }
    }

    /// Adds a refusal of `field`.
    pub fn with_error(mut self, field: &str, text: impl Into<String>) -> Kept {
        self.errors.push(FieldError { field: field.to_string(), text: text.into() });
        self
    }

    /// Whether these are `form`'s values (the page opens that form).
    pub fn is(&self, form: &str) -> bool {
        !self.form.is_empty() && self.form == form
    }

    /// What was typed into `name` of `form`, as typed; empty for another form.
    pub fn value(&self, form: &str, name: &str) -> &str {
        if !self.is(form) {
            return "";
        }
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Whether `name` of `form` was sent with `value` (a checked box, a chosen option).
    pub fn chose(&self, form: &str, name: &str, value: &str) -> bool {
        self.is(form) && self.values.iter().any(|(k, v)| k == name && v == value)
    }

    /// The message for `name` of `form`, when the refusal is about it.
    pub fn error(&self, form: &str, name: &str) -> Option<&str> {
        if !self.is(form) {
            return None;
        }
        self.errors.iter().find(|e| e.field == name).map(|e| e.text.as_str())
    }

    /// Whether anything is refused.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// What kind of refusal a field got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong(usize),
    Invalid,
}

impl Problem {
    /// Reads the kind from what was typed and the use case's message.
    pub fn of(message: &str, typed: &str) -> Problem {
        if let Some(n) = at_most(message) {
            return Problem::TooLong(n);
        }
        if typed.trim().is_empty() || message.contains("required") || message.contains("must not be empty") {
            return Problem::Required;
        }
        Problem::Invalid
    }

    fn key(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong(_) => "too_long",
            Problem::Invalid => "invalid",
        }
    }
}

/// `N` of "must be at most N characters".
fn at_most(message: &str) -> Option<usize> {
    let rest = &message[message.find("at most ")? + "at most ".len()..];
    rest.split(' ').next()?.parse().ok()
}

/// The message for a refusal of the use case's field `api_field` (its last part names the
/// catalogue entry: `customer.phone` → `phone`) shown next to the form field `label`.
pub fn explain(t: &T, api_field: &str, label: &str, message: &str, typed: &str) -> String {
    let name = api_field.rsplit('.').next().unwrap_or(api_field);
    let name = name.split('[').next().unwrap_or(name);
    let problem = Problem::of(message, typed);
    let specific = format!("form.{name}.{}", problem.key());
    let key = if t.has(&specific) { specific } else { format!("form.{}", problem.key()) };
    let n = match problem {
        Problem::TooLong(n) => n,
        _ => 0,
    };
    t.get(&key).replace("{field}", &t.name("field", label)).replace("{n}", &n.to_string())
}

/// The use case's refusal of one field, if `e` is one: (field, message).
pub fn refused_field(e: &ApiError) -> Option<(&str, String)> {
    let (_, code, field) = e.parts();
    match (code, field) {
        ("invalid_field", Some(f)) => Some((f, e.public_message())),
        _ => None,
    }
}

/// What broke in a JSON text, in the reader's language (serde_json says it in English,
/// with the place, which the caller shows apart).
pub fn json_detail(t: &T, e: &serde_json::Error) -> String {
    let full = e.to_string();
    let what = full.split(" at line ").next().unwrap_or(&full);
    const KNOWN: [(&str, &str); 11] = [
        ("expected `,` or `}`", "comma_or_brace"),
        ("expected `,` or `]`", "comma_or_bracket"),
        ("expected `:`", "colon"),
        ("EOF while parsing", "eof"),
        ("trailing comma", "trailing_comma"),
        ("key must be a string", "key"),
        ("expected value", "value"),
        ("control character", "control"),
        ("trailing characters", "trailing"),
        ("invalid escape", "escape"),
        ("invalid number", "number"),
    ];
    match KNOWN.iter().find(|(english, _)| what.contains(english)) {
        Some((_, key)) => t.get(&format!("json.{key}")).to_string(),
        None if t.lang == super::i18n::Lang::En => what.to_string(),
        None => t.get("json.other").to_string(),
    }
}

/// The line and column of the value at `path` (`rules[1].name`, `targets.high`) in a
/// JSON text, found by its last key (the n-th occurrence for the n-th element of a list);
/// `None` when the key is not there.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let last = path.rsplit('.').next().unwrap_or(path);
    let key = last.split('[').next().unwrap_or(last);
    let nth = path
        .rsplit('[')
        .next()
        .filter(|_| path.contains('['))
        .and_then(|x| x.split(']').next())
        .and_then(|x| x.parse::<usize>().ok())
        .unwrap_or(0);
    let needle = format!("\"{key}\"");
    let (at, _) = text.match_indices(&needle).nth(nth).or_else(|| text.match_indices(&needle).next())?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, DEFAULT_TZ};

    #[test]
    fn the_kind_of_refusal_comes_from_input_and_message() {
        assert_eq!(Problem::of("must be at most 200 characters", "x"), Problem::TooLong(200));
        assert_eq!(Problem::of("tell us what happened", "  "), Problem::Required);
        assert_eq!(Problem::of("is required when the outcome is unable", ""), Problem::Required);
        assert_eq!(Problem::of("\"12\" must have 5 to 20 digits", "12"), Problem::Invalid);
    }

    #[test]
    fn messages_are_specific_in_both_languages() {
        let zh = T { lang: Lang::Zh, tz: DEFAULT_TZ };
        let en = T { lang: Lang::En, tz: DEFAULT_TZ };
        let contact = explain(&zh, "customer.phone", "contact", "give a phone number or an e-mail address", "");
        assert!(contact.contains("电话号码或电子邮箱"), "{contact}");
        let long = explain(&zh, "content", "content", "must be at most 10000 characters", "x");
        assert!(long.contains("10000"), "{long}");
        let summary = explain(&en, "outcome.summary", "summary", "describe what was done", "");
        assert!(!summary.contains("form."), "{summary}");
        let other = explain(&en, "product.model", "model", "must be at most 200 characters", "x");
        assert_eq!(other, "Model can be at most 200 characters; please shorten it.");
    }

    #[test]
    fn json_errors_are_placed_and_said_in_chinese() {
        let zh = T { lang: Lang::Zh, tz: DEFAULT_TZ };
        let e = serde_json::from_str::<serde_json::Value>("{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!((e.line(), e.column()), (3, 3));
        let said = json_detail(&zh, &e);
        assert!(!said.is_ascii(), "{said}");
        let text = "{\n  \"rules\": [\n    {\"name\": \"a\"},\n    {\"name\": \"\"}\n  ]\n}";
        assert_eq!(locate(text, "rules[1].name"), Some((4, 6)));
        assert_eq!(locate(text, "nothing"), None);
    }

    #[test]
    fn kept_values_belong_to_their_form() {
        let k = Kept::new("resolve", vec![("summary".into(), "换了电源".into())]).with_error("reason", "请填写原因");
        assert_eq!(k.value("resolve", "summary"), "换了电源");
        assert_eq!(k.value("reject", "summary"), "");
        assert_eq!(k.error("resolve", "reason"), Some("请填写原因"));
        assert_eq!(k.error("reject", "reason"), None);
        assert!(Kept::default().value("", "x").is_empty());
    }
}
