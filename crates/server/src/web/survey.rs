//! The follow-up survey page behind the signed link workflow sends (`/survey/{token}`):
//! the question in the customer's language, answered once. Answers go through
//! `loopdesk_app::workflow::survey`, like `POST /api/v1/surveys/{token}`.

use super::context::Visitor;
use super::form::{self, field};
use super::page::{error_page, render, Layout};
use crate::extract::{ClientIp, Path};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::workflow::survey::{self, Answer};
use loopdesk_core::ticket::Rating;

#[derive(Template)]
#[template(path = "portal/survey.html")]
struct SurveyPage {
    layout: Layout,
    token: String,
    tracking_no: String,
    subject: String,
    outcome: Option<String>,
    done: bool,
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
    render(&SurveyPage {
        layout: Layout::visitor(&v, "portal.survey_title"),
        tracking_no: ticket.tracking_no.to_string(),
        subject: ticket.subject.clone().unwrap_or_default(),
        outcome: ticket.outcome.as_ref().map(|o| format!("{} — {}", v.t.name("outcome", o.kind.as_str()), o.summary)),
        done: s.answered_at.is_some(),
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
    let p = form::pairs(&body);
    let Some(rating) = field(&p, "rating").as_deref().and_then(Rating::parse) else {
        return error_page(v.t, None, crate::error::ApiError::invalid("rating", "choose an answer"));
    };
    let answer = Answer {
        rating,
        score: field(&p, "score").and_then(|s| s.parse().ok()),
        comment: field(&p, "comment").map(|c| c.chars().take(survey::MAX_COMMENT).collect()),
    };
    match survey::answer(&state, &tok, answer).await {
        Ok(ticket) => {
            let mut layout = Layout::visitor(&v, "portal.survey_title");
            layout.flash = Some(super::page::Flash { kind: "ok", text: v.t.get("portal.survey_thanks").into() });
            render(&SurveyPage {
                layout,
                tracking_no: ticket.tracking_no.to_string(),
                subject: ticket.subject.clone().unwrap_or_default(),
                outcome: None,
                done: true,
                token: tok,
            })
        }
        Err(e) => error_page(v.t, None, e),
    }
}
