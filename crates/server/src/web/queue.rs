//! The queue page: tabs (mine, department, unassigned, manual triage, breaching soon,
//! overdue, awaiting approval, all) with counts, filters, sorting, search, saved views,
//! keyset pagination, bulk actions, and each ticket's SLA countdown. The filter is the API's (`QueueParams`), so the page and
//! `GET /api/v1/tickets` agree on what a query means and who may see what.

use super::context::Staff;
use super::form::{self, encode, field};
use super::page::{back_with_error, error_page, render, FlashQuery, Layout};
use super::sla::{DueView, SOON_HOURS};
use crate::auth::Auth;
use crate::error::ApiError;
use crate::routes::tickets::list::QueueParams;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use loopdesk_app::read::{Cursor, SavedView, Sort, StateCounts, OPEN_STATES};
use loopdesk_app::tickets::actions::{perform, Action};
use loopdesk_core::{Channel, DepartmentId, Priority, State as TicketState, Ticket, TicketId, Timestamp};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const PAGE_SIZE: usize = 50;

/// The queue tabs.
pub const TABS: [&str; 8] = ["mine", "department", "unassigned", "triage", "breaching", "overdue", "approval", "all"];

/// Query string of the queue page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub view: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
    /// Drill-down from a report: a department id, an assignee id, and the period the
    /// tickets were recorded in (RFC 3339), as the API's queue takes them.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub created_from: Option<String>,
    #[serde(default)]
    pub created_to: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(flatten)]
    pub flash: FlashFields,
}

/// Flash fields left by a redirect (kept apart so they never end up in a saved view).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FlashFields {
    #[serde(default)]
    pub ok: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl QueueQuery {
    fn tab(&self) -> &str {
        nonempty(&self.view).filter(|v| TABS.contains(v)).unwrap_or("mine")
    }

    /// The API parameters of `tab` plus this page's filters.
    fn params(&self, tab: &str, staff: &Staff, now: Timestamp) -> Result<QueueParams, ApiError> {
        serde_json::from_value(Value::Object(self.api_query(tab, staff, now))).map_err(|e| ApiError::BadRequest {
            code: "invalid_query",
            message: e.to_string(),
            field: None,
        })
    }

    /// The query of the CSV and Excel exports of what this page lists, in its order: the
    /// API's export with the same parameters.
    fn export_query(&self, tab: &str, staff: &Staff, now: Timestamp) -> String {
        let sort = match self.sort(tab) {
            Sort::Newest => "-created",
            Sort::Oldest => "created",
            Sort::Priority => "priority",
            Sort::Due => "due",
        };
        let query = self.api_query(tab, staff, now);
        let pairs = query.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)));
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).append_pair("sort", sort).finish()
    }

    /// The API's query parameters (as JSON values) of `tab` plus this page's filters; the
    /// SLA tabs are relative to `now`.
    fn api_query(&self, tab: &str, staff: &Staff, now: Timestamp) -> Map<String, Value> {
        let mut m = Map::new();
        let open: Vec<&str> = OPEN_STATES.iter().map(|s| s.as_str()).collect();
        let open = open.join(",");
        match tab {
            "mine" => {
                m.insert("assignee".into(), json!("me"));
                m.insert("state".into(), json!(open));
            }
            "department" => {
                let dept = staff.principal.department_id.map(|d| d.0.to_string()).unwrap_or_else(|| "none".into());
                m.insert("department".into(), json!(dept));
                m.insert("state".into(), json!(open));
            }
            "unassigned" => {
                m.insert("assignee".into(), json!("none"));
                m.insert("state".into(), json!(open));
            }
            "triage" => {
                m.insert("triage".into(), json!("manual"));
                m.insert("state".into(), json!(open));
            }
            // Due within the next hours (not yet overdue), and overdue: by the SLA due time,
            // which only tickets somebody owes work on have (no state condition, so the
            // due index alone answers both the list and the count).
            "breaching" => {
                m.insert("due_from".into(), json!(now.to_rfc3339()));
                m.insert("due_before".into(), json!((now + chrono::Duration::hours(SOON_HOURS)).to_rfc3339()));
            }
            "overdue" => {
                m.insert("due_before".into(), json!(now.to_rfc3339()));
            }
            "approval" => {
                m.insert("state".into(), json!("awaiting_approval"));
            }
            _ => {}
        }
        for (k, v) in [
            ("state", &self.state),
            ("priority", &self.priority),
            ("category", &self.category),
            ("channel", &self.channel),
            ("q", &self.q),
            ("department", &self.department),
            ("assignee", &self.assignee),
            ("created_from", &self.created_from),
            ("created_to", &self.created_to),
        ] {
            if let Some(v) = nonempty(v) {
                m.insert(k.into(), json!(v));
            }
        }
        m
    }

    /// The order chosen, or the tab's: the SLA tabs most urgent first, the others by priority.
    fn sort(&self, tab: &str) -> Sort {
        match nonempty(&self.sort).and_then(Sort::parse) {
            Some(s) => s,
            None if matches!(tab, "breaching" | "overdue") => Sort::Due,
            None => Sort::Priority,
        }
    }

    /// The query string without cursor and flash (for saved views and links).
    pub fn canonical(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("view", &self.view),
            ("state", &self.state),
            ("priority", &self.priority),
            ("category", &self.category),
            ("channel", &self.channel),
            ("q", &self.q),
            ("department", &self.department),
            ("assignee", &self.assignee),
            ("created_from", &self.created_from),
            ("created_to", &self.created_to),
            ("sort", &self.sort),
        ] {
            if let Some(v) = nonempty(v) {
                parts.push(format!("{k}={}", encode(v)));
            }
        }
        parts.join("&")
    }
}

