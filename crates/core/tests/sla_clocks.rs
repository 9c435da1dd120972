//! SLA clocks driven by real timelines and a controllable `now`: breaches at the exact
//! minute across a weekend and Spring Festival, pauses, extensions, reassignment.

use chrono::Duration;
use loopdesk_core::calendar::Calendars;
use loopdesk_core::event::Command;
use loopdesk_core::sla::{self, ClockState, SlaPolicy, TargetKind};
use loopdesk_core::{Channel, Priority};
use support::{bj, solved, Story};

mod support;

#[test]
fn first_response_breaches_at_the_exact_minute_across_a_weekend() {
    // Medium: 2 working days = 18 h. Friday 16:00 → Fri 2 h, Mon 9 h, Tue 7 h → Tue 16:00.
    let mut s = Story::opened(Priority::Medium, bj(2025, 11, 21, 16, 0));
    s.assign(bj(2025, 11, 21, 16, 0), 9).act(bj(2025, 11, 21, 16, 10), Command::Acknowledge);
    let before = s.clock(TargetKind::FirstResponse, bj(2025, 11, 25, 15, 59));
    assert_eq!(before.state, ClockState::Running);
    assert_eq!(before.due_at, Some(bj(2025, 11, 25, 16, 0)));
    assert_eq!(before.remaining, Duration::minutes(1));
    // 80 % of 18 h = 14 h 24 min: Fri 2 h + Mon 9 h + Tue 3 h 24 min.
    assert_eq!(before.warn_at, Some(bj(2025, 11, 25, 12, 24)));
    assert!(before.warning);
    let at = s.clock(TargetKind::FirstResponse, bj(2025, 11, 25, 16, 0));
    assert_eq!(at.state, ClockState::Breached);
    assert_eq!(at.remaining, Duration::zero());
    // The timer: warn first, then the breach.
    assert_eq!(s.next_due(bj(2025, 11, 24, 10, 0)), Some(bj(2025, 11, 25, 12, 24)));
    assert_eq!(s.next_due(bj(2025, 11, 25, 12, 24)), Some(bj(2025, 11, 25, 16, 0)));
    let ack = s.clock(TargetKind::Acknowledge, bj(2025, 11, 25, 16, 0));
    assert_eq!((ack.state, ack.used), (ClockState::Met, Duration::minutes(10)));
}

#[test]
fn result_breaches_at_the_exact_minute_across_spring_festival_2026() {
    // High: first response 1 working day; created Fri 13 Feb 17:00 → Fri 1 h + Sat 14
    // (make-up day) 8 h → Sat 17:00.
    let mut s = Story::opened(Priority::High, bj(2026, 2, 13, 17, 0));
    let first = s.clock(TargetKind::FirstResponse, bj(2026, 2, 13, 17, 0));
    assert_eq!(first.due_at, Some(bj(2026, 2, 14, 17, 0)));
    s.assign(bj(2026, 2, 13, 17, 5), 9)
        .act(bj(2026, 2, 13, 17, 10), Command::Acknowledge)
        .reply(bj(2026, 2, 14, 10, 0));
    // Result: 3 working days (27 h) from the first response, Sat 14 10:00: Sat 8 h, the
    // break 15–23 Feb, Tue 24 9 h, Wed 25 9 h, Thu 26 1 h → Thu 26 Feb 10:00.
    let running = s.clock(TargetKind::Result, bj(2026, 2, 26, 9, 59));
    assert_eq!(running.state, ClockState::Running);
    assert_eq!(running.due_at, Some(bj(2026, 2, 26, 10, 0)));
    assert_eq!(running.used, Duration::hours(27) - Duration::minutes(1));
    let breached = s.clock(TargetKind::Result, bj(2026, 2, 26, 10, 0));
    assert_eq!(breached.state, ClockState::Breached);
    // During the holiday no working time passes.
    let mid = s.clock(TargetKind::Result, bj(2026, 2, 18, 12, 0));
    assert_eq!(mid.used, Duration::hours(8));
    s.act(bj(2026, 2, 26, 9, 30), solved());
    let met = s.clock(TargetKind::Result, bj(2026, 3, 2, 9, 0));
    assert_eq!((met.state, met.stopped_at), (ClockState::Met, Some(bj(2026, 2, 26, 9, 30))));
    assert_eq!(s.next_due(bj(2026, 3, 2, 9, 0)), None);
}

