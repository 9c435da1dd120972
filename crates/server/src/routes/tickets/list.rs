//! `GET /tickets` (the queue) and `GET /tickets/counts`.

use super::view;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use loopdesk_app::read::{Cursor, Sort, StateCounts, TicketFilter};
use loopdesk_core::access::Permission;
use loopdesk_core::{Channel, DepartmentId, Priority, State as TicketState, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

/// Query parameters of the queue. Lists are comma-separated.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// States, comma-separated (`new,assigned`).
    state: Option<String>,
    /// Priorities, comma-separated (`urgent,high`).
    priority: Option<String>,
    /// Categories, comma-separated.
    category: Option<String>,
    /// Channels, comma-separated.
    channel: Option<String>,
    /// A department id, or `none`.
    #[param(pattern = r"^([0-9]+|none)$")]
    department: Option<String>,
    /// A user id, `me`, or `none`.
    #[param(pattern = r"^([0-9]+|me|none)$")]
    assignee: Option<String>,
    #[param(value_type = Option<String>, format = DateTime)]
    created_from: Option<Timestamp>,
    #[param(value_type = Option<String>, format = DateTime)]
    created_to: Option<Timestamp>,
    /// Text the subject or content contains.
    #[param(max_length = 200)]
    q: Option<String>,
    /// `manual`: only tickets waiting for a person to choose the category (人工辅助分派).
    #[param(pattern = "^manual$")]
    triage: Option<String>,
    /// Only tickets whose SLA due time (the earliest due time of a clock still counting;
    /// past when overdue) is before this instant: `due_before=<now>` lists the overdue.
    #[param(value_type = Option<String>, format = DateTime)]
    due_before: Option<Timestamp>,
    /// Only tickets whose SLA due time is at or after this instant (with `due_before`, the
    /// tickets due within a window).
    #[param(value_type = Option<String>, format = DateTime)]
    due_from: Option<Timestamp>,
    /// `-created` (default), `created`, `priority`, or `due` (soonest SLA due time first,
    /// the most overdue at the top; tickets with no clock counting after them).
    #[param(pattern = "^(-created|created|priority|due)$")]
    sort: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// One page of the queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuePage {
    /// Tickets as the caller may see them, each with `sla_due`: its SLA due time (past
    /// when overdue; null when no clock counts).
    #[schema(value_type = Vec<loopdesk_core::Ticket>)]
    items: Vec<Value>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
}

fn list<T>(
    field: &'static str,
    raw: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    names: String,
) -> Result<Vec<T>, ApiError> {
    raw.iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            parse(s).ok_or_else(|| ApiError::BadRequest {
                code: "invalid_query",
                message: format!("unknown {field} {s:?}; expected one of {names}"),
                field: Some(field.into()),
            })
        })
        .collect()
}

fn id_or_none(field: &'static str, raw: &str, me: Option<i64>) -> Result<Option<i64>, ApiError> {
    match (raw, me) {
        ("none", _) => Ok(None),
        ("me", Some(id)) => Ok(Some(id)),
        _ => raw.parse().map(Some).map_err(|_| ApiError::BadRequest {
            code: "invalid_query",
            message: format!("{field} must be an id or 'none'"),
            field: Some(field.into()),
        }),
    }
}

impl QueueParams {
    /// The page size asked for, within bounds.
    pub fn page_size(&self) -> Result<usize, ApiError> {
        crate::extract::limit(self.limit, DEFAULT_LIMIT, MAX_LIMIT)
    }

    /// The order asked for; the default when none is.
    pub fn sort(&self) -> Result<Sort, ApiError> {
        match self.sort.as_deref() {
            None => Ok(Sort::default()),
            Some(s) => Sort::parse(s).ok_or_else(|| ApiError::BadRequest {
                code: "invalid_query",
                message: "sort must be one of -created, created, priority, due".into(),
                field: Some("sort".into()),
            }),
        }
    }

    /// The store filter these parameters describe, limited to what `auth` may see.
    pub fn filter(&self, auth: &Auth) -> Result<TicketFilter, ApiError> {
        let me = Some(auth.0.user_id.0);
        let q = self.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if q.is_some_and(|s| s.chars().count() > 200) {
            return Err(ApiError::BadRequest {
                code: "invalid_query",
                message: "q is too long".into(),
                field: Some("q".into()),
            });
        }
        Ok(TicketFilter {
            states: list("state", &self.state, TicketState::parse, TicketState::names())?,
            priorities: list("priority", &self.priority, Priority::parse, Priority::names())?,
            categories: list("category", &self.category, |s| Some(s.to_string()), String::new())?,
            channels: list("channel", &self.channel, Channel::parse, Channel::names())?,
            department: self
                .department
                .as_deref()
                .map(|d| id_or_none("department", d, None))
                .transpose()?
                .map(|o| o.map(DepartmentId)),
            assignee: self
                .assignee
                .as_deref()
                .map(|a| id_or_none("assignee", a, me))
                .transpose()?
                .map(|o| o.map(UserId)),
            created_from: self.created_from,
            created_to: self.created_to,
            text: q.map(str::to_string),
            needs_manual_triage: match self.triage.as_deref() {
                None => false,
                Some("manual") => true,
                Some(_) => {
                    return Err(ApiError::BadRequest {
                        code: "invalid_query",
                        message: "triage must be 'manual'".into(),
                        field: Some("triage".into()),
                    })
                }
            },
            visibility: Some(auth.0.visibility()),
            due_before: self.due_before,
            due_from: self.due_from,
        })
    }
}

/// `GET /api/v1/tickets`: the queue, filtered, sorted, a page at a time.
#[utoipa::path(get, path = "/tickets", tag = "tickets", params(QueueParams),
    responses((status = 200, body = QueuePage), crate::openapi::Errors))]
pub async fn queue(
    State(state): State<AppState>,
    auth: Auth,
    Query(params): Query<QueueParams>,
) -> Result<Json<QueuePage>, ApiError> {
    auth.require(Permission::Read)?;
    let filter = params.filter(&auth)?;
    let sort = params.sort()?;
    let cursor = match params.cursor.as_deref() {
        None => None,
        Some(c) => Some(Cursor::decode(c).ok_or_else(|| ApiError::BadRequest {
            code: "invalid_query",
            message: "cursor is not one this server gave out".into(),
            field: Some("cursor".into()),
        })?),
    };
    let limit = params.page_size()?;
    let page = state.read().list_tickets(&filter, sort, cursor, limit).await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|s| {
            let mut item = view::ticket(&s.ticket, &auth.0);
            if let Value::Object(fields) = &mut item {
                fields.insert("sla_due".into(), serde_json::to_value(s.sla_due).unwrap_or(Value::Null));
            }
            item
        })
        .collect();
    Ok(Json(QueuePage { items, next_cursor: page.next_cursor }))
}

/// `GET /api/v1/tickets/counts`: per-state counts for the same filters (state ignored).
#[utoipa::path(get, path = "/tickets/counts", tag = "tickets", params(QueueParams),
    responses((status = 200, body = StateCounts), crate::openapi::Errors))]
pub async fn counts(
    State(state): State<AppState>,
    auth: Auth,
    Query(params): Query<QueueParams>,
) -> Result<Json<StateCounts>, ApiError> {
    auth.require(Permission::Read)?;
    let filter = params.filter(&auth)?;
    // Counts neither sort nor page, but what the queue would refuse is refused here too.
    params.sort()?;
    params.page_size()?;
    Ok(Json(state.read().count_by_state(&filter).await?))
}
