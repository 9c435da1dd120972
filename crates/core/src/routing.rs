//! Routing and assignment, as data and pure decisions.
//!
//! [`RoutingRules`] (the `routing_rules` document) map what a ticket is about — category,
//! sub-tag, product line, channel, language, customer tier, priority — to departments: the
//! first rule that matches owns the ticket. An urgent ticket also involves the departments
//! of every other matching rule, so all of them are alerted at once (cross-department
//! linkage). [`Staffing`] (the `staffing` document) says who works where, with which skills,
//! on which calendar, and when they are on leave. [`choose_agent`] then picks, inside the
//! owning department, an agent who has the rule's skills, is on duty now (the instant is
//! working time on the department's calendar) and is not on leave, with the lowest load:
//! the sum of [`load_weight`] over their open tickets (urgent 8, high 4, medium 2, low 1).
//! Ties go to the fewest open tickets, then the lowest user id, so the choice is
//! deterministic.

use crate::calendar::{Calendars, DEFAULT_CALENDAR};
use crate::{Channel, CustomerTier, DepartmentId, Priority, Ticket, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A routing or staffing document failed validation; `field` is the path inside it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError { field: field.into(), message: message.into() }
}

/// What a rule matches on; an empty list matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Match {
    pub categories: Vec<String>,
    /// Any of the ticket's sub-tags.
    pub subtags: Vec<String>,
    /// Product lines: the ticket's product name contains one of these (case-insensitive).
    pub products: Vec<String>,
    pub channels: Vec<Channel>,
    /// `zh`, `en`, `mixed`, as triage detects them.
    pub languages: Vec<String>,
    pub tiers: Vec<CustomerTier>,
    pub priorities: Vec<Priority>,
}

fn any_or<T: PartialEq>(list: &[T], value: Option<&T>) -> bool {
    list.is_empty() || value.is_some_and(|v| list.contains(v))
}

impl Match {
    /// Whether `ticket` meets every non-empty condition.
    pub fn matches(&self, ticket: &Ticket) -> bool {
        let product = ticket.product.product.as_deref().unwrap_or("").to_lowercase();
        let language = ticket.triage.as_ref().map(|t| t.language.clone());
        any_or(&self.categories, ticket.category.as_ref())
            && (self.subtags.is_empty() || ticket.subtags.iter().any(|s| self.subtags.contains(s)))
            && (self.products.is_empty()
                || self.products.iter().any(|p| !product.is_empty() && product.contains(&p.to_lowercase())))
            && any_or(&self.channels, Some(&ticket.channel))
            && any_or(&self.languages, language.as_ref())
            && any_or(&self.tiers, Some(&ticket.customer.tier))
            && any_or(&self.priorities, Some(&ticket.priority))
    }
}

/// One rule: when it matches, its first department owns the ticket and the others
/// collaborate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutingRule {
    pub name: String,
    #[serde(default)]
    pub when: Match,
    pub departments: Vec<DepartmentId>,
    /// Skills the assignee must have (all of them).
    #[serde(default)]
    pub skills: Vec<String>,
}

/// The ordered rules; the first match wins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutingRules {
    pub rules: Vec<RoutingRule>,
    /// Owner when no rule matches; the ticket waits unrouted when absent.
    #[serde(default)]
    pub fallback_department: Option<DepartmentId>,
}

/// Where a ticket goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The rule that decided; `None` for the fallback.
    pub rule: Option<String>,
    pub department: DepartmentId,
    /// Other departments involved (urgent tickets: every matching rule's).
    pub involved: Vec<DepartmentId>,
    pub skills: Vec<String>,
}

impl RoutingRules {
    /// The route for `ticket`, or `None` when nothing matches and there is no fallback.
    pub fn route(&self, ticket: &Ticket) -> Option<Route> {
        let mut matching = self.rules.iter().filter(|r| r.when.matches(ticket));
        let Some(first) = matching.next() else {
            return self.fallback_department.map(|d| Route {
                rule: None,
                department: d,
                involved: vec![],
                skills: vec![],
            });
        };
        let mut departments: Vec<DepartmentId> = first.departments.clone();
        if ticket.priority == Priority::Urgent {
            departments.extend(matching.flat_map(|r| r.departments.iter().copied()));
        }
        let mut seen = BTreeSet::new();
        departments.retain(|d| seen.insert(*d));
        Some(Route {
            rule: Some(first.name.clone()),
            department: departments[0],
            involved: departments[1..].to_vec(),
            skills: first.skills.clone(),
        })
    }

    /// Checks names and that every department named is in `departments`.
    pub fn validate(&self, departments: &[DepartmentId]) -> Result<(), ConfigError> {
        let known = |d: &DepartmentId| departments.contains(d);
        for (i, r) in self.rules.iter().enumerate() {
            if r.name.trim().is_empty() || r.name.chars().count() > 100 {
                return Err(invalid(format!("rules[{i}].name"), "must be 1 to 100 characters"));
            }
            if r.departments.is_empty() {
                return Err(invalid(format!("rules[{i}].departments"), "name at least one department"));
            }
            if let Some(d) = r.departments.iter().find(|d| !known(d)) {
                return Err(invalid(format!("rules[{i}].departments"), format!("no department {d}")));
            }
        }
        match self.fallback_department {
            Some(d) if !known(&d) => Err(invalid("fallback_department", format!("no department {d}"))),
            _ => Ok(()),
        }
    }
}

/// A period an agent is away, `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leave {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub from: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub until: Timestamp,
}

