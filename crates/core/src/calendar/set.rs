//! The calendars SLA targets refer to by name.

use super::Calendar;
use std::collections::BTreeMap;

/// Name of the default business calendar (mainland China, working hours).
pub const DEFAULT_CALENDAR: &str = "default";
/// Name of the round-the-clock calendar.
pub const ALWAYS_OPEN_CALENDAR: &str = "24x7";

/// Compiled calendars by name.
#[derive(Debug, Clone)]
pub struct Calendars {
    by_name: BTreeMap<String, Calendar>,
}

impl Calendars {
    /// An empty set.
    pub fn empty() -> Calendars {
        Calendars { by_name: BTreeMap::new() }
    }

    /// Adds or replaces the calendar of the same name.
    pub fn insert(&mut self, calendar: Calendar) {
        self.by_name.insert(calendar.name().to_string(), calendar);
    }

    /// The calendar called `name`.
    pub fn get(&self, name: &str) -> Option<&Calendar> {
        self.by_name.get(name)
    }

    /// Every calendar, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Calendar> {
        self.by_name.values()
    }
}

impl Default for Calendars {
    /// [`DEFAULT_CALENDAR`] (China) and [`ALWAYS_OPEN_CALENDAR`] (24×7).
    fn default() -> Calendars {
        let mut set = Calendars::empty();
        set.insert(Calendar::china());
        set.insert(Calendar::always_open());
        set
    }
}
