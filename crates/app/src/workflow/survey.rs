//! The satisfaction loop: after a resolution the survey goes out with a signed, expiring
//! link; the customer answers once (satisfied or neutral closes the ticket, unsatisfied
//! reopens it and escalates to a supervisor with the customer's reason); no answer within
//! the window closes it "without follow-up answer".

use super::effects::{alert, notice};
use super::token::{self, SurveyToken, TokenError};
use crate::error::AppError;
use crate::jobs::op;
use crate::jobs::workflow::SurveyExpire;
use crate::keys::Key;
use crate::notify::{supervisors_of, Recipients, StaffAlert};
use crate::tickets::change::{commands, run};
use crate::App;
use loopdesk_channels::templates::NotificationKind;
use loopdesk_core::event::{CloseReason, Command};
use loopdesk_core::ticket::Rating;
use loopdesk_core::{Actor, DomainError, EventData, Satisfaction, State, Ticket, TicketId, Timestamp};
use loopdesk_store::{Owed, Survey};

/// Longest comment a customer may leave.
pub const MAX_COMMENT: usize = 2000;

/// The key survey and status links are signed with: the configured one, else one
/// generated once and shared by every node through the database. Read once per process.
pub async fn signing_key(app: &App) -> Result<Vec<u8>, AppError> {
    if let Some(key) = app.documents.link_key() {
        return Ok(key.to_vec());
    }
    let configured = app.config.workflow.survey_secret.expose();
    let key = if configured.is_empty() {
        app.store.shared_secret("survey_hmac", &crate::accounts::new_secret("")).await?.into_bytes()
    } else {
        configured.as_bytes().to_vec()
    };
    Ok(app.documents.set_link_key(key).to_vec())
}

/// The customer-facing link of a survey, on the public address.
pub async fn survey_url(app: &App, t: &SurveyToken) -> Result<String, AppError> {
    let token = token::sign(&signing_key(app).await?, t);
    Ok(format!("{}/survey/{token}", crate::portal::links::base(&app.config)))
}

/// The resolution round a ticket is in, if it is resolved.
fn round_of(t: &Ticket) -> Option<i64> {
    (t.state == State::Resolved).then_some(t.resolved_at?.timestamp_millis())
}

/// When the survey of the latest resolution went out, from the timeline.
async fn sent_expiry(app: &App, id: TicketId) -> Result<Option<Timestamp>, AppError> {
    let timeline = app.read().timeline(id).await?;
    Ok(timeline.iter().rev().take_while(|e| !matches!(e.data, EventData::Resolved { .. })).find_map(|e| match e.data {
        EventData::SurveySent { expires_at } => Some(expires_at),
        _ => None,
    }))
}

/// Sends the survey of resolution `round`: records it, puts it on the timeline, sends the
/// link (`notify.customer` kind survey) and sets the expiry job.
pub async fn send(app: &App, id: TicketId, round: i64) -> Result<(), AppError> {
    let ticket = app.read().ticket(id).await?;
    if round_of(&ticket) != Some(round) {
        return Ok(()); // reopened or closed meanwhile: nothing to ask
    }
    let now = app.now();
    if let Some(expires_at) = sent_expiry(app, id).await? {
        // Sent by an earlier attempt whose completion was lost.
        return Ok(app.store.record_survey(id, round, now, expires_at).await?);
    }
    let expires_at = now + chrono::Duration::hours(app.config.workflow.survey_window_hours);
    let url = survey_url(app, &SurveyToken { ticket_id: id, round, expires_at }).await?;
    let extra = |t: &Ticket, events: &[loopdesk_core::Event]| {
        let seq = events.first().map_or(t.version, |e| e.seq);
        // `expires` is what the templates show: the deadline in China time.
        let expires = crate::notify::china_time(expires_at);
        let vars = vec![("survey_url", url.clone()), ("expires", expires)];
        let ask = notice(t, NotificationKind::Survey, vars, Key::notice(t.id, "survey", seq), now);
        Owed { jobs: vec![ask, op(&SurveyExpire { ticket_id: id, round }, expires_at)], ..Owed::default() }
    };
    commands(app, id, Actor::System, |_| Ok(vec![Command::SendSurvey { expires_at }]), extra).await?;
    app.store.record_survey(id, round, now, expires_at).await?;
    Ok(())
}

