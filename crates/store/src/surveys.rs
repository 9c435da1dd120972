//! Follow-up surveys: which were sent, answered or left to expire, and the follow-up rate.

use crate::sql::{from_ms, ms};
use crate::{Reader, Store, StoreError};
use loopdesk_core::{TicketId, Timestamp};
use serde::Serialize;

/// One survey as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Survey {
    pub ticket_id: TicketId,
    /// The resolution it asks about (unix milliseconds of the resolution).
    pub round: i64,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub rating: Option<String>,
    pub expired_at: Option<Timestamp>,
}

/// Surveys sent and answered in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FollowUpCounts {
    pub surveyed: i64,
    pub answered: i64,
    pub expired: i64,
}

type Row = (i64, i64, i64, i64, Option<i64>, Option<String>, Option<i64>);

fn survey(r: Row) -> Survey {
    Survey {
        ticket_id: TicketId(r.0),
        round: r.1,
        sent_at: from_ms(r.2),
        expires_at: from_ms(r.3),
        answered_at: r.4.map(from_ms),
        rating: r.5,
        expired_at: r.6.map(from_ms),
    }
}

impl Store {
    /// Records a survey as sent; sending the same round again keeps the first record.
    pub async fn record_survey(
        &self,
        ticket: TicketId,
        round: i64,
        sent_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO surveys (ticket_id, round, sent_at, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(ticket.0)
        .bind(round)
        .bind(ms(sent_at))
        .bind(ms(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks a survey answered; false when it was already answered or expired.
    pub async fn answer_survey(
        &self,
        ticket: TicketId,
        round: i64,
        rating: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE surveys SET answered_at = $1, rating = $2 \
             WHERE ticket_id = $3 AND round = $4 AND answered_at IS NULL AND expired_at IS NULL",
        )
        .bind(ms(at))
        .bind(rating)
        .bind(ticket.0)
        .bind(round)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks an unanswered survey expired; false when it was answered (or expired) already.
    pub async fn expire_survey(&self, ticket: TicketId, round: i64, at: Timestamp) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE surveys SET expired_at = $1 \
             WHERE ticket_id = $2 AND round = $3 AND answered_at IS NULL AND expired_at IS NULL",
        )
        .bind(ms(at))
        .bind(ticket.0)
        .bind(round)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Reader {
    /// One survey, if it was sent.
    pub async fn survey(&self, ticket: TicketId, round: i64) -> Result<Option<Survey>, StoreError> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT ticket_id, round, sent_at, expires_at, answered_at, rating, expired_at \
             FROM surveys WHERE ticket_id = $1 AND round = $2",
        )
        .bind(ticket.0)
        .bind(round)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(survey))
    }

    /// Surveys sent from `from` to `to` (both included), and how many of them were answered
    /// or expired.
    pub async fn follow_up_counts(&self, from: Timestamp, to: Timestamp) -> Result<FollowUpCounts, StoreError> {
        let (surveyed, answered, expired): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COUNT(answered_at), COUNT(expired_at) FROM surveys \
             WHERE sent_at >= $1 AND sent_at <= $2",
        )
        .bind(ms(from))
        .bind(ms(to))
        .fetch_one(&self.pool)
        .await?;
        Ok(FollowUpCounts { surveyed, answered, expired })
    }
}
