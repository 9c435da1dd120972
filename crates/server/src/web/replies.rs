//! Reply templates (标准应答话术) in the reader's language, with a ticket's values filled
//! in (the document itself: `loopdesk_app::documents::reply_templates`).

use super::i18n::Lang;
use crate::state::AppState;
use loopdesk_app::documents::reply_templates::{defaults, validate};
use loopdesk_app::documents::DocumentKind;
use loopdesk_core::Ticket;

/// One template in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTemplate {
    pub name: String,
    pub title: String,
    pub text: String,
}

/// The templates in `lang`.
pub async fn templates(state: &AppState, lang: Lang) -> Vec<ReplyTemplate> {
    let name = DocumentKind::ReplyTemplates.name();
    let body = state.read().document(&name).await.ok().flatten().map(|d| d.body).unwrap_or_else(defaults);
    let stored = validate(&body).or_else(|_| validate(&defaults())).map(|t| t.templates).unwrap_or_default();
    stored
        .into_iter()
        .map(|s| match lang {
            Lang::Zh => ReplyTemplate { name: s.name, title: s.title_zh, text: s.text_zh },
            Lang::En => ReplyTemplate { name: s.name, title: s.title_en, text: s.text_en },
        })
        .collect()
}

/// Replaces the variables with the ticket's values.
pub fn fill_text(text: &str, t: &Ticket, agent: &str) -> String {
    loopdesk_app::documents::reply_templates::fill(text, t, agent)
}

/// A template with its variables filled in.
pub fn fill(mut tpl: ReplyTemplate, t: &Ticket, agent: &str) -> ReplyTemplate {
    tpl.text = fill_text(&tpl.text, t, agent);
    tpl
}
