//! A configuration document's page: the values in force (defaults included), a form for
//! the SLA policy, routing rules, calendars, templates, standard replies, the triage rules,
//! staffing, robots, report schedules, spike rules, the portal's branding and the channels
//! ([`super::doc_forms`]; macros have their own page, [`super::macros`]), the raw JSON as
//! the advanced view (the only one for the other documents), and the history,
//! where any earlier version can be compared with the one in force and rolled back to
//! ([`super::admin_versions`]). A refused save shows the page again with what was typed
//! and the message at its field; nothing typed is lost.

use super::context::Staff;
use super::doc_forms::{
    calendars, channels, inputs, moderation, operations, ops, portal, priority_rules, replies, routing, signals, sla,
    taxonomy, templates, Fields,
};
use super::form::{self, field};
use super::i18n::{Lang, T};
use super::page::{back_ok, error_page, render, FlashQuery, Layout};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use loopdesk_app::documents::reply_templates::ReplyTemplates;
use loopdesk_app::documents::{self, DocumentEdit, DocumentKind};
use loopdesk_app::sla::load::CalendarsDoc;
use loopdesk_app::triage::engine::RulePart;
use loopdesk_channels::templates::TemplateSet;
use loopdesk_core::routing::RoutingRules;
use loopdesk_core::sla::SlaPolicy;
use loopdesk_triage::moderation::ModerationLists;
use loopdesk_triage::signals::SignalLists;
use loopdesk_triage::{PriorityRules, Taxonomy};
use serde::Deserialize;
use serde_json::Value;

/// One version in the history.
pub struct HistoryRow {
    pub version: i64,
    pub changed_by: String,
    pub changed_at: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "console/document.html")]
struct DocumentPage {
    layout: Layout,
    csrf: String,
    name: String,
    version: i64,
    json: String,
    json_error: Option<String>,
    /// The comment's refusal (a document that needs a reason for each change).
    comment_error: Option<String>,
    /// Where in the text the JSON broke or the refused value is (line, column), for the
    /// script to put the caret there.
    error_at: Option<(usize, usize)>,
    comment: String,
    history: Vec<HistoryRow>,
    calendar_names: Vec<String>,
    /// On the calendars page: calendars whose official holiday schedule ends soon.
    schedule_warnings: Vec<String>,
    sla: Option<sla::SlaForm>,
    routing: Option<routing::RoutingForm>,
    calendar: Option<calendars::CalendarForm>,
    templates: Option<templates::TemplatesForm>,
    /// Staffing, robots, report schedules or spike rules.
    ops: Option<ops::OpsForm>,
    /// The portal's branding or a channel's settings.
    settings: Option<inputs::SettingsForm>,
    taxonomy: Option<taxonomy::TaxonomyForm>,
    /// Signal or moderation lists.
    word_lists: Option<signals::WordListsForm>,
    priority: Option<priority_rules::PriorityForm>,
    replies: Option<replies::RepliesForm>,
    /// The macros document: kept on the supervisors' page.
    macros_link: bool,
    /// The JSON editor starts open: the document has no form, or the JSON was refused.
    advanced_open: bool,
}

/// Which part of a document the form shows.
#[derive(Debug, Default, Deserialize)]
pub struct DocQuery {
    /// The calendar (calendars document).
    calendar: Option<String>,
    /// The notification kind (templates document).
    kind: Option<String>,
}

/// What a refused post brings back to the page.
enum Posted {
    /// `on_comment`: the refusal is about the comment (a reason the document requires).
    Json {
        text: String,
        error: String,
        at: Option<(usize, usize)>,
        comment: String,
        on_comment: bool,
    },
    Form {
        fields: Fields,
        comment: String,
    },
}

pub(super) fn admin_only(s: &Staff) -> Result<(), ApiError> {
    if s.can(loopdesk_core::access::Permission::Administer) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("administer".into()))
    }
}

pub(super) fn kind(name: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::parse(name).ok_or_else(|| ApiError::NotFound("no such document".into()))
}

pub(super) fn doc_path(name: &str) -> String {
    format!("/console/admin/documents/{}", form::encode(name))
}

fn typed<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, ApiError> {
    Ok(documents::parse(body)?)
}

fn json<T: serde::Serialize>(v: Option<T>) -> Result<Option<Value>, ApiError> {
    v.map(|v| serde_json::to_value(v).map_err(|e| ApiError::Internal(e.to_string()))).transpose()
}