/// One agent's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentProfile {
    pub user_id: UserId,
    pub department_id: DepartmentId,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub leave: Vec<Leave>,
    /// Calendar of this agent's duty hours; the department's when absent.
    #[serde(default)]
    pub calendar: Option<String>,
}

impl AgentProfile {
    /// Whether a leave period covers `at`.
    pub fn on_leave(&self, at: Timestamp) -> bool {
        self.leave.iter().any(|l| l.from <= at && at < l.until)
    }
}

/// A department's duty calendar and supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentStaffing {
    pub department_id: DepartmentId,
    #[serde(default = "default_calendar")]
    pub calendar: String,
    /// Who is told about late acknowledgements, escalations and approvals.
    #[serde(default)]
    pub supervisor_id: Option<UserId>,
}

fn default_calendar() -> String {
    DEFAULT_CALENDAR.to_string()
}

/// Who works where and when (the `staffing` document).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Staffing {
    #[serde(default)]
    pub departments: Vec<DepartmentStaffing>,
    #[serde(default)]
    pub agents: Vec<AgentProfile>,
}

impl Staffing {
    /// The calendar name agents of `department` are on duty by.
    pub fn calendar_of(&self, department: DepartmentId) -> &str {
        self.departments.iter().find(|d| d.department_id == department).map_or(DEFAULT_CALENDAR, |d| &d.calendar)
    }

    /// The supervisor of `department`, if one is named.
    pub fn supervisor_of(&self, department: DepartmentId) -> Option<UserId> {
        self.departments.iter().find(|d| d.department_id == department).and_then(|d| d.supervisor_id)
    }

    /// Checks calendars, departments and users named, leave periods and duplicates.
    pub fn validate(
        &self,
        calendars: &Calendars,
        departments: &[DepartmentId],
        users: &[UserId],
    ) -> Result<(), ConfigError> {
        let mut seen = BTreeSet::new();
        for (i, d) in self.departments.iter().enumerate() {
            let at = |f: &str| format!("departments[{i}].{f}");
            if !departments.contains(&d.department_id) || !seen.insert(d.department_id) {
                return Err(invalid(at("department_id"), "unknown or listed twice"));
            }
            if calendars.get(&d.calendar).is_none() {
                return Err(invalid(at("calendar"), format!("no calendar {:?}", d.calendar)));
            }
            if d.supervisor_id.is_some_and(|u| !users.contains(&u)) {
                return Err(invalid(at("supervisor_id"), "no such user"));
            }
        }
        let mut seen = BTreeSet::new();
        for (i, a) in self.agents.iter().enumerate() {
            let at = |f: &str| format!("agents[{i}].{f}");
            if !users.contains(&a.user_id) || !seen.insert(a.user_id) {
                return Err(invalid(at("user_id"), "unknown or listed twice"));
            }
            if !departments.contains(&a.department_id) {
                return Err(invalid(at("department_id"), "no such department"));
            }
            if a.calendar.as_ref().is_some_and(|c| calendars.get(c).is_none()) {
                return Err(invalid(at("calendar"), "no such calendar"));
            }
            if let Some(j) = a.leave.iter().position(|l| l.until <= l.from) {
                return Err(invalid(format!("agents[{i}].leave[{j}].until"), "must be after from"));
            }
            if a.skills.iter().any(|s| s.trim().is_empty() || s.len() > 64) {
                return Err(invalid(at("skills"), "skills are 1 to 64 characters"));
            }
        }
        Ok(())
    }
}

/// Weight of one open ticket of `priority` in an agent's load.
pub fn load_weight(priority: Priority) -> u32 {
    match priority {
        Priority::Urgent => 8,
        Priority::High => 4,
        Priority::Medium => 2,
        Priority::Low => 1,
    }
}

/// An agent's open work: weighted load and ticket count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Load {
    pub weighted: u32,
    pub tickets: u32,
}

impl Load {
    /// Adds `n` open tickets of `priority`.
    pub fn add(&mut self, priority: Priority, n: u32) {
        self.weighted += load_weight(priority) * n;
        self.tickets += n;
    }
}

/// What [`choose_agent`] needs to know.
pub struct AgentQuery<'a> {
    pub department: DepartmentId,
    pub skills: &'a [String],
    pub now: Timestamp,
    /// Agents who may not get the ticket (e.g. the one who let it wait).
    pub exclude: &'a [UserId],
}

/// The agent who should get the ticket, or `None` when nobody in the department qualifies.
pub fn choose_agent(
    staffing: &Staffing,
    calendars: &Calendars,
    loads: &BTreeMap<UserId, Load>,
    q: &AgentQuery<'_>,
) -> Option<UserId> {
    let dept_calendar = staffing.calendar_of(q.department);
    staffing
        .agents
        .iter()
        .filter(|a| a.department_id == q.department && !q.exclude.contains(&a.user_id))
        .filter(|a| q.skills.iter().all(|s| a.skills.contains(s)))
        .filter(|a| !a.on_leave(q.now))
        .filter(|a| {
            let name = a.calendar.as_deref().unwrap_or(dept_calendar);
            calendars.get(name).is_some_and(|c| c.is_working(q.now))
        })
        .map(|a| {
            let l = loads.get(&a.user_id).copied().unwrap_or_default();
            (l.weighted, l.tickets, a.user_id)
        })
        .min()
        .map(|(_, _, id)| id)
}

#[cfg(test)]
mod tests;