/// The survey of resolution `round` went unanswered: the ticket closes without a
/// follow-up answer.
pub async fn expire(app: &App, id: TicketId, round: i64) -> Result<(), AppError> {
    let Some(survey) = app.read().survey(id, round).await? else {
        return Ok(());
    };
    if survey.answered_at.is_some() || survey.expired_at.is_some() {
        return Ok(());
    }
    let ticket = app.read().ticket(id).await?;
    if round_of(&ticket) == Some(round) {
        run(app, id, Actor::System, |_| Ok(vec![Command::Close { reason: CloseReason::NoFollowUpAnswer }])).await?;
    }
    app.store.expire_survey(id, round, app.now()).await?;
    Ok(())
}

/// A link's survey, checked: signature, expiry, recorded and still open.
pub async fn open_survey(app: &App, token: &str) -> Result<(SurveyToken, Survey), AppError> {
    let key = signing_key(app).await?;
    let t = token::verify(&key, token, app.now()).map_err(|e| match e {
        TokenError::Invalid => AppError::NotFound(e.to_string()),
        TokenError::Expired => AppError::Gone(e.to_string()),
    })?;
    let survey = app
        .read()
        .survey(t.ticket_id, t.round)
        .await?
        .ok_or_else(|| AppError::NotFound(TokenError::Invalid.to_string()))?;
    if survey.expired_at.is_some() {
        return Err(AppError::Gone(TokenError::Expired.to_string()));
    }
    Ok((t, survey))
}

/// A customer's answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub rating: Rating,
    pub score: Option<u8>,
    pub comment: Option<String>,
}

/// Records the answer once: satisfied/neutral close the ticket; unsatisfied reopens it,
/// escalates to a supervisor with the customer's reason and alerts staff.
pub async fn answer(app: &App, token: &str, a: Answer) -> Result<Ticket, AppError> {
    let (t, survey) = open_survey(app, token).await?;
    if survey.answered_at.is_some() {
        return Err(already_answered());
    }
    let comment = a.comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(AppError::invalid("comment", format!("must be at most {MAX_COMMENT} characters")));
    }
    let now = app.now();
    let satisfaction = Satisfaction { rating: a.rating, score: a.score, comment: comment.clone(), answered_at: now };
    let unsatisfied = a.rating == Rating::Unsatisfied;
    // The department's supervisor hears the customer's reason first.
    let department = app.read().ticket(t.ticket_id).await?.department_id;
    let escalate_to = supervisors_of(app, department).await?.first().copied();
    let reason = format!("customer unsatisfied: {}", comment.as_deref().unwrap_or("no reason given"));
    let build = |cur: &Ticket| {
        if round_of(cur) != Some(t.round) {
            return Err(DomainError::Moved("the survey was answered"));
        }
        let mut cmds = vec![Command::AnswerSurvey { satisfaction: satisfaction.clone() }];
        if unsatisfied {
            cmds.push(Command::Escalate { reason: reason.clone(), to: escalate_to });
        }
        Ok(cmds)
    };
    let extra = |cur: &Ticket, events: &[loopdesk_core::Event]| match (unsatisfied, events.first()) {
        (true, Some(e)) => {
            let to = Recipients {
                users: cur.assignee_id.into_iter().collect(),
                departments: cur.department_id.into_iter().collect(),
                supervisors: true,
            };
            let text = format!("ticket {} reopened: {reason}", cur.tracking_no);
            Owed { jobs: vec![alert(cur, StaffAlert::Unsatisfied, to, text, e.seq, now)], ..Owed::default() }
        }
        _ => Owed::default(),
    };
    let (ticket, _) = match commands(app, t.ticket_id, Actor::Customer, build, extra).await {
        Err(AppError::Conflict { code: "ticket_moved", .. }) => return Err(already_answered()),
        other => other?,
    };
    app.store.answer_survey(t.ticket_id, t.round, a.rating.as_str(), now).await?;
    Ok(ticket)
}

fn already_answered() -> AppError {
    AppError::Conflict { code: "already_answered", message: "this survey was already answered".into(), field: None }
}
