//! Calendars whose official holiday schedule ends soon: the warnings in force now (for the
//! console and `/readyz`), and `calendar.watch`, which alerts the admins of each once.
//!
//! `calendar.watch` runs once a day for the cluster as a whole (one pending job, key
//! `calendar.watch`, which re-enqueues itself, like the spike sweep). For each warning it
//! queues a staff alert keyed by the calendar and the last official day, and remembers the
//! key in its own payload, written in the same transaction: a later run does not queue it
//! again. Should a run be repeated after a crash, the alert's deliveries are keyed too (the
//! outbox keeps one delivery per key for good), so admins hear of each ending once however
//! many nodes run. Importing the next year's notice moves the last official day, and with
//! it the key: the next warning, 90 days before the new end, is a new alert.

use crate::jobs::notify::NotifyStaff;
use crate::jobs::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::notify::{Recipients, StaffAlert, StaffNotice};
use crate::{App, AppError};
use chrono::{Duration, NaiveTime};
use loopdesk_core::calendar::ScheduleWarning;
use loopdesk_core::{Role, Timestamp};
use loopdesk_store::JobState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// UTC time of day of the daily run (09:00 in Beijing).
const RUN_AT_UTC: NaiveTime = match NaiveTime::from_hms_opt(1, 0, 0) {
    Some(t) => t,
    None => panic!("01:00 is a time"),
};

/// Every calendar in effect whose official schedule ends within the warning period (or has
/// ended), by calendar name.
pub fn warnings(app: &App) -> Vec<ScheduleWarning> {
    warnings_at(&app.sla.get(), app.now())
}

/// [`warnings`] of a configuration at `now`.
pub fn warnings_at(cfg: &super::SlaConfig, now: Timestamp) -> Vec<ScheduleWarning> {
    cfg.calendars.iter().filter_map(|c| c.schedule_warning(now)).collect()
}

/// Look at the calendars and alert admins of each schedule ending (once).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CalendarWatch {
    /// Keys of the alerts already queued.
    #[serde(default)]
    pub alerted: BTreeSet<String>,
}

/// Enqueues the watch for now unless one is already waiting (called at start-up).
pub async fn ensure(app: &App) -> Result<(), AppError> {
    let waiting =
        app.read().job_by_key(Key::calendar_watch().as_str()).await?.is_some_and(|j| j.state == JobState::Pending);
    if !waiting {
        app.store.enqueue_all(&[crate::jobs::op(&CalendarWatch::default(), app.now())]).await?;
    }
    Ok(())
}

/// The next daily run after `now`.
fn next_run(now: Timestamp) -> Timestamp {
    let today = now.date_naive().and_time(RUN_AT_UTC).and_utc();
    if today > now {
        today
    } else {
        today + Duration::days(1)
    }
}

impl Job for CalendarWatch {
    const KIND: JobKind = JobKind::CalendarWatch;

    fn key(&self) -> Key {
        Key::calendar_watch()
    }

    async fn run(mut self, app: &App) -> Result<(), JobError> {
        let due = warnings(app);
        let mut ops = Vec::new();
        if due
            .iter()
            .any(|w| !self.alerted.contains(Key::calendar_schedule_alert(&w.calendar, w.official_until).as_str()))
        {
            let admins: Vec<_> = app
                .read()
                .users()
                .await?
                .into_iter()
                .filter(|u| u.active && u.role == Role::Admin)
                .map(|u| u.id)
                .collect();
            for w in &due {
                let key = Key::calendar_schedule_alert(&w.calendar, w.official_until);
                if self.alerted.insert(key.to_string()) {
                    tracing::warn!(calendar = %w.calendar, until = %w.official_until, "official holiday schedule ends soon");
                    let to = Recipients { users: admins.clone(), ..Recipients::default() };
                    let notice =
                        StaffNotice { ticket_id: None, alert: StaffAlert::CalendarSchedule, to, text: w.message() };
                    ops.push(crate::jobs::op(&NotifyStaff::keyed(notice, key), app.now()));
                }
            }
        }
        ops.push(crate::jobs::op(&self, next_run(app.now())));
        app.store.enqueue_all(&ops).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn runs_daily_at_nine_in_beijing() {
        let at = |d, h| chrono::Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        assert_eq!(next_run(at(7, 0)), at(7, 1));
        assert_eq!(next_run(at(7, 1)), at(8, 1));
        assert_eq!(next_run(at(7, 23)), at(8, 1));
    }

    #[test]
    fn the_shipped_calendar_warns_in_december_2026() {
        let cfg = super::super::SlaConfig::default();
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap();
        let w = warnings_at(&cfg, now);
        assert_eq!(w.len(), 1, "the default calendar; 24x7 has no schedule");
        assert_eq!((w[0].calendar.as_str(), w[0].days_left), ("default", 24));
    }
}
