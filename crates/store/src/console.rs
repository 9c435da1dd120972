//! Reads behind the staff console's supervisor views: a problem cluster's other tickets,
//! the team's open load, recent escalations. Each is one indexed query.

use crate::sql::ms;
use crate::{Reader, StoreError};
use loopdesk_core::{Event, State, Ticket, TicketId, Timestamp, UserId};
use serde::Serialize;

/// States in which a ticket is still being worked.
pub const OPEN_STATES: [State; 6] =
    [State::New, State::Assigned, State::InProgress, State::AwaitingCustomer, State::AwaitingApproval, State::Reopened];

fn open_list() -> String {
    OPEN_STATES.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ")
}

/// One agent's open tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentLoad {
    pub user_id: UserId,
    pub open: i64,
    pub awaiting_customer: i64,
    pub awaiting_approval: i64,
}

impl Reader {
    /// Up to `limit` other tickets of the problem cluster, newest first.
    pub async fn cluster_siblings(
        &self,
        cluster_id: i64,
        except: TicketId,
        limit: i64,
    ) -> Result<Vec<Ticket>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT t.doc FROM ticket_signatures s JOIN tickets t ON t.id = s.ticket_id \
             WHERE s.cluster_id = $1 AND s.ticket_id <> $2 ORDER BY s.ticket_id DESC LIMIT $3",
        )
        .bind(cluster_id)
        .bind(except.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|(doc,)| serde_json::from_str(doc).map_err(StoreError::from)).collect()
    }

    /// Open tickets per assignee (from the owner counts rollup).
    pub async fn team_load(&self) -> Result<Vec<AgentLoad>, StoreError> {
        let sql = format!(
            "SELECT assignee_id, state, CAST(SUM(n) AS BIGINT) FROM ticket_owner_counts \
             WHERE assignee_id <> 0 AND state IN ({}) GROUP BY assignee_id, state",
            open_list()
        );
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        let mut out: Vec<AgentLoad> = Vec::new();
        for (user, state, n) in rows {
            let i = match out.iter().position(|l| l.user_id.0 == user) {
                Some(i) => i,
                None => {
                    out.push(AgentLoad { user_id: UserId(user), open: 0, awaiting_customer: 0, awaiting_approval: 0 });
                    out.len() - 1
                }
            };
            let l = &mut out[i];
            l.open += n;
            match State::parse(&state) {
                Some(State::AwaitingCustomer) => l.awaiting_customer += n,
                Some(State::AwaitingApproval) => l.awaiting_approval += n,
                _ => {}
            }
        }
        out.retain(|l| l.open > 0);
        out.sort_by_key(|l| std::cmp::Reverse(l.open));
        Ok(out)
    }

    /// The latest events of the given kinds (e.g. `escalated`) since `since`, newest first.
    pub async fn recent_events(&self, kind: &str, since: Timestamp, limit: i64) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT doc FROM events WHERE kind = $1 AND at >= $2 ORDER BY at DESC LIMIT $3")
                .bind(kind)
                .bind(ms(since))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|(doc,)| serde_json::from_str(doc).map_err(StoreError::from)).collect()
    }

    /// Tickets by id (missing ids are left out), in the order given.
    pub async fn tickets_by_id(&self, ids: &[TicketId]) -> Result<Vec<Ticket>, StoreError> {
        let mut found = std::collections::BTreeMap::new();
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT doc FROM tickets WHERE id IN ({})", list.join(", "));
            let mut q = sqlx::query_as::<_, (String,)>(&sql);
            for id in chunk {
                q = q.bind(id.0);
            }
            for (doc,) in q.fetch_all(&self.pool).await? {
                let t: Ticket = serde_json::from_str(&doc)?;
                found.insert(t.id, t);
            }
        }
        // In the order asked for, as before.
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}
