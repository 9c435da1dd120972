//! The customer's status page behind the signed, bookmarkable link (`/status/{token}`, see
//! `loopdesk_app::portal::links`): where the request stands (a stage indicator), the
//! conversation (the customer's own messages and the public replies), and what the customer
//! can do now — add the information asked for, write again, rate the result. The look-up
//! form (`/track`, tracking number and contact) shows the same page.

use super::context::Visitor;
use super::form::{self, field};
use super::page::{error_page, render, Flash, Layout};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use loopdesk_app::portal::{self, links};
use loopdesk_app::tickets::customer;
use loopdesk_app::workflow::survey::Answer;
use loopdesk_core::ticket::Rating;
use loopdesk_core::{Actor, Event, EventData, State as TicketState, Ticket};

/// One entry of the conversation as the customer reads it.
pub struct PublicEntry {
    pub kind: &'static str,
    pub at: String,
    pub text: Option<String>,
    /// Written by the customer.
    pub mine: bool,
}

/// A step of the stage indicator.
pub struct Step {
    pub name: &'static str,
    pub done: bool,
    pub current: bool,
}

fn entry(v: &Visitor, ticket: &Ticket, e: &Event) -> Option<PublicEntry> {
    let at = v.t.date(&e.at);
    let said = |kind, text: String, mine| Some(PublicEntry { kind, at: at.clone(), text: Some(text), mine });
    match &e.data {
        EventData::Created { .. } => said("created", ticket.content.clone(), true),
        EventData::InfoProvided { body } => said("info_provided", body.clone(), true),
        // A customer's own later message (the follow-up box, an e-mail): a note by them.
        EventData::Noted { body } if e.actor == Actor::Customer => {
            let text = body.strip_prefix(customer::FOLLOW_UP_PREFIX).unwrap_or(body);
            said("customer_message", text.to_string(), true)
        }
        data if data.is_public() => {
            let text = match data {
                EventData::Replied { body, .. } => Some(body.clone()),
                EventData::InfoRequested { message } => Some(message.clone()),
                EventData::Resolved { outcome } => {
                    Some(format!("{} — {}", v.t.name("outcome", outcome.kind.as_str()), outcome.summary))
                }
                EventData::Extended { until, reason, .. } => {
                    Some(format!("{} {} — {reason}", v.t.get("sla.due"), v.t.date(until)))
                }
                EventData::SurveyAnswered { satisfaction } => Some(v.t.name("rating", satisfaction.rating.as_str())),
                _ => None,
            };
            Some(PublicEntry { kind: data.kind(), at, text, mine: false })
        }
        _ => None,
    }
}

fn steps(state: TicketState) -> Vec<Step> {
    let reached = portal::stage(state);
    portal::STAGES
        .iter()
        .enumerate()
        .map(|(i, name)| Step { name, done: reached.is_some_and(|r| i < r), current: reached == Some(i) })
        .collect()
}

/// What the follow-up box keeps after a refusal (its draft): the text and why it was refused.
#[derive(Default)]
pub struct Draft {
    pub text: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/status.html")]
struct StatusPage {
    layout: Layout,
    tracking_no: String,
    /// The signed token the page's forms post to.
    token: String,
    /// The bookmarkable link, in full when the address is known.
    link: String,
    state: &'static str,
    /// On one of the stages (not rejected or merged).
    on_stage: bool,
    steps: Vec<Step>,
    subject: String,
    received: String,
    updated: String,
    entries: Vec<PublicEntry>,
    asks_info: bool,
    asks_survey: bool,
    writable: bool,
    kept: Draft,
    max_follow_up: usize,
    /// After an unsatisfied answer: the working hours within which a supervisor calls.
    next_steps: Option<u32>,
    /// The ticket's files: (id, name, size).
    files: Vec<(i64, String, String)>,
}

fn size_text(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} B"),
    }
}

/// The working hours promised to an unsatisfied customer whose request is being looked at
/// again, if that is where it stands.
pub fn promise(v: &Visitor, ticket: &Ticket) -> Option<u32> {
    let unsatisfied = ticket.satisfaction.as_ref().is_some_and(|s| s.rating == Rating::Unsatisfied);
    (unsatisfied && ticket.state.is_open() && ticket.state != TicketState::Resolved)
        .then_some(v.brand.contact_within_working_hours)
}

/// The status page of `ticket`, with a flash message and what the follow-up box keeps.
pub async fn page_of(state: &AppState, v: &Visitor, ticket: &Ticket, flash: Option<Flash>, kept: Draft) -> Response {
    let timeline = match state.read().timeline(ticket.id).await {
        Ok(t) => t,
        Err(e) => return error_page(v.t, None, e),
    };
    let files = match state.read().ticket_attachments(ticket.id).await {
        Ok(list) => list.into_iter().map(|a| (a.id, a.name, size_text(a.size))).collect(),
        Err(e) => return error_page(v.t, None, e),
    };
    let path = match links::status_path(state, ticket).await {
        Ok(p) => p,
        Err(e) => return error_page(v.t, None, e),
    };
    let mut layout = Layout::visitor(v, "portal.status");
    layout.flash = flash;
    let status = if kept.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut resp = render(&StatusPage {
        layout,
        tracking_no: ticket.tracking_no.to_string(),
        token: path.trim_start_matches("/status/").to_string(),
        link: format!("{}{path}", v.origin),
        state: ticket.state.as_str(),
        on_stage: portal::stage(ticket.state).is_some(),
        steps: steps(ticket.state),
        subject: ticket.subject.clone().unwrap_or_default(),
        received: v.t.date(&ticket.received_at),
        updated: v.t.date(&ticket.updated_at),
        entries: timeline.iter().filter_map(|e| entry(v, ticket, e)).collect(),
        asks_info: ticket.state == TicketState::AwaitingCustomer,
        asks_survey: ticket.state == TicketState::Resolved && ticket.satisfaction.is_none(),
        writable: !matches!(ticket.state, TicketState::Rejected | TicketState::Merged),
        kept,
        max_follow_up: customer::MAX_FOLLOW_UP,
        next_steps: promise(v, ticket),
        files,
    });
    *resp.status_mut() = status;
    resp
}