#[test]
fn awaiting_the_customer_pauses_and_resuming_moves_the_due_time() {
    // Medium result: 7 working days from the first response (Mon 17 Nov 10:00).
    let mut s = Story::opened(Priority::Medium, bj(2025, 11, 17, 9, 0));
    s.assign(bj(2025, 11, 17, 9, 0), 9)
        .act(bj(2025, 11, 17, 9, 5), Command::Acknowledge)
        .reply(bj(2025, 11, 17, 10, 0));
    let due_before = s.clock(TargetKind::Result, bj(2025, 11, 17, 10, 0)).due_at;
    assert_eq!(due_before, Some(bj(2025, 11, 26, 10, 0)));
    s.act(bj(2025, 11, 18, 10, 0), Command::RequestInfo { message: "请提供购买凭证".into() });
    let paused = s.clock(TargetKind::Result, bj(2025, 11, 20, 15, 0));
    assert_eq!(paused.state, ClockState::Paused);
    assert_eq!((paused.used, paused.due_at), (Duration::hours(9), None));
    assert_eq!(s.next_due(bj(2025, 11, 20, 15, 0)), None, "paused clocks do not wake the timer");
    // Two working days (Tue 10:00 → Thu 10:00) later the customer answers.
    s.act(bj(2025, 11, 20, 10, 0), Command::ProvideInfo { body: "发票已上传".into() });
    let resumed = s.clock(TargetKind::Result, bj(2025, 11, 20, 15, 0));
    assert_eq!(resumed.state, ClockState::Running);
    assert_eq!(resumed.used, Duration::hours(9 + 5));
    assert_eq!(resumed.due_at, Some(bj(2025, 11, 28, 10, 0)));
}

#[test]
fn an_extension_moves_the_due_time_and_later_pauses_still_count() {
    let mut s = Story::opened(Priority::Medium, bj(2025, 11, 17, 9, 0));
    s.assign(bj(2025, 11, 17, 9, 0), 9)
        .act(bj(2025, 11, 17, 9, 5), Command::Acknowledge)
        .reply(bj(2025, 11, 17, 10, 0));
    let until = bj(2025, 12, 3, 18, 0);
    s.act(bj(2025, 11, 25, 11, 0), Command::Extend { target: "result".into(), until, reason: "等待第三方配件".into() });
    let c = s.clock(TargetKind::Result, bj(2025, 11, 26, 10, 0));
    assert_eq!((c.state, c.due_at, c.extended), (ClockState::Running, Some(until), true));
    assert_eq!(s.clock(TargetKind::Result, until).state, ClockState::Breached);
    // A pause after the extension pushes the new date by the paused working time.
    s.act(bj(2025, 12, 1, 9, 0), Command::RequestInfo { message: "请确认上门时间".into() })
        .act(bj(2025, 12, 2, 9, 0), Command::ProvideInfo { body: "周四下午".into() });
    let c = s.clock(TargetKind::Result, bj(2025, 12, 2, 9, 0));
    assert_eq!(c.due_at, Some(bj(2025, 12, 4, 18, 0)));
}

#[test]
fn reassigning_restarts_the_acknowledge_clock() {
    let mut s = Story::opened(Priority::High, bj(2025, 11, 18, 10, 0));
    s.assign(bj(2025, 11, 18, 10, 0), 9);
    assert_eq!(s.next_due(bj(2025, 11, 18, 10, 0)), Some(bj(2025, 11, 18, 10, 12)));
    let late = s.clock(TargetKind::Acknowledge, bj(2025, 11, 18, 10, 15));
    assert_eq!((late.state, late.due_at), (ClockState::Breached, Some(bj(2025, 11, 18, 10, 15))));
    s.assign(bj(2025, 11, 18, 10, 20), 10);
    let fresh = s.clock(TargetKind::Acknowledge, bj(2025, 11, 18, 10, 21));
    assert_eq!((fresh.state, fresh.due_at), (ClockState::Running, Some(bj(2025, 11, 18, 10, 35))));
    s.act(bj(2025, 11, 18, 10, 30), Command::Acknowledge);
    let met = s.clock(TargetKind::Acknowledge, bj(2025, 11, 18, 11, 0));
    assert_eq!((met.state, met.used), (ClockState::Met, Duration::minutes(10)));
}

