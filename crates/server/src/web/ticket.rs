//! The ticket page: customer and product (masked for roles that may not see personal
//! data), the verbatim text, classification with its reasons, the problem cluster and its
//! siblings, SLA clocks, the timeline, and a form for every action the state allows.

use super::context::Staff;
use super::fields::Kept;
use super::page::{error_page, render, Flash, FlashQuery, Layout};
use super::queue::{categories, Names};
use super::replies::{self, ReplyTemplate};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::access::visible;
use loopdesk_app::macros::manage;
use loopdesk_app::read::{Sort, TicketFilter};
use loopdesk_app::tickets::messages::customer_messages;
use loopdesk_core::access::Permission;
use loopdesk_core::sla::ClockState;
use loopdesk_core::{Actor, Event, EventData, Priority, Ticket};

/// A fact shown as label and value.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// A timeline entry as staff read it.
pub struct Entry {
    pub kind: &'static str,
    pub at: String,
    pub who: String,
    pub public: bool,
    pub text: Option<String>,
    pub state_after: &'static str,
    /// Files a reply carried: name and staff download link.
    pub files: Vec<(String, String)>,
    /// What became of the message this event owed the customer.
    pub delivery: Option<DeliveryView>,
}

/// A message's delivery state as the timeline shows it.
pub struct DeliveryView {
    /// `queued`, `retrying`, `sending`, `sent_to_mail_server`, `accepted_by_gateway`, `failed`,
    /// and from the receiving side's report `delivered`, `relayed`, `delayed`, `bounced`.
    pub state: &'static str,
    /// `email` or `http`.
    pub transport: String,
    pub target: String,
    pub error: Option<String>,
    pub at: Option<String>,
}

/// One SLA clock.
pub struct ClockView {
    pub target: &'static str,
    pub state: &'static str,
    pub due: String,
    pub remaining_minutes: i64,
    pub warning: bool,
    /// A countdown while the clock counts (red once overdue).
    pub countdown: Option<super::sla::DueView>,
}

/// A sibling ticket of the same problem.
pub struct Sibling {
    pub id: i64,
    pub tracking_no: String,
    pub state: &'static str,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "console/ticket.html")]
struct TicketPage {
    layout: Layout,
    csrf: String,
    /// The server's clock, for the countdowns' script.
    now_ms: i64,
    id: i64,
    version: i64,
    tracking_no: String,
    subject: String,
    content: String,
    state: &'static str,
    priority: &'static str,
    category: String,
    subtags: String,
    /// The sub-tags by their names, for reading.
    subtag_names: String,
    customer: Vec<Fact>,
    product: Vec<Fact>,
    attachments: Vec<(String, String)>,
    reasons: Vec<String>,
    signals: Vec<String>,
    confidence: Option<String>,
    manual_triage: bool,
    cluster_id: i64,
    cluster_size: i64,
    siblings: Vec<Sibling>,
    /// The customer's other tickets (by phone number or e-mail address), newest first.
    customer_tickets: Vec<Sibling>,
    clocks: Vec<ClockView>,
    entries: Vec<Entry>,
    allowed: Vec<&'static str>,
    department: String,
    assignee: String,
    departments: Vec<(i64, String)>,
    users: Vec<(i64, String)>,
    categories: Vec<String>,
    priorities: Vec<&'static str>,
    templates: Vec<ReplyTemplate>,
    reply_text: String,
    /// Whether "send and resolve" can work: the ticket is in progress, or can be taken up
    /// and accepted on the way (new, assigned, reopened).
    reply_resolves: bool,
    /// Macros: id and title in the reader's language.
    macros: Vec<(String, String)>,
    /// Upload limits shown by the file input.
    max_files: usize,
    max_file_mb: usize,
    outcome: Option<String>,
    satisfaction: Option<String>,
    reject_reason: Option<String>,
    merged_into: Option<i64>,
    supervise: bool,
    work: bool,
    extend_default: String,
    /// A refused action's form, open again with what was typed.
    kept: Kept,
}

/// Query of the ticket page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    template: Option<String>,
    #[serde(flatten)]
    flash: FlashQuery,
}

fn customer_facts(s: &Staff, t: &Ticket, unmasked: bool) -> Vec<Fact> {
    let c = &t.customer;
    let name = c.name.clone().map(|n| if unmasked { n } else { format!("{}***", n.chars().next().unwrap_or('*')) });
    let phone = c.phone.as_ref().map(|p| if unmasked { p.as_str().to_string() } else { p.masked() });
    let email = c.email.as_ref().map(|e| if unmasked { e.as_str().to_string() } else { e.masked() });
    let address = c.address.clone().map(|a| if unmasked { a } else { "***".into() });
    [
        ("field.name", name),
        ("field.phone", phone),
        ("field.email", email),
        ("field.address", address),
        ("field.member_id", c.member_id.clone()),
        ("field.tier", Some(s.t.name("tier", c.tier.as_str()))),
    ]
    .into_iter()
    .filter_map(|(label, v)| v.map(|value| Fact { label, value }))
    .collect()
}

