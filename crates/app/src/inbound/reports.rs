//! Delivery status notifications coming back to the support mailbox (RFC 3464): the
//! receiving side's word on what became of an e-mail we sent. The report names the
//! delivery by the `ENVID` we sent it with (tagged, so nobody else's report can mark our
//! deliveries); what it says is recorded on that delivery and shown on the ticket.
//! A report about something else (no or a foreign `ENVID`) is left to the ordinary path:
//! threaded as automated mail or quarantined, never lost.

use super::email::Ingested;
use crate::error::AppError;
use crate::App;
use loopdesk_channels::email::{parse_delivery_report, DsnAction};
use loopdesk_store::{DeliveryReport, ReportOutcome};

/// Records the delivery report in `raw`, if it is one about one of our deliveries.
pub async fn take(app: &App, raw: &[u8]) -> Result<Option<Ingested>, AppError> {
    let Some(report) = parse_delivery_report(raw) else { return Ok(None) };
    let delivery = report.envelope_id.as_deref().and_then(|id| app.outbound.issuer.delivery_of(id));
    let Some(delivery) = delivery else {
        // No personal data in the log: the report's addresses and text stay out of it.
        tracing::info!(has_envelope_id = report.envelope_id.is_some(), "delivery report names no delivery of ours");
        return Ok(None);
    };
    let Some(rcpt) = report.decisive() else {
        tracing::info!(delivery, "delivery report without a recipient action");
        return Ok(None);
    };
    let outcome = match rcpt.action {
        DsnAction::Delivered => ReportOutcome::Delivered,
        DsnAction::Relayed | DsnAction::Expanded => ReportOutcome::Relayed,
        DsnAction::Delayed => ReportOutcome::Delayed,
        DsnAction::Failed => ReportOutcome::Failed,
    };
    let now = app.now();
    let recorded = DeliveryReport {
        outcome,
        status: rcpt.status.clone(),
        diagnostic: rcpt.diagnostic.clone(),
        // The last attempt, else when the report was written (right after the delivery or
        // the refusal), else when the message arrived there.
        at: rcpt.last_attempt.or(report.date).or(report.arrival).unwrap_or(now),
    };
    match app.store.record_delivery_report(delivery, &recorded, now).await? {
        Some(ticket) => {
            tracing::info!(delivery, ticket = ticket.map(|t| t.0), outcome = outcome.as_str(), "delivery report");
            Ok(Some(Ingested::Reported { delivery_id: delivery, report: outcome }))
        }
        None => {
            tracing::info!(delivery, "delivery report for an unknown delivery ignored");
            Ok(None)
        }
    }
}
