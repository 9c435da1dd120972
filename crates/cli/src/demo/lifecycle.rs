//! Walks a ticket through its life to a target state with the real domain code: every step
//! is a `decide` + `apply`, so the stored row is exactly what its timeline replays to.

use super::catalog::Dept;
use super::draft::{Fill, Topic};
use super::outcomes;
use super::people::{Member, Staff};
use super::replies::{self, say, Pairs};
use super::text::{pick_ref, rendered};
use anyhow::Context;
use loopdesk_core::event::{apply, decide, Command};
use loopdesk_core::ticket::OutcomeKind;
use loopdesk_core::{Actor, Event, EventData, Priority, State, Ticket, Timestamp};
use rand::rngs::StdRng;
use rand::Rng;

/// A minute in seconds (delays are in seconds).
pub(super) const MINUTE: i64 = 60;
/// An hour in seconds.
pub(super) const HOUR: i64 = 60 * MINUTE;
/// A day in seconds.
pub(super) const DAY: i64 = 24 * HOUR;

/// A ticket being walked, its timeline so far and the clock of the walk.
pub struct Walk<'a> {
    pub(super) rng: &'a mut StdRng,
    staff: &'a Staff,
    fill: &'a Fill,
    now: Timestamp,
    ticket: Ticket,
    events: Vec<Event>,
    /// Time of the last event.
    at: Timestamp,
    en: bool,
    /// The department the category routes to.
    dept: Dept,
    /// The last question put to the customer, so the answer fits it.
    asked: Option<replies::Exchange>,
}

