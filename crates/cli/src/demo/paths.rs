//! The routes a ticket takes to each final state: the common path most of the time, with
//! the detours real tickets take (questions to the customer, approvals, hand-overs, notes).

use super::lifecycle::Walk;
use anyhow::Context;
use loopdesk_core::ticket::Rating;
use loopdesk_core::{State, TicketId};
use rand::Rng;

/// How a ticket ends when it is not worked: merged into another, or rejected.
pub enum Shortcut {
    None,
    MergeInto(TicketId),
    Reject(String),
}

/// Walks the ticket from new to `target`.
pub fn walk_to(w: &mut Walk, target: State, shortcut: Shortcut) -> anyhow::Result<()> {
    match (target, shortcut) {
        (State::New, _) => Ok(()),
        (State::Merged, Shortcut::MergeInto(into)) => w.merge(into),
        (State::Rejected, Shortcut::Reject(reason)) => w.reject(reason),
        (State::Merged | State::Rejected, _) => None.context("merge or reject without a target"),
        (State::Assigned, _) => {
            let with_agent = w.rng.gen_ratio(2, 3);
            w.assign(with_agent)
        }
        (State::InProgress, _) => {
            start_work(w)?;
            if w.rng.gen_bool(0.5) {
                w.reply()?;
            }
            Ok(())
        }
        (State::AwaitingCustomer, _) => {
            start_work(w)?;
            w.request_info()
        }
        (State::AwaitingApproval, _) => {
            start_work(w)?;
            w.request_approval()
        }
        (State::Resolved, _) => work_to_resolution(w),
        (State::Closed, _) => {
            work_to_resolution(w)?;
            if w.rng.gen_ratio(1, 50) {
                second_round(w)?;
            }
            close(w)
        }
        (State::Reopened, _) => {
            work_to_resolution(w)?;
            if w.rng.gen_bool(0.6) {
                w.answer_survey(Rating::Unsatisfied)?;
            } else {
                close(w)?;
                w.reopen()?;
            }
            if w.rng.gen_bool(0.5) {
                w.escalate()?;
            }
            Ok(())
        }
    }
}

fn start_work(w: &mut Walk) -> anyhow::Result<()> {
    w.assign(true)?;
    w.acknowledge()
}

/// Assignment to outcome, with at most one detour so timelines stay short.
fn work_to_resolution(w: &mut Walk) -> anyhow::Result<()> {
    start_work(w)?;
    if w.rng.gen_ratio(3, 10) {
        w.reply()?;
    }
    match w.rng.gen_range(0..100) {
        0..=5 => {
            w.request_info()?;
            w.provide_info()?;
        }
        6..=9 => {
            w.request_approval()?;
            w.decide_approval()?;
        }
        10..=12 => start_work(w)?,
        13..=18 => w.note()?,
        19..=20 => w.add_collaborator()?,
        _ => {}
    }
    w.resolve()
}

/// The customer was unhappy with the first outcome; a second try resolves it.
fn second_round(w: &mut Walk) -> anyhow::Result<()> {
    w.answer_survey(Rating::Unsatisfied)?;
    w.escalate()?;
    w.acknowledge()?;
    w.resolve()
}

/// Satisfied or neutral answer, or no answer before the follow-up window ends.
fn close(w: &mut Walk) -> anyhow::Result<()> {
    if w.rng.gen_bool(0.55) {
        let rating = if w.rng.gen_ratio(4, 5) { Rating::Satisfied } else { Rating::Neutral };
        w.answer_survey(rating)
    } else {
        w.close_unanswered()
    }
}
