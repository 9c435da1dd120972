//! Macros (宏): a saved set of field changes — state, priority, category, department and
//! assignee, tags — and a reply template in both languages, applied to a ticket in one
//! click. They live in the versioned `macros` document (every change is a new version
//! naming who made it: the audit trail); supervisors manage them ([`manage`]), agents
//! apply them. Applying one is one change: every step or none.

pub mod manage;

use crate::documents::{parse, reply_templates};
use crate::tickets::actions::Action;
use crate::tickets::reply::solved_by;
use crate::{App, AppError};
use loopdesk_channels::templates::Lang;
use loopdesk_core::{DepartmentId, Priority, Role, Ticket, UserId};
use serde::{Deserialize, Serialize};

/// Most macros kept.
pub const MAX_MACROS: usize = 200;
/// Longest reply template, per language.
pub const MAX_REPLY: usize = 5000;

/// Where a macro leaves the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MacroState {
    /// Accepted (acknowledged by the caller).
    InProgress,
    /// The reply goes out as a question to the customer; the clock pauses.
    AwaitingCustomer,
    /// Solved, the reply being the summary the customer is told.
    Resolved,
}

/// One macro as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Macro {
    /// 1 to 64 lower-case letters, digits, `-` or `_`; the macro's address.
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<MacroState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// A category of the taxonomy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Added to the ticket's sub-tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub department_id: Option<DepartmentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub assignee_id: Option<UserId>,
    /// The reply in Chinese, with `{{customer_name}}`, `{{tracking_no}}`, `{{agent_name}}`,
    /// `{{model}}`, `{{product}}`; empty for no reply.
    #[serde(default)]
    pub reply_zh: String,
    #[serde(default)]
    pub reply_en: String,
}

/// The `macros` document's body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacrosDoc {
    #[serde(default)]
    pub macros: Vec<Macro>,
}

impl Macro {
    /// The title in `lang`.
    pub fn title(&self, zh: bool) -> &str {
        if zh {
            &self.title_zh
        } else {
            &self.title_en
        }
    }

    /// The reply for `t` in its customer's language, variables filled; `None` when the
    /// macro has none.
    pub fn reply_for(&self, t: &Ticket, agent: &str) -> Option<String> {
        let (first, other) = match crate::notify::language(t) {
            Lang::ZhCn => (&self.reply_zh, &self.reply_en),
            Lang::En => (&self.reply_en, &self.reply_zh),
        };
        // A macro written in one language only still answers.
        let text = if first.trim().is_empty() { other } else { first };
        let filled = reply_templates::fill(text, t, agent);
        (!filled.trim().is_empty()).then_some(filled)
    }

    /// The actions applying it to `t` as `agent` performs, in order: routing, category,
    /// tags, priority, the reply (or the question), then the state.
    pub fn actions(&self, t: &Ticket, agent: &str) -> Vec<Action> {
        let reason = format!("macro: {}", self.title(crate::notify::language(t) == Lang::ZhCn));
        let mut out = Vec::new();
        let routes = self.department_id.is_some() || self.assignee_id.is_some();
        let acts = self.state.is_some() || !self.reply_zh.trim().is_empty() || !self.reply_en.trim().is_empty();
        // A macro that answers or moves the ticket takes it up as the caller first, unless
        // it hands the ticket to someone else.
        if acts && !routes {
            out.push(Action::TakeUp);
        }
        if routes {
            out.push(Action::Assign {
                department_id: self.department_id,
                assignee_id: self.assignee_id,
                reason: Some(reason.clone()),
            });
        }
        // Sub-tags belong to a category: a new category starts without the old ones.
        if let Some(c) = self.category.as_ref().filter(|c| t.category.as_ref() != Some(*c)) {
            out.push(Action::Recategorize { category: Some(c.clone()), subtags: Vec::new() });
        }
        if !self.tags.is_empty() {
            out.push(Action::AddTags { tags: self.tags.clone() });
        }
        if let Some(p) = self.priority.filter(|p| *p != t.priority) {
            out.push(Action::Reprioritize { priority: p, reason: reason.clone() });
        }
        let reply = self.reply_for(t, agent);
        match (self.state, reply) {
            (Some(MacroState::AwaitingCustomer), Some(text)) => out.push(Action::RequestInfo { message: text }),
            (Some(MacroState::Resolved), Some(text)) => {
                out.push(Action::Reply { body: text.clone(), files: Vec::new() });
                out.push(Action::Resolve(solved_by(&text)));
            }
            (Some(MacroState::Resolved), None) => out.push(Action::Resolve(solved_by(&reason))),
            // In progress (or no state): the take-up at the start accepted the ticket.
            (_, Some(text)) => out.push(Action::Reply { body: text, files: Vec::new() }),
            (_, None) => {}
        }
        out
    }
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_".contains(c))
}

