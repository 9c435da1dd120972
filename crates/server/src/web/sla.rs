//! SLA clocks for pages, from the configuration in effect (timers' `crate::sla`: the
//! `sla_policy` and `calendars` documents), and the first-response due time the portal
//! promises.

use crate::state::AppState;
use loopdesk_core::calendar::CalendarSpec;
use loopdesk_core::sla::{Clock, ClockState, TargetKind};
use loopdesk_core::{Event, Ticket, Timestamp};
use serde_json::Value;

/// The calendar specs of a `calendars` document (`{"calendars": [spec, ...]}`).
pub fn calendar_specs(body: &Value) -> Result<Vec<CalendarSpec>, String> {
    let list = body.get("calendars").ok_or("the document needs a \"calendars\" list")?;
    serde_json::from_value(list.clone()).map_err(|e| e.to_string())
}

/// Every applicable clock of `ticket` as of now.
pub async fn clocks(state: &AppState, ticket: &Ticket, timeline: &[Event]) -> Vec<Clock> {
    let _ = state.sla.refresh(state.read()).await;
    loopdesk_app::sla::clocks(&state.sla.get(), ticket, timeline, state.now())
        .into_iter()
        .filter(|c| !matches!(c.state, ClockState::NotApplicable))
        .collect()
}

/// When the customer will hear from us at the latest.
pub async fn first_response_due(state: &AppState, ticket: &Ticket, timeline: &[Event]) -> Option<Timestamp> {
    clocks(state, ticket, timeline)
        .await
        .into_iter()
        .find(|c| c.target == TargetKind::FirstResponse)
        .and_then(|c| c.due_at)
}

/// How close an SLA due time is, as a queue cell or a ticket page shows it: a countdown
/// ("剩 3 小时 20 分钟", "超时 1 天 2 小时") with a colour class, the instant itself for the
/// tooltip, and its milliseconds for the page's script, which keeps the countdown running.
pub struct DueView {
    pub ms: i64,
    pub text: String,
    pub at: String,
    /// `due-over` (past), `due-soon` (within [`SOON_HOURS`]) or `due-later`.
    pub class: &'static str,
}

/// Due within this many hours counts as "breaching soon" (the queue's tab and amber cells).
pub const SOON_HOURS: i64 = 4;

impl DueView {
    /// The view of `due` at `now` for the reader `t`.
    pub fn of(t: super::i18n::T, due: Timestamp, now: Timestamp) -> DueView {
        let left = due - now;
        let class = if left < chrono::Duration::zero() {
            "due-over"
        } else if left < chrono::Duration::hours(SOON_HOURS) {
            "due-soon"
        } else {
            "due-later"
        };
        let span = span(t, left.num_minutes().abs());
        let key = if class == "due-over" { "due.over" } else { "due.left" };
        DueView { ms: due.timestamp_millis(), text: t.get(key).replace("{d}", &span), at: t.date(&due), class }
    }
}

/// A duration in whole minutes as its two largest units ("1 天 2 小时", "3 h 20 min").
/// The page's script (`assets/app.js`, `dueSpan`) writes the same.
fn span(t: super::i18n::T, minutes: i64) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let unit = |n: i64, key: &str| t.get(key).replace("{n}", &n.to_string());
    match (d, h) {
        (0, 0) => unit(m, "due.minutes"),
        (0, _) if m == 0 => unit(h, "due.hours"),
        (0, _) => format!("{} {}", unit(h, "due.hours"), unit(m, "due.minutes")),
        (_, 0) => unit(d, "due.days"),
        _ => format!("{} {}", unit(d, "due.days"), unit(h, "due.hours")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::{Lang, T};
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn due_times_read_as_countdowns_in_both_languages() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        let zh = T { lang: Lang::Zh, tz: chrono_tz::Asia::Shanghai };
        let en = T { lang: Lang::En, tz: chrono_tz::Asia::Shanghai };
        let v = DueView::of(zh, now + Duration::minutes(200), now);
        assert_eq!((v.text.as_str(), v.class, v.at.as_str()), ("剩 3 小时 20 分钟", "due-soon", "2026-12-07 13:20"));
        let v = DueView::of(zh, now - Duration::minutes(1440 + 125), now);
        assert_eq!((v.text.as_str(), v.class), ("已超时 1 天 2 小时", "due-over"));
        let v = DueView::of(en, now + Duration::hours(30), now);
        assert_eq!((v.text.as_str(), v.class), ("1 d 6 h left", "due-later"));
        let v = DueView::of(en, now - Duration::minutes(5), now);
        assert_eq!((v.text.as_str(), v.class), ("5 min overdue", "due-over"));
    }
}
