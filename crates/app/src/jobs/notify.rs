//! `notify.customer` and `notify.staff`: a notice composed into outbox deliveries
//! ([`crate::notify`]), keyed by the job's key so a job that runs twice queues each message
//! once. The outbox worker sends them with its own retries.

use super::{Job, JobError, JobKind};
use crate::keys::Key;
use crate::notify::{CustomerNotice, Recipients, StaffAlert, StaffNotice};
use crate::App;
use loopdesk_channels::templates::NotificationKind;
use loopdesk_core::{Ticket, TicketId};
use serde::{Deserialize, Serialize};

/// Tell the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifyCustomer {
    #[serde(flatten)]
    pub notice: CustomerNotice,
    /// The notice's own key (its deliveries are keyed by it); the job's key when absent.
    #[serde(default)]
    pub key: Option<String>,
}

impl NotifyCustomer {
    /// A notice of `kind` owed once per `key`.
    pub fn new(ticket: TicketId, kind: NotificationKind, vars: Vec<(&str, String)>, key: Key) -> NotifyCustomer {
        NotifyCustomer { notice: CustomerNotice::new(ticket, kind, vars), key: Some(key.into()) }
    }

    fn notice_key(&self) -> Key {
        match &self.key {
            Some(k) => Key::raw(k.clone()),
            None => Key::notice(self.notice.ticket_id, self.notice.kind.as_str(), 0),
        }
    }
}

impl Job for NotifyCustomer {
    const KIND: JobKind = JobKind::NotifyCustomer;

    fn key(&self) -> Key {
        self.notice_key()
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        Ok(self.notice.send(app, &self.notice_key()).await?)
    }
}

/// Tell staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifyStaff {
    #[serde(flatten)]
    pub notice: StaffNotice,
    /// The alert's own key (its deliveries are keyed by it).
    #[serde(default)]
    pub key: Option<String>,
}

impl NotifyStaff {
    /// An alert about `t` owed by its event `seq`.
    pub fn about(t: &Ticket, alert: StaffAlert, to: Recipients, text: String, seq: i64) -> NotifyStaff {
        let key = Key::notice(t.id, alert.as_str(), seq);
        NotifyStaff { notice: StaffNotice::about(t, alert, to, text), key: Some(key.into()) }
    }

    /// An alert with a key of its own (an SLA alert names its target and due time).
    pub fn keyed(notice: StaffNotice, key: Key) -> NotifyStaff {
        NotifyStaff { notice, key: Some(key.into()) }
    }

    fn notice_key(&self) -> Key {
        match &self.key {
            Some(k) => Key::raw(k.clone()),
            None => Key::notice(self.notice.ticket_id.unwrap_or(TicketId(0)), self.notice.alert.as_str(), 0),
        }
    }
}

impl Job for NotifyStaff {
    const KIND: JobKind = JobKind::NotifyStaff;

    fn key(&self) -> Key {
        self.notice_key()
    }

    async fn run(self, app: &App) -> Result<(), JobError> {
        Ok(self.notice.send(app, &self.notice_key()).await?)
    }
}
