//! The jobs a ticket change owes — staff alerts, customer notifications (contract 3) and
//! the workflow's own timers — computed from the events it appended, so they are written in
//! the same transaction as the change (`Store::change_with`). A retried job never sends
//! twice: every notification's dedup key names the ticket, the kind and the event.

use loopdesk_core::routing::Staffing;
use loopdesk_core::{DepartmentId, Event, EventData, Ticket, Timestamp, UserId};
use loopdesk_store::{JobOp, NewJob};
use serde_json::{json, Value};

/// Job kind: route a new ticket (after triage).
pub const ROUTE_TICKET: &str = "route.ticket";
/// Job kind: the assignee did not acknowledge in time.
pub const ACK_TIMEOUT: &str = "assign.ack_timeout";
/// Job kind: send the follow-up survey.
pub const SURVEY_SEND: &str = "survey.send";
/// Job kind: the survey window closed.
pub const SURVEY_EXPIRE: &str = "survey.expire";

/// `alert` values of `notify.staff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAlert {
    NewUrgent,
    Assigned,
    AckOverdue,
    Unsatisfied,
    ApprovalRequested,
}

impl StaffAlert {
    fn as_str(self) -> &'static str {
        match self {
            StaffAlert::NewUrgent => "new_urgent",
            StaffAlert::Assigned => "assigned",
            StaffAlert::AckOverdue => "ack_overdue",
            StaffAlert::Unsatisfied => "unsatisfied",
            StaffAlert::ApprovalRequested => "approval_requested",
        }
    }
}

/// A `notify.staff` job, deduplicated per ticket, alert and event sequence `n`.
pub fn notify_staff(
    ticket: &Ticket,
    alert: StaffAlert,
    users: &[UserId],
    departments: &[DepartmentId],
    text: String,
    n: i64,
    now: Timestamp,
) -> JobOp {
    let payload = json!({
        "ticket_id": ticket.id.0,
        "alert": alert.as_str(),
        "user_ids": users.iter().map(|u| u.0).collect::<Vec<_>>(),
        "department_ids": departments.iter().map(|d| d.0).collect::<Vec<_>>(),
        "text": text,
    });
    let key = format!("notify:{}:{}:{n}", ticket.id, alert.as_str());
    JobOp::Enqueue(NewJob::keyed("notify.staff", key, payload, now))
}

/// A `notify.customer` job of `kind` (a `NotificationKind` in snake case).
pub fn notify_customer(ticket: &Ticket, kind: &str, vars: Value, n: i64, now: Timestamp) -> JobOp {
    let payload = json!({ "ticket_id": ticket.id.0, "kind": kind, "vars": vars });
    JobOp::Enqueue(NewJob::keyed("notify.customer", format!("notify:{}:{kind}:{n}", ticket.id), payload, now))
}

/// Key of a ticket's acknowledgement timer.
pub fn ack_key(ticket: &Ticket) -> String {
    format!("ack:{}", ticket.id)
}

/// Key of a ticket's survey job of `kind` for one resolution.
pub fn survey_key(kind: &str, ticket: &Ticket, round: i64) -> String {
    format!("{kind}:{}:{round}", ticket.id)
}

/// What the jobs depend on besides the events.
pub struct Effects<'a> {
    pub now: Timestamp,
    pub ack_timeout: chrono::Duration,
    pub survey_delay: chrono::Duration,
    pub staffing: &'a Staffing,
    /// Supervisors told when no department supervisor is named.
    pub supervisors: &'a [UserId],
}

impl Effects<'_> {
    /// Who supervises `department` (the staffing document's, else every supervisor).
    pub fn supervisors_of(&self, department: Option<DepartmentId>) -> Vec<UserId> {
        match department.and_then(|d| self.staffing.supervisor_of(d)) {
            Some(s) => vec![s],
            None => self.supervisors.to_vec(),
        }
    }

    /// The jobs owed by `events`, just applied to give `after`.
    pub fn jobs_for(&self, after: &Ticket, events: &[Event]) -> Vec<JobOp> {
        events.iter().flat_map(|e| self.jobs_for_event(after, e)).collect()
    }

    fn jobs_for_event(&self, t: &Ticket, e: &Event) -> Vec<JobOp> {
        let now = self.now;
        match &e.data {
            EventData::Assigned { department_id, assignee_id: Some(a), .. } => {
                let depts: Vec<_> = department_id.iter().copied().collect();
                let text = format!("ticket {} is yours; acknowledge it", t.tracking_no);
                let payload = json!({ "ticket_id": t.id.0, "assignee_id": a.0, "assigned_seq": e.seq });
                vec![
                    notify_staff(t, StaffAlert::Assigned, &[*a], &depts, text, e.seq, now),
                    JobOp::Enqueue(NewJob::keyed(ACK_TIMEOUT, ack_key(t), payload, now + self.ack_timeout)),
                ]
            }
            EventData::Assigned { department_id: Some(d), assignee_id: None, .. } => {
                let text = format!("ticket {} waits for an agent of your department", t.tracking_no);
                vec![
                    notify_staff(t, StaffAlert::Assigned, &[], &[*d], text, e.seq, now),
                    JobOp::Cancel { key: ack_key(t) },
                ]
            }
            EventData::Acknowledged => vec![JobOp::Cancel { key: ack_key(t) }],
            EventData::CollaboratorAdded { user_id } => {
                let text = format!("you were added to ticket {}", t.tracking_no);
                vec![notify_staff(t, StaffAlert::Assigned, &[*user_id], &[], text, e.seq, now)]
            }
            EventData::ApprovalRequested { reasons, .. } => {
                let why: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
                let text = format!("ticket {}: a plan needs your approval ({})", t.tracking_no, why.join(", "));
                let to = self.supervisors_of(t.department_id);
                vec![notify_staff(t, StaffAlert::ApprovalRequested, &to, &[], text, e.seq, now)]
            }
            EventData::Resolved { outcome } => {
                let kind = format!("result_{}", outcome.kind.as_str());
                // Template variables are text; the fields an outcome kind has not are left out.
                let mut vars = json!({ "tracking_no": t.tracking_no.to_string(), "summary": outcome.summary });
                let optional = [
                    ("unresolved", &outcome.unresolved),
                    ("reason", &outcome.reason),
                    ("alternative", &outcome.alternative),
                ];
                for (name, value) in optional {
                    if let Some(v) = value {
                        vars[name] = json!(v);
                    }
                }
                let round = e.at.timestamp_millis();
                let payload = json!({ "ticket_id": t.id.0, "round": round });
                let run_at = now + self.survey_delay;
                vec![
                    notify_customer(t, &kind, vars, e.seq, now),
                    JobOp::Enqueue(NewJob::keyed(SURVEY_SEND, survey_key(SURVEY_SEND, t, round), payload, run_at)),
                ]
            }
            _ => vec![],
        }
    }
}