impl<'a> Walk<'a> {
    /// Starts the timeline with `created`, recorded by `actor`; the topic says which
    /// department works it and in which language staff write.
    pub fn start(
        rng: &'a mut StdRng,
        staff: &'a Staff,
        fill: &'a Fill,
        now: Timestamp,
        draft: Ticket,
        actor: Actor,
        topic: &Topic,
    ) -> Walk<'a> {
        let at = draft.recorded_at;
        let (dept, en) = (topic.category().dept, topic.lang.is_en());
        let created = Event {
            ticket_id: draft.id,
            seq: 0,
            at,
            actor,
            state_before: None,
            state_after: State::New,
            data: EventData::Created { ticket: Box::new(draft.clone()) },
        };
        let mut ticket = draft;
        apply(&mut ticket, &created);
        let mut events = Vec::with_capacity(6);
        events.push(created);
        Walk { rng, staff, fill, now, ticket, events, at, en, dept, asked: None }
    }

    /// The finished ticket and its timeline.
    pub fn finish(self) -> (Ticket, Vec<Event>) {
        (self.ticket, self.events)
    }

    /// Moves the clock `lo..=hi` seconds on, never past `now` (halving the gap instead).
    pub(super) fn later(&mut self, lo: i64, hi: i64) -> Timestamp {
        let step = chrono::Duration::seconds(self.rng.gen_range(lo..=hi));
        let mut t = self.at + step;
        if t > self.now {
            t = self.at + (self.now - self.at) / 2;
            t = t - chrono::Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos()));
            t = t.max(self.at);
        }
        self.at = t;
        t
    }

    /// Applies `command` by `actor`, `lo..=hi` seconds after the previous event.
    pub(super) fn step(&mut self, command: Command, actor: Actor, lo: i64, hi: i64) -> anyhow::Result<()> {
        let at = self.later(lo, hi);
        self.step_at(command, actor, at)
    }

    /// One phrase in the ticket's language, slots filled.
    fn phrase(&self, (zh, en): (&str, &str)) -> String {
        rendered(if self.en { en } else { zh }, &self.fill.slots(""))
    }

    /// A phrase from `table` in the ticket's language.
    pub(super) fn say(&mut self, table: Pairs) -> String {
        let slots = self.fill.slots("");
        say(self.rng, table, self.en, &slots)
    }

    /// Any agent of `dept`.
    pub(super) fn agent_of(&mut self, dept: Dept) -> Member {
        pick_ref(self.rng, &self.staff.agents[dept.index()]).clone()
    }

    /// Any supervisor.
    pub(super) fn supervisor(&mut self) -> Member {
        pick_ref(self.rng, &self.staff.supervisors).clone()
    }

    /// The assignee, or an agent of the routed department when nobody is assigned yet.
    pub(super) fn worker(&mut self) -> Actor {
        let Some(id) = self.ticket.assignee_id else {
            return self.agent_of(self.dept).actor();
        };
        let name = self.staff.agents.iter().flatten().find(|m| m.id == id).map_or_else(String::new, |m| m.name.clone());
        Actor::User { id, name }
    }

    /// Scales a delay by priority: urgent work moves fast, low waits.
    fn pace(&self) -> i64 {
        match self.ticket.priority {
            Priority::Urgent => 1,
            Priority::High => 3,
            Priority::Medium => 6,
            Priority::Low => 10,
        }
    }

    /// Routes to the category's department: mostly by rule, sometimes by a supervisor.
    pub fn assign(&mut self, with_agent: bool) -> anyhow::Result<()> {
        let dept = self.dept;
        let assignee = with_agent.then(|| self.agent_of(dept));
        let (actor, reason) = if self.rng.gen_ratio(7, 10) {
            let reason = format!(
                "routing rule: category {} → {}",
                self.ticket.category.as_deref().unwrap_or("other"),
                dept.name()
            );
            (Actor::System, Some(reason))
        } else {
            (self.supervisor().actor(), None)
        };
        let command = Command::Assign {
            department_id: Some(self.staff.depts[dept.index()]),
            assignee_id: assignee.map(|m| m.id),
            reason,
        };
        let pace = self.pace();
        self.step(command, actor, MINUTE, pace * 20 * MINUTE)
    }

    /// The assignee accepts (sometimes later than the 15-minute target).
    pub fn acknowledge(&mut self) -> anyhow::Result<()> {
        let actor = self.worker();
        self.step(Command::Acknowledge, actor, 30, 25 * MINUTE)
    }

    /// A public reply to the customer.
    pub fn reply(&mut self) -> anyhow::Result<()> {
        let body = self.say(replies::FIRST_REPLIES);
        let actor = self.worker();
        let pace = self.pace();
        self.step(Command::Reply { body, files: Vec::new() }, actor, 5 * MINUTE, pace * 4 * HOUR)
    }

    /// Asks the customer for details: about the device, or about the order or what happened.
    pub fn request_info(&mut self) -> anyhow::Result<()> {
        let device = matches!(self.ticket.category.as_deref(), Some("technical" | "product_quality"));
        let table = if device { replies::DEVICE_QUESTIONS } else { replies::ORDER_QUESTIONS };
        let exchange = *pick_ref(self.rng, table);
        self.asked = Some(exchange);
        let message = self.phrase(exchange.0);
        let actor = self.worker();
        self.step(Command::RequestInfo { message }, actor, 10 * MINUTE, 8 * HOUR)
    }

    /// The customer answers the question asked.
    pub fn provide_info(&mut self) -> anyhow::Result<()> {
        let answer = self.asked.map_or(("好的", "OK."), |e| e.1);
        let body = self.phrase(answer);
        self.step(Command::ProvideInfo { body }, Actor::Customer, HOUR, 3 * DAY)
    }

    /// The plan goes to a supervisor.
    pub fn request_approval(&mut self) -> anyhow::Result<()> {
        let plan = self.say(replies::PLANS);
        let actor = self.worker();
        self.step(
            Command::RequestApproval { plan, reasons: vec![loopdesk_core::approval::ApprovalReason::Cost] },
            actor,
            30 * MINUTE,
            10 * HOUR,
        )
    }

    /// A supervisor approves.
    pub fn decide_approval(&mut self) -> anyhow::Result<()> {
        let comment = Some(self.say(replies::APPROVALS));
        let actor = self.supervisor().actor();
        let command = Command::DecideApproval { approved: true, comment };
        self.step(command, actor, 20 * MINUTE, DAY)
    }

    /// An internal note.
    pub fn note(&mut self) -> anyhow::Result<()> {
        let body = self.say(replies::NOTES);
        let actor = self.worker();
        self.step(Command::Note { body }, actor, 5 * MINUTE, 6 * HOUR)
    }

    /// Another department's agent joins.
    pub fn add_collaborator(&mut self) -> anyhow::Result<()> {
        let other = Dept::ALL[(self.dept.index() + 1) % Dept::ALL.len()];
        let helper = self.agent_of(other);
        let actor = self.worker();
        self.step(Command::AddCollaborator { user_id: helper.id }, actor, 10 * MINUTE, 4 * HOUR)
    }

    /// Records the outcome; most are solved.
    pub fn resolve(&mut self) -> anyhow::Result<()> {
        let kind = match self.rng.gen_range(0..100) {
            0..=84 => OutcomeKind::Solved,
            85..=94 => OutcomeKind::PartiallySolved,
            _ => OutcomeKind::Unable,
        };
        let category = self.ticket.category.as_deref().unwrap_or_default();
        let subtag = self.ticket.subtags.first().map_or("", String::as_str);
        let slots = self.fill.slots("");
        let outcome = outcomes::outcome(self.rng, kind, (category, subtag), self.en, &slots);
        let actor = self.worker();
        let pace = self.pace();
        self.step(Command::Resolve { outcome }, actor, 20 * MINUTE, pace * 12 * HOUR)
    }

    /// Applies `command` at exactly `at` (already on the walk's clock).
    pub(super) fn step_at(&mut self, command: Command, actor: Actor, at: Timestamp) -> anyhow::Result<()> {
        let event = decide(&self.ticket, command, actor, at)
            .with_context(|| format!("demo ticket {} in state {}", self.ticket.id, self.ticket.state))?;
        apply(&mut self.ticket, &event);
        self.events.push(event);
        Ok(())
    }
}
