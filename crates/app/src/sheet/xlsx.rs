//! A sheet as an Excel workbook: numbers as numbers (percentages formatted as such), local
//! times as Excel dates, the header row bold and frozen, an autofilter over the table and
//! columns wide enough for their longest text.

use super::{Cell, Kind, Sheet};
use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// Why a workbook could not be written (a bug or an impossible date, never the user's data).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the workbook: {0}")]
pub struct XlsxError(#[from] rust_xlsxwriter::XlsxError);

/// Widest column, in characters.
const MAX_WIDTH: usize = 60;

fn width(cell: &Cell) -> usize {
    match cell {
        Cell::Empty => 2,
        // Chinese characters take two columns.
        Cell::Text(s) => s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum(),
        Cell::Number(..) => 10,
        Cell::Time(_) => 16,
    }
}

pub(super) fn excel_time(t: &chrono::NaiveDateTime) -> Result<ExcelDateTime, rust_xlsxwriter::XlsxError> {
    let year = u16::try_from(t.year()).unwrap_or(1900);
    ExcelDateTime::from_ymd(year, t.month() as u8, t.day() as u8)?.and_hms(
        t.hour() as u16,
        t.minute() as u8,
        t.second(),
    )
}

pub fn to_xlsx(sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet.name.chars().take(31).collect::<String>())?;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let count = Format::new().set_num_format("#,##0");
    let decimal = Format::new().set_num_format("#,##0.00");
    let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.chars().count() + 4).collect();
    for (c, h) in sheet.header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width(cell));
            }
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Number(v, kind) => {
                    let f = match kind {
                        Kind::Count => &count,
                        Kind::Ratio => &percent,
                        Kind::Decimal => &decimal,
                    };
                    ws.write_number_with_format(r, c, *v, f)?;
                }
                Cell::Time(t) => {
                    ws.write_datetime_with_format(r, c, excel_time(t)?, &time)?;
                }
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).min(MAX_WIDTH) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    if !sheet.header.is_empty() {
        ws.autofilter(0, 0, sheet.rows.len() as u32, sheet.header.len() as u16 - 1)?;
    }
    Ok(book.save_to_buffer()?)
}
