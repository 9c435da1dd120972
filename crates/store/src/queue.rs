//! The queue: filtered, sorted, keyset-paginated lists of tickets.

use crate::sql::{arguments, ms, Conditions, Value};
use crate::{Backend, Reader, StoreError};
use loopdesk_core::access::Visibility;
use loopdesk_core::{Channel, DepartmentId, Priority, State, Ticket, TicketId, Timestamp, UserId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Which tickets a queue shows. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFilter {
    pub states: Vec<State>,
    pub priorities: Vec<Priority>,
    pub categories: Vec<String>,
    pub channels: Vec<Channel>,
    /// `Some(None)`: tickets of no department.
    pub department: Option<Option<DepartmentId>>,
    /// `Some(None)`: unassigned tickets.
    pub assignee: Option<Option<UserId>>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    /// Words the subject or text contains.
    pub text: Option<String>,
    /// Only tickets waiting for a person to choose the category.
    pub needs_manual_triage: bool,
    /// What the caller may see; `None` means everything.
    pub visibility: Option<Visibility>,
    /// Only tickets whose SLA due time (see [`crate::SlaDue`]) is before this instant: with
    /// `due_from` unset, the overdue ones when it is now.
    pub due_before: Option<Timestamp>,
    /// Only tickets whose SLA due time is at or after this instant.
    pub due_from: Option<Timestamp>,
}

/// Queue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Most recently recorded first.
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// Most pressing priority first, newest first within a priority.
    Priority,
    /// Soonest SLA due time first (the most overdue at the top); tickets without one (no
    /// clock counting) after them, oldest first.
    Due,
}

impl Sort {
    /// Parses `created`, `-created`, `priority`.
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "-created" | "newest" => Some(Sort::Newest),
            "created" | "oldest" => Some(Sort::Oldest),
            "priority" => Some(Sort::Priority),
            "due" => Some(Sort::Due),
            _ => None,
        }
    }
}

/// Where the previous page ended: the sort key of its last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub rank: i64,
    pub id: i64,
}

impl Cursor {
    /// Opaque text for the API.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.rank, self.id)
    }

    /// Parses [`Cursor::encode`]'s output.
    pub fn decode(s: &str) -> Option<Cursor> {
        let (rank, id) = s.split_once('.')?;
        Some(Cursor { rank: rank.parse().ok()?, id: id.parse().ok()? })
    }
}

/// One page of a queue.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub items: Vec<TicketSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A queue row: what an agent needs to pick a ticket, without the whole record.
#[derive(Debug, Clone, Serialize)]
pub struct TicketSummary {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Its SLA due time: past when overdue, none when no clock counts.
    pub sla_due: Option<Timestamp>,
}

/// What a queue's rows can be read as: parsed from the ticket's stored document, and put
/// in order and paged by priority and id.
pub trait QueueRow: DeserializeOwned + Send {
    fn id(&self) -> TicketId;
    fn priority(&self) -> Priority;
}

impl QueueRow for Ticket {
    fn id(&self) -> TicketId {
        self.id
    }
    fn priority(&self) -> Priority {
        self.priority
    }
}

/// A ticket as an export writes it: the fifteen exported fields of its stored document and
/// nothing else. Parsing only these (strings copied, the rest of the document skipped,
/// instants kept as the stored text) costs a fraction of the whole ticket, which is most
/// of an export's work at a million rows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TicketLine {
    pub id: TicketId,
    pub tracking_no: String,
    pub state: State,
    pub channel: Channel,
    pub customer: LineContact,
    pub subject: Option<String>,
    pub content: String,
    /// RFC 3339, as stored: the text the JSON view shows.
    pub received_at: String,
    /// RFC 3339, as stored.
    pub recorded_at: String,
    pub category: Option<String>,
    pub priority: Priority,
    pub department_id: Option<DepartmentId>,
    pub assignee_id: Option<UserId>,
}

/// The customer's contact as stored (already normalised by [`loopdesk_core::contact`]).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LineContact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl QueueRow for TicketLine {
    fn id(&self) -> TicketId {
        self.id
    }
    fn priority(&self) -> Priority {
        self.priority
    }
}

/// A search walks the word index in id order (SQLite) when the other conditions keep at
/// least 1 in this many tickets: with fewer, the matches that pass are sparse and the walk
/// reads too far before a page is full.
const WALK_WORDS_SHARE: i64 = 100;

