//! The effect of a fix, measured, and recurrence after "verified" (issue 17).
//!
//! Matching feedback is the members of the problem's cluster when it was made from one,
//! else the tickets of its category (and of one of its products, when it names any); a
//! problem with neither has nothing to measure. The effect compares whole weeks before
//! and after the hour it was (last) fixed ([`loopdesk_core::problem::effect`]).
//!
//! Verifying a problem starts a watch: the `problem.recurrence` job looks every
//! [`CHECK_EVERY_MINUTES`] for [`WATCH_DAYS`]; when at least `recurrence.tickets` matching
//! reports arrived within the last `recurrence.days` days (since the verification), the
//! problem goes back to investigating, the timeline says why, and the owner and the
//! department's supervisors are alerted — once: investigating ends the watch, and the
//! alert's key names the verification it ends.

use crate::access::require;
use crate::jobs::notify::NotifyStaff;
use crate::jobs::{op, Job, JobError, JobKind};
use crate::keys::Key;
use crate::notify::{supervisors_of, Recipients, StaffAlert, StaffNotice};
use crate::{App, AppError};
use chrono::Duration;
use loopdesk_core::access::Permission;
use loopdesk_core::problem::effect::{measure, window, Effect};
use loopdesk_core::problem::{Problem, ProblemEvent, ProblemEventKind as Kind, ProblemState};
use loopdesk_core::{Principal, ProblemId, Timestamp};
use loopdesk_store::{JobOp, Links, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Weeks compared at most on each side of the fix.
pub const MAX_WEEKS: i64 = 12;
/// How often a verified problem is looked at.
pub const CHECK_EVERY_MINUTES: i64 = 60;
/// How long after verification it is watched.
pub const WATCH_DAYS: i64 = 90;

const HOUR_MS: i64 = 3_600_000;

/// The effect of a problem's fix, as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemEffect {
    pub problem_id: ProblemId,
    /// When it was (last) fixed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub fixed_at: Timestamp,
    /// `cluster` (its cluster's members) or `category` (its category and products).
    pub matching: String,
    #[serde(flatten)]
    pub effect: Effect,
}

/// When the problem last stepped to fixed, from its timeline.
fn fixed_at(timeline: &[ProblemEvent]) -> Option<Timestamp> {
    timeline.iter().rev().find(|e| e.kind == Kind::StateChanged && e.data["to"] == "fixed").map(|e| e.at)
}

/// What matching means for `problem`, if anything.
fn matching(problem: &Problem) -> Option<&'static str> {
    match (problem.cluster_id, &problem.category) {
        (Some(_), _) => Some("cluster"),
        (None, Some(_)) => Some("category"),
        (None, None) => None,
    }
}

/// Matching feedback recorded in `[from_ms, to_ms)`, as (unix hour, count).
async fn hourly(app: &App, problem: &Problem, from_ms: i64, to_ms: i64) -> Result<Vec<(i64, u64)>, StoreError> {
    let rows = match (problem.cluster_id, &problem.category) {
        (Some(c), _) => app.read().cluster_hourly(c, from_ms, to_ms).await?,
        (None, Some(cat)) => app.read().category_hourly(cat, &problem.products, from_ms, to_ms).await?,
        (None, None) => Vec::new(),
    };
    Ok(rows.into_iter().map(|(h, n)| (h, u64::try_from(n).unwrap_or(0))).collect())
}

/// `GET /problems/{id}/effect`: matching feedback per week before and after the fix.
pub async fn effect(app: &App, p: &Principal, id: ProblemId) -> Result<ProblemEffect, AppError> {
    require(p, Permission::Read)?;
    let problem = app.read().problem(id).await?;
    let Some(fixed) = fixed_at(&app.read().problem_events(id).await?) else {
        return Err(AppError::Conflict {
            code: "problem_not_fixed",
            message: "the effect is measured from the day the problem was fixed".into(),
            field: Some("state".into()),
        });
    };
    let Some(matching) = matching(&problem) else {
        return Err(AppError::Conflict {
            code: "nothing_matches",
            message: "a problem without a cluster or a category has no matching feedback to count".into(),
            field: Some("category".into()),
        });
    };
    let fix_hour = fixed.timestamp_millis().div_euclid(HOUR_MS);
    let now_hour = app.now().timestamp_millis().div_euclid(HOUR_MS);
    let (from, to) = window(fix_hour, now_hour, MAX_WEEKS);
    let counts = hourly(app, &problem, from * HOUR_MS, to * HOUR_MS).await?;
    let effect = measure(fix_hour, now_hour, MAX_WEEKS, &counts);
    Ok(ProblemEffect { problem_id: id, fixed_at: fixed, matching: matching.to_string(), effect })
}

