//! What became of each message to the customer, from the outbox's delivery rows, tied to
//! the timeline event that owed it. The evidence is what the transports give: an SMTP
//! server's acceptance ("sent to the mail server" — not that it reached the inbox), a
//! gateway's 2xx, or the failure and its reason — and for e-mail, what the receiving side
//! reported afterwards in a delivery status notification (RFC 3464): delivered (in the
//! mailbox), relayed, delayed or bounced with the reason. Nothing here claims more.

use loopdesk_channels::templates::NotificationKind;
use loopdesk_store::{Delivery, DeliveryReport, DeliveryState, ReportOutcome};
use serde::Serialize;

/// One message to the customer and its delivery state.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageState {
    /// The timeline event that owed it; `None` for the acknowledgement, owed by the
    /// ticket's creation (see [`MessageState::owed_by`]).
    pub seq: Option<i64>,
    /// The notice: `acknowledgement`, `progress_update`, `result_solved`, …
    pub kind: String,
    /// `email` or `http` (SMS, app or WeChat through the notification gateway).
    pub transport: String,
    /// Where it went, masked.
    pub target: String,
    /// `queued`, `retrying`, `sending`, `sent_to_mail_server`, `accepted_by_gateway` or
    /// `failed`; for e-mail the receiving side's report then says `delivered`, `relayed`,
    /// `delayed` or `bounced` (see `report`).
    pub state: &'static str,
    /// Why the last attempt failed (a retry waits, or it was given up).
    pub error: Option<String>,
    pub attempts: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sent_at: Option<loopdesk_core::Timestamp>,
    /// The delivery status notification's news: outcome, status code, the receiving
    /// server's diagnostic (a bounce's reason) and when.
    pub report: Option<DeliveryReport>,
}

impl MessageState {
    /// When the state shown was reached: the report's time, else the send's.
    pub fn at(&self) -> Option<loopdesk_core::Timestamp> {
        self.report.as_ref().map(|r| r.at).or(self.sent_at)
    }

    /// Why it is not (yet) delivered: a bounce's or delay's diagnostic, else the last
    /// attempt's error.
    pub fn reason(&self) -> Option<String> {
        match &self.report {
            Some(r) if matches!(r.outcome, ReportOutcome::Failed | ReportOutcome::Delayed) => {
                r.diagnostic.clone().or_else(|| r.status.clone())
            }
            Some(_) => None,
            None => self.error.clone(),
        }
    }
}

impl MessageState {
    /// Whether event `e` owed this message.
    pub fn owed_by(&self, e: &loopdesk_core::Event) -> bool {
        match self.seq {
            Some(seq) => seq == e.seq,
            None => self.kind == ACKNOWLEDGEMENT && matches!(e.data, loopdesk_core::EventData::Created { .. }),
        }
    }
}

const ACKNOWLEDGEMENT: &str = "acknowledgement";

/// Whether a delivery row carries a customer notice (staff alerts share the outbox).
fn to_customer(d: &Delivery) -> bool {
    NotificationKind::ALL.iter().any(|k| k.as_str() == d.kind)
}

/// The event a notice's key names: `notify:{ticket}:{kind or "event"}:{seq}`.
fn seq_of(key: &str) -> Option<i64> {
    let mut parts = key.split(':');
    (parts.next() == Some("notify")).then_some(())?;
    key.rsplit(':').next()?.parse().ok()
}

fn state_of(d: &Delivery) -> &'static str {
    // A report comes only after the server accepted the message; a delay warning does not
    // outrank a failure recorded since (the outbox gave up).
    match (&d.report, d.state) {
        (Some(r), _) if r.outcome == ReportOutcome::Delivered => return "delivered",
        (Some(r), _) if r.outcome == ReportOutcome::Failed => return "bounced",
        (Some(r), _) if r.outcome == ReportOutcome::Relayed => return "relayed",
        (Some(_), DeliveryState::Sent) => return "delayed",
        _ => {}
    }
    match d.state {
        DeliveryState::Queued if d.attempts > 0 => "retrying",
        DeliveryState::Queued => "queued",
        DeliveryState::Sending => "sending",
        DeliveryState::Sent if d.transport == "email" => "sent_to_mail_server",
        DeliveryState::Sent => "accepted_by_gateway",
        DeliveryState::Failed => "failed",
    }
}

/// The customer's messages among a ticket's deliveries, in the order they were queued.
pub fn customer_messages(deliveries: &[Delivery]) -> Vec<MessageState> {
    let mut out: Vec<MessageState> = deliveries
        .iter()
        .filter(|d| to_customer(d))
        .map(|d| MessageState {
            // The acknowledgement's key names no event (one per ticket).
            seq: if d.kind == ACKNOWLEDGEMENT { None } else { seq_of(&d.key) },
            kind: d.kind.clone(),
            transport: d.transport.clone(),
            target: d.target.clone(),
            state: state_of(d),
            error: d.last_error.clone(),
            attempts: d.attempts,
            sent_at: d.sent_at,
            report: d.report.clone(),
        })
        .collect();
    out.sort_by_key(|m| m.seq);
    out
}

#[cfg(test)]
mod tests {
    use super::seq_of;

    #[test]
    fn the_event_is_read_from_the_key() {
        assert_eq!(seq_of("notify:12:event:7"), Some(7));
        assert_eq!(seq_of("notify:12:result_solved:9"), Some(9));
        assert_eq!(seq_of("notify:12:acknowledgement:1"), Some(1));
        assert_eq!(seq_of("digest:12:1"), None);
    }
}
