//! The satisfaction loop: after a resolution the survey goes out with a signed, expiring
//! link; the customer answers once (satisfied or neutral closes the ticket, unsatisfied
//! reopens it and escalates to a supervisor with the customer's reason); no answer within
//! the window closes it "without follow-up answer".

use super::effects::{notify_customer, notify_staff, survey_key, StaffAlert, SURVEY_EXPIRE};
use super::token::{self, SurveyToken, TokenError};
use super::{change, change_with};
use crate::error::ApiError;
use crate::state::AppState;
use loopdesk_core::event::{CloseReason, Command};
use loopdesk_core::ticket::Rating;
use loopdesk_core::{Actor, DomainError, EventData, Satisfaction, State, Ticket, TicketId, Timestamp};
use loopdesk_store::{JobOp, NewJob, Survey};
use serde_json::{json, Value};

/// Longest comment a customer may leave.
pub const MAX_COMMENT: usize = 2000;

/// The key survey links are signed with: the configured one, else one generated once and
/// shared by every node through the database.
pub async fn signing_key(state: &AppState) -> Result<Vec<u8>, ApiError> {
    let configured = state.config.workflow.survey_secret.expose();
    if !configured.is_empty() {
        return Ok(configured.as_bytes().to_vec());
    }
    let key = state.store.shared_secret("survey_hmac", &crate::auth::new_secret("")).await?;
    Ok(key.into_bytes())
}

/// The customer-facing link of a survey.
pub async fn survey_url(state: &AppState, t: &SurveyToken) -> Result<String, ApiError> {
    let token = token::sign(&signing_key(state).await?, t);
    Ok(format!("{}/survey/{token}", state.config.workflow.public_url.trim_end_matches('/')))
}

/// The resolution round a ticket is in, if it is resolved.
fn round_of(t: &Ticket) -> Option<i64> {
    (t.state == State::Resolved).then_some(t.resolved_at?.timestamp_millis())
}

/// When the survey of the latest resolution went out, from the timeline.
async fn sent_expiry(state: &AppState, id: TicketId) -> Result<Option<Timestamp>, ApiError> {
    let timeline = state.store.timeline(id).await?;
    Ok(timeline.iter().rev().take_while(|e| !matches!(e.data, EventData::Resolved { .. })).find_map(|e| match e.data {
        EventData::SurveySent { expires_at } => Some(expires_at),
        _ => None,
    }))
}

fn field(payload: &Value, name: &str) -> Result<i64, ApiError> {
    payload
        .get(name)
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::invalid(name.to_string(), "missing in job payload"))
}

/// Job `survey.send` {ticket_id, round}: records the survey, puts it on the timeline, sends
/// the link (`notify.customer` kind survey, vars.survey_url) and sets the expiry job.
pub async fn send_job(state: &AppState, payload: &Value) -> Result<(), ApiError> {
    let id = TicketId(field(payload, "ticket_id")?);
    let round = field(payload, "round")?;
    let ticket = state.store.ticket(id).await?;
    if round_of(&ticket) != Some(round) {
        return Ok(()); // reopened or closed meanwhile: nothing to ask
    }
    let now = state.now();
    if let Some(expires_at) = sent_expiry(state, id).await? {
        // Sent by an earlier attempt whose completion was lost.
        return Ok(state.store.record_survey(id, round, now, expires_at).await?);
    }
    let expires_at = now + chrono::Duration::hours(state.config.workflow.survey_window_hours);
    let url = survey_url(state, &SurveyToken { ticket_id: id, round, expires_at }).await?;
    let extra = |fx: &super::effects::Effects<'_>, t: &Ticket, events: &[loopdesk_core::Event]| {
        let seq = events.first().map_or(t.version, |e| e.seq);
        // `expires` is what the templates show: the deadline in China time.
        let expires = expires_at.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M").to_string();
        let vars = json!({ "survey_url": url, "tracking_no": t.tracking_no.to_string(), "expires_at": expires_at,
            "expires": expires });
        let expire = NewJob::keyed(
            SURVEY_EXPIRE,
            survey_key(SURVEY_EXPIRE, t, round),
            json!({"ticket_id": id.0, "round": round}),
            expires_at,
        );
        vec![notify_customer(t, "survey", vars, seq, fx.now), JobOp::Enqueue(expire)]
    };
    change_with(state, id, Actor::System, |_| Ok(vec![Command::SendSurvey { expires_at }]), extra).await?;
    state.store.record_survey(id, round, now, expires_at).await?;
    Ok(())
}

