//! The append-only timeline. Every change to a ticket is an [`Event`]; [`decide`] turns a
//! command into the event it causes (or refuses it), [`apply`] folds an event into the
//! ticket, and [`replay`] rebuilds a ticket from nothing but its events. The live path and
//! the replay path share `apply`, so the stored row and the timeline cannot disagree.

use crate::{
    approval::ApprovalReason, lifecycle::Action, ticket::Rating, DepartmentId, DomainError, FileRef, Outcome, Priority,
    Satisfaction, State, Ticket, TicketId, Timestamp, UserId,
};
use serde::{Deserialize, Serialize};

/// Who caused an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// A staff member.
    User { id: UserId, name: String },
    /// The customer, through a channel or the portal.
    Customer,
    /// Loopdesk itself (triage, timers, channels).
    System,
}

/// Why a ticket was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The customer answered satisfied or neutral.
    SurveyAnswered,
    /// No survey answer within the follow-up window.
    NoFollowUpAnswer,
    /// Closed by staff.
    Manual,
}

/// What happened, with the data needed to apply it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventData {
    /// The ticket was recorded; carries the whole initial ticket.
    Created {
        ticket: Box<Ticket>,
    },
    /// Given to a department and/or agent; `from_*` are the previous owners.
    Assigned {
        department_id: Option<DepartmentId>,
        assignee_id: Option<UserId>,
        from_department_id: Option<DepartmentId>,
        from_assignee_id: Option<UserId>,
        reason: Option<String>,
    },
    Acknowledged,
    /// Public reply, sent to the customer (with the files attached to it, if any).
    Replied {
        body: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<FileRef>,
    },
    /// Internal note.
    Noted {
        body: String,
    },
    InfoRequested {
        message: String,
    },
    InfoProvided {
        body: String,
    },
    ApprovalRequested {
        plan: String,
        /// Why it needs approval (cost, policy exception, other departments).
        #[serde(default)]
        reasons: Vec<ApprovalReason>,
    },
    ApprovalDecided {
        approved: bool,
        comment: Option<String>,
    },
    Resolved {
        outcome: Outcome,
    },
    /// The follow-up survey went out; unanswered by `expires_at`, the ticket closes.
    SurveySent {
        expires_at: Timestamp,
    },
    SurveyAnswered {
        satisfaction: Satisfaction,
    },
    Closed {
        reason: CloseReason,
    },
    Reopened {
        reason: String,
    },
    Rejected {
        reason: String,
    },
    Restored {
        reason: Option<String>,
    },
    Merged {
        into: TicketId,
    },
    /// A person or triage changed the category; a correction is a training example.
    Recategorized {
        category: Option<String>,
        subtags: Vec<String>,
        from_category: Option<String>,
        from_subtags: Vec<String>,
    },
    /// The priority changed, with the rules or the person's reason.
    Reprioritized {
        priority: Priority,
        reasons: Vec<String>,
        from_priority: Priority,
    },
    CollaboratorAdded {
        user_id: UserId,
    },
    /// An SLA target was extended; the customer is told the new date.
    Extended {
        target: String,
        until: Timestamp,
        reason: String,
    },
    /// Escalated to a supervisor (breach, unsatisfied customer, by hand).
    Escalated {
        reason: String,
        to: Option<UserId>,
    },
    /// An SLA clock reached its warning share or its due time (recorded once per clock
    /// cycle, so the alert fires once).
    SlaAlerted {
        target: crate::sla::TargetKind,
        alert: crate::sla::SlaAlert,
        due: Timestamp,
    },
}

impl EventData {
    /// Machine name of the event kind, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            EventData::Created { .. } => "created",
            EventData::Assigned { .. } => "assigned",
            EventData::Acknowledged => "acknowledged",
            EventData::Replied { .. } => "replied",
            EventData::Noted { .. } => "noted",
            EventData::InfoRequested { .. } => "info_requested",
            EventData::InfoProvided { .. } => "info_provided",
            EventData::ApprovalRequested { .. } => "approval_requested",
            EventData::ApprovalDecided { .. } => "approval_decided",
            EventData::Resolved { .. } => "resolved",
            EventData::SurveySent { .. } => "survey_sent",
            EventData::SurveyAnswered { .. } => "survey_answered",
            EventData::Closed { .. } => "closed",
            EventData::Reopened { .. } => "reopened",
            EventData::Rejected { .. } => "rejected",
            EventData::Restored { .. } => "restored",
            EventData::Merged { .. } => "merged",
            EventData::Recategorized { .. } => "recategorized",
            EventData::Reprioritized { .. } => "reprioritized",
            EventData::CollaboratorAdded { .. } => "collaborator_added",
            EventData::Extended { .. } => "extended",
            EventData::Escalated { .. } => "escalated",
            EventData::SlaAlerted { .. } => "sla_alerted",
        }
    }

    /// Whether the customer may see this event on the public status page.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            EventData::Created { .. }
                | EventData::Replied { .. }
                | EventData::InfoRequested { .. }
                | EventData::InfoProvided { .. }
                | EventData::Resolved { .. }
                | EventData::SurveySent { .. }
                | EventData::SurveyAnswered { .. }
                | EventData::Closed { .. }
                | EventData::Reopened { .. }
                | EventData::Merged { .. }
                | EventData::Extended { .. }
        )
    }
}