#[test]
fn urgent_clocks_run_round_the_clock() {
    // Saturday 23:00: first response due 01:00 Sunday, result 24 h later.
    let mut s = Story::opened(Priority::Urgent, bj(2025, 11, 22, 23, 0));
    let first = s.clock(TargetKind::FirstResponse, bj(2025, 11, 22, 23, 30));
    assert_eq!((first.due_at, first.calendar.as_str()), (Some(bj(2025, 11, 23, 1, 0)), "24x7"));
    let result = s.clock(TargetKind::Result, bj(2025, 11, 22, 23, 30));
    assert_eq!(result.due_at, Some(bj(2025, 11, 23, 23, 0)));
    s.assign(bj(2025, 11, 22, 23, 1), 9);
    assert_eq!(s.clock(TargetKind::Acknowledge, bj(2025, 11, 22, 23, 16)).state, ClockState::Breached);
}

#[test]
fn intake_timeliness_depends_on_the_channel() {
    let phone = |recorded| Story::new(Priority::Low, Channel::Phone, bj(2025, 11, 18, 10, 0), recorded);
    let on_time = phone(bj(2025, 11, 18, 10, 30)).clock(TargetKind::Intake, bj(2025, 11, 19, 0, 0));
    assert_eq!(on_time.state, ClockState::Met);
    let late = phone(bj(2025, 11, 18, 10, 31)).clock(TargetKind::Intake, bj(2025, 11, 19, 0, 0));
    assert_eq!((late.state, late.used), (ClockState::Breached, Duration::minutes(31)));
    // A web form must be confirmed within 5 working minutes; a night-time form at opening.
    let web = Story::new(Priority::Low, Channel::Web, bj(2025, 11, 18, 23, 0), bj(2025, 11, 19, 9, 4));
    assert_eq!(web.clock(TargetKind::Intake, bj(2025, 11, 19, 10, 0)).state, ClockState::Met);
}

#[test]
fn approval_takes_one_working_day_and_is_otherwise_not_applicable() {
    let mut s = Story::opened(Priority::Medium, bj(2025, 11, 21, 9, 0));
    assert_eq!(s.clock(TargetKind::Approval, bj(2025, 11, 21, 9, 0)).state, ClockState::NotApplicable);
    assert_eq!(s.clock(TargetKind::Acknowledge, bj(2025, 11, 21, 9, 0)).state, ClockState::NotStarted);
    assert_eq!(s.clock(TargetKind::Result, bj(2025, 11, 21, 9, 0)).state, ClockState::NotStarted);
    s.assign(bj(2025, 11, 21, 9, 0), 9).act(bj(2025, 11, 21, 9, 1), Command::Acknowledge).act(
        bj(2025, 11, 21, 17, 0),
        Command::RequestApproval {
            plan: "换新机".into(),
            reasons: vec![loopdesk_core::approval::ApprovalReason::Cost],
        },
    );
    let waiting = s.clock(TargetKind::Approval, bj(2025, 11, 24, 9, 0));
    assert_eq!(waiting.due_at, Some(bj(2025, 11, 24, 17, 0)));
    // The approval request also counts as the plan.
    assert_eq!(s.clock(TargetKind::Plan, bj(2025, 11, 24, 9, 0)).state, ClockState::Met);
    s.act(bj(2025, 11, 24, 16, 0), Command::DecideApproval { approved: true, comment: None });
    assert_eq!(s.clock(TargetKind::Approval, bj(2025, 11, 25, 9, 0)).state, ClockState::Met);
}

