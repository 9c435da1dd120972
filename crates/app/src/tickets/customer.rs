//! What a customer may do on their own ticket once they proved who they are with the
//! tracking number and the contact they left, or with the signed status link (the portal's
//! status page): read it, add the information asked for (with files), write again, answer
//! the survey.

use super::change::run;
use crate::intake::uploads;
use crate::workflow::survey::{self, Answer};
use crate::workflow::token::{self, SurveyToken};
use crate::{App, AppError};
use loopdesk_channels::email::InboundAttachment;
use loopdesk_core::event::Command;
use loopdesk_core::{Actor, Satisfaction, State, Ticket, TrackingNo};
use loopdesk_store::StoreError;
use std::net::IpAddr;

/// The ticket for a tracking number and contact (a phone number or an e-mail address); a
/// wrong contact looks exactly like an unknown number. Guessing is rate-limited per client
/// and, much more tightly, per number.
pub async fn locate(app: &App, client: IpAddr, number: &str, contact: &str) -> Result<Option<Ticket>, AppError> {
    app.limits.track_by_ip.check(&client.to_string(), app.now())?;
    let Ok(tracking) = TrackingNo::parse(number.trim()) else { return Ok(None) };
    let contact = contact.trim();
    let (phone, email) = if contact.contains('@') { (None, Some(contact)) } else { (Some(contact), None) };
    matching(app, &tracking, phone, email).await
}

/// The ticket of `tracking` if `phone` or `email` is the contact left with it (the number
/// rate-limited; the client is the caller's to limit, before it parses the number).
pub async fn matching(
    app: &App,
    tracking: &TrackingNo,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<Option<Ticket>, AppError> {
    app.limits.track_by_number.check(tracking.as_str(), app.now())?;
    let ticket = match app.read().ticket(tracking.ticket_id()).await {
        Ok(t) => t,
        Err(StoreError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let ok = ticket.tracking_no == *tracking && ticket.contact_matches(phone, email);
    Ok(ok.then_some(ticket))
}

/// The customer looked at `ticket`'s status (the portal's status page or the API's): counted
/// as self-service tracking use in the channels report. Adding information or answering the
/// survey is not a look-up. A failure to count is logged and does not refuse the page.
pub async fn looked_up(app: &App, ticket: &Ticket) {
    if let Err(e) = app.store.record_tracking_lookup(ticket, app.now()).await {
        tracing::warn!(ticket = ticket.id.0, error = %e, "status look-up not counted");
    }
}

/// The customer adds what was asked for, with files (stored with the ticket; removed again
/// if the answer is refused).
pub async fn add_info(app: &App, ticket: &Ticket, text: &str, files: &[InboundAttachment]) -> Result<Ticket, AppError> {
    if text.trim().is_empty() && files.is_empty() {
        return Err(AppError::invalid("body", "write a message or choose a file"));
    }
    let stored = uploads::store(app, Some(ticket.id), files).await?;
    let mut body = text.trim().to_string();
    for (_, a) in &stored {
        body.push_str(&format!("\n[附件 / file: {} ({} bytes)]", a.name, a.size));
    }
    let body = body.trim().to_string();
    match run(app, ticket.id, Actor::Customer, |_| Ok(vec![Command::ProvideInfo { body: body.clone() }])).await {
        Ok((t, _)) => Ok(t),
        Err(e) => {
            uploads::discard(app, &stored).await;
            Err(e)
        }
    }
}

/// Longest follow-up message, in characters.
pub const MAX_FOLLOW_UP: usize = 5000;

/// What a follow-up message does in each state, as the lifecycle rules say: it answers an
/// open information request (the agent's turn again), reopens a resolved or closed ticket
/// (the customer came back), and is added to an open ticket for the agent to read. A
/// rejected or merged ticket takes no more messages.
fn follow_up_commands(t: &Ticket, body: &str) -> Result<Vec<Command>, loopdesk_core::DomainError> {
    let said = || Command::Note { body: format!("{FOLLOW_UP_PREFIX}{body}") };
    Ok(match t.state {
        State::AwaitingCustomer => vec![Command::ProvideInfo { body: body.to_string() }],
        State::Resolved | State::Closed => {
            vec![Command::Reopen { reason: "客户追加留言 / the customer wrote again".into() }, said()]
        }
        State::Rejected | State::Merged => {
            return Err(loopdesk_core::DomainError::invalid("body", "this request takes no more messages"))
        }
        _ => vec![said()],
    })
}

/// How a customer's follow-up note starts on the timeline (the e-mail channel's words).
pub const FOLLOW_UP_PREFIX: &str = "客户来信 / message from the customer:\n";

/// The customer writes again on their ticket (the status page's follow-up box): the
/// message lands on the timeline as theirs and moves the ticket as
/// [`follow_up_commands`] says. At most [`MAX_FOLLOW_UP`] characters; a few a minute per
/// ticket.
pub async fn follow_up(app: &App, ticket: &Ticket, text: &str) -> Result<Ticket, AppError> {
    let body = text.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", "write a message"));
    }
    if body.chars().count() > MAX_FOLLOW_UP {
        return Err(AppError::invalid("body", format!("must be at most {MAX_FOLLOW_UP} characters")));
    }
    app.limits.follow_up_by_ticket.check(&ticket.id.to_string(), app.now())?;
    let (t, _) = run(app, ticket.id, Actor::Customer, |cur| follow_up_commands(cur, body)).await?;
    Ok(t)
}

/// A link for the survey of `ticket`'s current resolution, if that survey went out and is
/// still open.
pub async fn survey_token(app: &App, ticket: &Ticket) -> Result<Option<String>, AppError> {
    if ticket.state != State::Resolved {
        return Ok(None);
    }
    let Some(round) = ticket.resolved_at.map(|t| t.timestamp_millis()) else { return Ok(None) };
    let Some(s) = app.read().survey(ticket.id, round).await? else { return Ok(None) };
    if s.answered_at.is_some() || s.expired_at.is_some() {
        return Ok(None);
    }
    let key = survey::signing_key(app).await?;
    let expires_at = app.now() + chrono::Duration::hours(1);
    Ok(Some(token::sign(&key, &SurveyToken { ticket_id: ticket.id, round, expires_at })))
}

/// The customer rates the result: the survey that went out for this resolution is answered
/// as its link would; before it went out, the answer is recorded on the ticket directly.
pub async fn answer_survey(app: &App, ticket: &Ticket, answer: Answer) -> Result<Ticket, AppError> {
    if let Some(token) = survey_token(app, ticket).await? {
        return survey::answer(app, &token, answer).await;
    }
    let satisfaction =
        Satisfaction { rating: answer.rating, score: answer.score, comment: answer.comment, answered_at: app.now() };
    let (t, _) = run(app, ticket.id, Actor::Customer, |_| {
        Ok(vec![Command::AnswerSurvey { satisfaction: satisfaction.clone() }])
    })
    .await?;
    Ok(t)
}
