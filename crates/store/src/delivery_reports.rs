//! What the receiving side reported about e-mail deliveries (RFC 3464 delivery status
//! notifications): one row per delivery, a final report replacing a delay warning.

use crate::sql::{from_ms, ms};
use crate::{Reader, Store, StoreError};
use loopdesk_core::{TicketId, Timestamp};
use serde::Serialize;

/// What a delivery status notification said about a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportOutcome {
    /// In the recipient's mailbox.
    Delivered,
    /// Handed on to a system that reports no further.
    Relayed,
    /// Not delivered yet; the receiving server keeps trying.
    Delayed,
    /// Bounced: it will not be delivered.
    Failed,
}

impl ReportOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportOutcome::Delivered => "delivered",
            ReportOutcome::Relayed => "relayed",
            ReportOutcome::Delayed => "delayed",
            ReportOutcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<ReportOutcome> {
        Some(match s {
            "delivered" => ReportOutcome::Delivered,
            "relayed" => ReportOutcome::Relayed,
            "delayed" => ReportOutcome::Delayed,
            "failed" => ReportOutcome::Failed,
            _ => return None,
        })
    }
}

/// A delivery's report, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryReport {
    pub outcome: ReportOutcome,
    /// The enhanced status code, e.g. `5.1.1`.
    pub status: Option<String>,
    /// What the receiving server said (for a bounce, why).
    pub diagnostic: Option<String>,
    /// When it happened by the report (last attempt or arrival), else when the report came.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

type Row = (i64, String, Option<String>, Option<String>, i64);

fn report(r: Row) -> Option<(i64, DeliveryReport)> {
    let outcome = ReportOutcome::parse(&r.1)?;
    Some((r.0, DeliveryReport { outcome, status: r.2, diagnostic: r.3, at: from_ms(r.4) }))
}

impl Store {
    /// Records `report` for e-mail delivery `delivery`, received at `now`: a final report
    /// replaces a delay warning or an earlier final one; a delay warning never replaces a
    /// final report. Returns the delivery's ticket (`Some(None)` for one without a
    /// ticket), or `None` when no e-mail delivery has that id (nothing is recorded).
    pub async fn record_delivery_report(
        &self,
        delivery: i64,
        report: &DeliveryReport,
        now: Timestamp,
    ) -> Result<Option<Option<TicketId>>, StoreError> {
        let found: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT ticket_id FROM deliveries WHERE id = $1 AND transport = 'email'")
                .bind(delivery)
                .fetch_optional(&self.pool)
                .await?;
        let Some((ticket,)) = found else { return Ok(None) };
        let status: Option<String> = report.status.as_ref().map(|s| s.chars().take(20).collect());
        let diagnostic: Option<String> = report.diagnostic.as_ref().map(|s| s.chars().take(500).collect());
        sqlx::query(
            "INSERT INTO delivery_reports (delivery_id, outcome, status, diagnostic, reported_at, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (delivery_id) DO UPDATE SET outcome = excluded.outcome, \
             status = excluded.status, diagnostic = excluded.diagnostic, reported_at = excluded.reported_at, \
             received_at = excluded.received_at \
             WHERE excluded.outcome <> 'delayed' OR delivery_reports.outcome = 'delayed'",
        )
        .bind(delivery)
        .bind(report.outcome.as_str())
        .bind(status)
        .bind(diagnostic)
        .bind(ms(report.at))
        .bind(ms(now))
        .execute(&self.pool)
        .await?;
        Ok(Some(ticket.map(TicketId)))
    }
}

impl Reader {
    /// The reports on a ticket's deliveries, by delivery id.
    pub async fn ticket_delivery_reports(
        &self,
        ticket: TicketId,
    ) -> Result<std::collections::HashMap<i64, DeliveryReport>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT r.delivery_id, r.outcome, r.status, r.diagnostic, r.reported_at FROM delivery_reports r \
             JOIN deliveries d ON d.id = r.delivery_id WHERE d.ticket_id = $1",
        )
        .bind(ticket.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().filter_map(report).collect())
    }
}