impl TicketFilter {
    /// Whether every condition can be answered from the counts rollup.
    pub(crate) fn is_rollup_only(&self) -> bool {
        self.assignee.is_none()
            && self.created_from.is_none()
            && self.created_to.is_none()
            && self.text.is_none()
            && !self.needs_manual_triage
            && !self.has_due()
            && matches!(self.visibility, None | Some(Visibility::All))
    }

    /// Whether it filters by SLA due time.
    fn has_due(&self) -> bool {
        self.due_before.is_some() || self.due_from.is_some()
    }

    /// Whether every condition can be answered from the owner rollup (state, assignee,
    /// department, manual triage).
    pub(crate) fn is_owner_rollup_only(&self) -> bool {
        self.priorities.is_empty()
            && self.categories.is_empty()
            && self.channels.is_empty()
            && self.created_from.is_none()
            && self.created_to.is_none()
            && self.text.is_none()
            && !self.has_due()
            && matches!(self.visibility, None | Some(Visibility::All))
    }

    /// Conditions on the owner rollup table (see [`TicketFilter::is_owner_rollup_only`]).
    pub(crate) fn owner_rollup_conditions(&self, c: &mut Conditions) {
        in_list(c, "state", self.states.iter().map(|s| Value::Text(s.as_str().into())));
        for (column, value) in [
            ("assignee_id", self.assignee.map(|a| a.map(|u| u.0).unwrap_or(0))),
            ("department_id", self.department.map(|d| d.map(|d| d.0).unwrap_or(0))),
        ] {
            if let Some(v) = value {
                let p = c.arg(Value::Int(v));
                c.push(format!("{column} = {p}"));
            }
        }
        if self.needs_manual_triage {
            c.push("needs_triage = 1".into());
        }
    }

    /// Conditions on the rollup table (see [`TicketFilter::is_rollup_only`]).
    pub(crate) fn rollup_conditions(&self, c: &mut Conditions) {
        self.dimension_conditions(c, "COALESCE(department_id, 0)", true);
    }

    /// Conditions on the tickets table.
    pub(crate) fn conditions(&self, c: &mut Conditions, backend: Backend) {
        self.dimension_conditions(c, "department_id", false);
        if let Some(assignee) = self.assignee {
            match assignee {
                Some(u) => {
                    let p = c.arg(Value::Int(u.0));
                    c.push(format!("assignee_id = {p}"));
                }
                None => c.push("assignee_id IS NULL".into()),
            }
        }
        if self.needs_manual_triage {
            c.push("needs_triage = 1".into());
        }
        if let Some(from) = self.created_from {
            let p = c.arg(Value::Int(ms(from)));
            c.push(format!("recorded_at >= {p}"));
        }
        if let Some(to) = self.created_to {
            let p = c.arg(Value::Int(ms(to)));
            c.push(format!("recorded_at < {p}"));
        }
        if let Some(before) = self.due_before {
            let p = c.arg(Value::Int(ms(before)));
            c.push(format!("sla_due < {p}"));
        }
        if let Some(from) = self.due_from {
            let p = c.arg(Value::Int(ms(from)));
            c.push(format!("sla_due >= {p}"));
        }
        if let Some(text) = self.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            crate::search::push_condition(c, backend, text);
        }
        match self.visibility {
            None | Some(Visibility::All) => {}
            Some(Visibility::None) => c.push("1 = 0".into()),
            Some(Visibility::Department { department_id, user_id }) => {
                let u = c.arg(Value::Int(user_id.0));
                let dept = match department_id {
                    Some(d) => {
                        let p = c.arg(Value::Int(d.0));
                        format!(" OR department_id = {p}")
                    }
                    None => String::new(),
                };
                c.push(format!(
                    "(department_id IS NULL{dept} OR assignee_id = {u} OR id IN \
                     (SELECT ticket_id FROM ticket_collaborators WHERE user_id = {u}))"
                ));
            }
        }
    }

    fn dimension_conditions(&self, c: &mut Conditions, department_col: &str, rollup: bool) {
        in_list(c, "state", self.states.iter().map(|s| Value::Text(s.as_str().into())));
        in_list(c, "priority_rank", self.priorities.iter().map(|p| Value::Int(p.rank())));
        in_list(c, "category", self.categories.iter().map(|s| Value::Text(s.clone())));
        in_list(c, "channel", self.channels.iter().map(|ch| Value::Text(ch.as_str().into())));
        match self.department {
            None => {}
            Some(Some(d)) => {
                let p = c.arg(Value::Int(d.0));
                c.push(format!("{department_col} = {p}"));
            }
            Some(None) if rollup => c.push(format!("{department_col} = 0")),
            Some(None) => c.push(format!("{department_col} IS NULL")),
        }
    }
}