fn product_facts(s: &Staff, t: &Ticket) -> Vec<Fact> {
    let p = &t.product;
    [
        ("field.product", p.product.clone()),
        ("field.model", p.model.clone()),
        ("field.serial_no", p.serial_no.clone()),
        ("field.order_no", p.order_no.clone()),
        ("field.occurred_at", p.occurred_at.as_ref().map(|d| s.t.date(d))),
    ]
    .into_iter()
    .filter_map(|(label, v)| v.map(|value| Fact { label, value }))
    .collect()
}

/// "what: detail" with the reader's punctuation (full-width colon in Chinese).
fn said_as(t: &super::i18n::T, what: &str, detail: &str) -> String {
    t.get("form.with_detail").replace("{what}", what).replace("{detail}", detail)
}

fn who(s: &Staff, a: &Actor) -> String {
    match a {
        Actor::User { name, .. } => name.clone(),
        Actor::Customer => s.t.get("actor.customer").into(),
        Actor::System => s.t.get("actor.system").into(),
    }
}

fn entry_text(s: &Staff, names: &Names, e: &Event) -> Option<String> {
    let t = &s.t;
    match &e.data {
        EventData::Replied { body, .. } | EventData::Noted { body } | EventData::InfoProvided { body } => {
            Some(body.clone())
        }
        EventData::InfoRequested { message } => Some(message.clone()),
        EventData::ApprovalRequested { plan, reasons } => Some(
            t.get("said.with_note").replace("{text}", plan).replace(
                "{note}",
                &reasons
                    .iter()
                    .map(|r| t.name("approval", r.as_str()))
                    .collect::<Vec<_>>()
                    .join(t.get("said.list_sep")),
            ),
        ),
        EventData::ApprovalDecided { approved, comment } => Some(format!(
            "{}{}",
            t.get(if *approved { "act.approve" } else { "act.refuse" }),
            comment.as_ref().map(|c| format!(" — {c}")).unwrap_or_default()
        )),
        EventData::Resolved { outcome } => {
            Some(said_as(t, &t.name("outcome", outcome.kind.as_str()), &outcome.summary))
        }
        EventData::SurveyAnswered { satisfaction } => Some(format!(
            "{}{}",
            t.name("rating", satisfaction.rating.as_str()),
            satisfaction.comment.as_ref().map(|c| format!(" — {c}")).unwrap_or_default()
        )),
        EventData::Reopened { reason } | EventData::Rejected { reason } => Some(reason.clone()),
        EventData::Escalated { reason, .. } => Some(super::said::escalation(t, reason)),
        EventData::Assigned { department_id, assignee_id, reason, .. } => Some(format!(
            "{} / {}{}",
            department_id.and_then(|d| names.departments.get(&d.0).cloned()).unwrap_or_else(|| "—".into()),
            assignee_id.and_then(|u| names.users.get(&u.0).cloned()).unwrap_or_else(|| "—".into()),
            reason.as_ref().map(|r| format!(" — {r}")).unwrap_or_default()
        )),
        EventData::Recategorized { category, from_category, .. } => Some(format!(
            "{} → {}",
            t.name("category", from_category.as_deref().unwrap_or("none")),
            t.name("category", category.as_deref().unwrap_or("none"))
        )),
        EventData::Reprioritized { priority, reasons, from_priority } => Some(format!(
            "{} → {} ({})",
            t.name("priority", from_priority.as_str()),
            t.name("priority", priority.as_str()),
            reasons.iter().map(|r| super::said::priority_reason(t, r)).collect::<Vec<_>>().join(t.get("said.sep"))
        )),
        EventData::Extended { target, until, reason } => {
            Some(format!("{} — {reason}", said_as(t, &t.name("sla.target", target), &t.date(until))))
        }
        EventData::Merged { into } => Some(format!("#{into}")),
        EventData::CollaboratorAdded { user_id } => names.users.get(&user_id.0).cloned(),
        _ => None,
    }
}

