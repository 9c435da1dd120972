//! The customer portal (no login): submit feedback, track it with the tracking number and
//! the contact left with it (or the signed status link, see `status`), add information
//! when asked, answer the follow-up survey.
//! Submissions go through the API's intake handler (same validation, triage, rate limits).

use super::context::Visitor;
use super::fields::{self, Kept};
use super::form::{self, field};
use super::page::{error_page, render, Flash, Layout};
use super::status::{self, Draft};
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::routes::feedback::multipart;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use loopdesk_app::intake::feedback::{self, CustomerIn, FeedbackIn, ProductIn};
use loopdesk_app::intake::uploads;
use loopdesk_app::portal::links;
use loopdesk_app::tickets::customer;
use loopdesk_channels::email::InboundAttachment;
use loopdesk_core::{Attachment, Ticket};
use std::net::IpAddr;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct Home {
    layout: Layout,
    /// What went wrong, above the form (the field's own message is next to it).
    error: Option<String>,
    /// What was typed, and the refused field.
    kept: Kept,
}

/// The form's name in [`Kept`].
const FORM: &str = "feedback";

/// `GET /`: the feedback form.
pub async fn home(v: Visitor) -> Response {
    render(&Home { layout: Layout::visitor(&v, "portal.title"), error: None, kept: Kept::default() })
}

#[derive(Template)]
#[template(path = "portal/thanks.html")]
struct Thanks {
    layout: Layout,
    tracking_no: String,
    expected: String,
    /// The signed status link (path) and how it is shown (in full when the address is known).
    status: Option<(String, String)>,
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
pub(super) async fn read_form(
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

/// `POST /submit`: records the feedback and shows the tracking number; a refusal shows the
/// form again with what was typed and a message next to the field (files must be chosen
/// again: a browser cannot be given them back; the script keeps them when it sends).
pub async fn submit(State(state): State<AppState>, ClientIp(ip): ClientIp, v: Visitor, req: Request) -> Response {
    let refused = |e: ApiError, p: Vec<(String, String)>, had_files: bool| {
        let (status, error, kept) = portal_error(&v, &e, p, had_files);
        let mut resp = render(&Home { layout: Layout::visitor(&v, "portal.title"), error: Some(error), kept });
        *resp.status_mut() = status;
        resp
    };
    // The script sends with progress and gives the files back to the form itself.
    let keeps_files = req.headers().contains_key("x-loopdesk-keeps-files");
    let (p, files) = match read_form(&state, req).await {
        Ok(x) => x,
        Err(e) => return refused(e, Vec::new(), false),
    };
    // The honeypot field is invisible to people; bots fill it in. They get a thank-you
    // page and nothing is recorded.
    if field(&p, "website").is_some() {
        let layout = Layout::visitor(&v, "portal.thanks");
        return render(&Thanks { layout, tracking_no: "—".into(), expected: "—".into(), status: None });
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
            let status =
                links::status_path(&state, &ticket).await.ok().map(|p| (p.clone(), format!("{}{p}", v.origin)));
            render(&Thanks { layout, tracking_no: ticket.tracking_no.to_string(), expected, status })
        }
        Err(e) => refused(e, p, !files.is_empty() && !keeps_files),
    }
}

/// The portal field a refusal of the use case's `api_field` is about.
fn form_field(api_field: &str) -> &'static str {
    match api_field.rsplit('.').next().unwrap_or(api_field).split('[').next().unwrap_or_default() {
        "phone" | "email" => "contact",
        "name" => "name",
        "subject" => "subject",
        "model" => "model",
        "order_no" => "order_no",
        "attachments" => "attachments",
        "attachment" => "attachment",
        _ => "content",
    }
}

/// The status, the message above the form and the kept form of a refused submission.
fn portal_error(v: &Visitor, e: &ApiError, p: Vec<(String, String)>, had_files: bool) -> (StatusCode, String, Kept) {
    let (status, code, field) = e.parts();
    let typed = |name: &str| p.iter().find(|(k, _)| k == name).map(|(_, x)| x.clone()).unwrap_or_default();
    let again = if had_files { v.t.get("portal.files_again") } else { "" };
    let (text, kept) = match (code, field) {
        ("invalid_field", Some(f)) => {
            let label = form_field(f);
            let message = fields::explain(&v.t, f, label, &e.public_message(), &typed(label));
            let top = format!("{}{again}", v.t.get("portal.fix_below"));
            (top, Kept::new(FORM, p).with_error(label, message))
        }
        ("file_too_large", _) | ("file_type", _) => {
            let message =
                v.t.get("form.with_detail")
                    .replace("{what}", v.t.get(&format!("error.{code}")))
                    .replace("{detail}", &e.public_message());
            let top = format!("{}{again}", v.t.get("portal.fix_below"));
            (top, Kept::new(FORM, p).with_error("attachment", message))
        }
        ("rate_limited", _) => (v.t.get("error.rate_limited").into(), Kept::new(FORM, p)),
        _ => return (StatusCode::BAD_REQUEST, v.t.get("error.bad_request").into(), Kept::new(FORM, p)),
    };
    (status, text, kept)
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

/// Finds the ticket for a tracking number and contact (see [`customer::locate`]).
async fn find(state: &AppState, ip: IpAddr, number: &str, contact_value: &str) -> Result<Option<Ticket>, ApiError> {
    Ok(customer::locate(state, ip, number, contact_value).await?)
}

fn ok(v: &Visitor, key: &str) -> Option<Flash> {
    Some(Flash { kind: "ok", text: v.t.get(key).to_string() })
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
        Ok((ticket, _)) => {
            customer::looked_up(&state, &ticket).await;
            status::page_of(&state, &v, &ticket, None, Draft::default()).await
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
    let (ticket, _) = match located(&state, ip, &v, &p).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let text: String = field(&p, "body").unwrap_or_default().chars().take(feedback::MAX_CONTENT).collect();
    match customer::add_info(&state, &ticket, &text, &files).await {
        Ok(t) => status::page_of(&state, &v, &t, ok(&v, "act.done"), Draft::default()).await,
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
    status::download(&state, &v, &ticket, id).await
}

/// `POST /track/survey`: the customer's rating of the result.
pub async fn answer_survey(State(state): State<AppState>, ClientIp(ip): ClientIp, v: Visitor, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let (ticket, _) = match located(&state, ip, &v, &p).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let answer = match status::answer_of(&p) {
        Ok(a) => a,
        Err(e) => return error_page(v.t, None, e),
    };
    match customer::answer_survey(&state, &ticket, answer).await {
        Ok(t) => status::page_of(&state, &v, &t, ok(&v, "portal.survey_thanks"), Draft::default()).await,
        Err(e) => error_page(v.t, None, e),
    }
}