fn in_list(c: &mut Conditions, column: &str, values: impl Iterator<Item = Value>) {
    let placeholders: Vec<String> = values.map(|v| c.arg(v)).collect();
    if !placeholders.is_empty() {
        c.push(format!("{column} IN ({})", placeholders.join(", ")));
    }
}

/// The cursor rank of a ticket without an SLA due time in the due order: after every due.
const NO_DUE: i64 = i64::MAX;

/// The sort key of a row and its due time, in the order rows are returned.
fn sort_key(sort: Sort, t: &impl QueueRow, due: Option<i64>) -> (i64, i64) {
    match sort {
        Sort::Newest => (0, -t.id().0),
        Sort::Oldest => (0, t.id().0),
        Sort::Priority => (t.priority().rank(), -t.id().0),
        Sort::Due => (due.unwrap_or(NO_DUE), t.id().0),
    }
}

/// Which tickets a part of the due order reads: those with a due time (in its order, from
/// the partial index), then those without (in id order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DuePhase {
    Due,
    NoDue,
}

impl TicketFilter {
    /// Splits a filter into one filter per (state, priority): each part is an equality on
    /// an index ending in `(state, priority_rank, id)` or `(priority_rank, id)`, so the
    /// database reads its rows already in order instead of sorting every match (a text
    /// search reads each part in the search index's id order).
    fn fan_out(&self, sort: Sort) -> Vec<TicketFilter> {
        // Without a state, a priority sort splits by priority only when nothing else narrows
        // the rows (the `(priority_rank, id)` index then serves each part); a category or
        // channel filter reads its own index in id order instead.
        if sort == Sort::Due {
            // One part per phase (see `list_rows`): the due index gives the order.
            return vec![self.clone()];
        }
        let by_priority = sort == Sort::Priority && self.categories.is_empty() && self.channels.is_empty();
        if (self.states.len() <= 1 && self.priorities.len() == 1)
            || (self.states.is_empty() && self.priorities.len() <= 1 && !by_priority)
        {
            return vec![self.clone()];
        }
        let states: Vec<Option<State>> =
            if self.states.is_empty() { vec![None] } else { self.states.iter().copied().map(Some).collect() };
        let priorities = if self.priorities.is_empty() { Priority::ALL.to_vec() } else { self.priorities.clone() };
        let mut parts = Vec::with_capacity(states.len() * priorities.len());
        for s in &states {
            for p in &priorities {
                let mut f = self.clone();
                f.states = s.iter().copied().collect();
                f.priorities = vec![*p];
                parts.push(f);
            }
        }
        parts
    }
}

impl Reader {
    /// Whether the filter without its text keeps at least 1 in [`WALK_WORDS_SHARE`] of all
    /// tickets, as far as the rollups tell (a filter they cannot answer counts as broad).
    async fn keeps_many(&self, filter: &TicketFilter) -> Result<bool, StoreError> {
        let rest = TicketFilter { text: None, ..filter.clone() };
        if !(rest.is_rollup_only() || rest.is_owner_rollup_only()) {
            return Ok(true);
        }
        let counts = self.count_by_state(&rest).await?;
        let kept: i64 = if rest.states.is_empty() {
            counts.total
        } else {
            rest.states.iter().map(|s| counts.by_state.get(s.as_str()).copied().unwrap_or(0)).sum()
        };
        let all = self.count_by_state(&TicketFilter::default()).await?.total;
        Ok(kept * WALK_WORDS_SHARE >= all)
    }