/// `GET /console/tickets/{id}`.
pub async fn page(
    State(state): State<AppState>,
    s: Staff,
    Path(id): Path<i64>,
    Query(q): Query<TicketQuery>,
) -> Response {
    match build(&state, &s, id, q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// The ticket page again after a refused action (422): its form open with what was typed,
/// `message` next to the refused field and at the top of the page.
pub async fn refused(state: &AppState, s: &Staff, id: i64, kept: Kept, message: String) -> Response {
    match build(state, s, id, TicketQuery::default()).await {
        Ok(mut p) => {
            p.kept = kept;
            p.layout.flash = Some(Flash { kind: "error", text: message });
            let mut resp = render(&p);
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => error_page(s.t, Some(s), e),
    }
}

/// Up to ten other tickets of the same customer (found by the phone number, else the
/// e-mail address, as the queue's search finds them), among those the member may see.
async fn customer_tickets(state: &AppState, s: &Staff, t: &Ticket) -> Result<Vec<Sibling>, ApiError> {
    let contact = match (&t.customer.phone, &t.customer.email) {
        (Some(p), _) => p.as_str().to_string(),
        (None, Some(e)) => e.as_str().to_string(),
        (None, None) => return Ok(Vec::new()),
    };
    let filter =
        TicketFilter { text: Some(contact), visibility: Some(s.principal.visibility()), ..TicketFilter::default() };
    let page = state.read().list_tickets(&filter, Sort::Newest, None, 11).await?;
    Ok(page.items.into_iter().map(|x| x.ticket).filter(|x| x.id != t.id).take(10).map(|x| sibling(&x)).collect())
}

/// The ticket's sub-tags as the taxonomy names them (Chinese names; in English the id
/// read as words).
fn subtag_names(state: &AppState, s: &Staff, t: &Ticket) -> String {
    let triage = state.triage.current();
    let category = triage.taxonomy().categories.iter().find(|c| t.category.as_deref() == Some(c.id.as_str()));
    t.subtags
        .iter()
        .map(|id| match (s.t.lang, category.and_then(|c| c.subtags.iter().find(|x| &x.id == id))) {
            (super::i18n::Lang::Zh, Some(x)) => x.name.clone(),
            _ => id.replace('_', " "),
        })
        .collect::<Vec<_>>()
        .join(s.t.get("said.list_sep"))
}

fn sibling(x: &Ticket) -> Sibling {
    Sibling {
        id: x.id.0,
        tracking_no: x.tracking_no.to_string(),
        state: x.state.as_str(),
        subject: x.subject.clone().unwrap_or_else(|| x.content.chars().take(40).collect()),
    }
}

async fn build(state: &AppState, s: &Staff, id: i64, q: TicketQuery) -> Result<TicketPage, ApiError> {
    if !s.can(Permission::Read) {
        return Err(ApiError::Forbidden("read".into()));
    }
    let t = visible(state, &s.principal, loopdesk_core::TicketId(id)).await?;
    let timeline = state.read().timeline(t.id).await?;
    let names = Names::load(state).await?;
    let cluster_id = t.triage.as_ref().and_then(|x| x.cluster_id).unwrap_or(t.id.0);
    let cluster_size = state.read().cluster_size(cluster_id).await.unwrap_or(0);
    let customer_tickets = customer_tickets(state, s, &t).await?;
    let siblings = state
        .read()
        .cluster_siblings(cluster_id, t.id, 10)
        .await?
        .into_iter()
        .filter(|x| s.principal.can_see(x))
        .map(|x| sibling(&x))
        .collect();
    let now = state.now();
    let clocks = super::sla::clocks(state, &t, &timeline)
        .await
        .into_iter()
        .map(|c| ClockView {
            target: c.target.as_str(),
            state: if c.warning && c.state == ClockState::Running { "warning" } else { c.state.as_str() },
            due: s.t.opt_date(&c.due_at),
            remaining_minutes: c.remaining.num_minutes(),
            warning: c.warning,
            countdown: c
                .due_at
                .filter(|_| c.stopped_at.is_none() && matches!(c.state, ClockState::Running | ClockState::Breached))
                .map(|d| super::sla::DueView::of(s.t, d, now)),
        })
        .collect();
    let messages = customer_messages(&state.read().ticket_deliveries(t.id).await?);
    let entries = timeline
        .iter()
        .rev()
        .map(|e| Entry {
            kind: e.data.kind(),
            at: s.t.date(&e.at),
            who: who(s, &e.actor),
            public: e.data.is_public(),
            text: entry_text(s, &names, e),
            state_after: e.state_after.as_str(),
            files: match &e.data {
                EventData::Replied { files, .. } => {
                    files.iter().map(|f| (f.name.clone(), format!("/api/v1/attachments/{}", f.id))).collect()
                }
                _ => Vec::new(),
            },
            delivery: messages.iter().rev().find(|m| m.owed_by(e)).map(|m| DeliveryView {
                state: m.state,
                transport: m.transport.clone(),
                target: m.target.clone(),
                error: m.reason().map(|e| super::said::delivery_error(&s.t, &e)),
                at: m.at().as_ref().map(|d| s.t.date(d)),
            }),
        })
        .collect();
    let zh = s.t.lang == super::i18n::Lang::Zh;
    let macros = match manage::list(state, &s.principal).await {
        Ok(l) => l.macros.iter().map(|m| (m.id.clone(), m.title(zh).to_string())).collect(),
        // Viewers cannot apply macros; the page shows none.
        Err(_) => Vec::new(),
    };
    let policy = loopdesk_app::intake::uploads::policy();
    let templates = replies::templates(state, s.t.lang).await;
    let reply_text = q
        .template
        .as_deref()
        .and_then(|name| templates.iter().find(|x| x.name == name))
        .map(|x| x.text.clone())
        .unwrap_or_default();
    let templates = templates.into_iter().map(|x| replies::fill(x, &t, &s.user.display_name)).collect();
    let reply_text = replies::fill_text(&reply_text, &t, &s.user.display_name);
    let triage = t.triage.clone().unwrap_or_default();
    // Files recorded with the ticket, then those added later (portal uploads, WeChat pictures).
    let mut attachments: Vec<(String, String)> =
        t.attachments.iter().map(|a| (a.name.clone(), a.location.clone())).collect();
    for a in state.read().ticket_attachments(t.id).await.unwrap_or_default() {
        let location = format!("/api/v1/attachments/{}", a.id);
        if !attachments.iter().any(|(_, l)| *l == location) {
            attachments.push((a.name, location));
        }
    }
    let mut departments: Vec<(i64, String)> = names.departments.iter().map(|(k, v)| (*k, v.clone())).collect();
    departments.sort();
    let mut users: Vec<(i64, String)> = names.users.iter().map(|(k, v)| (*k, v.clone())).collect();
    users.sort();
    let fq = q.flash;
    Ok(TicketPage {
        layout: Layout::staff(s, "ticket.timeline").with_flash(&fq),
        csrf: s.csrf.clone(),
        now_ms: now.timestamp_millis(),
        id: t.id.0,
        version: t.version,
        tracking_no: t.tracking_no.to_string(),
        subject: t.subject.clone().unwrap_or_default(),
        content: t.content.clone(),
        state: t.state.as_str(),
        priority: t.priority.as_str(),
        category: t.category.clone().unwrap_or_else(|| "none".into()),
        subtags: t.subtags.join(", "),
        subtag_names: subtag_names(state, s, &t),
        customer: customer_facts(s, &t, s.principal.sees_personal_data()),
        product: product_facts(s, &t),
        attachments,
        reasons: t.priority_reasons.iter().map(|r| super::said::priority_reason(&s.t, r)).collect(),
        signals: triage.signals.iter().map(|x| super::said::signal(&s.t, x)).collect(),
        confidence: t.triage.as_ref().map(|x| format!("{:.0}%", x.confidence * 100.0)),
        manual_triage: triage.needs_manual_triage,
        cluster_id,
        cluster_size,
        siblings,
        customer_tickets,
        clocks,
        entries,
        allowed: t.state.allowed_actions().iter().map(|a| a.as_str()).collect(),
        department: t.department_id.and_then(|d| names.departments.get(&d.0).cloned()).unwrap_or_else(|| "—".into()),
        assignee: t
            .assignee_id
            .and_then(|u| names.users.get(&u.0).cloned())
            .unwrap_or_else(|| s.t.get("ticket.unassigned").into()),
        departments,
        users,
        categories: categories(state),
        priorities: Priority::ALL.iter().map(|p| p.as_str()).collect(),
        templates,
        reply_text,
        reply_resolves: matches!(
            t.state,
            loopdesk_core::State::New
                | loopdesk_core::State::Assigned
                | loopdesk_core::State::InProgress
                | loopdesk_core::State::Reopened
        ),
        macros,
        max_files: policy.max_count,
        max_file_mb: policy.max_bytes / (1024 * 1024),
        outcome: t.outcome.as_ref().map(|o| said_as(&s.t, &s.t.name("outcome", o.kind.as_str()), &o.summary)),
        satisfaction: t.satisfaction.as_ref().map(|x| s.t.name("rating", x.rating.as_str())),
        reject_reason: t.reject_reason.clone(),
        merged_into: t.merged_into.map(|m| m.0),
        supervise: s.can(Permission::Supervise),
        work: s.can(Permission::Work),
        extend_default: s.t.input_date(&(state.now() + chrono::Duration::days(3))),
        kept: Kept::default(),
    })
}
