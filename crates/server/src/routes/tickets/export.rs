//! `GET /tickets/export.csv`: the queue's tickets — the same filters, order and masking as
//! `GET /tickets` — as CSV that Excel opens with Chinese text intact (UTF-8 with a byte-order
//! mark), streamed a page at a time so any number of rows takes bounded memory.

use super::list::QueueParams;
use super::view;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use loopdesk_app::read::{Cursor, Sort, TicketFilter};
use loopdesk_app::sheet::field;
use loopdesk_core::access::Permission;
use loopdesk_core::Principal;
use serde_json::Value;

/// Rows read per page of the stream.
pub(super) const PAGE: usize = 500;

pub(super) const HEADER: &[&str] = &[
    "id",
    "tracking_no",
    "state",
    "priority",
    "category",
    "channel",
    "department_id",
    "assignee_id",
    "customer_name",
    "customer_phone",
    "customer_email",
    "received_at",
    "recorded_at",
    "subject",
    "content",
];

/// `GET /api/v1/tickets/export.csv`.
#[utoipa::path(get, path = "/tickets/export.csv", tag = "tickets", params(QueueParams),
    responses((status = 200, description = "UTF-8 CSV with a byte-order mark, one row per ticket, in the queue's order",
        body = String, content_type = "text/csv"), crate::openapi::Errors))]
pub async fn csv(
    State(state): State<AppState>,
    auth: Auth,
    Query(params): Query<QueueParams>,
) -> Result<Response, ApiError> {
    let (principal, filter, sort) = checked(auth, &params)?;
    let pages = Pages { state, principal, filter, sort, cursor: None, started: false, done: false };
    let body = Body::from_stream(futures::stream::unfold(pages, Pages::next));
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"tickets.csv\""),
    ];
    Ok((headers, body).into_response())
}

/// The queue's own checks, shared by both exports: what the queue refuses, an export
/// refuses too. The caller, the filter and the order to read in.
pub(super) fn checked(auth: Auth, params: &QueueParams) -> Result<(Principal, TicketFilter, Sort), ApiError> {
    auth.require(Permission::Read)?;
    let filter = params.filter(&auth)?;
    let sort = params.sort()?;
    params.page_size()?;
    Ok((auth.0, filter, sort))
}

/// Where the stream is.
struct Pages {
    state: AppState,
    principal: Principal,
    filter: TicketFilter,
    sort: Sort,
    cursor: Option<Cursor>,
    started: bool,
    done: bool,
}

impl Pages {
    /// The next chunk: the byte-order mark and header first, then a page of rows at a time.
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Pages)> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            let mut out = String::from("\u{feff}");
            line(&mut out, HEADER.iter().map(|h| h.to_string()));
            return Some((Ok(Bytes::from(out)), self));
        }
        let page = self.state.read().list_tickets(&self.filter, self.sort, self.cursor.take(), PAGE).await;
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                // The status is sent already: the broken-off stream is the error the client sees.
                tracing::error!(error = %e, "ticket export failed");
                self.done = true;
                return Some((Err(std::io::Error::other("export failed")), self));
            }
        };
        let mut out = String::new();
        for s in &page.items {
            line(&mut out, row(&view::ticket(&s.ticket, &self.principal)));
        }
        self.cursor = page.next_cursor.as_deref().and_then(Cursor::decode);
        self.done = self.cursor.is_none();
        Some((Ok(Bytes::from(out)), self))
    }
}

/// A ticket view's values in `HEADER` order (personal data masked for the role), for both
/// exports.
pub(super) fn values(t: &Value) -> [&Value; 15] {
    [
        &t["id"],
        &t["tracking_no"],
        &t["state"],
        &t["priority"],
        &t["category"],
        &t["channel"],
        &t["department_id"],
        &t["assignee_id"],
        &t["customer"]["name"],
        &t["customer"]["phone"],
        &t["customer"]["email"],
        &t["received_at"],
        &t["recorded_at"],
        &t["subject"],
        &t["content"],
    ]
}

/// A ticket's fields in `HEADER` order, from its view.
fn row(t: &Value) -> impl Iterator<Item = String> + '_ {
    values(t).into_iter().map(|v| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Appends one CSV record.
fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, &f);
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> String {
        let mut out = String::new();
        line(&mut out, fields.iter().map(|f| f.to_string()));
        out
    }

    #[test]
    fn fields_are_quoted_only_when_needed_and_formulas_are_defused() {
        assert_eq!(
            record(&["洗衣机漏水", "a,b", "say \"hi\"", "two\nlines"]),
            "洗衣机漏水,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
        assert_eq!(
            record(&["=HYPERLINK(\"x\")", "-1", "@SUM(A1)"]),
            "\"'=HYPERLINK(\"\"x\"\")\",\"'-1\",\"'@SUM(A1)\"\r\n"
        );
    }
}
