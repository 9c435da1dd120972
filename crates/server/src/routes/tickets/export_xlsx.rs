//! `GET /tickets/export.xlsx`: the queue's tickets — the same filters, order, masking and
//! columns as the CSV export — as an Excel workbook with real numbers and dates (in the
//! company's time zone), the header frozen and an autofilter. Written a page at a time in
//! constant memory on a blocking thread to a temporary file, which is then streamed: any
//! number of rows (up to Excel's 1,048,575) takes bounded memory.

use super::export::{checked, fields, read_ahead, Field, HEADER};
use super::list::QueueParams;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use loopdesk_app::read::TicketLine;
use loopdesk_app::reports::company_time_zone;
use loopdesk_app::sheet::{Cell, Kind, RowWriter};
use loopdesk_core::{Principal, Timestamp};
use std::io::{Read, Seek};
use tokio::sync::mpsc;

/// Column widths, in `HEADER` order.
const WIDTHS: [f64; 15] = [10.0, 18.0, 12.0, 10.0, 16.0, 10.0, 13.0, 12.0, 14.0, 16.0, 26.0, 17.0, 17.0, 30.0, 60.0];
/// Bytes per chunk of the streamed file.
const CHUNK: usize = 64 * 1024;

type Chunk = Result<Bytes, std::io::Error>;
type Failure = Box<dyn std::error::Error + Send + Sync>;

/// `GET /api/v1/tickets/export.xlsx`.
#[utoipa::path(get, path = "/tickets/export.xlsx", tag = "tickets", params(QueueParams),
    responses((status = 200, description = "An Excel workbook, one row per ticket, in the queue's order",
        body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        crate::openapi::Errors))]
pub async fn xlsx(
    State(state): State<AppState>,
    auth: Auth,
    Query(params): Query<QueueParams>,
) -> Result<Response, ApiError> {
    let (principal, filter, sort) = checked(auth, &params)?;
    let tz = company_time_zone(&state);
    let pages = read_ahead(state, filter, sort);
    let export = Export { principal, tz };
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = export.write(pages, &tx) {
            // The status is sent already: the broken-off stream is the error the client sees.
            tracing::error!(error = %e, "ticket export failed");
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) }));
    let headers = [
        (header::CONTENT_TYPE, loopdesk_app::sheet::Format::Xlsx.content_type()),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"tickets.xlsx\""),
    ];
    Ok((headers, body).into_response())
}

/// Who the workbook is for, and the zone its times are local to.
struct Export {
    principal: Principal,
    tz: Tz,
}

impl Export {
    /// Writes the workbook from `pages`, then sends it in chunks (on a blocking thread).
    /// Stops early when the client has gone.
    fn write(
        &self,
        mut pages: mpsc::Receiver<Result<Vec<TicketLine>, std::io::Error>>,
        tx: &mpsc::Sender<Chunk>,
    ) -> Result<(), Failure> {
        let mut sheet = RowWriter::new("tickets", HEADER, &WIDTHS)?;
        'pages: while let Some(page) = pages.blocking_recv() {
            if tx.is_closed() {
                return Ok(());
            }
            for t in &page? {
                if !sheet.push(&cells(&fields(t, &self.principal), self.tz))? {
                    break 'pages;
                }
            }
        }
        // Dropped: a reader still ahead (the sheet is full) stops.
        drop(pages);
        let mut file = tempfile::tempfile()?;
        sheet.finish(&mut file)?;
        file.rewind()?;
        let mut buf = vec![0; CHUNK];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 || tx.blocking_send(Ok(Bytes::copy_from_slice(&buf[..n]))).is_err() {
                return Ok(());
            }
        }
    }
}

/// A ticket's cells from its export fields: ids as numbers, instants as local times of
/// `tz` (a stored instant that does not parse is kept as its text).
fn cells(fields: &[Field<'_>], tz: Tz) -> Vec<Cell> {
    fields
        .iter()
        .map(|f| match f {
            Field::Empty => Cell::Empty,
            Field::Text(s) => Cell::Text(s.to_string()),
            Field::Id(n) => Cell::Number(*n as f64, Kind::Count),
            Field::Time(s) => match s.parse::<Timestamp>() {
                Ok(t) => Cell::Time(t.with_timezone(&tz).naive_local()),
                Err(_) => Cell::Text(s.to_string()),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn ids_are_numbers_and_instants_local_times() {
        let c = cells(
            &[Field::Id(42), Field::Empty, Field::Time("2026-03-02T02:00:00Z"), Field::Text(Cow::Borrowed("=1+1"))],
            chrono_tz::Asia::Shanghai,
        );
        assert_eq!(c[0], Cell::Number(42.0, Kind::Count));
        assert_eq!(c[1], Cell::Empty);
        let ten = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(10, 0, 0).unwrap();
        assert_eq!(c[2], Cell::Time(ten));
        assert_eq!(c[3], Cell::Text("=1+1".into()), "a string cell, never a formula");
    }
}
