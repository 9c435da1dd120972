//! The customer portal (no login): submit feedback, track it with the tracking number and
//! the contact left with it, add information when asked, answer the follow-up survey.
//! Submissions go through the API's intake handler (same validation, triage, rate limits).

use super::context::Visitor;
use super::form::{self, field};
use super::page::{error_page, render, Layout};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::routes::feedback::multipart;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use loopdesk_app::intake::feedback::{self, CustomerIn, FeedbackIn, ProductIn};
use loopdesk_app::intake::uploads;
use loopdesk_app::tickets::customer;
use loopdesk_app::workflow::survey::Answer;
use loopdesk_channels::email::InboundAttachment;
use loopdesk_core::ticket::Rating;
use loopdesk_core::{Attachment, Event, EventData, State as TicketState, Ticket};
use std::net::IpAddr;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct Home {
    layout: Layout,
    error: Option<String>,
}

/// `GET /`: the feedback form.
pub async fn home(v: Visitor) -> Response {
    render(&Home { layout: Layout::visitor(&v, "portal.title"), error: None })
}

#[derive(Template)]
#[template(path = "portal/thanks.html")]
struct Thanks {
    layout: Layout,
    tracking_no: String,
    expected: String,
}

fn attachments(links: Option<String>) -> Vec<Attachment> {
    links
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        .take(10)
        .map(|l| Attachment {
            name: l.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("link").chars().take(200).collect(),
            content_type: "text/uri-list".into(),
            size: 0,
            location: l.chars().take(2000).collect(),
            description: None,
        })
        .collect()
}

/// Splits "phone or e-mail" into the right field.
fn contact(value: Option<String>) -> (Option<String>, Option<String>) {
    match value {
        Some(c) if c.contains('@') => (None, Some(c)),
        Some(c) => (Some(c), None),
        None => (None, None),
    }
}

fn feedback_body(p: &[(String, String)]) -> FeedbackIn {
    let (phone, email) = contact(field(p, "contact"));
    FeedbackIn {
        content: field(p, "content").unwrap_or_default(),
        subject: field(p, "subject"),
        channel: None,
        customer: CustomerIn {
            name: field(p, "name"),
            anonymous: field(p, "anonymous").is_some(),
            phone,
            email,
            ..Default::default()
        },
        product: ProductIn {
            product: field(p, "product"),
            model: field(p, "model"),
            order_no: field(p, "order_no"),
            ..Default::default()
        },
        attachments: attachments(field(p, "attachments")),
        received_at: None,
        urgency: None,
    }
}

/// A portal form: URL-encoded, or multipart with files (checked like e-mail attachments).
async fn read_form(
    state: &AppState,
    req: Request,
) -> Result<(Vec<(String, String)>, Vec<InboundAttachment>), ApiError> {
    if multipart::is_multipart(req.headers()) {
        let form = multipart::read_request(state, req).await?;
        let fields = form.fields.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect();
        return Ok((fields, form.files));
    }
    let limit = state.config.limits.max_body_bytes;
    let body = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| ApiError::PayloadTooLarge { limit })?;
    Ok((form::pairs(&body), Vec::new()))
}

