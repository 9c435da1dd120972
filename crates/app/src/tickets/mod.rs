//! Tickets: reading one as staff see it, and every action on it. Only this crate changes a
//! ticket, and only through [`change`].

pub mod actions;
pub mod change;
pub mod customer;
pub mod messages;
pub mod reply;

use crate::access::{require, visible};
use crate::sla::SlaView;
use crate::workflow::survey;
use crate::workflow::token::SurveyToken;
use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::{Event, Principal, Ticket, TicketId};
use loopdesk_store::{Delivery, Survey};

/// A ticket with everything its page shows.
#[derive(Debug, Clone)]
pub struct Detail {
    pub ticket: Ticket,
    pub timeline: Vec<Event>,
    pub deliveries: Vec<Delivery>,
    pub sla: Vec<SlaView>,
}

/// One ticket the caller may see, with its timeline, deliveries and SLA clocks.
pub async fn detail(app: &App, who: &Principal, id: TicketId) -> Result<Detail, AppError> {
    let p = require(who, Permission::Read)?;
    let ticket = visible(app, p, id).await?;
    let timeline = app.read().timeline(id).await?;
    let deliveries = app.read().ticket_deliveries(id).await?;
    let sla = app.sla_for(&ticket, &timeline);
    Ok(Detail { ticket, timeline, deliveries, sla })
}

/// The latest survey of a ticket and its link (staff may read it out on the phone).
pub async fn survey_status(app: &App, who: &Principal, id: TicketId) -> Result<(Survey, String), AppError> {
    let ticket = visible(app, require(who, Permission::Work)?, id).await?;
    let Some(round) = ticket.resolved_at.map(|t| t.timestamp_millis()) else {
        return Err(AppError::NotFound("this ticket was never resolved".into()));
    };
    let Some(s) = app.read().survey(ticket.id, round).await? else {
        return Err(AppError::NotFound("no survey was sent for the latest resolution yet".into()));
    };
    let url = survey::survey_url(app, &SurveyToken { ticket_id: ticket.id, round, expires_at: s.expires_at }).await?;
    Ok((s, url))
}
