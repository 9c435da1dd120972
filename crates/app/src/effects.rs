//! What every change owes, decided inside its transaction ([`loopdesk_store::Effects`]):
//! the ticket's SLA timer and the results of the clocks it stopped; for a new ticket its
//! routing and the acknowledgement to the customer; for each event the alerts, customer
//! notices and timers it calls for ([`crate::workflow::effects`]). The store is built with
//! this, so no path can change a ticket without what the change owes.

use crate::config::Config;
use crate::documents::Cache;
use crate::jobs::notify::NotifyCustomer;
use crate::jobs::op;
use crate::jobs::workflow::RouteTicket;
use crate::keys::Key;
use crate::notify::{Composer, CustomerNotice};
use crate::outbound::Outbound;
use crate::sla::{schedule, SlaHandle};
use crate::workflow::effects::{owed_by_change, Timing};
use crate::Clock;
use loopdesk_channels::templates::NotificationKind;
use loopdesk_core::{Event, State, Ticket, Timestamp};
use loopdesk_store::{Change, Effects, Owed};
use std::sync::Arc;

/// The application's effects: everything they need is in memory.
pub struct AppEffects {
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub sla: Arc<SlaHandle>,
    pub documents: Arc<Cache>,
    pub outbound: Arc<Outbound>,
}

impl AppEffects {
    fn timing(&self, now: Timestamp) -> Timing {
        let w = &self.config.workflow;
        Timing {
            now,
            ack_timeout: chrono::Duration::minutes(w.ack_timeout_minutes),
            survey_delay: chrono::Duration::minutes(w.survey_delay_minutes),
        }
    }

    /// A new ticket that was not rejected or merged at once is acknowledged, and routed
    /// by a job unless intake routed it.
    fn recorded(&self, t: &Ticket, change: &Change<'_>, now: Timestamp, owed: &mut Owed) {
        if matches!(t.state, State::Rejected | State::Merged) {
            return;
        }
        if t.state == State::New && !change.routed {
            owed.jobs.push(op(&RouteTicket { ticket_id: t.id }, now));
        }
        let reply_to = change.reply_to;
        let notice = CustomerNotice::new(t.id, NotificationKind::Acknowledgement, Vec::new());
        let key = Key::acknowledgement(t.id);
        let (templates, gateway) = (self.documents.templates(), self.documents.gateway());
        let composer = Composer {
            config: &self.config.channels,
            templates: &templates,
            gateway: gateway.as_deref(),
            issuer: &self.outbound.issuer,
            now,
            portal: crate::notify::PortalLinks::of(&self.config, &self.documents),
        };
        match composer.delivery(t, &notice, &key, reply_to.map(str::to_string)) {
            Ok(d) => owed.deliveries.push(d),
            Err(e) => {
                // Templates that cannot render this ticket: the job tries again later (and
                // fails visibly), rather than the customer never hearing from us.
                tracing::error!(ticket = t.id.0, error = %e, "acknowledgement not composed; left to a job");
                owed.jobs.push(op(&NotifyCustomer { notice, key: Some(key.into()) }, now));
            }
        }
    }
}

impl Effects for AppEffects {
    fn owed(&self, change: &Change<'_>) -> Owed {
        let now = self.clock.now();
        let cfg = self.sla.get();
        let t = change.after;
        let sla_results =
            crate::sla::results::completed_targets(&cfg, change.before, t, change.timeline, change.before_len, now);
        let mut owed = Owed { sla_results, ..Owed::default() };
        if change.before.is_none() {
            self.recorded(t, change, now, &mut owed);
        }
        let timing = self.timing(now);
        owed.jobs.extend(owed_by_change(t, change.events(), timing));
        // Last, so it wins over anything above that touched the timer.
        let (timer, due) = schedule(&cfg, t, change.timeline, now);
        owed.jobs.push(timer);
        owed.sla_due = Some(due);
        owed
    }

    fn imported(&self, ticket: &Ticket, timeline: &[Event]) -> Owed {
        let (timer, due) = schedule(&self.sla.get(), ticket, timeline, self.clock.now());
        Owed { jobs: vec![timer], sla_due: Some(due), ..Owed::default() }
    }
}
