//! Spikes (issue 16): the hourly report counts a sweep judges (from the report and problem
//! rollups, never the tickets), the tickets of a window to sample, and the spikes recorded
//! once each with the alerts they owe in the same transaction.

use crate::jobs::{write_ops, JobOp};
use crate::sql::{from_ms, ms};
use crate::{Reader, Store, StoreError};
use loopdesk_core::report::spike_rules::SpikeDimension;
use loopdesk_core::{Ticket, Timestamp};
use serde::Serialize;

/// A recorded spike.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpikeRecord {
    pub id: i64,
    pub dimension: SpikeDimension,
    /// The category, sub-tag or product, or the cluster's id.
    pub value: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub window_start: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub window_end: Timestamp,
    /// Reports in the window.
    pub observed: i64,
    /// The usual count of this window (median of the same hours of past weeks).
    pub baseline: f64,
    /// The count from which the window is unusual.
    pub bar: f64,
    /// How far above the usual level, in spreads.
    pub score: f64,
    /// `threshold` (at or over the admin's) or `unusual` (well above the usual level).
    pub reason: String,
    pub sample_ticket_ids: Vec<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub detected_at: Timestamp,
}

/// The key column a dimension's counts are read from, and its table.
fn source(d: SpikeDimension) -> (&'static str, &'static str, &'static str) {
    match d {
        SpikeDimension::Category => ("report_facts", "category", "recorded"),
        SpikeDimension::Subtag => ("report_facts", "subtag", "recorded"),
        SpikeDimension::Product => ("report_facts", "product", "recorded"),
        SpikeDimension::Cluster => ("dashboard_problems", "cluster_id", "n"),
    }
}

type SpikeRow = (i64, String, String, i64, i64, i64, f64, f64, f64, String, String, i64);

impl Reader {
    /// Reports recorded per hour and value of `dimension` in hours `[from, to)`: values
    /// with at least `least` in the whole range, or only those of `only` when given.
    pub async fn spike_counts(
        &self,
        dimension: SpikeDimension,
        from: i64,
        to: i64,
        least: i64,
        only: Option<&[String]>,
    ) -> Result<Vec<(i64, String, i64)>, StoreError> {
        let (table, col, n) = source(dimension);
        let value = if dimension == SpikeDimension::Cluster { format!("CAST({col} AS TEXT)") } else { col.into() };
        let sql = format!(
            "SELECT hour, {value}, CAST(SUM({n}) AS BIGINT) FROM {table} WHERE hour >= $1 AND hour < $2 \
             AND {value} <> '' GROUP BY hour, {col}"
        );
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(&sql).bind(from).bind(to).fetch_all(&self.pool).await?;
        let mut totals: std::collections::HashMap<&str, i64> = Default::default();
        rows.iter().for_each(|(_, v, n)| *totals.entry(v.as_str()).or_default() += n);
        let keep: std::collections::HashSet<String> = match only {
            Some(values) => values.iter().cloned().collect(),
            None => totals.iter().filter(|(_, n)| **n >= least).map(|(v, _)| v.to_string()).collect(),
        };
        Ok(rows.into_iter().filter(|(_, v, _)| keep.contains(v)).collect())
    }

    /// Up to `limit` tickets recorded in `[from, to)`, oldest first.
    pub async fn tickets_recorded_in(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> Result<Vec<Ticket>, StoreError> {
        let docs: Vec<(String,)> = sqlx::query_as(
            "SELECT doc FROM tickets WHERE recorded_at >= $1 AND recorded_at < $2 ORDER BY recorded_at, id LIMIT $3",
        )
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        docs.iter().map(|(d,)| serde_json::from_str(d).map_err(StoreError::from)).collect()
    }

    /// Spikes whose window ended in `[from, to)`, newest first, at most `limit`.
    pub async fn spikes(&self, from: Timestamp, to: Timestamp, limit: usize) -> Result<Vec<SpikeRecord>, StoreError> {
        let rows: Vec<SpikeRow> = sqlx::query_as(
            "SELECT id, dimension, value, window_start, window_end, observed, baseline, bar, score, reason, \
             sample_ticket_ids, detected_at FROM spikes WHERE window_end >= $1 AND window_end < $2 \
             ORDER BY window_end DESC, id DESC LIMIT $3",
        )
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, dimension, value, start, end, observed, baseline, bar, score, reason, samples, detected) in rows {
            // A dimension this build does not know (a newer node's) is left out.
            let Some(dimension) = SpikeDimension::parse(&dimension) else { continue };
            out.push(SpikeRecord {
                id,
                dimension,
                value,
                window_start: from_ms(start),
                window_end: from_ms(end),
                observed,
                baseline,
                bar,
                score,
                reason,
                sample_ticket_ids: serde_json::from_str(&samples).unwrap_or_default(),
                detected_at: from_ms(detected),
            });
        }
        Ok(out)
    }
}

impl Store {
    /// Records `spike` unless it or an overlapping window of the same value is recorded,
    /// and, if recorded, writes `ops` (its alerts) in the same transaction. Returns its id.
    pub async fn record_spike(&self, spike: &SpikeRecord, ops: &[JobOp]) -> Result<Option<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let samples = serde_json::to_string(&spike.sample_ticket_ids)?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO spikes (dimension, value, window_start, window_end, observed, baseline, bar, score, reason, \
             sample_ticket_ids, detected_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 \
             WHERE NOT EXISTS (SELECT 1 FROM spikes WHERE dimension = $1 AND value = $2 AND window_end > $3 \
             AND window_start < $4) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(spike.dimension.as_str())
        .bind(&spike.value)
        .bind(ms(spike.window_start))
        .bind(ms(spike.window_end))
        .bind(spike.observed)
        .bind(spike.baseline)
        .bind(spike.bar)
        .bind(spike.score)
        .bind(&spike.reason)
        .bind(samples)
        .bind(ms(spike.detected_at))
        .fetch_optional(&mut *tx)
        .await?;
        let mut earliest = None;
        if id.is_some() {
            earliest = write_ops(&mut tx, ops).await?;
        }
        tx.commit().await?;
        self.jobs_written(earliest);
        Ok(id)
    }
}
