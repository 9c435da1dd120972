//! The follow-up survey page behind the signed link workflow sends (`/survey/{token}`):
//! the question in the customer's language, answered once; an unsatisfied customer is told
//! what happens next. Answers go through `loopdesk_app::workflow::survey`, like
//! `POST /api/v1/surveys/{token}`.

use super::context::Visitor;
use super::form;
use super::page::{error_page, render, Layout};
use super::status::{answer_of, promise};
use crate::extract::{ClientIp, Path};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::portal::links;
use loopdesk_app::workflow::survey;
use loopdesk_core::Ticket;

#[derive(Template)]
#[template(path = "portal/survey.html")]
struct SurveyPage {
    layout: Layout,
    token: String,
    tracking_no: String,
    subject: String,
    outcome: Option<String>,
    done: bool,
    /// After an unsatisfied answer: the working hours within which a supervisor calls.
    next_steps: Option<u32>,
    /// The ticket's status page, once answered.
    status_link: Option<String>,
}

/// `GET /survey/{token}`.
pub async fn page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    v: Visitor,
    Path(tok): Path<String>,
) -> Response {
    if let Err(e) = state.limits.survey_by_ip.check(&ip.to_string(), state.now()) {
        return error_page(v.t, None, e);
    }
    let (t, s) = match survey::open_survey(&state, &tok).await {
        Ok(x) => x,
        Err(e) => return error_page(v.t, None, e),
    };
    let ticket = match state.read().ticket(t.ticket_id).await {
        Ok(x) => x,
        Err(e) => return error_page(v.t, None, e),
    };
    let done = s.answered_at.is_some();
    let status_link = if done { links::status_path(&state, &ticket).await.ok() } else { None };
    render(&SurveyPage {
        layout: Layout::visitor(&v, "portal.survey_title"),
        tracking_no: ticket.tracking_no.to_string(),
        subject: ticket.subject.clone().unwrap_or_default(),
        outcome: ticket.outcome.as_ref().map(|o| format!("{} — {}", v.t.name("outcome", o.kind.as_str()), o.summary)),
        done,
        next_steps: if done { promise(&v, &ticket) } else { None },
        status_link,
        token: tok,
    })
}

async fn answered(state: &AppState, v: &Visitor, tok: String, ticket: &Ticket) -> Response {
    let mut layout = Layout::visitor(v, "portal.survey_title");
    layout.flash = Some(super::page::Flash { kind: "ok", text: v.t.get("portal.survey_thanks").into() });
    render(&SurveyPage {
        layout,
        tracking_no: ticket.tracking_no.to_string(),
        subject: ticket.subject.clone().unwrap_or_default(),
        outcome: None,
        done: true,
        next_steps: promise(v, ticket),
        status_link: links::status_path(state, ticket).await.ok(),
        token: tok,
    })
}

/// `POST /survey/{token}`.
pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    v: Visitor,
    Path(tok): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(e) = state.limits.survey_by_ip.check(&ip.to_string(), state.now()) {
        return error_page(v.t, None, e);
    }
    let answer = match answer_of(&form::pairs(&body)) {
        Ok(a) => a,
        Err(e) => return error_page(v.t, None, e),
    };
    match survey::answer(&state, &tok, answer).await {
        Ok(ticket) => answered(&state, &v, tok, &ticket).await,
        Err(e) => error_page(v.t, None, e),
    }
}