    /// Up to `take` rows of one filter, in sort order, each with its SLA due time.
    async fn list_part<R: QueueRow>(
        &self,
        filter: &TicketFilter,
        plan: &crate::search::Plan,
        (sort, phase): (Sort, DuePhase),
        after: Option<Cursor>,
        take: usize,
    ) -> Result<Vec<(R, Option<i64>)>, StoreError> {
        use crate::search::Plan;
        let mut c = Conditions::default();
        // The column the order and the cursor use: the index's row id when reading from it.
        let mut id_col = "id";
        let mut from = "tickets";
        match plan {
            Plan::Subquery => filter.conditions(&mut c, self.backend),
            Plan::Nothing => return Ok(Vec::new()),
            Plan::Ids(ids) if ids.is_empty() => return Ok(Vec::new()),
            Plan::Ids(ids) => {
                TicketFilter { text: None, ..filter.clone() }.conditions(&mut c, self.backend);
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                c.push(format!("id IN ({})", list.join(", ")));
            }
            Plan::FtsJoin(expr) => {
                TicketFilter { text: None, ..filter.clone() }.conditions(&mut c, self.backend);
                let p = c.arg(Value::Text(expr.clone()));
                c.push(format!("ticket_search MATCH {p}"));
                id_col = "s.rowid";
                from = "ticket_search s JOIN tickets t ON t.id = s.rowid";
            }
        }
        if let Some(cur) = after {
            let single = match filter.priorities.as_slice() {
                [p] => Some(p.rank()),
                _ => None,
            };
            match (sort, single) {
                (Sort::Newest, _) => {
                    let id = c.arg(Value::Int(cur.id));
                    c.push(format!("{id_col} < {id}"))
                }
                (Sort::Oldest, _) => {
                    let id = c.arg(Value::Int(cur.id));
                    c.push(format!("{id_col} > {id}"))
                }
                // One priority: the page ended before, within or after it.
                (Sort::Priority, Some(rank)) if rank < cur.rank => return Ok(Vec::new()),
                (Sort::Priority, Some(rank)) if rank == cur.rank => {
                    let id = c.arg(Value::Int(cur.id));
                    c.push(format!("{id_col} < {id}"))
                }
                (Sort::Priority, Some(_)) => {}
                (Sort::Priority, None) => {
                    let id = c.arg(Value::Int(cur.id));
                    let rank = c.arg(Value::Int(cur.rank));
                    c.push(format!("(priority_rank > {rank} OR (priority_rank = {rank} AND {id_col} < {id}))"));
                }
                // The page ended among the tickets without a due time: none with one is left.
                (Sort::Due, _) if cur.rank == NO_DUE && phase == DuePhase::Due => return Ok(Vec::new()),
                (Sort::Due, _) if cur.rank == NO_DUE => {
                    let id = c.arg(Value::Int(cur.id));
                    c.push(format!("{id_col} > {id}"))
                }
                (Sort::Due, _) if phase == DuePhase::Due => {
                    let id = c.arg(Value::Int(cur.id));
                    let due = c.arg(Value::Int(cur.rank));
                    c.push(format!("(sla_due > {due} OR (sla_due = {due} AND {id_col} > {id}))"));
                }
                (Sort::Due, _) => {}
            }
        }
        let owner = filter.assignee.is_some() || filter.department.is_some();
        if sort == Sort::Due && phase == DuePhase::Due && from == "tickets" && self.backend == Backend::Sqlite && !owner
        {
            // With a state condition SQLite reads a state index and sorts every open ticket
            // (99 ms at a million); the due index gives the order and holds only tickets
            // with a due time. One person's or department's tickets are fewer: their own
            // index finds them and the sort is short (walking the due index for them took
            // 153 ms).
            from = "tickets INDEXED BY tickets_sla_due";
        }
        if sort == Sort::Due {
            c.push(match phase {
                DuePhase::Due => "sla_due IS NOT NULL".into(),
                DuePhase::NoDue => "sla_due IS NULL".into(),
            });
        }
        let order = match sort {
            Sort::Newest => format!("{id_col} DESC"),
            Sort::Oldest => format!("{id_col} ASC"),
            Sort::Priority if filter.priorities.len() == 1 => format!("{id_col} DESC"),
            Sort::Priority => format!("priority_rank ASC, {id_col} DESC"),
            Sort::Due if phase == DuePhase::Due => format!("sla_due ASC, {id_col} ASC"),
            Sort::Due => format!("{id_col} ASC"),
        };
        let order = match order.strip_prefix(&format!("{id_col} ")) {
            // Unassigned tickets of one state and priority: a generic PostgreSQL plan would
            // read the state index and skip the assigned ones (a whole closed range); ordering
            // by assignee_id as well (all NULL here) leaves only the assignee index in order.
            Some(dir)
                if self.backend == Backend::Postgres
                    && from == "tickets"
                    && filter.assignee == Some(None)
                    && filter.states.len() == 1
                    && filter.priorities.len() == 1 =>
            {
                format!("assignee_id {dir}, {order}")
            }
            _ => order,
        };
        let sql = format!("SELECT doc, sla_due FROM {from}{} ORDER BY {order} LIMIT {take}", c.where_sql());
        let rows: Vec<(String, Option<i64>)> =
            sqlx::query_as_with(&sql, arguments(&c.values)?).fetch_all(&self.pool).await?;
        rows.iter().map(|(doc, due)| Ok((serde_json::from_str(doc)?, *due))).collect()
    }
}

