//! Per-state ticket counts, rolled up by the dimensions queues filter on and maintained in
//! the same transaction as every ticket change.

use crate::queue::TicketFilter;
use crate::sql::{arguments, Conditions};
use crate::{Store, StoreError};
use loopdesk_core::{State, Ticket};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

/// The rollup key of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CountKey {
    state: &'static str,
    priority_rank: i64,
    channel: &'static str,
    category: String,
    department_id: i64,
}

impl CountKey {
    pub(crate) fn of(t: &Ticket) -> CountKey {
        CountKey {
            state: t.state.as_str(),
            priority_rank: t.priority.rank(),
            channel: t.channel.as_str(),
            category: t.category.clone().unwrap_or_default(),
            department_id: t.department_id.map(|d| d.0).unwrap_or(0),
        }
    }
}

/// Changes to the rollup accumulated during one transaction.
#[derive(Debug, Default)]
pub(crate) struct CountDeltas(HashMap<CountKey, i64>);

impl CountDeltas {
    pub(crate) fn add(&mut self, t: &Ticket, by: i64) {
        *self.0.entry(CountKey::of(t)).or_default() += by;
    }

    /// Records `before` → `after` (no-op when the key did not change).
    pub(crate) fn moved(&mut self, before: &Ticket, after: &Ticket) {
        if CountKey::of(before) != CountKey::of(after) {
            self.add(before, -1);
            self.add(after, 1);
        }
    }

    pub(crate) async fn flush(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        for (k, n) in self.0.into_iter().filter(|(_, n)| *n != 0) {
            sqlx::query(
                "INSERT INTO ticket_counts (state, priority_rank, channel, category, department_id, n) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (state, priority_rank, channel, category, department_id) \
                 DO UPDATE SET n = ticket_counts.n + excluded.n",
            )
            .bind(k.state)
            .bind(k.priority_rank)
            .bind(k.channel)
            .bind(k.category)
            .bind(k.department_id)
            .bind(n)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

/// Number of tickets in each state (every state present, zeros included) and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCounts {
    pub by_state: BTreeMap<&'static str, i64>,
    pub total: i64,
}

impl StateCounts {
    fn from_rows(rows: Vec<(String, i64)>) -> StateCounts {
        let mut by_state: BTreeMap<&'static str, i64> = State::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        let mut total = 0;
        for (state, n) in rows {
            if let Some(s) = State::parse(&state) {
                *by_state.entry(s.as_str()).or_default() += n;
                total += n;
            }
        }
        StateCounts { by_state, total }
    }
}

impl Store {
    /// Per-state counts of the tickets matching `filter` (its state filter is ignored, so a
    /// queue can show every tab's count). Served from the rollup when the filter only uses
    /// rolled-up dimensions, counted live otherwise.
    pub async fn count_by_state(&self, filter: &TicketFilter) -> Result<StateCounts, StoreError> {
        let mut filter = filter.clone();
        filter.states.clear();
        let rows: Vec<(String, i64)> = if filter.is_rollup_only() {
            let mut c = Conditions::default();
            filter.rollup_conditions(&mut c);
            let sql =
                format!("SELECT state, CAST(SUM(n) AS BIGINT) FROM ticket_counts{} GROUP BY state", c.where_sql());
            sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?
        } else {
            let mut c = Conditions::default();
            filter.conditions(&mut c);
            let sql = format!("SELECT state, COUNT(*) FROM tickets{} GROUP BY state", c.where_sql());
            sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?
        };
        Ok(StateCounts::from_rows(rows))
    }

    /// Rebuilds the rollup from the tickets table (after a bulk import or to repair).
    pub async fn rebuild_counts(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM ticket_counts").execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO ticket_counts (state, priority_rank, channel, category, department_id, n) \
             SELECT state, priority_rank, channel, category, COALESCE(department_id, 0), COUNT(*) \
             FROM tickets GROUP BY state, priority_rank, channel, category, COALESCE(department_id, 0)",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