/// `POST /submit`: records the feedback and shows the tracking number.
pub async fn submit(State(state): State<AppState>, ClientIp(ip): ClientIp, v: Visitor, req: Request) -> Response {
    let refused = |e: ApiError| {
        let (status, message) = portal_error(&v, &e);
        let mut resp = render(&Home { layout: Layout::visitor(&v, "portal.title"), error: Some(message) });
        *resp.status_mut() = status;
        resp
    };
    let (p, files) = match read_form(&state, req).await {
        Ok(x) => x,
        Err(e) => return refused(e),
    };
    // The honeypot field is invisible to people; bots fill it in. They get a thank-you
    // page and nothing is recorded.
    if field(&p, "website").is_some() {
        let layout = Layout::visitor(&v, "portal.thanks");
        return render(&Thanks { layout, tracking_no: "—".into(), expected: "—".into() });
    }
    let body = feedback_body(&p);
    let recorded = match feedback::admit(&state, None, ip, None, body, &[]) {
        Ok(submission) => uploads::accept(&state, submission, &files).await.map_err(ApiError::from),
        Err(e) => Err(e.into()),
    };
    match recorded.map(|r| r.ticket) {
        Ok(ticket) => {
            let timeline = state.read().timeline(ticket.id).await.unwrap_or_default();
            let expected = v.t.opt_date(&super::sla::first_response_due(&state, &ticket, &timeline).await);
            let layout = Layout::visitor(&v, "portal.thanks");
            render(&Thanks { layout, tracking_no: ticket.tracking_no.to_string(), expected })
        }
        Err(e) => refused(e),
    }
}

/// The translated message and status of a refused submission.
fn portal_error(v: &Visitor, e: &ApiError) -> (StatusCode, String) {
    let (status, code, field) = e.parts();
    let text = match (code, field) {
        ("invalid_field", Some(f)) => {
            let name = f.rsplit('.').next().unwrap_or(f);
            format!("{}: {}", v.t.get("error.invalid_field"), v.t.name("field", name))
        }
        ("rate_limited", _) => v.t.get("error.rate_limited").into(),
        ("file_too_large", _) | ("file_type", _) => {
            format!("{}: {}", v.t.get(&format!("error.{code}")), e.public_message())
        }
        _ => return (StatusCode::BAD_REQUEST, v.t.get("error.bad_request").into()),
    };
    (status, text)
}

#[derive(Template)]
#[template(path = "portal/track.html")]
struct TrackForm {
    layout: Layout,
    not_found: bool,
    tracking_no: String,
}

/// `GET /track`: the look-up form.
pub async fn track_form(v: Visitor) -> Response {
    render(&TrackForm { layout: Layout::visitor(&v, "portal.track"), not_found: false, tracking_no: String::new() })
}

/// One public timeline entry as the customer reads it.
pub struct PublicEntry {
    pub kind: &'static str,
    pub at: String,
    pub text: Option<String>,
}

fn public_entries(v: &Visitor, timeline: &[Event]) -> Vec<PublicEntry> {
    timeline
        .iter()
        .filter(|e| e.data.is_public())
        .map(|e| {
            let text = match &e.data {
                EventData::Replied { body, .. } | EventData::InfoProvided { body } => Some(body.clone()),
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
            PublicEntry { kind: e.data.kind(), at: v.t.date(&e.at), text }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "portal/status.html")]
struct Status {
    layout: Layout,
    tracking_no: String,
    contact: String,
    state: &'static str,
    subject: String,
    received: String,
    updated: String,
    entries: Vec<PublicEntry>,
    asks_info: bool,
    asks_survey: bool,
    /// The ticket's files: (id, name, size).
    files: Vec<(i64, String, String)>,
}

/// Finds the ticket for a tracking number and contact (see [`customer::locate`]).
async fn find(state: &AppState, ip: IpAddr, number: &str, contact_value: &str) -> Result<Option<Ticket>, ApiError> {
    Ok(customer::locate(state, ip, number, contact_value).await?)
}

async fn status_page(state: &AppState, v: &Visitor, ticket: &Ticket, contact: String, flash: Option<&str>) -> Response {
    let timeline = match state.read().timeline(ticket.id).await {
        Ok(t) => t,
        Err(e) => return error_page(v.t, None, e),
    };
    let files = match state.read().ticket_attachments(ticket.id).await {
        Ok(list) => list.into_iter().map(|a| (a.id, a.name, size_text(a.size))).collect(),
        Err(e) => return error_page(v.t, None, e),
    };
    let mut layout = Layout::visitor(v, "portal.status");
    layout.flash = flash.map(|k| super::page::Flash { kind: "ok", text: v.t.get(k).to_string() });
    render(&Status {
        layout,
        tracking_no: ticket.tracking_no.to_string(),
        contact,
        state: ticket.state.as_str(),
        subject: ticket.subject.clone().unwrap_or_default(),
        received: v.t.date(&ticket.received_at),
        updated: v.t.date(&ticket.updated_at),
        entries: public_entries(v, &timeline),
        asks_info: ticket.state == TicketState::AwaitingCustomer,
        asks_survey: ticket.state == TicketState::Resolved && ticket.satisfaction.is_none(),
        files,
    })
}

fn size_text(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1 << 20) as f64),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} B"),
    }
}