fn calendar_names(state: &AppState) -> Vec<String> {
    state.sla.get().calendars.iter().map(|c| c.name().to_string()).collect()
}

async fn department_list(state: &AppState) -> Result<Vec<(i64, String)>, ApiError> {
    Ok(state.read().departments().await?.into_iter().map(|d| (d.id.0, d.name)).collect())
}

/// The categories the base priorities are shown for, (id, name): the taxonomy's in force,
/// then any other the rules name.
fn base_categories(state: &AppState, t: &T, rules: &PriorityRules) -> Vec<(String, String)> {
    let engine = state.triage.current();
    let mut out: Vec<(String, String)> = engine
        .taxonomy()
        .categories
        .iter()
        .map(|c| {
            let name = if t.lang == Lang::En && !c.name_en.is_empty() { &c.name_en } else { &c.name };
            (c.id.clone(), format!("{name} ({})", c.id))
        })
        .collect();
    for id in rules.base.keys() {
        if !out.iter().any(|(x, _)| x == id) {
            out.push((id.clone(), id.clone()));
        }
    }
    out
}

/// The calendar the form edits: the one asked for, else `default`, else the first.
fn chosen_calendar(doc: &CalendarsDoc, asked: Option<&str>) -> Option<usize> {
    let by = |n: &str| doc.calendars.iter().position(|c| c.name == n);
    asked
        .and_then(by)
        .or_else(|| by(loopdesk_core::calendar::DEFAULT_CALENDAR))
        .or(Some(0))
        .filter(|_| !doc.calendars.is_empty())
}