/// Job `survey.expire` {ticket_id, round}: unanswered, the ticket closes without a
/// follow-up answer.
pub async fn expire_job(state: &AppState, payload: &Value) -> Result<(), ApiError> {
    let id = TicketId(field(payload, "ticket_id")?);
    let round = field(payload, "round")?;
    let Some(survey) = state.store.survey(id, round).await? else {
        return Ok(());
    };
    if survey.answered_at.is_some() || survey.expired_at.is_some() {
        return Ok(());
    }
    let ticket = state.store.ticket(id).await?;
    if round_of(&ticket) == Some(round) {
        change(state, id, Actor::System, |_| Ok(vec![Command::Close { reason: CloseReason::NoFollowUpAnswer }]))
            .await?;
    }
    state.store.expire_survey(id, round, state.now()).await?;
    Ok(())
}

/// A link's survey, checked: signature, expiry, recorded and still open.
pub async fn open_survey(state: &AppState, token: &str) -> Result<(SurveyToken, Survey), ApiError> {
    let key = signing_key(state).await?;
    let t = token::verify(&key, token, state.now()).map_err(|e| match e {
        TokenError::Invalid => ApiError::NotFound(e.to_string()),
        TokenError::Expired => ApiError::Gone(e.to_string()),
    })?;
    let survey = state
        .store
        .survey(t.ticket_id, t.round)
        .await?
        .ok_or_else(|| ApiError::NotFound(TokenError::Invalid.to_string()))?;
    if survey.expired_at.is_some() {
        return Err(ApiError::Gone(TokenError::Expired.to_string()));
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
pub async fn answer(state: &AppState, token: &str, a: Answer) -> Result<Ticket, ApiError> {
    let (t, survey) = open_survey(state, token).await?;
    if survey.answered_at.is_some() {
        return Err(already_answered());
    }
    let comment = a.comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
        return Err(ApiError::invalid("comment", format!("must be at most {MAX_COMMENT} characters")));
    }
    let now = state.now();
    let satisfaction = Satisfaction { rating: a.rating, score: a.score, comment: comment.clone(), answered_at: now };
    let unsatisfied = a.rating == Rating::Unsatisfied;
    let staffing = super::documents::staffing(state).await?;
    // The department's supervisor hears the customer's reason first.
    let department = state.store.ticket(t.ticket_id).await?.department_id;
    let named = department.and_then(|d| staffing.supervisor_of(d));
    let escalate_to = named.or(super::supervisors(state).await?.first().copied());
    let reason = format!("customer unsatisfied: {}", comment.as_deref().unwrap_or("no reason given"));
    let build = |cur: &Ticket| {
        if round_of(cur) != Some(t.round) {
            return Err(DomainError::invalid("survey", "this survey was already answered"));
        }
        let mut cmds = vec![Command::AnswerSurvey { satisfaction: satisfaction.clone() }];
        if unsatisfied {
            cmds.push(Command::Escalate { reason: reason.clone(), to: escalate_to });
        }
        Ok(cmds)
    };
    let extra = |fx: &super::effects::Effects<'_>, cur: &Ticket, events: &[loopdesk_core::Event]| match (
        unsatisfied,
        events.first(),
    ) {
        (true, Some(e)) => {
            let mut to = fx.supervisors_of(cur.department_id);
            to.extend(cur.assignee_id);
            let depts: Vec<_> = cur.department_id.into_iter().collect();
            let text = format!("ticket {} reopened: {reason}", cur.tracking_no);
            vec![notify_staff(cur, StaffAlert::Unsatisfied, &to, &depts, text, e.seq, fx.now)]
        }
        _ => vec![],
    };
    let (ticket, _) = match change_with(state, t.ticket_id, Actor::Customer, build, extra).await {
        Err(ApiError::Invalid { field: Some(f), .. }) if f == "survey" => return Err(already_answered()),
        other => other?,
    };
    state.store.answer_survey(t.ticket_id, t.round, a.rating.as_str(), now).await?;
    Ok(ticket)
}

fn already_answered() -> ApiError {
    ApiError::Conflict { code: "already_answered", message: "this survey was already answered".into(), field: None }
}