/// One queue row, ready to show.
pub struct Row {
    pub id: i64,
    pub tracking_no: String,
    pub subject: String,
    pub snippet: String,
    pub state: &'static str,
    pub priority: &'static str,
    pub category: String,
    pub channel: &'static str,
    pub department: String,
    pub assignee: String,
    pub received: String,
    /// Its SLA countdown; none when no clock counts.
    pub due: Option<DueView>,
}

/// A tab with its count ("10000+" when the count stopped at the cap).
pub struct Tab {
    pub key: &'static str,
    pub count: Option<String>,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    layout: Layout,
    csrf: String,
    tab: String,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    q: QueueQuery,
    canonical: String,
    /// The query of this list's CSV and Excel downloads.
    export: String,
    /// The server's clock, for the countdowns' script.
    now_ms: i64,
    /// The order in force (chosen, or the tab's), as the sort menu names it.
    sort: &'static str,
    next: Option<String>,
    is_first: bool,
    states: Vec<&'static str>,
    priorities: Vec<&'static str>,
    categories: Vec<String>,
    channels: Vec<&'static str>,
    departments: Vec<(i64, String)>,
    views: Vec<SavedView>,
    counts_total: i64,
}

/// The category machine names of the taxonomy in force, in its order.
pub fn categories(state: &AppState) -> Vec<String> {
    state.triage.current().taxonomy().categories.iter().map(|c| c.id.clone()).collect()
}

fn snippet(t: &Ticket) -> String {
    let s: String = t.content.chars().take(80).collect();
    s.replace(['\n', '\r'], " ")
}

/// Names of departments and users, for showing ids.
pub struct Names {
    pub departments: HashMap<i64, String>,
    pub users: HashMap<i64, String>,
}

impl Names {
    /// Loads both lists (small tables).
    pub async fn load(state: &AppState) -> Result<Names, ApiError> {
        let departments = state.read().departments().await?.into_iter().map(|d| (d.id.0, d.name)).collect();
        let users = state.read().users().await?.into_iter().map(|u| (u.id.0, u.display_name)).collect();
        Ok(Names { departments, users })
    }

