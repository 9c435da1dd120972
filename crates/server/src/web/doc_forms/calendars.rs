//! One business calendar as a form: its zone, round-the-clock switch, a week grid of
//! working hours (each weekday's spans, `09:00-12:00, 13:30-18:00`; blank is a day off),
//! the standard working day, the statutory rule for years without an official schedule,
//! and the holiday list — listed days (imported official schedules and days added by hand)
//! can be removed here, provisional days computed by rule are shown for reference. Adding
//! a day and importing a schedule keep their own forms; the other calendars and every
//! listed day not removed stay as they are.

use super::Fields;
use crate::web::i18n::T;
use chrono::{Datelike, NaiveDate};
use loopdesk_core::calendar::{CalendarSpec, DayKind, HolidayRule, Span, SpecialDay, WeekHours};

/// Weekday keys of the grid, Monday first.
pub const WEEK: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A weekday row of the grid.
pub struct DayRow {
    pub key: &'static str,
    pub label: String,
    pub hours: String,
    pub error: Option<String>,
}

/// A listed or provisional day.
pub struct HolidayRow {
    pub date: String,
    pub weekday: String,
    pub kind: &'static str,
    pub name: String,
    pub remove: bool,
}

/// The form as the page shows it.
pub struct CalendarForm {
    pub calendar: String,
    pub calendars: Vec<String>,
    pub time_zone: String,
    pub zone_error: Option<String>,
    pub always_open: bool,
    pub week: Vec<DayRow>,
    pub workday_hours: String,
    pub workday_error: Option<String>,
    pub holiday_rule: String,
    pub days: Vec<HolidayRow>,
    pub provisional: Vec<HolidayRow>,
    pub general: Option<String>,
}

fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// The fields of calendar `spec`.
pub fn fields(spec: &CalendarSpec) -> Fields {
    let mut f = Fields::default();
    f.set("calendar", spec.name.clone());
    f.set("time_zone", spec.time_zone.clone());
    if spec.always_open {
        f.set("always_open", "on");
    }
    for (key, (_, spans)) in WEEK.iter().zip(spec.week.days()) {
        f.set(format!("week.{key}"), spans_text(spans));
    }
    f.set("workday_hours", spans_text(&spec.workday_hours));
    f.set("holiday_rule", spec.holiday_rule.as_str());
    f
}

fn spans(f: &mut Fields, t: &T, name: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for part in super::list(f.v(name)) {
        match Span::parse(&part) {
            Ok(s) => out.push(s),
            Err(_) => {
                f.refuse(name, t.get("form.err_hours").replace("{value}", &part));
                return Vec::new();
            }
        }
    }
    out
}

/// `spec` with the posted fields applied; `None` when a field was refused.
pub fn apply(mut spec: CalendarSpec, f: &mut Fields, t: &T) -> Option<CalendarSpec> {
    let zone = f.v("time_zone").trim().to_string();
    if zone.parse::<chrono_tz::Tz>().is_err() {
        f.refuse("time_zone", t.get("form.err_zone"));
    }
    spec.time_zone = zone;
    spec.always_open = f.checked("always_open");
    let mut week = WeekHours::default();
    for key in WEEK {
        let hours = spans(f, t, &format!("week.{key}"));
        let slot = match key {
            "mon" => &mut week.mon,
            "tue" => &mut week.tue,
            "wed" => &mut week.wed,
            "thu" => &mut week.thu,
            "fri" => &mut week.fri,
            "sat" => &mut week.sat,
            _ => &mut week.sun,
        };
        *slot = hours;
    }
    spec.week = week;
    spec.workday_hours = spans(f, t, "workday_hours");
    if spec.workday_hours.is_empty() && f.err("workday_hours").is_none() {
        f.refuse("workday_hours", t.get("form.err_required"));
    }
    spec.holiday_rule = HolidayRule::parse(f.v("holiday_rule")).unwrap_or_default();
    spec.days.retain(|d| !f.checked(&format!("remove.{}", d.date)));
    (!f.has_errors()).then_some(spec)
}

fn row(t: &T, d: &SpecialDay, remove: bool) -> HolidayRow {
    HolidayRow {
        date: d.date.to_string(),
        weekday: t.name("weekday", &d.date.weekday().num_days_from_monday().to_string()),
        kind: d.kind.as_str(),
        name: d.name.clone(),
        remove,
    }
}

/// The form as shown from `f` for calendar `spec` (its listed days), on `today`.
pub fn view(f: &Fields, t: &T, spec: &CalendarSpec, calendars: Vec<String>, today: NaiveDate) -> CalendarForm {
    let week = WEEK
        .into_iter()
        .enumerate()
        .map(|(i, key)| DayRow {
            key,
            label: t.name("weekday", &i.to_string()),
            hours: f.v(&format!("week.{key}")).to_string(),
            error: f.err(&format!("week.{key}")),
        })
        .collect();
    // Recent and coming days only: years of history would bury the ones that matter.
    let from = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today);
    let days = spec
        .days
        .iter()
        .filter(|d| d.date >= from)
        .map(|d| row(t, d, f.checked(&format!("remove.{}", d.date))))
        .collect();
    let through = spec.export_through(today);
    let provisional = spec
        .provisional_days(through)
        .iter()
        .filter(|d| d.date >= today && d.kind == DayKind::HolidayProvisional)
        .map(|d| row(t, d, false))
        .collect();
    CalendarForm {
        calendar: spec.name.clone(),
        calendars,
        time_zone: f.v("time_zone").to_string(),
        zone_error: f.err("time_zone"),
        always_open: f.checked("always_open"),
        week,
        workday_hours: f.v("workday_hours").to_string(),
        workday_error: f.err("workday_hours"),
        holiday_rule: f.v("holiday_rule").to_string(),
        days,
        provisional,
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_week_grid_round_trips_and_refuses_bad_hours() {
        let t = T { lang: crate::web::i18n::Lang::En, tz: crate::web::i18n::DEFAULT_TZ };
        let spec = CalendarSpec::china("default");
        let mut f = fields(&spec);
        assert_eq!(apply(spec.clone(), &mut f, &t), Some(spec.clone()));
        f.set("week.sat", "10:00-14:00");
        let first = spec.days[0].date;
        f.set(format!("remove.{first}"), "on");
        let changed = apply(spec.clone(), &mut f, &t).unwrap();
        assert_eq!(spans_text(&changed.week.sat), "10:00-14:00");
        assert_eq!(changed.days.len(), spec.days.len() - 1);
        f.set("week.mon", "9-18");
        assert_eq!(apply(spec, &mut f, &t), None);
        assert!(f.err("week.mon").unwrap().contains("9-18"));
    }
}