/// The watch a verification starts (its first look an interval later).
pub(crate) fn watch(problem: &Problem) -> JobOp {
    let job = Recurrence { problem_id: problem.id, verified_at: problem.updated_at.timestamp_millis() };
    op(&job, problem.updated_at + Duration::minutes(CHECK_EVERY_MINUTES))
}

/// A look at a verified problem (`problem.recurrence:<id>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recurrence {
    pub problem_id: ProblemId,
    /// The verification watched (unix ms).
    pub verified_at: i64,
}

impl Job for Recurrence {
    const KIND: JobKind = JobKind::ProblemRecurrence;

    fn key(&self) -> Key {
        Key::problem_recurrence(self.problem_id)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        let problem = match app.read().problem(self.problem_id).await {
            Err(StoreError::NotFound { .. }) => return Ok(()),
            other => other?,
        };
        // Reopened, or fixed again: a later verification starts its own watch.
        if problem.state != ProblemState::Verified {
            return Ok(());
        }
        let now = app.now();
        let verified = chrono::DateTime::from_timestamp_millis(self.verified_at).unwrap_or(now);
        let rule = problem.recurrence;
        let since = verified.max(now - Duration::days(i64::from(rule.days)));
        let counts = hourly(app, &problem, since.timestamp_millis(), now.timestamp_millis() + 1).await?;
        let n: u64 = counts.iter().map(|(_, c)| c).sum();
        if n >= u64::from(rule.tickets) {
            return recur(app, problem, &self, n, since).await;
        }
        if now < verified + Duration::days(WATCH_DAYS) {
            app.store.enqueue_all(&[op(&self, now + Duration::minutes(CHECK_EVERY_MINUTES))]).await?;
        }
        Ok(())
    }
}

/// Back to investigating, with the timeline entry and the alert, in one transaction.
async fn recur(app: &App, mut problem: Problem, job: &Recurrence, n: u64, since: Timestamp) -> Result<(), JobError> {
    let base = problem.version;
    let now = app.now();
    let rule = problem.recurrence;
    problem.state = ProblemState::Investigating;
    problem.updated_at = now;
    let reason =
        format!("{n} matching reports since {} (rule: {} in {} days)", since.to_rfc3339(), rule.tickets, rule.days);
    let events = vec![
        ProblemEvent::new(
            now,
            None,
            Kind::StateChanged,
            json!({"from": "verified", "to": "investigating", "reason": reason}),
        ),
        ProblemEvent::new(now, None, Kind::Recurred, json!({"count": n, "since": since, "rule": rule})),
    ];
    let mut users: Vec<_> = problem.owner_id.into_iter().collect();
    users.extend(supervisors_of(app, problem.department_id).await?);
    users.sort();
    users.dedup();
    let text = format!(
        "问题 #{}「{}」验证后再次出现（{n} 条同类反馈）/ problem recurred after verification: {n} matching reports",
        problem.id, problem.title
    );
    let to = Recipients { users, departments: problem.department_id.into_iter().collect(), supervisors: false };
    let notice = StaffNotice { ticket_id: None, alert: StaffAlert::ProblemRecurred, to, text };
    let alert = op(&NotifyStaff::keyed(notice, Key::problem_recurrence_alert(problem.id, job.verified_at)), now);
    match app.store.save_problem(&problem, base, Links::default(), |_| events, &[alert]).await {
        Ok(_) => Ok(()),
        Err(StoreError::StaleVersion { .. }) => Err(JobError::Retry("problem changed meanwhile".into())),
        Err(e) => Err(e.into()),
    }
}