    fn department(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.departments.get(&i).cloned()).unwrap_or_else(|| "—".into())
    }

    fn user(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.users.get(&i).cloned()).unwrap_or_else(|| "—".into())
    }
}

fn row(s: &Staff, names: &Names, t: &Ticket, due: Option<Timestamp>, now: Timestamp) -> Row {
    Row {
        id: t.id.0,
        tracking_no: t.tracking_no.to_string(),
        subject: t.subject.clone().unwrap_or_default(),
        snippet: snippet(t),
        state: t.state.as_str(),
        priority: t.priority.as_str(),
        category: t.category.clone().unwrap_or_else(|| "none".into()),
        channel: t.channel.as_str(),
        department: names.department(t.department_id.map(|d| d.0)),
        assignee: names.user(t.assignee_id.map(|u| u.0)),
        received: s.t.date(&t.received_at),
        due: due.map(|d| DueView::of(s.t, d, now)),
    }
}

/// Shown instead of a total for text searches.
fn rows_len_marker() -> i64 {
    -1
}

/// Open tickets matching a tab's filter (from the per-state counts), as shown.
fn tab_count(counts: &StateCounts, tab: &str) -> String {
    let n: i64 = match tab {
        "all" => counts.total,
        "approval" => counts.by_state.get("awaiting_approval").copied().unwrap_or(0),
        _ => OPEN_STATES.iter().map(|st| counts.by_state.get(st.as_str()).copied().unwrap_or(0)).sum(),
    };
    if counts.capped {
        format!("{n}+")
    } else {
        n.to_string()
    }
}