fn ok(v: &Visitor, key: &str) -> Option<Flash> {
    Some(Flash { kind: "ok", text: v.t.get(key).to_string() })
}

/// The ticket of a status link, or the error page (an altered link is a 404).
async fn opened(state: &AppState, v: &Visitor, token: &str) -> Result<Ticket, Response> {
    links::open_status(state, token).await.map_err(|e| error_page(v.t, None, e))
}

/// Query of the status page: `sent=1` after a follow-up message went in.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    sent: Option<String>,
}

/// `GET /status/{token}`.
pub async fn page(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    match opened(&state, &v, &token).await {
        Ok(ticket) => {
            customer::looked_up(&state, &ticket).await;
            let flash = q.sent.and_then(|_| ok(&v, "portal.follow_up_sent"));
            page_of(&state, &v, &ticket, flash, Draft::default()).await
        }
        Err(resp) => resp,
    }
}

/// The customer's words for a refused follow-up, next to the box.
fn refusal(v: &Visitor, e: &ApiError) -> String {
    match e.parts() {
        (_, "rate_limited", _) => v.t.get("portal.follow_up_rate_limited").to_string(),
        (_, "invalid_field", Some("body")) if e.public_message().contains("at most") => {
            v.t.get("portal.follow_up_too_long").replace("{n}", &customer::MAX_FOLLOW_UP.to_string())
        }
        (_, "invalid_field", Some("body")) => v.t.get("portal.follow_up_empty").to_string(),
        (_, code, _) => v.t.name("error", code),
    }
}

/// `POST /status/{token}/message`: the customer writes again. A refused message stays in
/// the box with the reason next to it.
pub async fn message(State(state): State<AppState>, v: Visitor, Path(token): Path<String>, body: Bytes) -> Response {
    let ticket = match opened(&state, &v, &token).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let p = form::pairs(&body);
    let text = field(&p, "body").unwrap_or_default();
    match customer::follow_up(&state, &ticket, &text).await {
        // Post-redirect-get: reloading the page must not send the message twice.
        Ok(_) => Redirect::to(&format!("/status/{token}?sent=1")).into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            e.log();
            let kept = Draft { error: Some(refusal(&v, &e)), text };
            let mut resp = page_of(&state, &v, &ticket, None, kept).await;
            if e.parts().1 == "rate_limited" {
                *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            }
            resp
        }
    }
}

/// `POST /status/{token}/info`: the information asked for, with files.
pub async fn info(State(state): State<AppState>, v: Visitor, Path(token): Path<String>, req: Request) -> Response {
    let ticket = match opened(&state, &v, &token).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let (p, files) = match super::portal::read_form(&state, req).await {
        Ok(x) => x,
        Err(e) => return error_page(v.t, None, e),
    };
    let text: String = field(&p, "body").unwrap_or_default().chars().take(customer::MAX_FOLLOW_UP * 2).collect();
    match customer::add_info(&state, &ticket, &text, &files).await {
        Ok(t) => page_of(&state, &v, &t, ok(&v, "act.done"), Draft::default()).await,
        Err(e) => error_page(v.t, None, e),
    }
}

/// The survey answer of a portal form.
pub fn answer_of(p: &[(String, String)]) -> Result<Answer, ApiError> {
    let rating = field(p, "rating")
        .as_deref()
        .and_then(Rating::parse)
        .ok_or_else(|| ApiError::invalid("rating", "choose an answer"))?;
    Ok(Answer {
        rating,
        score: field(p, "score").and_then(|s| s.parse().ok()),
        comment: field(p, "comment").map(|c| c.chars().take(loopdesk_app::workflow::survey::MAX_COMMENT).collect()),
    })
}

/// `POST /status/{token}/survey`: the customer rates the result.
pub async fn survey(State(state): State<AppState>, v: Visitor, Path(token): Path<String>, body: Bytes) -> Response {
    let ticket = match opened(&state, &v, &token).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    let answer = match answer_of(&form::pairs(&body)) {
        Ok(a) => a,
        Err(e) => return error_page(v.t, None, e),
    };
    match customer::answer_survey(&state, &ticket, answer).await {
        Ok(t) => page_of(&state, &v, &t, ok(&v, "portal.survey_thanks"), Draft::default()).await,
        Err(e) => error_page(v.t, None, e),
    }
}

/// `GET /status/{token}/files/{id}`: one of the ticket's files.
pub async fn file(State(state): State<AppState>, v: Visitor, Path((token, id)): Path<(String, i64)>) -> Response {
    let ticket = match opened(&state, &v, &token).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    download(&state, &v, &ticket, id).await
}

/// A file of `ticket` as a download (never shown inline: it came from a customer).
pub async fn download(state: &AppState, v: &Visitor, ticket: &Ticket, id: i64) -> Response {
    match state.read().attachment(id).await {
        Ok((meta, bytes)) if meta.ticket_id == Some(ticket.id.0) => {
            let disposition = format!("attachment; filename=\"attachment-{}\"", meta.id);
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, meta.content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(_) => error_page(v.t, None, ApiError::NotFound("file not found".into())),
        Err(e) => error_page(v.t, None, e),
    }
}