impl Reader {
    /// One page of the queue.
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
        sort: Sort,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<Page, StoreError> {
        let (items, next) = self.list_rows::<Ticket>(filter, sort, after, limit).await?;
        Ok(Page {
            items: items
                .into_iter()
                .map(|(ticket, due)| TicketSummary { ticket, sla_due: due.map(crate::sql::from_ms) })
                .collect(),
            next_cursor: next.map(|c| c.encode()),
        })
    }

    /// One page of the queue as export lines (see [`TicketLine`]) and where the next
    /// page starts: the same rows, order and paging as [`Reader::list_tickets`].
    pub async fn list_lines(
        &self,
        filter: &TicketFilter,
        sort: Sort,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<(Vec<TicketLine>, Option<Cursor>), StoreError> {
        let (rows, next) = self.list_rows(filter, sort, after, limit).await?;
        Ok((rows.into_iter().map(|(line, _)| line).collect(), next))
    }

    async fn list_rows<R: QueueRow>(
        &self,
        filter: &TicketFilter,
        sort: Sort,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<(Vec<(R, Option<i64>)>, Option<Cursor>), StoreError> {
        use crate::search::Plan;
        let text = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let mut plan = match text {
            Some(t) => crate::search::plan(&self.pool, self.backend, t).await?,
            None => Plan::Subquery,
        };
        if matches!(plan, Plan::FtsJoin(_)) && !self.keeps_many(filter).await? {
            // Few tickets pass the other conditions: read those in one statement and check
            // each against the word index, rather than walk the word's matches for them.
            plan = Plan::Subquery;
        }
        let parts = if text.is_some() && self.backend == Backend::Sqlite && matches!(plan, Plan::Subquery) {
            vec![filter.clone()]
        } else if text.is_some() && sort == Sort::Priority && filter.priorities.len() != 1 {
            // Read per priority, each in id order (the index gives ids in order, not priorities).
            let mut f = filter.clone();
            if f.priorities.is_empty() {
                f.priorities = Priority::ALL.to_vec();
            }
            f.fan_out(sort)
        } else {
            filter.fan_out(sort)
        };
        let single_rank = |f: &TicketFilter| match f.priorities.as_slice() {
            [p] => Some(p.rank()),
            _ => None,
        };
        // In the priority order a part of one priority holds rows that all sort after every
        // row of a more urgent part: read in that order, the parts after a page in hand can
        // no longer reach it (an export or a deep page read four priorities for one).
        let ordered = sort == Sort::Priority && parts.iter().all(|p| single_rank(p).is_some());
        let mut parts = parts;
        if ordered {
            parts.sort_by_key(|p| single_rank(p));
        }
        let mut items = Vec::new();
        let mut last_rank = None;
        for part in parts {
            let rank = single_rank(&part);
            if ordered && items.len() > limit && rank != last_rank {
                break;
            }
            last_rank = rank;
            items.extend(self.list_part::<R>(&part, &plan, (sort, DuePhase::Due), after, limit + 1).await?);
        }
        // The due order reads the tickets without a due time once those with one run out
        // (a due filter leaves none of them).
        if sort == Sort::Due && items.len() <= limit && !filter.has_due() {
            let rest = limit + 1 - items.len();
            items.extend(self.list_part::<R>(filter, &plan, (sort, DuePhase::NoDue), after, rest).await?);
        }
        items.sort_by_key(|(t, due)| sort_key(sort, t, *due));
        items.truncate(limit + 1);
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|(t, due)| match sort {
                Sort::Due => Cursor { rank: due.unwrap_or(NO_DUE), id: t.id().0 },
                _ => Cursor { rank: t.priority().rank(), id: t.id().0 },
            })
        } else {
            None
        };
        Ok((items, next))
    }
}
