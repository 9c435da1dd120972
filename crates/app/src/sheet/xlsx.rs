//! A sheet as an Excel workbook: numbers as numbers (percentages formatted as such), local
//! times as Excel dates, the header row bold and frozen, an autofilter over the table and
//! columns wide enough for their longest text.

use super::{Cell, Kind, Sheet};
use chrono::{Datelike, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

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

/// The formats both writers (this one and the streaming [`super::RowWriter`]) give a
/// workbook, and the writing of the header and of a cell with them.
pub(super) struct Formats {
    bold: Format,
    count: Format,
    percent: Format,
    decimal: Format,
    time: Format,
}

impl Formats {
    /// `count` is the number format of counts (`#,##0` for figures, `0` for ids).
    pub(super) fn new(count: &str) -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            count: Format::new().set_num_format(count),
            percent: Format::new().set_num_format("0.0%"),
            decimal: Format::new().set_num_format("#,##0.00"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }

    /// Names the sheet, writes `header` bold in the first row and freezes it.
    pub(super) fn header<S: AsRef<str>>(&self, ws: &mut Worksheet, name: &str, header: &[S]) -> Result<(), XlsxError> {
        ws.set_name(name.chars().take(31).collect::<String>())?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h.as_ref(), &self.bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(())
    }

    /// Writes one cell: numbers as numbers in their format, times as Excel dates.
    pub(super) fn cell(&self, ws: &mut Worksheet, r: u32, c: u16, cell: &Cell) -> Result<(), XlsxError> {
        match cell {
            Cell::Empty => {}
            Cell::Text(s) => {
                ws.write_string(r, c, s)?;
            }
            Cell::Number(v, kind) => {
                let f = match kind {
                    Kind::Count => &self.count,
                    Kind::Ratio => &self.percent,
                    Kind::Decimal => &self.decimal,
                };
                ws.write_number_with_format(r, c, *v, f)?;
            }
            Cell::Time(t) => {
                ws.write_datetime_with_format(r, c, excel_time(t)?, &self.time)?;
            }
        }
        Ok(())
    }
}

pub fn to_xlsx(sheet: &Sheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let formats = Formats::new("#,##0");
    formats.header(ws, &sheet.name, &sheet.header)?;
    let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.chars().count() + 4).collect();
    for (r, row) in sheet.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width(cell));
            }
            formats.cell(ws, r as u32 + 1, c as u16, cell)?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).min(MAX_WIDTH) as f64)?;
    }
    if !sheet.header.is_empty() {
        ws.autofilter(0, 0, sheet.rows.len() as u32, sheet.header.len() as u16 - 1)?;
    }
    Ok(book.save_to_buffer()?)
}