/// One entry of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub ticket_id: TicketId,
    /// Position in the timeline, from 0.
    pub seq: i64,
    pub at: Timestamp,
    pub actor: Actor,
    pub state_before: Option<State>,
    pub state_after: State,
    #[serde(flatten)]
    pub data: EventData,
}

/// A request to change a ticket.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Assign { department_id: Option<DepartmentId>, assignee_id: Option<UserId>, reason: Option<String> },
    Acknowledge,
    Reply { body: String, files: Vec<FileRef> },
    Note { body: String },
    RequestInfo { message: String },
    ProvideInfo { body: String },
    RequestApproval { plan: String, reasons: Vec<ApprovalReason> },
    DecideApproval { approved: bool, comment: Option<String> },
    Resolve { outcome: Outcome },
    SendSurvey { expires_at: Timestamp },
    AnswerSurvey { satisfaction: Satisfaction },
    Close { reason: CloseReason },
    Reopen { reason: String },
    Reject { reason: String },
    Restore { reason: Option<String> },
    Merge { into: TicketId },
    Recategorize { category: Option<String>, subtags: Vec<String> },
    Reprioritize { priority: Priority, reason: String },
    AddCollaborator { user_id: UserId },
    Extend { target: String, until: Timestamp, reason: String },
    Escalate { reason: String, to: Option<UserId> },
}

impl Command {
    /// The lifecycle action this command performs. A survey answer closes or reopens.
    pub fn action(&self) -> Action {
        match self {
            Command::Assign { .. } => Action::Assign,
            Command::Acknowledge => Action::Acknowledge,
            Command::Reply { .. } => Action::Reply,
            Command::Note { .. } => Action::Note,
            Command::RequestInfo { .. } => Action::RequestInfo,
            Command::ProvideInfo { .. } => Action::ProvideInfo,
            Command::RequestApproval { .. } => Action::RequestApproval,
            Command::DecideApproval { .. } => Action::DecideApproval,
            Command::Resolve { .. } => Action::Resolve,
            Command::AnswerSurvey { satisfaction } if satisfaction.rating == Rating::Unsatisfied => Action::Reopen,
            Command::AnswerSurvey { .. } => Action::Close,
            Command::Close { .. } => Action::Close,
            Command::Reopen { .. } => Action::Reopen,
            Command::Reject { .. } => Action::Reject,
            Command::Restore { .. } => Action::Restore,
            Command::Merge { .. } => Action::Merge,
            Command::Recategorize { .. }
            | Command::Reprioritize { .. }
            | Command::AddCollaborator { .. }
            | Command::SendSurvey { .. }
            | Command::Extend { .. }
            | Command::Escalate { .. } => Action::Note,
        }
    }
}

const MAX_TEXT: usize = 20_000;
/// Most files one reply carries (the upload limit of one form).
pub const MAX_FILES: usize = 10;

fn required_text(field: &'static str, s: String) -> Result<String, DomainError> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > MAX_TEXT {
        return Err(DomainError::invalid(field, format!("must be at most {MAX_TEXT} characters")));
    }
    Ok(trimmed.to_string())
}

