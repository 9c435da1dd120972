//! The workflow's jobs: routing a new ticket, the acknowledgement timer, sending and
//! expiring the follow-up survey. Each is idempotent: it checks the ticket still is where
//! the job expects it, and a ticket that moved on makes the job moot, not failed.

use super::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::workflow::{assignment, survey};
use crate::{App, AppError};
use loopdesk_core::{TicketId, UserId};
use serde::{Deserialize, Serialize};

/// A ticket that moved on meanwhile leaves nothing to do.
fn moot(r: Result<(), AppError>) -> Result<(), JobError> {
    match r {
        Err(AppError::Conflict { code: "ticket_moved", .. }) => Ok(()),
        other => Ok(other?),
    }
}

/// Route a newly recorded ticket by the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTicket {
    pub ticket_id: TicketId,
}

impl Job for RouteTicket {
    const KIND: JobKind = JobKind::RouteTicket;
    // Every intake owes one: claimed together, they share one read of the rules.
    const IN_BULK: bool = true;

    fn key(&self) -> Key {
        Key::route(self.ticket_id)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        moot(assignment::route(app, self.ticket_id).await.map(|_| ()))
    }

    async fn run_many(jobs: Vec<Self>, app: &App) -> Vec<Result<(), JobError>> {
        let ids: Vec<TicketId> = jobs.iter().map(|j| j.ticket_id).collect();
        assignment::route_many(app, &ids).await.into_iter().map(|r| r.map_err(JobError::from)).collect()
    }
}

/// A problem cluster grew to a size a priority rule looks at: its open members are
/// triaged again at that size. Owed by the intake that made it grow, in its transaction,
/// so a crash right after the 201 delays the raise but never skips it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaiseCluster {
    pub cluster_id: i64,
    /// Customers in the cluster with the new ticket.
    pub size: u32,
    /// The ticket that made it grow (already triaged at this size).
    pub newest: TicketId,
}

impl Job for RaiseCluster {
    const KIND: JobKind = JobKind::RaiseCluster;

    fn key(&self) -> Key {
        Key::cluster_raise(self.cluster_id, self.size)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        let engine = app.triage.current();
        crate::triage::cluster::raise_open_members(app, &engine, self.cluster_id, self.size, self.newest).await?;
        Ok(())
    }
}

/// The assignee has not acknowledged in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckTimeout {
    pub ticket_id: TicketId,
    pub assignee_id: UserId,
    /// The assignment it times (informational).
    #[serde(default)]
    pub assigned_seq: i64,
}

impl Job for AckTimeout {
    const KIND: JobKind = JobKind::AckTimeout;

    fn key(&self) -> Key {
        Key::ack_timer(self.ticket_id)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        moot(assignment::ack_timeout(app, self.ticket_id, self.assignee_id).await)
    }
}

/// Send the survey of one resolution (`round`: the resolution's instant, in ms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveySend {
    pub ticket_id: TicketId,
    pub round: i64,
}

impl Job for SurveySend {
    const KIND: JobKind = JobKind::SurveySend;

    fn key(&self) -> Key {
        Key::survey(JobKind::SurveySend.as_str(), self.ticket_id, self.round)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        moot(survey::send(app, self.ticket_id, self.round).await)
    }
}

/// The survey of one resolution went unanswered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyExpire {
    pub ticket_id: TicketId,
    pub round: i64,
}

impl Job for SurveyExpire {
    const KIND: JobKind = JobKind::SurveyExpire;

    fn key(&self) -> Key {
        Key::survey(JobKind::SurveyExpire.as_str(), self.ticket_id, self.round)
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        moot(survey::expire(app, self.ticket_id, self.round).await)
    }
}