/// Checks one macro against the taxonomy, departments and users; the error names the
/// field (`body.macros[2].category` inside a document, `category` for one macro).
pub async fn check(app: &App, m: &Macro, at: &str) -> Result<(), AppError> {
    let bad = |field: &str, msg: &str| Err(AppError::invalid(format!("{at}{field}"), msg.to_string()));
    if !valid_id(&m.id) {
        return bad("id", "use 1 to 64 lower-case letters, digits, '-' or '_'");
    }
    for (field, title) in [("title_zh", &m.title_zh), ("title_en", &m.title_en)] {
        if title.trim().is_empty() || title.chars().count() > 100 {
            return bad(field, "give a title of 1 to 100 characters");
        }
    }
    for (field, text) in [("reply_zh", &m.reply_zh), ("reply_en", &m.reply_en)] {
        if text.chars().count() > MAX_REPLY {
            return bad(field, "must be at most 5000 characters");
        }
    }
    if m.state == Some(MacroState::AwaitingCustomer) && m.reply_zh.trim().is_empty() && m.reply_en.trim().is_empty() {
        return bad("reply_zh", "a macro that asks the customer needs the question as its reply");
    }
    if m.state.is_some() && (m.department_id.is_some() || m.assignee_id.is_some()) {
        return bad("state", "a macro either hands the ticket on or works on it: drop the state or the assignment");
    }
    if m.tags.len() > 20 || m.tags.iter().any(|x| x.trim().is_empty() || x.chars().count() > 64) {
        return bad("tags", "at most 20 tags of 1 to 64 characters");
    }
    if let Some(c) = &m.category {
        if !app.triage.current().taxonomy().categories.iter().any(|x| &x.id == c) {
            return bad("category", "not a category of the taxonomy");
        }
    }
    if let Some(d) = m.department_id {
        if !app.read().departments().await?.iter().any(|x| x.id == d) {
            return bad("department_id", "no such department");
        }
    }
    if let Some(u) = m.assignee_id {
        match app.read().user(u).await {
            Ok(user) if user.active && user.role != Role::Viewer => {}
            _ => return bad("assignee_id", "not an active user who works on tickets"),
        }
    }
    let empty = m.state.is_none()
        && m.priority.is_none()
        && m.category.is_none()
        && m.tags.is_empty()
        && m.department_id.is_none()
        && m.assignee_id.is_none()
        && m.reply_zh.trim().is_empty()
        && m.reply_en.trim().is_empty();
    if empty {
        return bad("id", "a macro must change a field or send a reply");
    }
    Ok(())
}

/// Validates a `macros` document body: each macro checked, ids unique.
pub async fn validate(app: &App, body: &serde_json::Value) -> Result<MacrosDoc, AppError> {
    let doc: MacrosDoc = parse(body)?;
    if doc.macros.len() > MAX_MACROS {
        return Err(AppError::invalid("body.macros", format!("at most {MAX_MACROS} macros")));
    }
    for (i, m) in doc.macros.iter().enumerate() {
        check(app, m, &format!("body.macros[{i}].")).await?;
        if doc.macros[..i].iter().any(|x| x.id == m.id) {
            return Err(AppError::invalid(format!("body.macros[{i}].id"), "another macro has this id"));
        }
    }
    Ok(doc)
}
