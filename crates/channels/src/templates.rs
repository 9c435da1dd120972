//! Customer notification templates (zh-CN and en), kept as data an admin can edit, and
//! rendered into a subject, a text body and an HTML body with escaped values.

mod render;

pub use render::{escape_html, Escape, Vars};
use serde::{Deserialize, Serialize};

/// Languages notifications are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Lang {
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The language for a BCP 47 tag or `Accept-Language` entry: any `zh*` is zh-CN,
    /// anything else English.
    pub fn from_tag(tag: &str) -> Lang {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }
}

/// The notifications a customer receives over a ticket's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NotificationKind {
    /// Received, tracking number, expected first-response time.
    Acknowledgement,
    /// Where things stand, and when the next update comes.
    ProgressUpdate,
    /// We need more information from the customer.
    InformationRequest,
    /// The result will be later than promised: reason and new date.
    ExtensionNotice,
    /// Result: solved (成功解决).
    ResultSolved,
    /// Result: partially solved (部分解决).
    ResultPartiallySolved,
    /// Result: unable to solve (无法解决).
    ResultUnable,
    /// The follow-up survey link.
    Survey,
}

impl NotificationKind {
    /// Every kind, in the order of a ticket's life.
    pub const ALL: [NotificationKind; 8] = [
        NotificationKind::Acknowledgement,
        NotificationKind::ProgressUpdate,
        NotificationKind::InformationRequest,
        NotificationKind::ExtensionNotice,
        NotificationKind::ResultSolved,
        NotificationKind::ResultPartiallySolved,
        NotificationKind::ResultUnable,
        NotificationKind::Survey,
    ];

    /// The snake-case name, as stored in delivery rows and keys.
    pub fn as_str(self) -> &'static str {
        use NotificationKind::*;
        match self {
            Acknowledgement => "acknowledgement",
            ProgressUpdate => "progress_update",
            InformationRequest => "information_request",
            ExtensionNotice => "extension_notice",
            ResultSolved => "result_solved",
            ResultPartiallySolved => "result_partially_solved",
            ResultUnable => "result_unable",
            Survey => "survey",
        }
    }

    /// Variables this kind may use, beyond the common ones.
    pub fn variables(self) -> &'static [&'static str] {
        use NotificationKind::*;
        match self {
            Acknowledgement => &["due", "first_response_hours"],
            ProgressUpdate => &["progress", "next_update"],
            InformationRequest => &["questions", "reply_by"],
            ExtensionNotice => &["reason", "new_due"],
            ResultSolved => &["summary", "prevention"],
            ResultPartiallySolved => &["summary", "unresolved", "reason", "alternative"],
            ResultUnable => &["summary", "reason", "alternative"],
            Survey => &["survey_url", "expires"],
        }
    }

    /// The result notification for an outcome.
    pub fn for_outcome(kind: loopdesk_core::OutcomeKind) -> NotificationKind {
        use loopdesk_core::OutcomeKind as O;
        match kind {
            O::Solved => NotificationKind::ResultSolved,
            O::PartiallySolved => NotificationKind::ResultPartiallySolved,
            O::Unable => NotificationKind::ResultUnable,
        }
    }
}

/// Variables every kind may use.
pub const COMMON_VARIABLES: &[&str] = &["customer_name", "tracking_no", "company", "status_url"];

/// One notification in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    /// Which notification this is.
    pub kind: NotificationKind,
    /// Its language.
    pub lang: Lang,
    /// Subject line template.
    pub subject: String,
    /// Plain-text body template.
    pub text: String,
    /// HTML body template; values are escaped when rendered.
    pub html: String,
}

/// A rendered notification, ready for e-mail (subject + text + HTML) or for SMS/WeChat
/// gateways (text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain-text body (also used for SMS and WeChat).
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// What is wrong with a template or a rendering request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template is malformed.
    #[error("template syntax: {0}")]
    Syntax(String),
    /// A variable shown outside a section has no value.
    #[error("no value for variable {{{{{0}}}}}")]
    MissingVariable(String),
    /// A template uses a variable its kind does not provide.
    #[error("{kind:?}/{lang:?} uses unknown variable {{{{{name}}}}}")]
    UnknownVariable {
        /// The template's kind.
        kind: NotificationKind,
        /// The template's language.
        lang: Lang,
        /// The unknown variable.
        name: String,
    },
    /// No template of that kind in any language.
    #[error("no template for {0:?}")]
    NotFound(NotificationKind),
    /// The TOML could not be read.
    #[error("template file: {0}")]
    File(String),
}

impl TemplateError {
    fn syntax(why: String) -> TemplateError {
        TemplateError::Syntax(why)
    }
}

/// All templates; each kind should exist in each language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateSet {
    /// The templates, in any order.
    #[serde(rename = "template")]
    pub templates: Vec<Template>,
}

const BUILTIN: &str = include_str!("templates/defaults.toml");

impl TemplateSet {
    /// The templates shipped with Loopdesk (zh-CN and en, every kind).
    pub fn builtin() -> TemplateSet {
        match TemplateSet::from_toml(BUILTIN) {
            Ok(set) => set,
            // The file is part of the binary and checked by a test.
            Err(e) => unreachable!("built-in templates are invalid: {e}"),
        }
    }

    /// Reads and validates a set written as TOML (`[[template]]` tables).
    pub fn from_toml(src: &str) -> Result<TemplateSet, TemplateError> {
        let set: TemplateSet = toml::from_str(src).map_err(|e| TemplateError::File(e.to_string()))?;
        set.validate()?;
        Ok(set)
    }

    /// Checks every template parses and uses only variables its kind knows.
    pub fn validate(&self) -> Result<(), TemplateError> {
        for t in &self.templates {
            for src in [&t.subject, &t.text, &t.html] {
                let mut names = Vec::new();
                render::variables(&render::parse(src)?, &mut names);
                let known =
                    |n: &String| COMMON_VARIABLES.contains(&n.as_str()) || t.kind.variables().contains(&n.as_str());
                if let Some(name) = names.into_iter().find(|n| !known(n)) {
                    return Err(TemplateError::UnknownVariable { kind: t.kind, lang: t.lang, name });
                }
            }
        }
        Ok(())
    }

    /// The template for `kind` in `lang`, else in any language.
    pub fn get(&self, kind: NotificationKind, lang: Lang) -> Option<&Template> {
        let of_kind = || self.templates.iter().filter(move |t| t.kind == kind);
        of_kind().find(|t| t.lang == lang).or_else(|| of_kind().next())
    }

    /// Renders `kind` in `lang` with `vars`.
    pub fn render(&self, kind: NotificationKind, lang: Lang, vars: &Vars) -> Result<Rendered, TemplateError> {
        let t = self.get(kind, lang).ok_or(TemplateError::NotFound(kind))?;
        let part = |src: &str, escape| render::render(&render::parse(src)?, vars, escape);
        Ok(Rendered {
            subject: part(&t.subject, Escape::Line)?.trim().to_string(),
            text: part(&t.text, Escape::None)?.trim().to_string(),
            html: part(&t.html, Escape::Html)?.trim().to_string(),
        })
    }
}

/// Builds [`Vars`] from pairs.
pub fn vars<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vars {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}
