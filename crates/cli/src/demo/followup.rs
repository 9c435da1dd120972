//! The end of a ticket's life: the follow-up survey, closing, coming back, escalation —
//! and the two early exits, rejection and merging.

use super::catalog::Dept;
use super::lifecycle::{Walk, DAY, HOUR, MINUTE};
use super::replies;
use loopdesk_core::event::{CloseReason, Command};
use loopdesk_core::ticket::{Rating, Satisfaction};
use loopdesk_core::{Actor, TicketId};
use rand::Rng;

impl Walk<'_> {
    /// The customer answers the follow-up survey.
    pub fn answer_survey(&mut self, rating: Rating) -> anyhow::Result<()> {
        let (score, table) = match rating {
            Rating::Satisfied => (self.rng.gen_range(4..=5), replies::SURVEY_GOOD),
            Rating::Neutral => (3, replies::SURVEY_NEUTRAL),
            Rating::Unsatisfied => (self.rng.gen_range(1..=2), replies::SURVEY_BAD),
        };
        let comment = self.rng.gen_bool(0.6).then(|| self.say(table));
        let at = self.later(HOUR, 3 * DAY);
        let satisfaction = Satisfaction { rating, score: Some(score), comment, answered_at: at };
        self.step_at(Command::AnswerSurvey { satisfaction }, Actor::Customer, at)
    }

    /// No survey answer within the follow-up window: the system closes it.
    pub fn close_unanswered(&mut self) -> anyhow::Result<()> {
        let command = Command::Close { reason: CloseReason::NoFollowUpAnswer };
        self.step(command, Actor::System, 3 * DAY, 7 * DAY)
    }

    /// The customer comes back after closing.
    pub fn reopen(&mut self) -> anyhow::Result<()> {
        let reason = self.say(replies::REOPEN_REASONS);
        self.step(Command::Reopen { reason }, Actor::Customer, DAY, 14 * DAY)
    }

    /// A reopened ticket goes to a supervisor.
    pub fn escalate(&mut self) -> anyhow::Result<()> {
        let reason = self.say(replies::ESCALATIONS);
        let to = self.supervisor();
        let command = Command::Escalate { reason, to: Some(to.id) };
        self.step(command, Actor::System, MINUTE, 30 * MINUTE)
    }

    /// Rejects spam, by moderation or by an agent.
    pub fn reject(&mut self, reason: String) -> anyhow::Result<()> {
        let actor = if self.rng.gen_bool(0.4) { Actor::System } else { self.agent_of(Dept::Service).actor() };
        self.step(Command::Reject { reason }, actor, MINUTE, 12 * HOUR)
    }

    /// Merges into an earlier ticket of the same customer.
    pub fn merge(&mut self, into: TicketId) -> anyhow::Result<()> {
        let actor = self.agent_of(Dept::Service).actor();
        self.step(Command::Merge { into }, actor, 5 * MINUTE, DAY)
    }
}
