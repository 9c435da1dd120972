//! Shared by the SLA test files: a ticket story driven through `decide`/`apply`.
// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use loopdesk_core::calendar::Calendars;
use loopdesk_core::event::{apply, decide, Command};
use loopdesk_core::sla::{self, SlaPolicy, TargetKind};
use loopdesk_core::{
    Actor, Channel, Customer, DepartmentId, Event, EventData, Outcome, OutcomeKind, Priority, State, Ticket, TicketId,
    Timestamp, TrackingNo, UserId,
};

/// An instant written in Beijing time.
pub fn bj(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
}

/// A ticket and its timeline, advanced one command at a time.
pub struct Story {
    pub ticket: Ticket,
    pub timeline: Vec<Event>,
}

impl Story {
    pub fn new(priority: Priority, channel: Channel, received: Timestamp, recorded: Timestamp) -> Story {
        let mut ticket = Ticket::draft(channel, "空调不制冷".into(), Customer::default(), received, recorded);
        ticket.id = TicketId(1);
        ticket.tracking_no = TrackingNo::new(ticket.id, received);
        ticket.category = Some("product_quality".into());
        ticket.priority = priority;
        let created = Event {
            ticket_id: ticket.id,
            seq: 0,
            at: recorded,
            actor: Actor::System,
            state_before: None,
            state_after: State::New,
            data: EventData::Created { ticket: Box::new(ticket.clone()) },
        };
        let mut story = Story { ticket, timeline: vec![] };
        story.push(created);
        story
    }

    pub fn opened(priority: Priority, at: Timestamp) -> Story {
        Story::new(priority, Channel::Web, at, at)
    }

    pub fn push(&mut self, ev: Event) {
        apply(&mut self.ticket, &ev);
        self.timeline.push(ev);
    }

    pub fn act(&mut self, at: Timestamp, cmd: Command) -> &mut Story {
        let agent = Actor::User { id: UserId(9), name: "张伟".into() };
        let ev = decide(&self.ticket, cmd, agent, at).expect("a legal command");
        self.push(ev);
        self
    }

    pub fn assign(&mut self, at: Timestamp, user: i64) -> &mut Story {
        self.act(
            at,
            Command::Assign { department_id: Some(DepartmentId(1)), assignee_id: Some(UserId(user)), reason: None },
        )
    }

    pub fn reply(&mut self, at: Timestamp) -> &mut Story {
        self.act(at, Command::Reply { body: "您好，已收到".into(), files: Vec::new() })
    }

    pub fn clock_with(&self, kind: TargetKind, policy: &SlaPolicy, cals: &Calendars, now: Timestamp) -> sla::Clock {
        let clocks = sla::clocks(&self.ticket, &self.timeline, policy, cals, now).unwrap();
        clocks.into_iter().find(|c| c.target == kind).unwrap()
    }

    pub fn clock(&self, kind: TargetKind, now: Timestamp) -> sla::Clock {
        self.clock_with(kind, &SlaPolicy::default(), &Calendars::default(), now)
    }

    pub fn due_at(&self, now: Timestamp) -> Option<Timestamp> {
        let clocks =
            sla::clocks(&self.ticket, &self.timeline, &SlaPolicy::default(), &Calendars::default(), now).unwrap();
        sla::due_at(&clocks)
    }

    pub fn next_due(&self, now: Timestamp) -> Option<Timestamp> {
        let clocks =
            sla::clocks(&self.ticket, &self.timeline, &SlaPolicy::default(), &Calendars::default(), now).unwrap();
        sla::next_due(&clocks, now)
    }
}

pub fn solved() -> Command {
    Command::Resolve {
        outcome: Outcome {
            kind: OutcomeKind::Solved,
            summary: "更换压缩机".into(),
            unresolved: None,
            reason: None,
            alternative: None,
        },
    }
}
