//! The jobs each kind of event owes — staff alerts, customer notifications and the
//! workflow's own timers — decided from the event alone, so they are written in the
//! change's own transaction (through [`crate::effects::AppEffects`]). A retried job never
//! sends twice: every notice's key names the ticket, the kind and the event.

use crate::jobs::notify::{NotifyCustomer, NotifyStaff};
use crate::jobs::op;
use crate::jobs::workflow::{AckTimeout, SurveySend};
use crate::keys::Key;
use crate::notify::{china_time, Recipients, StaffAlert};
use loopdesk_channels::templates::NotificationKind;
use loopdesk_core::{Event, EventData, Outcome, Ticket, Timestamp};
use loopdesk_store::JobOp;

/// The workflow settings the jobs depend on.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub now: Timestamp,
    pub ack_timeout: chrono::Duration,
    pub survey_delay: chrono::Duration,
}

/// A staff alert about `t`, owed by event `seq`.
pub fn alert(t: &Ticket, alert: StaffAlert, to: Recipients, text: String, seq: i64, now: Timestamp) -> JobOp {
    op(&NotifyStaff::about(t, alert, to, text, seq), now)
}

/// A customer notice of `kind` about `t`, owed by the event keyed `key`.
pub fn notice(t: &Ticket, kind: NotificationKind, vars: Vec<(&str, String)>, key: Key, now: Timestamp) -> JobOp {
    op(&NotifyCustomer::new(t.id, kind, vars, key), now)
}

/// [`notice`] carrying stored files (a reply's attachments).
fn notice_with_files(
    t: &Ticket,
    kind: NotificationKind,
    vars: Vec<(&str, String)>,
    key: Key,
    files: Vec<i64>,
    now: Timestamp,
) -> JobOp {
    let mut job = NotifyCustomer::new(t.id, kind, vars, key);
    job.notice.files = files;
    op(&job, now)
}

/// The jobs the events of one change owe. A reply and a resolution written together
/// ("reply and resolve") whose outcome summary is the reply tell the customer once: the
/// result notice, carrying the reply's files. Two messages a second apart would say the
/// same thing twice.
pub fn owed_by_change(t: &Ticket, events: &[Event], timing: Timing) -> Vec<JobOp> {
    let summary = events.iter().find_map(|e| match &e.data {
        EventData::Resolved { outcome } => Some(outcome.summary.as_str()),
        _ => None,
    });
    let mut carried = Vec::new();
    let mut jobs = Vec::new();
    for e in events {
        match &e.data {
            EventData::Replied { body, files } if summary == Some(body.as_str()) => {
                carried.extend(files.iter().map(|f| f.id));
            }
            EventData::Resolved { outcome } => {
                jobs.extend(resolved(t, e, outcome, std::mem::take(&mut carried), timing.now, timing.survey_delay))
            }
            _ => jobs.extend(owed_by(t, e, timing)),
        }
    }
    jobs
}

/// The result notice (with `files`) and the survey a resolution owes.
fn resolved(
    t: &Ticket,
    e: &Event,
    outcome: &Outcome,
    files: Vec<i64>,
    now: Timestamp,
    survey_delay: chrono::Duration,
) -> Vec<JobOp> {
    let kind = NotificationKind::for_outcome(outcome.kind);
    // Template variables are text; the fields an outcome kind has not are left out.
    let mut vars = vec![("summary", outcome.summary.clone())];
    let optional =
        [("unresolved", &outcome.unresolved), ("reason", &outcome.reason), ("alternative", &outcome.alternative)];
    vars.extend(optional.into_iter().filter_map(|(name, v)| v.clone().map(|v| (name, v))));
    let key = Key::notice(t.id, kind.as_str(), e.seq);
    let survey = SurveySend { ticket_id: t.id, round: e.at.timestamp_millis() };
    vec![notice_with_files(t, kind, vars, key, files, now), op(&survey, now + survey_delay)]
}

/// The jobs event `e`, just applied to give `t`, owes.
pub fn owed_by(t: &Ticket, e: &Event, timing: Timing) -> Vec<JobOp> {
    let now = timing.now;
    match &e.data {
        EventData::Assigned { department_id, assignee_id: Some(a), .. } => {
            let text = format!("ticket {} is yours; acknowledge it", t.tracking_no);
            let to = Recipients {
                users: vec![*a],
                departments: department_id.iter().copied().collect(),
                supervisors: false,
            };
            let timer = AckTimeout { ticket_id: t.id, assignee_id: *a, assigned_seq: e.seq };
            vec![alert(t, StaffAlert::Assigned, to, text, e.seq, now), op(&timer, now + timing.ack_timeout)]
        }
        EventData::Assigned { department_id: Some(d), assignee_id: None, .. } => {
            let text = format!("ticket {} waits for an agent of your department", t.tracking_no);
            let to = Recipients { departments: vec![*d], ..Recipients::default() };
            vec![
                alert(t, StaffAlert::Assigned, to, text, e.seq, now),
                JobOp::Cancel { key: Key::ack_timer(t.id).into() },
            ]
        }
        EventData::Acknowledged => vec![JobOp::Cancel { key: Key::ack_timer(t.id).into() }],
        EventData::CollaboratorAdded { user_id } => {
            let text = format!("you were added to ticket {}", t.tracking_no);
            let to = Recipients { users: vec![*user_id], ..Recipients::default() };
            vec![alert(t, StaffAlert::Assigned, to, text, e.seq, now)]
        }
        EventData::ApprovalRequested { reasons, .. } => {
            let why: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
            let text = format!("ticket {}: a plan needs your approval ({})", t.tracking_no, why.join(", "));
            vec![alert(t, StaffAlert::ApprovalRequested, Recipients::supervisors(), text, e.seq, now)]
        }
        EventData::Resolved { outcome } => resolved(t, e, outcome, Vec::new(), now, timing.survey_delay),
        // Replies, information requests and extensions are told to the customer.
        EventData::InfoRequested { message } => {
            let vars = vec![("questions", message.clone())];
            vec![notice(t, NotificationKind::InformationRequest, vars, Key::event_notice(t.id, e.seq), now)]
        }
        EventData::Replied { body, files } => {
            let vars = vec![("progress", body.clone())];
            let key = Key::event_notice(t.id, e.seq);
            let files = files.iter().map(|f| f.id).collect();
            vec![notice_with_files(t, NotificationKind::ProgressUpdate, vars, key, files, now)]
        }
        EventData::Extended { until, reason, .. } => {
            let vars = vec![("reason", reason.clone()), ("new_due", china_time(*until))];
            vec![notice(t, NotificationKind::ExtensionNotice, vars, Key::event_notice(t.id, e.seq), now)]
        }
        _ => vec![],
    }
}
