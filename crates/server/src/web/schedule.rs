//! The console's notice to admins that a calendar's official holiday schedule ends soon or
//! has ended (its later holidays are provisional), on the dashboard and the admin pages.

use super::context::Staff;
use super::i18n::T;
use crate::state::AppState;
use loopdesk_core::access::Permission;
use loopdesk_core::calendar::ScheduleWarning;

/// The notices for `s`, in their language (none for anyone but admins).
pub fn notices(state: &AppState, s: &Staff) -> Vec<String> {
    if !s.can(Permission::Administer) {
        return Vec::new();
    }
    loopdesk_app::sla::schedule_watch::warnings(state).iter().map(|w| text(&s.t, w)).collect()
}

fn text(t: &T, w: &ScheduleWarning) -> String {
    let key = if w.days_left >= 0 { "admin.schedule_ending" } else { "admin.schedule_ended" };
    t.get(key)
        .replace("{calendar}", &w.calendar)
        .replace("{until}", &w.official_until.to_string())
        .replace("{days}", &w.days_left.to_string())
        .replace("{year}", &w.provisional_from.to_string())
}
