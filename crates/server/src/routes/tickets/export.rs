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
use loopdesk_app::read::{Sort, TicketFilter, TicketLine};
use loopdesk_app::sheet::field;
use loopdesk_core::access::Permission;
use loopdesk_core::Principal;
use std::borrow::Cow;
use std::fmt::Write;
use std::task::Poll;
use tokio::sync::mpsc;

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
    let mut pages = read_ahead(state, filter, sort);
    let mut started = false;
    let chunks = futures::stream::poll_fn(move |cx| {
        if !std::mem::replace(&mut started, true) {
            return Poll::Ready(Some(Ok(Bytes::from(header_line()))));
        }
        pages.poll_recv(cx).map(|page| page.map(|page| page.map(|p| Bytes::from(csv_lines(&p, &principal)))))
    });
    let body = Body::from_stream(chunks);
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

/// The queue's pages in order, read by a task a couple of pages ahead of their writer (the
/// database reads the next page while this one is written and sent; the short channel
/// bounds the memory). The task stops at the last page, at an error (sent as the stream's
/// error: the status is out already) or when the receiver is dropped (the client has gone).
pub(super) fn read_ahead(
    state: AppState,
    filter: TicketFilter,
    sort: Sort,
) -> mpsc::Receiver<Result<Vec<TicketLine>, std::io::Error>> {
    let (tx, rx) = mpsc::channel(2);
    tokio::spawn(async move {
        let mut cursor = None;
        loop {
            let (lines, next) = match state.read().list_lines(&filter, sort, cursor.take(), PAGE).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "ticket export failed");
                    let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                    return;
                }
            };
            cursor = next;
            if tx.send(Ok(lines)).await.is_err() || cursor.is_none() {
                return;
            }
        }
    });
    rx
}

/// The byte-order mark and the header record.
fn header_line() -> String {
    let mut out = String::from("\u{feff}");
    for (i, h) in HEADER.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, h);
    }
    out.push_str("\r\n");
    out
}

/// A page's CSV records.
fn csv_lines(page: &[TicketLine], principal: &Principal) -> String {
    let mut out = String::with_capacity(page.len() * 256);
    for t in page {
        line(&mut out, &fields(t, principal));
    }
    out
}

/// A ticket's value in one column of an export.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Field<'a> {
    Empty,
    Text(Cow<'a, str>),
    Id(i64),
    /// An instant in RFC 3339, as stored and as the JSON view shows it.
    Time(&'a str),
}

/// A ticket's values in `HEADER` order, personal data masked for the role as in the
/// queue's JSON view, read straight from its export line (a million rows build no JSON).
pub(super) fn fields<'a>(t: &'a TicketLine, principal: &Principal) -> [Field<'a>; 15] {
    let text = |s: Option<&'a str>| s.map_or(Field::Empty, |s| Field::Text(Cow::Borrowed(s)));
    let name = |s: &'static str| Field::Text(Cow::Borrowed(s));
    let id = |n: Option<i64>| n.map_or(Field::Empty, Field::Id);
    let [customer_name, phone, email] =
        view::contact(&t.customer, principal).map(|c| c.map_or(Field::Empty, Field::Text));
    [
        Field::Id(t.id.0),
        text(Some(t.tracking_no.as_str())),
        name(t.state.as_str()),
        name(t.priority.as_str()),
        text(t.category.as_deref()),
        name(t.channel.as_str()),
        id(t.department_id.map(|d| d.0)),
        id(t.assignee_id.map(|u| u.0)),
        customer_name,
        phone,
        email,
        Field::Time(&t.received_at),
        Field::Time(&t.recorded_at),
        text(t.subject.as_deref()),
        text(Some(&t.content)),
    ]
}

/// Appends one CSV record: instants in RFC 3339 as in the JSON view (written as stored:
/// the text needs no quoting).
fn line(out: &mut String, fields: &[Field<'_>]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match f {
            Field::Empty => {}
            Field::Text(s) => field(out, s),
            Field::Id(n) => {
                let _ = write!(out, "{n}");
            }
            Field::Time(t) => out.push_str(t),
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> String {
        let fields: Vec<Field> = fields.iter().map(|f| Field::Text(Cow::Borrowed(*f))).collect();
        let mut out = String::new();
        line(&mut out, &fields);
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

    /// Every column of every role's export is the value the queue's JSON view shows that
    /// role (the line is read from the stored document, as the store does).
    #[test]
    fn the_exports_values_are_the_json_views_for_every_role() {
        use loopdesk_core::access::Role;
        use loopdesk_core::contact::{Email, Phone};
        use loopdesk_core::{Channel, Customer, DepartmentId, Ticket, TicketId, UserId};

        let customer = Customer {
            name: Some("王小明".into()),
            phone: Some(Phone::parse("13812345678").unwrap()),
            email: Some(Email::parse("xiaoming@example.com").unwrap()),
            ..Customer::default()
        };
        // Sub-millisecond instants: the stored text must come out unchanged.
        let received: loopdesk_core::Timestamp = "2026-03-02T02:00:00.250123Z".parse().unwrap();
        let recorded: loopdesk_core::Timestamp = "2026-03-02T02:00:01Z".parse().unwrap();
        let mut t = Ticket::draft(Channel::Web, "洗衣机漏水, \"又\"漏了\n两次".into(), customer, received, recorded);
        t.id = TicketId(7);
        t.subject = Some("=漏水".into());
        t.category = Some("质量问题".into());
        t.department_id = Some(DepartmentId(3));
        t.assignee_id = Some(UserId(9));
        let doc = serde_json::to_string(&t).unwrap();
        let stored: TicketLine = serde_json::from_str(&doc).unwrap();
        let columns = ["id", "tracking_no", "state", "priority", "category", "channel", "department_id", "assignee_id"];
        for role in Role::ALL {
            let p = Principal {
                user_id: UserId(1),
                name: "x".into(),
                role: *role,
                department_id: None,
                intake_only: false,
            };
            let view = view::ticket(&t, &p);
            let want: Vec<serde_json::Value> = columns
                .iter()
                .map(|c| view[c].clone())
                .chain(["name", "phone", "email"].iter().map(|c| view["customer"][c].clone()))
                .chain(["received_at", "recorded_at", "subject", "content"].iter().map(|c| view[c].clone()))
                .collect();
            let got: Vec<serde_json::Value> = fields(&stored, &p)
                .iter()
                .map(|f| match f {
                    Field::Empty => serde_json::Value::Null,
                    Field::Text(s) => serde_json::json!(s),
                    Field::Id(n) => serde_json::json!(n),
                    Field::Time(s) => serde_json::json!(s),
                })
                .collect();
            assert_eq!(got, want, "{role:?}");
            assert_eq!(p.sees_personal_data(), got[8] == "王小明", "{role:?}");
        }
    }
}