/// `GET /console`.
pub async fn page(State(state): State<AppState>, s: Staff, uri: Uri) -> Response {
    let q: QueueQuery = serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    match build(&state, &s, q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

async fn build(state: &AppState, s: &Staff, q: QueueQuery) -> Result<QueuePage, ApiError> {
    let auth = Auth(s.principal.clone());
    let tab = q.tab().to_string();
    let now = state.now();
    let filter = q.params(&tab, s, now)?.filter(&auth)?;
    let cursor = nonempty(&q.cursor).and_then(Cursor::decode);
    let names = Names::load(state).await?;
    let page = state.read().list_tickets(&filter, q.sort(&tab), cursor, PAGE_SIZE).await?;
    let rows = page.items.iter().map(|x| row(s, &names, &x.ticket, x.sla_due, now)).collect();
    let next_cursor = page.next_cursor;
    let mut tabs = Vec::new();
    // The list's own count when it is a tab's (same tickets, states aside): counted once.
    let mut counted: Option<StateCounts> = None;
    for key in TABS {
        // Counts answer from the rollup or an index (the SLA tabs from the due index);
        // the search words are not applied.
        let plain = QueueQuery { view: Some(key.into()), ..Default::default() };
        let f = plain.params(key, s, now)?.filter(&auth)?;
        let counts = state.read().count_by_state(&f).await?;
        tabs.push(Tab { key, count: Some(tab_count(&counts, key)) });
        if counted.is_none() && f.counts_like(&filter) {
            counted = Some(counts);
        }
    }
    // A text search is not counted: a common word can match much of the database.
    let counts_total = match (&filter.text, counted) {
        (Some(_), _) => rows_len_marker(),
        (None, Some(counts)) => counts.total,
        (None, None) => state.read().count_by_state(&filter).await?.total,
    };
    let fq = FlashQuery {
        ok: q.flash.ok.clone(),
        error: q.flash.error.clone(),
        field: q.flash.field.clone(),
        detail: q.flash.detail.clone(),
    };
    let mut layout = Layout::staff(s, "queue.title").with_flash(&fq);
    if let (Some(f), Some(n)) = (layout.flash.as_mut(), q.flash.n.as_deref()) {
        let (ok, failed) = n.split_once('-').unwrap_or((n, "0"));
        f.text = s.t.get("bulk.done").replace("{ok}", ok).replace("{failed}", failed);
    }
    Ok(QueuePage {
        layout,
        csrf: s.csrf.clone(),
        canonical: q.canonical(),
        export: q.export_query(&tab, s, now),
        now_ms: now.timestamp_millis(),
        sort: match q.sort(&tab) {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Priority => "priority",
            Sort::Due => "due",
        },
        tab,
        tabs,
        rows,
        next: next_cursor,
        is_first: q.cursor.is_none(),
        q,
        states: TicketState::ALL.iter().map(|x| x.as_str()).collect(),
        priorities: Priority::ALL.iter().map(|x| x.as_str()).collect(),
        categories: categories(state),
        channels: Channel::ALL.iter().map(|x| x.as_str()).collect(),
        departments: names.departments.iter().map(|(k, v)| (*k, v.clone())).collect(),
        views: state.read().saved_views(s.principal.user_id).await?,
        counts_total,
    })
}

/// The action a bulk form asks for. Each is an action a single ticket page offers, with
/// the same checks; the destructive ones (resolve, close, reject) are confirmed in the page.
fn bulk_action(p: &[(String, String)]) -> Result<Action, ApiError> {
    let reason = field(p, "reason");
    let bulk_reason = || reason.clone().unwrap_or_else(|| "批量操作 / bulk change".into());
    Ok(match field(p, "bulk_action").unwrap_or_default().as_str() {
        "assign_me" => Action::AssignToMe,
        "transfer" => match field(p, "department_id").and_then(|d| d.parse().ok()) {
            Some(d) => Action::Assign { department_id: Some(DepartmentId(d)), assignee_id: None, reason: None },
            None => return Err(ApiError::invalid("department_id", "choose a department")),
        },
        "set_priority" => match field(p, "priority").as_deref().and_then(Priority::parse) {
            Some(priority) => Action::Reprioritize { priority, reason: bulk_reason() },
            None => return Err(ApiError::invalid("priority", "choose a priority")),
        },
        "set_category" => match field(p, "category") {
            Some(c) => Action::Recategorize { category: Some(c), subtags: Vec::new() },
            None => return Err(ApiError::invalid("category", "choose a category")),
        },
        "add_tag" => match field(p, "tag") {
            Some(tag) => Action::AddTags { tags: vec![tag] },
            None => return Err(ApiError::invalid("tag", "give the tag to add")),
        },
        "resolve" => match reason {
            // The text is each customer's result notice.
            Some(summary) => Action::Resolve(loopdesk_app::tickets::reply::solved_by(&summary)),
            None => return Err(ApiError::invalid("reason", "write the reply the customers are told")),
        },
        "close" => Action::Close,
        "reject" => Action::Reject { reason: reason.unwrap_or_default() },
        _ => return Err(ApiError::invalid("bulk_action", "choose an action")),
    })
}

/// `POST /console/bulk`: one action on every selected ticket; each goes through the same
/// checks as a single change, and the page says how many succeeded.
pub async fn bulk(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let back = form::local_path(field(&p, "back").as_deref(), "/console");
    if let Err(e) = form::check_csrf(&p, &s.csrf) {
        return back_with_error(&back, &e);
    }
    let input = match bulk_action(&p) {
        Ok(a) => a,
        Err(e) => return back_with_error(&back, &e),
    };
    let ids: Vec<i64> = form::all(&p, "ids").iter().filter_map(|i| i.parse().ok()).take(200).collect();
    let (mut ok, mut failed) = (0, 0);
    for id in ids {
        match perform(&state, &s.principal, TicketId(id), input.clone()).await {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    let sep = if back.contains('?') { '&' } else { '?' };
    form::redirect(&format!("{back}{sep}ok=bulk&n={ok}-{failed}"))
}