/// Checks `command` against the ticket and the lifecycle and returns the event it causes.
pub fn decide(ticket: &Ticket, command: Command, actor: Actor, at: Timestamp) -> Result<Event, DomainError> {
    let state_after = ticket.state.apply(command.action())?;
    let data = match command {
        Command::Assign { department_id, assignee_id, reason } => {
            if department_id.is_none() && assignee_id.is_none() {
                return Err(DomainError::invalid("department_id", "give a department, an assignee or both"));
            }
            EventData::Assigned {
                department_id: department_id.or(ticket.department_id),
                assignee_id,
                from_department_id: ticket.department_id,
                from_assignee_id: ticket.assignee_id,
                reason,
            }
        }
        Command::Acknowledge => EventData::Acknowledged,
        Command::Reply { body, files } => {
            if files.len() > MAX_FILES {
                return Err(DomainError::invalid("files", format!("at most {MAX_FILES} files per reply")));
            }
            EventData::Replied { body: required_text("body", body)?, files }
        }
        Command::Note { body } => EventData::Noted { body: required_text("body", body)? },
        Command::RequestInfo { message } => EventData::InfoRequested { message: required_text("message", message)? },
        Command::ProvideInfo { body } => EventData::InfoProvided { body: required_text("body", body)? },
        Command::RequestApproval { plan, mut reasons } => {
            if reasons.is_empty() {
                return Err(DomainError::invalid(
                    "reasons",
                    "say why the plan needs approval: cost, policy_exception or other_departments",
                ));
            }
            reasons.sort();
            reasons.dedup();
            EventData::ApprovalRequested { plan: required_text("plan", plan)?, reasons }
        }
        Command::DecideApproval { approved, comment } => {
            let comment = comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
            if !approved && comment.is_none() {
                return Err(DomainError::invalid("comment", "say why the plan is rejected"));
            }
            EventData::ApprovalDecided { approved, comment }
        }
        Command::Resolve { outcome } => {
            outcome.validate()?;
            EventData::Resolved { outcome }
        }
        Command::SendSurvey { expires_at } => {
            if ticket.state != State::Resolved {
                return Err(DomainError::invalid("state", "a survey asks about a resolved ticket"));
            }
            EventData::SurveySent { expires_at }
        }
        Command::AnswerSurvey { satisfaction } => {
            if satisfaction.score.is_some_and(|s| !(1..=5).contains(&s)) {
                return Err(DomainError::invalid("score", "must be between 1 and 5"));
            }
            EventData::SurveyAnswered { satisfaction }
        }
        Command::Close { reason } => EventData::Closed { reason },
        Command::Reopen { reason } => EventData::Reopened { reason: required_text("reason", reason)? },
        Command::Reject { reason } => EventData::Rejected { reason: required_text("reason", reason)? },
        Command::Restore { reason } => EventData::Restored { reason },
        Command::Merge { into } => {
            if into == ticket.id {
                return Err(DomainError::invalid("into", "a ticket cannot be merged into itself"));
            }
            EventData::Merged { into }
        }
        Command::Recategorize { category, subtags } => EventData::Recategorized {
            category,
            subtags,
            from_category: ticket.category.clone(),
            from_subtags: ticket.subtags.clone(),
        },
        Command::Reprioritize { priority, reason } => EventData::Reprioritized {
            priority,
            reasons: vec![required_text("reason", reason)?],
            from_priority: ticket.priority,
        },
        Command::AddCollaborator { user_id } => {
            if ticket.collaborators.contains(&user_id) || ticket.assignee_id == Some(user_id) {
                return Err(DomainError::invalid("user_id", "is already working on this ticket"));
            }
            EventData::CollaboratorAdded { user_id }
        }
        Command::Extend { target, until, reason } => {
            if until <= at {
                return Err(DomainError::invalid("until", "the new due time must be in the future"));
            }
            EventData::Extended { target, until, reason: required_text("reason", reason)? }
        }
        Command::Escalate { reason, to } => EventData::Escalated { reason: required_text("reason", reason)?, to },
    };
    Ok(Event {
        ticket_id: ticket.id,
        seq: ticket.version,
        at,
        actor,
        state_before: Some(ticket.state),
        state_after,
        data,
    })
}

/// Folds one event into the ticket.
pub fn apply(ticket: &mut Ticket, event: &Event) {
    match &event.data {
        EventData::Created { ticket: initial } => *ticket = (**initial).clone(),
        EventData::Assigned { department_id, assignee_id, .. } => {
            ticket.department_id = *department_id;
            ticket.assignee_id = *assignee_id;
        }
        EventData::Replied { .. } => {
            ticket.first_response_at.get_or_insert(event.at);
        }
        EventData::Resolved { outcome } => {
            ticket.outcome = Some(outcome.clone());
            ticket.resolved_at = Some(event.at);
            ticket.first_response_at.get_or_insert(event.at);
        }
        EventData::SurveyAnswered { satisfaction } => {
            ticket.satisfaction = Some(satisfaction.clone());
            if satisfaction.rating != Rating::Unsatisfied {
                ticket.closed_at = Some(event.at);
            }
        }
        EventData::Closed { .. } => ticket.closed_at = Some(event.at),
        EventData::Reopened { .. } => {
            ticket.closed_at = None;
            ticket.reopened = true;
        }
        EventData::Rejected { reason } => ticket.reject_reason = Some(reason.clone()),
        EventData::Restored { .. } => ticket.reject_reason = None,
        EventData::Merged { into } => ticket.merged_into = Some(*into),
        EventData::Recategorized { category, subtags, .. } => {
            ticket.category = category.clone();
            ticket.subtags = subtags.clone();
            // A person chose the category: the ticket leaves the manual-triage queue.
            if let (Some(t), false) = (ticket.triage.as_mut(), event.actor == Actor::System) {
                t.needs_manual_triage = false;
            }
        }
        EventData::Reprioritized { priority, reasons, .. } => {
            ticket.priority = *priority;
            ticket.priority_reasons = reasons.clone();
        }
        EventData::CollaboratorAdded { user_id } => ticket.collaborators.push(*user_id),
        EventData::Acknowledged
        | EventData::Noted { .. }
        | EventData::InfoRequested { .. }
        | EventData::InfoProvided { .. }
        | EventData::ApprovalRequested { .. }
        | EventData::ApprovalDecided { .. }
        | EventData::SurveySent { .. }
        | EventData::Extended { .. }
        | EventData::SlaAlerted { .. } => {}
        EventData::Escalated { .. } => ticket.escalated = true,
    }
    ticket.state = event.state_after;
    ticket.updated_at = event.at;
    ticket.version = event.seq + 1;
}