/// Reads tracking number and contact from a portal form and finds the ticket, or answers
/// with the look-up form saying nothing matched.
async fn located(
    state: &AppState,
    ip: IpAddr,
    v: &Visitor,
    p: &[(String, String)],
) -> Result<(Ticket, String), Response> {
    let number = field(p, "tracking_no").unwrap_or_default();
    let contact = field(p, "contact").unwrap_or_default();
    match find(state, ip, &number, &contact).await {
        Ok(Some(t)) => Ok((t, contact)),
        Ok(None) => {
            let mut resp =
                render(&TrackForm { layout: Layout::visitor(v, "portal.track"), not_found: true, tracking_no: number });
            *resp.status_mut() = StatusCode::NOT_FOUND;
            Err(resp)
        }
        Err(e) => Err(error_page(v.t, None, e)),
    }
}

/// `POST /track`: the status page.
pub async fn track(State(state): State<AppState>, ClientIp(ip): ClientIp, v: Visitor, body: Bytes) -> Response {
    let p = form::pairs(&body);
    match located(&state, ip, &v, &p).await {
        Ok((ticket, contact)) => {
            customer::looked_up(&state, &ticket).await;
            status_page(&state, &v, &ticket, contact, None).await
        }
        Err(resp) => resp,
    }
}

/// `POST /track/info`: the customer adds the information asked for, and files.
pub async fn add_info(State(state): State<AppState>, ClientIp(ip): ClientIp, v: Visitor, req: Request) -> Response {
    let (p, files) = match read_form(&state, req).await {
        Ok(x) => x,
        Err(e) => return error_page(v.t, None, e),
    };
    let (ticket, contact) = match located(&state, ip, &v, &p).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let text: String = field(&p, "body").unwrap_or_default().chars().take(feedback::MAX_CONTENT).collect();
    match customer::add_info(&state, &ticket, &text, &files).await {
        Ok(t) => status_page(&state, &v, &t, contact, Some("act.done")).await,
        Err(e) => error_page(v.t, None, e),
    }
}

/// `POST /track/file`: one of the ticket's files, for the customer who proved who they are
/// with tracking number and contact.
pub async fn file(State(state): State<AppState>, ClientIp(ip): ClientIp, v: Visitor, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let (ticket, _) = match located(&state, ip, &v, &p).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let Some(id) = field(&p, "id").and_then(|i| i.parse::<i64>().ok()) else {
        return error_page(v.t, None, ApiError::invalid("id", "which file?"));
    };
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

/// `POST /track/survey`: the customer's rating of the result.
pub async fn answer_survey(State(state): State<AppState>, ClientIp(ip): ClientIp, v: Visitor, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let (ticket, contact) = match located(&state, ip, &v, &p).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let Some(rating) = field(&p, "rating").as_deref().and_then(Rating::parse) else {
        return error_page(v.t, None, ApiError::invalid("rating", "choose an answer"));
    };
    let answer = Answer {
        rating,
        score: field(&p, "score").and_then(|s| s.parse().ok()),
        comment: field(&p, "comment").map(|c| c.chars().take(2000).collect()),
    };
    match customer::answer_survey(&state, &ticket, answer).await {
        Ok(t) => status_page(&state, &v, &t, contact, Some("portal.survey_thanks")).await,
        Err(e) => error_page(v.t, None, e),
    }
}