#[test]
fn the_plan_needs_a_reply_after_the_first_response() {
    let mut s = Story::opened(Priority::Medium, bj(2025, 11, 17, 9, 0));
    s.assign(bj(2025, 11, 17, 9, 0), 9)
        .act(bj(2025, 11, 17, 9, 5), Command::Acknowledge)
        .reply(bj(2025, 11, 17, 10, 0));
    let plan = s.clock(TargetKind::Plan, bj(2025, 11, 17, 11, 0));
    assert_eq!(plan.state, ClockState::Running);
    s.reply(bj(2025, 11, 18, 10, 0));
    assert_eq!(s.clock(TargetKind::Plan, bj(2025, 11, 18, 11, 0)).state, ClockState::Met);
}

#[test]
fn rejected_tickets_have_no_running_clocks() {
    let mut s = Story::opened(Priority::Low, bj(2025, 11, 17, 9, 0));
    s.act(bj(2025, 11, 17, 9, 30), Command::Reject { reason: "广告".into() });
    let clocks =
        sla::clocks(&s.ticket, &s.timeline, &SlaPolicy::default(), &Calendars::default(), bj(2025, 12, 30, 9, 0))
            .unwrap();
    assert!(clocks.iter().all(|c| matches!(c.state, ClockState::NotApplicable | ClockState::Met)));
    assert_eq!(sla::next_due(&clocks, bj(2025, 12, 30, 9, 0)), None);
}

#[test]
fn events_after_now_are_ignored() {
    let mut s = Story::opened(Priority::High, bj(2025, 11, 18, 10, 0));
    s.assign(bj(2025, 11, 18, 10, 0), 9).act(bj(2025, 11, 18, 10, 5), Command::Acknowledge);
    let then = s.clock(TargetKind::Acknowledge, bj(2025, 11, 18, 10, 3));
    assert_eq!((then.state, then.used), (ClockState::Running, Duration::minutes(3)));
}

#[test]
fn a_clock_breached_before_a_pause_stays_breached() {
    let mut s = Story::opened(Priority::High, bj(2025, 11, 17, 9, 0));
    s.assign(bj(2025, 11, 17, 9, 0), 9)
        .act(bj(2025, 11, 17, 9, 30), Command::Acknowledge)
        .act(bj(2025, 11, 18, 12, 0), Command::RequestInfo { message: "型号?".into() });
    let c = s.clock(TargetKind::FirstResponse, bj(2025, 11, 19, 9, 0));
    assert_eq!((c.state, c.due_at), (ClockState::Breached, Some(bj(2025, 11, 17, 18, 0))));
    assert!(c.warning);
}

#[test]
fn the_queue_due_time_is_the_earliest_counting_clock_and_stays_past_when_overdue() {
    // High: acknowledge 15 min from the assignment, first response and result later.
    let mut s = Story::opened(Priority::High, bj(2025, 11, 18, 10, 0));
    s.assign(bj(2025, 11, 18, 10, 0), 9);
    assert_eq!(s.due_at(bj(2025, 11, 18, 10, 1)), Some(bj(2025, 11, 18, 10, 15)));
    // Overdue: still the breached acknowledge clock's due time, in the past.
    assert_eq!(s.due_at(bj(2025, 11, 18, 11, 0)), Some(bj(2025, 11, 18, 10, 15)));
    s.act(bj(2025, 11, 18, 11, 0), Command::Acknowledge);
    let next = s.due_at(bj(2025, 11, 18, 11, 1)).unwrap();
    assert!(next > bj(2025, 11, 18, 11, 1), "the next counting clock's due time: {next}");
    // Waiting for the customer: nothing counts, nothing is due.
    s.reply(bj(2025, 11, 18, 11, 5));
    s.act(bj(2025, 11, 18, 11, 10), Command::RequestInfo { message: "请提供订单号".into() });
    let counting = s.due_at(bj(2025, 11, 18, 12, 0));
    let paused = s.clock(TargetKind::Result, bj(2025, 11, 18, 12, 0));
    assert_eq!(paused.state, ClockState::Paused);
    assert_eq!(counting, None);
    s.act(bj(2025, 11, 18, 12, 30), Command::ProvideInfo { body: "JD2025111800001".into() });
    assert!(s.due_at(bj(2025, 11, 18, 12, 31)).is_some(), "counting again once the customer answers");
    s.act(bj(2025, 11, 18, 13, 0), solved());
    assert_eq!(s.due_at(bj(2025, 11, 18, 14, 0)), None, "a resolved ticket owes nothing");
}