async fn build(
    state: &AppState,
    s: &Staff,
    name: String,
    q: &DocQuery,
    fq: &FlashQuery,
    posted: Option<Posted>,
) -> Result<DocumentPage, ApiError> {
    admin_only(s)?;
    let kind = kind(&name)?;
    let _ = state.sla.refresh(state.read()).await;
    let current = documents::current_effective(state, &s.principal, &kind).await?;
    let body = current.body;
    let history = documents::history(state, &s.principal, &kind, 50)
        .await?
        .into_iter()
        .map(|d| HistoryRow {
            version: d.version,
            changed_by: d.changed_by.unwrap_or_default(),
            changed_at: d.changed_at.map(|at| s.t.date(&at)).unwrap_or_default(),
            comment: d.comment.unwrap_or_default(),
        })
        .collect();
    let (mut json, mut json_error, mut comment_error, mut error_at, mut comment, mut form_fields) =
        (serde_json::to_string_pretty(&body).unwrap_or_default(), None, None, None, String::new(), None);
    match posted {
        Some(Posted::Json { text, error, comment: c, on_comment: true, .. }) => {
            (json, comment_error, comment) = (text, Some(error), c)
        }
        Some(Posted::Json { text, error, at, comment: c, on_comment: false }) => {
            (json, json_error, error_at, comment) = (text, Some(error), at, c)
        }
        Some(Posted::Form { fields, comment: c }) => (form_fields, comment) = (Some(fields), c),
        None => {}
    }
    let t = &s.t;
    let mut page = DocumentPage {
        layout: Layout::staff(s, "admin.documents").with_flash(fq),
        csrf: s.csrf.clone(),
        version: current.version,
        json,
        advanced_open: json_error.is_some() || comment_error.is_some(),
        json_error,
        comment_error,
        error_at,
        comment,
        history,
        calendar_names: Vec::new(),
        schedule_warnings: Vec::new(),
        sla: None,
        routing: None,
        calendar: None,
        templates: None,
        ops: None,
        settings: None,
        taxonomy: None,
        word_lists: None,
        priority: None,
        replies: None,
        macros_link: false,
        name: name.clone(),
    };
    match kind {
        DocumentKind::SlaPolicy => {
            let f =
                form_fields.unwrap_or_else(|| typed::<SlaPolicy>(&body).map(|p| sla::fields(&p)).unwrap_or_default());
            page.sla = Some(sla::view(&f, t, calendar_names(state)));
        }
        DocumentKind::RoutingRules => {
            let f = match form_fields {
                Some(f) => f,
                None => routing::fields(&typed::<RoutingRules>(&body)?),
            };
            page.routing = Some(routing::view(&f, t, department_list(state).await?));
        }
        DocumentKind::Calendars => {
            let doc: CalendarsDoc = typed(&body)?;
            page.calendar_names = doc.calendars.iter().map(|c| c.name.clone()).collect();
            page.schedule_warnings = super::schedule::notices(state, s);
            let asked = form_fields.as_ref().and_then(|f| f.get("calendar")).or(q.calendar.as_deref());
            if let Some(i) = chosen_calendar(&doc, asked) {
                let spec = &doc.calendars[i];
                let f = form_fields.unwrap_or_else(|| calendars::fields(spec));
                let today = state.now().with_timezone(&t.tz).date_naive();
                page.calendar = Some(calendars::view(&f, t, spec, page.calendar_names.clone(), today));
            }
        }
        DocumentKind::Templates => {
            let f = match form_fields {
                Some(f) => f,
                None => templates::fields(&typed::<TemplateSet>(&body)?, templates::kind(q.kind.as_deref())),
            };
            page.templates = Some(templates::view(&f, t));
        }
        DocumentKind::Triage(RulePart::Taxonomy) => {
            let f = match form_fields {
                Some(f) => f,
                None => taxonomy::fields(&typed::<Taxonomy>(&body)?),
            };
            page.taxonomy = Some(taxonomy::view(&f, t));
        }
        DocumentKind::Triage(RulePart::Signals) => {
            let f = match form_fields {
                Some(f) => f,
                None => signals::fields(&typed::<SignalLists>(&body)?),
            };
            page.word_lists = Some(signals::view(&f, t));
        }
        DocumentKind::Triage(RulePart::Moderation) => {
            let f = match form_fields {
                Some(f) => f,
                None => moderation::fields(&typed::<ModerationLists>(&body)?),
            };
            page.word_lists = Some(moderation::view(&f, t));
        }
        DocumentKind::Triage(RulePart::PriorityRules) => {
            let rules: PriorityRules = typed(&body)?;
            let cats = base_categories(state, t, &rules);
            let ids: Vec<String> = cats.iter().map(|c| c.0.clone()).collect();
            let f = form_fields.unwrap_or_else(|| priority_rules::fields(&rules, &ids));
            page.priority = Some(priority_rules::view(&f, t, &rules, &cats));
        }
        DocumentKind::ReplyTemplates => {
            let f = match form_fields {
                Some(f) => f,
                None => replies::fields(&typed::<ReplyTemplates>(&body)?),
            };
            page.replies = Some(replies::view(&f, t));
        }
        DocumentKind::Macros => (page.macros_link, page.advanced_open) = (true, true),
        DocumentKind::Portal => {
            let f = form_fields.unwrap_or_else(|| portal::fields(&body));
            page.settings = Some(portal::view(&f, t, state.documents.brand().logo_src.clone()));
        }
        DocumentKind::Channel(c) => {
            let form = channels::Form::of(c.as_str());
            let f = form_fields.unwrap_or_else(|| channels::fields(form, &body));
            page.settings = Some(channels::view(form, &f, t, &body));
        }
        _ if operations::has_form(&kind) => page.ops = operations::show(state, t, &kind, &body, form_fields).await?,
        _ => page.advanced_open = true,
    }
    Ok(page)
}

