//! Scheduled summaries (issue 16): an admin lists in the `report_schedules` document who
//! gets a weekly or monthly summary and when (the n-th working day of the period on the
//! company's business calendar, at a local time). Each sending is one job, keyed by the
//! schedule and the period it covers, enqueued when the document is saved and at start-up;
//! it composes the summary into outbox deliveries keyed the same way, so every recipient
//! gets it once however many nodes run and however often the job is retried. The job then
//! enqueues the next sending.

mod compose;

use crate::documents::{load_or_default, DocumentKind};
use crate::jobs::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::{App, AppError};
use chrono::NaiveTime;
use loopdesk_channels::templates::Lang;
use loopdesk_core::calendar::DEFAULT_CALENDAR;
use loopdesk_core::report::schedule::{next_sending, Every, SendRule};
use loopdesk_core::report::Period;
use loopdesk_core::Timestamp;
use serde::{Deserialize, Serialize};

/// The `report_schedules` document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchedulesDoc {
    pub summaries: Vec<Schedule>,
}

/// One scheduled summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    /// 1 to 64 letters, digits, `-` or `_`; unique in the document.
    pub name: String,
    /// `week` or `month`: the summary covers the whole week (Monday to Sunday) or month
    /// before the one it is sent in.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "month"))]
    pub every: Every,
    /// Sent on this working day of the period (1: the first), on the default calendar.
    #[serde(default = "first")]
    pub working_day: u8,
    /// Local time, `HH:MM` (default 09:00).
    #[serde(default = "nine")]
    pub at: String,
    #[serde(default = "chinese")]
    pub language: Lang,
    /// Mailboxes that get the summary with the workbook attached.
    #[serde(default)]
    pub emails: Vec<String>,
    /// Also post a short summary to every robot whose `alerts` list is empty or names
    /// `summary`.
    #[serde(default = "yes")]
    pub robots: bool,
}

fn first() -> u8 {
    1
}

fn nine() -> String {
    "09:00".into()
}

fn chinese() -> Lang {
    Lang::ZhCn
}

fn yes() -> bool {
    true
}

/// Most schedules in the document.
const MAX_SCHEDULES: usize = 50;
/// Most mailboxes per schedule.
const MAX_EMAILS: usize = 50;

impl Schedule {
    fn rule(&self) -> Result<SendRule, AppError> {
        let at = NaiveTime::parse_from_str(&self.at, "%H:%M")
            .map_err(|_| AppError::invalid("body.summaries.at", format!("{:?} is not a time like 09:00", self.at)))?;
        Ok(SendRule { every: self.every, working_day: self.working_day, at })
    }
}

/// Checks a document before it is saved.
pub fn validate(doc: &SchedulesDoc) -> Result<(), AppError> {
    if doc.summaries.len() > MAX_SCHEDULES {
        return Err(AppError::invalid("body.summaries", format!("at most {MAX_SCHEDULES} schedules")));
    }
    let mut names = std::collections::BTreeSet::new();
    for s in &doc.summaries {
        let ok =
            (1..=64).contains(&s.name.len()) && s.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
        if !ok {
            return Err(AppError::invalid("body.summaries.name", "use 1 to 64 letters, digits, '-' or '_'"));
        }
        if !names.insert(s.name.as_str()) {
            return Err(AppError::invalid("body.summaries.name", format!("{:?} is used twice", s.name)));
        }
        if !(1..=20).contains(&s.working_day) {
            return Err(AppError::invalid("body.summaries.working_day", "must be 1 to 20"));
        }
        s.rule()?;
        if s.emails.len() > MAX_EMAILS {
            return Err(AppError::invalid("body.summaries.emails", format!("at most {MAX_EMAILS} addresses")));
        }
        for e in &s.emails {
            loopdesk_core::Email::parse(e)
                .map_err(|err| AppError::invalid("body.summaries.emails", format!("{e:?}: {err}")))?;
        }
    }
    Ok(())
}

/// Sends the summary `schedule` for the period `[from, to)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendSummary {
    pub schedule: String,
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Job for SendSummary {
    const KIND: JobKind = JobKind::SendSummary;

    fn key(&self) -> Key {
        Key::summary(&self.schedule, self.from)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        let doc: SchedulesDoc = load_or_default(app, &DocumentKind::ReportSchedules).await?;
        // A schedule deleted since has nothing more to send.
        let Some(schedule) = doc.summaries.iter().find(|s| s.name == self.schedule) else {
            return Ok(());
        };
        let period = Period::new(self.from, self.to).map_err(|e| JobError::Fatal(e.to_string()))?;
        compose::send(app, schedule, period, &self.key()).await?;
        enqueue_next(app, schedule).await?;
        Ok(())
    }
}

/// Enqueues the next sending of every schedule (called at start-up and when the document
/// is saved); a sending already waiting is replaced by the same one, so this is idempotent.
pub async fn ensure(app: &App) -> Result<(), AppError> {
    let doc: SchedulesDoc = load_or_default(app, &DocumentKind::ReportSchedules).await?;
    for s in &doc.summaries {
        enqueue_next(app, s).await?;
    }
    Ok(())
}

async fn enqueue_next(app: &App, schedule: &Schedule) -> Result<(), AppError> {
    let sla = app.sla.get();
    let calendar =
        sla.calendars.get(DEFAULT_CALENDAR).cloned().unwrap_or_else(loopdesk_core::calendar::Calendar::china);
    let next = next_sending(schedule.rule()?, &calendar, app.now());
    let job = SendSummary { schedule: schedule.name.clone(), from: next.covers.from, to: next.covers.to };
    app.store.enqueue_all(&[crate::jobs::op(&job, next.at)]).await?;
    Ok(())
}
