//! Inputs the larger forms (triage rules, standard replies, macros) are made of: each
//! knows its name, label, value as typed and refusal, so one template fragment draws any
//! of them with `aria-invalid` and `aria-describedby` pointing at the message.

use super::Fields;

/// A text input or, with `rows` above 0, a text area.
pub struct Input {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub rows: usize,
}

/// A choice among fixed values; `options` are (value, label), the first often blank.
pub struct Choice {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
}

/// What an input is drawn as; the templates switch on [`Kind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A whole or short number.
    Number,
    /// `HH:MM`.
    Time,
    /// A write-only value: a password input, never filled with what is stored; blank keeps
    /// the saved one.
    Secret,
    Select,
    Check,
    Colour,
    /// One entry a line.
    Lines,
    /// A group of checkboxes in one cell.
    Ticks,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "number",
            Kind::Time => "time",
            Kind::Secret => "secret",
            Kind::Select => "select",
            Kind::Check => "check",
            Kind::Colour => "colour",
            Kind::Lines => "lines",
            Kind::Ticks => "ticks",
        }
    }
}

/// A checkbox.
pub struct Tick {
    pub name: String,
    pub label: String,
    pub on: bool,
}

/// The element id of field `name` (`c0.name` → `f-c0-name`).
pub fn id(name: &str) -> String {
    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    format!("f-{safe}")
}

/// A one-line input for field `name`.
pub fn input(f: &Fields, name: String, label: impl Into<String>) -> Input {
    Input { id: id(&name), label: label.into(), value: f.v(&name).to_string(), error: f.err(&name), rows: 0, name }
}

/// A text area of `rows` rows for field `name`.
pub fn area(f: &Fields, name: String, label: impl Into<String>, rows: usize) -> Input {
    Input { rows: rows.max(1), ..input(f, name, label) }
}

/// A choice for field `name`.
pub fn choice(f: &Fields, name: String, label: impl Into<String>, options: Vec<(String, String)>) -> Choice {
    Choice { id: id(&name), label: label.into(), value: f.v(&name).to_string(), error: f.err(&name), options, name }
}

/// A checkbox for field `name`.
pub fn tick(f: &Fields, name: String, label: impl Into<String>) -> Tick {
    Tick { on: f.checked(&name), label: label.into(), name }
}

/// Items one a line, as a word list's text area shows them.
pub fn lines(items: &[String]) -> String {
    items.join("\n")
}

/// How many rows a text area needs for `text` (between 2 and 12).
pub fn rows_for(text: &str) -> usize {
    text.lines().count().clamp(2, 12)
}