/// `GET /console/admin/documents/{name}`.
pub async fn page(
    State(state): State<AppState>,
    s: Staff,
    Path(name): Path<String>,
    Query(q): Query<DocQuery>,
    Query(fq): Query<FlashQuery>,
) -> Response {
    match build(&state, &s, name, &q, &fq, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// The page again with what was posted, answered 422.
async fn refused(state: &AppState, s: &Staff, name: String, posted: Posted) -> Response {
    match build(state, s, name, &DocQuery::default(), &FlashQuery::default(), Some(posted)).await {
        Ok(p) => {
            let mut resp = render(&p);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => error_page(s.t, Some(s), e),
    }
}

/// What the reader is told about a refused save: the error's name in their language and,
/// for validation, the checker's own words (written in English), with the field.
pub(super) fn refusal(t: &T, e: &ApiError) -> String {
    let (_, code, field) = e.parts();
    let mut text = t.name("error", code);
    if let Some(f) = field {
        text = format!("{text}{}{f}", t.get("punct.colon"));
    }
    let detailed = matches!(e, ApiError::Invalid { .. } | ApiError::BadRequest { .. } | ApiError::App(_));
    if detailed && !matches!(e, ApiError::App(loopdesk_app::AppError::Internal(_))) {
        text = match t.lang {
            Lang::En => format!("{text} ({})", e.public_message()),
            Lang::Zh => format!("{text}（{}）", e.public_message()),
        };
    }
    text
}

/// `POST /console/admin/documents/{name}`: the JSON editor; validates and saves a new
/// version. A refusal keeps the typed text.
pub async fn save_json(State(state): State<AppState>, s: Staff, Path(name): Path<String>, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let text = p.iter().find(|(k, _)| k == "body").map(|(_, v)| v.clone()).unwrap_or_default();
    let comment = field(&p, "comment").unwrap_or_default();
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        admin_only(&s)?;
        let kind = kind(&name)?;
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        let edit = DocumentEdit {
            expected_version: field(&p, "version").and_then(|v| v.parse().ok()).unwrap_or(0),
            body: value,
            comment: comment.clone(),
        };
        documents::save(&state, &s.principal, &kind, edit).await?;
        Ok::<_, ApiError>(Ok(()))
    }
    .await;
    let mut on_comment = false;
    let (error, at) = match result {
        Ok(Ok(())) => return back_ok(&doc_path(&name), "saved"),
        Err(e @ ApiError::Forbidden(_)) => return error_page(s.t, Some(&s), e),
        // Broken JSON: where, and what is wrong in the reader's words.
        Ok(Err(e)) => {
            let message =
                s.t.get("admin.json_error")
                    .replace("{line}", &e.line().to_string())
                    .replace("{column}", &e.column().to_string())
                    .replace("{detail}", &super::fields::json_detail(&s.t, &e));
            (message, Some((e.line(), e.column())))
        }
        Err(e @ ApiError::App(loopdesk_app::AppError::StaleVersion { .. })) => (refusal(&s.t, &e), None),
        // A value the document does not allow: its path and the line it is near.
        Err(e) => match super::fields::refused_field(&e) {
            Some(("comment", detail)) => {
                on_comment = true;
                (super::fields::explain(&s.t, "comment", "comment", &detail, &comment), None)
            }
            Some((field, detail)) if field.starts_with("body") => {
                let path = field.strip_prefix("body.").unwrap_or(field);
                let at = super::fields::locate(&text, path);
                let line = at.map(|(l, _)| l.to_string()).unwrap_or_else(|| "—".into());
                let message =
                    s.t.get("admin.invalid_value")
                        .replace("{field}", path)
                        .replace("{line}", &line)
                        .replace("{detail}", &detail);
                (message, at)
            }
            _ => (refusal(&s.t, &e), None),
        },
    };
    refused(&state, &s, name, Posted::Json { text, error, at, comment, on_comment }).await
}

/// Where a save's refusal goes on the form: a field the form has, else the top.
fn place(f: &mut Fields, t: &T, kind: &DocumentKind, e: &ApiError) {
    let path = e.parts().2.unwrap_or_default().to_string();
    if path == "comment" {
        // The triage rules need a reason for each change: said at the comment field.
        let text = super::fields::explain(t, "comment", "comment", &e.public_message(), f.v("comment"));
        return f.refuse("comment", text);
    }
    let text = refusal(t, e);
    let on = match kind {
        // `body.rules[2].departments` → the third row's owner.
        DocumentKind::RoutingRules => path
            .strip_prefix("body.rules[")
            .and_then(|r| r.split_once(']'))
            .map(|(i, rest)| format!("r{i}.{}", if rest.contains("name") { "name" } else { "department" })),
        // `body.branding.logo` → the logo field.
        DocumentKind::Portal => form_field(&path, &portal::FIELDS),
        DocumentKind::Channel(c) => form_field(&path, channels::Form::of(c.as_str()).fields()),
        _ => operations::place(kind, &path),
    };
    match on {
        Some(field) => f.refuse(field, text),
        None => f.general = Some(text),
    }
}

/// The form field a refusal's path (`body.mapping.text`) names, if the form has it.
fn form_field(path: &str, fields: &[&str]) -> Option<String> {
    path.strip_prefix("body.").filter(|p| fields.contains(p)).map(str::to_string)
}

/// `POST /console/admin/documents/{name}/form`: a document's form, applied onto the
/// version in force and saved as a new version.
pub async fn save_form(State(state): State<AppState>, s: Staff, Path(name): Path<String>, body: Bytes) -> Response {
    let p = form::pairs(&body);
    if let Err(e) = form::check_csrf(&p, &s.csrf).and_then(|_| admin_only(&s)) {
        return error_page(s.t, Some(&s), e);
    }
    let mut f = Fields::posted(&p);
    let comment = field(&p, "comment").unwrap_or_default();
    if f.get("op") == Some("preview") {
        // Templates: show what was typed rendered with sample values, saving nothing.
        return match build(
            &state,
            &s,
            name,
            &DocQuery::default(),
            &FlashQuery::default(),
            Some(Posted::Form { fields: f, comment }),
        )
        .await
        {
            Ok(p) => render(&p),
            Err(e) => error_page(s.t, Some(&s), e),
        };
    }
    let result = apply(&state, &s, &name, &mut f).await;
    let saved = match result {
        Ok(Some((kind, new))) => {
            let edit = DocumentEdit {
                expected_version: f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0),
                body: new,
                comment: comment.clone(),
            };
            match documents::save(&state, &s.principal, &kind, edit).await {
                Ok(_) => true,
                Err(e) => {
                    place(&mut f, &s.t, &kind, &ApiError::from(e));
                    false
                }
            }
        }
        Ok(None) => false,
        Err(e) => return error_page(s.t, Some(&s), e),
    };
    if saved {
        let back = match (f.get("calendar"), f.get("kind")) {
            (Some(c), _) if name == "calendars" => format!("{}?calendar={}", doc_path(&name), form::encode(c)),
            (_, Some(k)) if name == "templates" => format!("{}?kind={}", doc_path(&name), form::encode(k)),
            _ => doc_path(&name),
        };
        return back_ok(&back, "saved");
    }
    refused(&state, &s, name, Posted::Form { fields: f, comment }).await
}

/// The new body from the posted form; `Ok(None)` when a field was refused (in `f`).
async fn apply(
    state: &AppState,
    s: &Staff,
    name: &str,
    f: &mut Fields,
) -> Result<Option<(DocumentKind, Value)>, ApiError> {
    let kind = kind(name)?;
    let _ = state.sla.refresh(state.read()).await;
    let body = documents::current_effective(state, &s.principal, &kind).await?.body;
    let t = &s.t;
    let new = match kind {
        DocumentKind::SlaPolicy => json(sla::apply(typed(&body)?, f, t, &calendar_names(state)))?,
        DocumentKind::RoutingRules => {
            let ids: Vec<_> = state.read().departments().await?.into_iter().map(|d| d.id).collect();
            json(routing::apply(f, t, &ids))?
        }
        DocumentKind::Calendars => {
            let mut doc: CalendarsDoc = typed(&body)?;
            let Some(i) = chosen_calendar(&doc, f.get("calendar")) else {
                return Err(ApiError::invalid("calendar", "no such calendar"));
            };
            match calendars::apply(doc.calendars[i].clone(), f, t) {
                Some(spec) => {
                    doc.calendars[i] = spec;
                    json(Some(doc))?
                }
                None => None,
            }
        }
        DocumentKind::Templates => json(templates::apply(typed(&body)?, f, t))?,
        DocumentKind::Triage(RulePart::Taxonomy) => json(taxonomy::apply(typed(&body)?, f, t))?,
        DocumentKind::Triage(RulePart::Signals) => json(signals::apply(typed(&body)?, f, t))?,
        DocumentKind::Triage(RulePart::Moderation) => json(moderation::apply(typed(&body)?, f, t))?,
        DocumentKind::Triage(RulePart::PriorityRules) => {
            let rules: PriorityRules = typed(&body)?;
            let ids: Vec<String> = base_categories(state, t, &rules).into_iter().map(|c| c.0).collect();
            json(priority_rules::apply(rules, f, t, &ids))?
        }
        DocumentKind::ReplyTemplates => json(replies::apply(f, t))?,
        DocumentKind::Portal => portal::apply(body, f, t),
        DocumentKind::Channel(ref c) => {
            let form = channels::Form::of(c.as_str());
            // A rotation keeps the saved secret accepted: it is read in clear here only to
            // be written back as the previous one, never shown.
            let current = match form == channels::Form::Webhook && f.checked("rotate") {
                true => state
                    .read()
                    .document(&kind.name())
                    .await?
                    .and_then(|d| d.body.get("secret").and_then(Value::as_str).map(str::to_string)),
                false => None,
            };
            channels::apply(form, body, f, t, current.as_deref())
        }
        _ if operations::has_form(&kind) => operations::apply(state, t, &kind, &body, f).await?,
        _ => return Err(ApiError::NotFound("this document has no form; use the JSON editor".into())),
    };
    Ok(new.map(|v| (kind, v)))
}