/// Rebuilds a ticket from its timeline. The first event must be `created`.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Ticket, DomainError> {
    let mut iter = events.into_iter();
    let first = iter.next().ok_or_else(|| DomainError::invalid("events", "a timeline starts with created"))?;
    let EventData::Created { ticket: initial } = &first.data else {
        return Err(DomainError::invalid("events", "a timeline starts with created"));
    };
    let mut ticket = (**initial).clone();
    apply(&mut ticket, first);
    for event in iter {
        if event.seq != ticket.version {
            return Err(DomainError::invalid("events", format!("gap before event {}", event.seq)));
        }
        apply(&mut ticket, event);
    }
    Ok(ticket)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ticket::OutcomeKind, Channel, Customer, Priority, TrackingNo, Urgency};
    use chrono::TimeZone;

    fn t0() -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 2, 3, 1, 0, 0).unwrap()
    }

    fn sample() -> Ticket {
        let customer = Customer { name: Some("王芳".into()), ..Customer::default() };
        let mut t = Ticket::draft(Channel::Web, "洗衣机漏电，手碰到外壳有麻的感觉".into(), customer, t0(), t0());
        t.id = TicketId(7);
        t.tracking_no = TrackingNo::new(t.id, t0());
        t.category = Some("product_quality".into());
        t.urgency = Urgency::High;
        t.priority = Priority::Urgent;
        t.priority_reasons = vec!["urgent: safety word 漏电".into()];
        t
    }

    fn created(t: &Ticket) -> Event {
        Event {
            ticket_id: t.id,
            seq: 0,
            at: t.recorded_at,
            actor: Actor::System,
            state_before: None,
            state_after: State::New,
            data: EventData::Created { ticket: Box::new(t.clone()) },
        }
    }

    #[test]
    fn replaying_the_timeline_rebuilds_the_ticket() {
        let mut ticket = sample();
        let mut timeline = vec![created(&ticket)];
        apply(&mut ticket, &timeline[0]);
        let agent = Actor::User { id: UserId(3), name: "李雷".into() };
        let commands = vec![
            Command::Assign { department_id: Some(DepartmentId(2)), assignee_id: Some(UserId(3)), reason: None },
            Command::Acknowledge,
            Command::Note { body: "联系了售后".into() },
            Command::Reply { body: "您好，我们已安排上门检测。".into(), files: Vec::new() },
            Command::Resolve {
                outcome: Outcome {
                    kind: OutcomeKind::Solved,
                    summary: "更换了电源线".into(),
                    unresolved: None,
                    reason: None,
                    alternative: None,
                },
            },
            Command::Close { reason: CloseReason::SurveyAnswered },
        ];
        for (i, cmd) in commands.into_iter().enumerate() {
            let at = t0() + chrono::Duration::minutes(10 * (i as i64 + 1));
            let ev = decide(&ticket, cmd, agent.clone(), at).unwrap();
            apply(&mut ticket, &ev);
            timeline.push(ev);
        }
        assert_eq!(ticket.state, State::Closed);
        assert_eq!(ticket.first_response_at, Some(t0() + chrono::Duration::minutes(40)));
        // Events survive serialisation (as stored) and replay to the same ticket.
        let stored: Vec<Event> =
            timeline.iter().map(|e| serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap()).collect();
        assert_eq!(replay(&stored).unwrap(), ticket);
    }

    #[test]
    fn illegal_command_produces_no_event() {
        let ticket = sample();
        let err = decide(&ticket, Command::Acknowledge, Actor::System, t0()).unwrap_err();
        assert_eq!(err.to_string(), "cannot acknowledge a ticket that is new");
    }

    #[test]
    fn unsatisfied_survey_reopens() {
        let mut ticket = sample();
        ticket.state = State::Resolved;
        let satisfaction =
            Satisfaction { rating: Rating::Unsatisfied, score: Some(1), comment: None, answered_at: t0() };
        let ev = decide(&ticket, Command::AnswerSurvey { satisfaction }, Actor::Customer, t0()).unwrap();
        assert_eq!(ev.state_after, State::Reopened);
    }
}
