//! Forms for the configuration documents — SLA targets, routing rules, business calendars,
//! notification templates, standard replies, the triage rules (taxonomy, signal and
//! moderation lists, priority rules), macros, the operations documents (staffing, robots,
//! report schedules, spike rules; [`operations`]), the portal's branding and the channels
//! — instead of raw JSON. Each form reads
//! the values in force into named fields, and a post is applied onto the version in force
//! (what the form does not show, like SLA overrides or listed holidays, stays as it is)
//! and saved through the same use case as the JSON editor: validated, versioned, recorded.
//! A refused post shows the form again with what was typed and the message at its field.

pub mod calendars;
pub mod channels;
pub mod conditions;
pub mod inputs;
pub mod macros;
pub mod moderation;
pub mod operations;
pub mod ops;
pub mod portal;
pub mod priority_rules;
pub mod replies;
pub mod robots;
pub mod routing;
pub mod schedules;
pub mod signals;
pub mod sla;
pub mod spikes;
pub mod staffing;
pub mod taxonomy;
pub mod templates;
pub mod widgets;

use super::i18n::T;
use std::collections::HashMap;

/// A form's values and refusals by field name.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    /// A refusal that names no field of the form.
    pub general: Option<String>,
}

impl Fields {
    /// The fields of a posted form (the last value of a repeated name wins).
    pub fn posted(pairs: &[(String, String)]) -> Fields {
        Fields { values: pairs.iter().cloned().collect(), ..Fields::default() }
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// The value of `name` as typed ("" when absent).
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The value of `name`, trimmed; `None` when blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        Some(self.v(name).trim()).filter(|v| !v.is_empty())
    }

    /// Whether a checkbox `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn err(&self, name: &str) -> Option<String> {
        self.errors.get(name).cloned()
    }

    pub fn refuse(&mut self, name: impl Into<String>, message: impl Into<String>) {
        self.errors.entry(name.into()).or_insert_with(|| message.into());
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.general.is_some()
    }

    /// A whole number from `min` to `max` in field `name`, else a refusal there.
    pub fn number(&mut self, t: &T, name: &str, min: u32, max: u32) -> Option<u32> {
        match self.get(name).map(str::parse::<u32>) {
            Some(Ok(n)) if (min..=max).contains(&n) => Some(n),
            None => {
                self.refuse(name, t.get("form.err_required"));
                None
            }
            _ => {
                let message =
                    t.get("form.err_range").replace("{min}", &min.to_string()).replace("{max}", &max.to_string());
                self.refuse(name, message);
                None
            }
        }
    }
}

/// A comma- or line-separated list, blanks dropped.
pub fn list(text: &str) -> Vec<String> {
    text.split([',', '，', '\n', '、']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// A message for the reader from a save's refusal: the API's text in English, the field's
/// name and a generic phrase in Chinese (validation details are written in English).
pub fn refusal_text(t: &T, message: &str) -> String {
    match t.lang {
        super::i18n::Lang::En => message.to_string(),
        _ => format!("{}（{message}）", t.get("form.err_invalid")),
    }
}
