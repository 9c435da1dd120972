//! Per-state ticket counts, rolled up by the dimensions queues filter on and maintained in
//! the same transaction as every ticket change (together with the dashboard's rollups).

use crate::queue::TicketFilter;
use crate::rollup::{Key, Table};
use crate::sql::{arguments, Conditions};
use crate::{Backend, Reader, Store, StoreError};
use loopdesk_core::{State, Ticket};
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// The rollup key of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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

/// The owner rollup key of a ticket (0 for no assignee or department).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct OwnerKey {
    state: &'static str,
    assignee_id: i64,
    department_id: i64,
    needs_triage: i64,
}

impl OwnerKey {
    pub(crate) fn of(t: &Ticket) -> OwnerKey {
        OwnerKey {
            state: t.state.as_str(),
            assignee_id: t.assignee_id.map(|u| u.0).unwrap_or(0),
            department_id: t.department_id.map(|d| d.0).unwrap_or(0),
            needs_triage: crate::tickets::needs_triage(t),
        }
    }
}

/// Changes to the rollups accumulated during one transaction.
#[derive(Debug, Default)]
pub(crate) struct CountDeltas {
    /// Ordered, so rows are locked in the same order by every transaction.
    dimensions: BTreeMap<CountKey, i64>,
    owners: BTreeMap<OwnerKey, i64>,
    dashboard: crate::rollup::DashboardDeltas,
}

impl CountDeltas {
    pub(crate) fn add(&mut self, t: &Ticket, by: i64) {
        self.dashboard.add(t, by);
        self.add_counts(t, by);
    }

    fn add_counts(&mut self, t: &Ticket, by: i64) {
        *self.dimensions.entry(CountKey::of(t)).or_default() += by;
        *self.owners.entry(OwnerKey::of(t)).or_default() += by;
    }

    /// Records `before` → `after` (no-op when no key changed).
    pub(crate) fn moved(&mut self, before: &Ticket, after: &Ticket) {
        self.dashboard.moved(before, after);
        if CountKey::of(before) != CountKey::of(after) || OwnerKey::of(before) != OwnerKey::of(after) {
            self.add_counts(before, -1);
            self.add_counts(after, 1);
        }
    }

    /// Writes the changes (report day rows cut in `zone`).
    pub(crate) async fn flush(
        self,
        conn: &mut AnyConnection,
        backend: Backend,
        zone: chrono_tz::Tz,
    ) -> Result<(), sqlx::Error> {
        const OWNERS: Table = Table {
            name: "ticket_owner_counts",
            keys: &["state", "assignee_id", "department_id", "needs_triage"],
            counts: &["n"],
        };
        const DIMENSIONS: Table = Table {
            name: "ticket_counts",
            keys: &["state", "priority_rank", "channel", "category", "department_id"],
            counts: &["n"],
        };
        self.dashboard.flush(&mut *conn, backend, zone).await?;
        let rows = self.owners.iter().map(|(k, n)| {
            let keys =
                vec![Key::Text(k.state), Key::Int(k.assignee_id), Key::Int(k.department_id), Key::Int(k.needs_triage)];
            (keys, vec![*n])
        });
        OWNERS.add_all(conn, backend, rows.collect()).await?;
        let rows = self.dimensions.iter().map(|(k, n)| {
            let keys = vec![
                Key::Text(k.state),
                Key::Int(k.priority_rank),
                Key::Text(k.channel),
                Key::Text(&k.category),
                Key::Int(k.department_id),
            ];
            (keys, vec![*n])
        });
        DIMENSIONS.add_all(conn, backend, rows.collect()).await?;
        Ok(())
    }
}

/// Live counts stop at this many matching tickets (see [`StateCounts::capped`]).
pub const COUNT_CAP: i64 = 10_000;

/// Number of tickets in each state (every state present, zeros included) and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateCounts {
    pub by_state: BTreeMap<&'static str, i64>,
    pub total: i64,
    /// The filter could not be answered from a rollup and more than [`COUNT_CAP`] tickets
    /// match: the figures count the first [`COUNT_CAP`] found, "at least" is meant.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub capped: bool,
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
        StateCounts { by_state, total, capped: false }
    }
}

impl Store {
    /// Rebuilds the rollup from the tickets table (after a bulk import or to repair).
    pub async fn rebuild_counts(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM ticket_counts").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM ticket_owner_counts").execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO ticket_owner_counts (state, assignee_id, department_id, needs_triage, n) \
             SELECT state, COALESCE(assignee_id, 0), COALESCE(department_id, 0), needs_triage, COUNT(*) \
             FROM tickets GROUP BY state, COALESCE(assignee_id, 0), COALESCE(department_id, 0), needs_triage",
        )
        .execute(&mut *tx)
        .await?;
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

impl TicketFilter {
    /// Whether [`Reader::count_by_state`] answers `self` and `other` alike (it ignores the
    /// state filter), so one count serves both.
    pub fn counts_like(&self, other: &TicketFilter) -> bool {
        let ignoring_states = |f: &TicketFilter| TicketFilter { states: Vec::new(), ..f.clone() };
        ignoring_states(self) == ignoring_states(other)
    }
}

impl Reader {
    /// Per-state counts of the tickets matching `filter` (its state filter is ignored, so a
    /// queue can show every tab's count). Served from a rollup when the filter only uses
    /// rolled-up dimensions (priority, channel, category, department; or assignee,
    /// department, manual triage), counted live up to [`COUNT_CAP`] otherwise.
    pub async fn count_by_state(&self, filter: &TicketFilter) -> Result<StateCounts, StoreError> {
        let mut filter = filter.clone();
        filter.states.clear();
        let mut c = Conditions::default();
        if filter.is_rollup_only() {
            filter.rollup_conditions(&mut c);
            let sql =
                format!("SELECT state, CAST(SUM(n) AS BIGINT) FROM ticket_counts{} GROUP BY state", c.where_sql());
            let rows = sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?;
            return Ok(StateCounts::from_rows(rows));
        }
        if filter.is_owner_rollup_only() {
            filter.owner_rollup_conditions(&mut c);
            let sql = format!(
                "SELECT state, CAST(SUM(n) AS BIGINT) FROM ticket_owner_counts{} GROUP BY state",
                c.where_sql()
            );
            let rows = sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?;
            return Ok(StateCounts::from_rows(rows));
        }
        filter.conditions(&mut c, self.backend);
        let sql = format!(
            "SELECT state, COUNT(*) FROM (SELECT state FROM tickets{} LIMIT {}) m GROUP BY state",
            c.where_sql(),
            COUNT_CAP + 1
        );
        let rows = sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?;
        let mut counts = StateCounts::from_rows(rows);
        if counts.total > COUNT_CAP {
            counts.capped = true;
        }
        Ok(counts)
    }
}
