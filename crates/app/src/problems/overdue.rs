//! `action.overdue`: one job per open improvement action (key `action.overdue:<id>`), due at
//! the action's due minute. If the action is still open then, the job records an
//! `escalated` entry on the problem's timeline and alerts the owner and the department's
//! supervisors — the same staff alert path as an SLA breach — in one transaction. The
//! action remembers it was escalated, so a job that runs again (a lease that ran out, a
//! second node) escalates nothing twice. A problem's own due date works the same way
//! ([`ProblemOverdue`]).

use crate::jobs::notify::NotifyStaff;
use crate::jobs::{op, Job, JobError, JobKind};
use crate::keys::Key;
use crate::notify::{supervisors_of, Recipients, StaffAlert, StaffNotice};
use crate::App;
use loopdesk_core::problem::{ActionState, ProblemEvent, ProblemEventKind};
use loopdesk_core::{ActionId, ProblemId, Timestamp};
use loopdesk_store::{Links, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An action's due minute came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionOverdue {
    pub action_id: ActionId,
    /// The due minute it was scheduled for (unix ms).
    pub due: i64,
}

impl ActionOverdue {
    /// The timer of `action` due at `due`.
    pub fn new(action_id: ActionId, due: Timestamp) -> ActionOverdue {
        ActionOverdue { action_id, due: due.timestamp_millis() }
    }
}

impl Job for ActionOverdue {
    const KIND: JobKind = JobKind::ActionOverdue;

    fn key(&self) -> Key {
        Key::action_overdue(self.action_id)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        let mut action = match app.read().action(self.action_id).await {
            Err(StoreError::NotFound { .. }) => return Ok(()),
            other => other?,
        };
        let now = app.now();
        // Closed, or escalated already: nothing owed.
        if action.state != ActionState::Open || action.escalated_at.is_some() {
            return Ok(());
        }
        // Run early (another node's clock is ahead): the timer goes back to the due minute.
        if action.due > now {
            app.store.enqueue_all(&[op(&ActionOverdue::new(action.id, action.due), action.due)]).await?;
            return Ok(());
        }
        let base = action.version;
        action.escalated_at = Some(now);
        action.updated_at = now;
        let mut users: Vec<_> = action.owner_id.into_iter().collect();
        users.extend(supervisors_of(app, action.department_id).await?);
        users.sort();
        users.dedup();
        let due = action.due.to_rfc3339();
        let data = json!({"action_id": action.id, "title": action.title, "due": action.due, "notified": users});
        let event = ProblemEvent::new(now, None, ProblemEventKind::Escalated, data);
        let text =
            format!("问题 #{} 的改进措施「{}」已逾期 / action overdue since {due}", action.problem_id, action.title);
        let to = Recipients { users, departments: action.department_id.into_iter().collect(), supervisors: false };
        let notice = StaffNotice { ticket_id: None, alert: StaffAlert::ActionOverdue, to, text };
        let key = Key::action_overdue_alert(action.id, action.due.timestamp_millis());
        let alert = op(&NotifyStaff::keyed(notice, key), now);
        match app.store.save_action(&action, base, &[event], &[alert]).await {
            Ok(_) => Ok(()),
            // Changed meanwhile (closed, or escalated by another node): look again.
            Err(StoreError::StaleVersion { .. }) => Err(JobError::Retry("action changed meanwhile".into())),
            Err(e) => Err(e.into()),
        }
    }
}

/// A problem's due minute came (`problem.overdue:<id>`). If the fix is still to be made, the
/// owner and the department's supervisors are alerted and the timeline records it, once per
/// due minute (a later due date set by an edit escalates again when it passes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemOverdue {
    pub problem_id: ProblemId,
    /// The due minute it was scheduled for (unix ms).
    pub due: i64,
}

impl ProblemOverdue {
    /// The timer of `problem` due at `due`.
    pub fn new(problem_id: ProblemId, due: Timestamp) -> ProblemOverdue {
        ProblemOverdue { problem_id, due: due.timestamp_millis() }
    }
}

impl Job for ProblemOverdue {
    const KIND: JobKind = JobKind::ProblemOverdue;

    fn key(&self) -> Key {
        Key::problem_overdue(self.problem_id)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        let mut problem = match app.read().problem(self.problem_id).await {
            Err(StoreError::NotFound { .. }) => return Ok(()),
            other => other?,
        };
        let now = app.now();
        let Some(due) = problem.due else { return Ok(()) };
        if !problem.state.is_open() || problem.escalated_due == Some(due) {
            return Ok(());
        }
        if due > now {
            app.store.enqueue_all(&[op(&ProblemOverdue::new(problem.id, due), due)]).await?;
            return Ok(());
        }
        let base = problem.version;
        problem.escalated_due = Some(due);
        let mut users: Vec<_> = problem.owner_id.into_iter().collect();
        users.extend(supervisors_of(app, problem.department_id).await?);
        users.sort();
        users.dedup();
        let data = json!({"problem_id": problem.id, "due": due, "state": problem.state, "notified": users});
        let event = ProblemEvent::new(now, None, ProblemEventKind::Escalated, data);
        let text = format!(
            "问题 #{}「{}」已逾期（{}）/ problem overdue since {}",
            problem.id,
            problem.title,
            problem.state,
            due.to_rfc3339()
        );
        let to = Recipients { users, departments: problem.department_id.into_iter().collect(), supervisors: false };
        let notice = StaffNotice { ticket_id: None, alert: StaffAlert::ProblemOverdue, to, text };
        let alert =
            op(&NotifyStaff::keyed(notice, Key::problem_overdue_alert(problem.id, due.timestamp_millis())), now);
        match app.store.save_problem(&problem, base, Links::default(), |_| vec![event], &[alert]).await {
            Ok(_) => Ok(()),
            Err(StoreError::StaleVersion { .. }) => Err(JobError::Retry("problem changed meanwhile".into())),
            Err(e) => Err(e.into()),
        }
    }
}
