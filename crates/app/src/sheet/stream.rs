//! A workbook written a row at a time in bounded memory, for exports of any length (the
//! queue's): rust_xlsxwriter's constant-memory mode keeps only the current row and writes
//! the rest to a temporary file, so a million rows take no more memory than ten. The
//! columns' widths are given up front (they cannot follow the data in this mode); numbers,
//! times, the frozen header and the autofilter are as in [`super::to_xlsx`].

use super::xlsx::{excel_time, XlsxError};
use super::{Cell, Kind};
use rust_xlsxwriter::{Format, Workbook};

/// Data rows an Excel sheet holds below its header; rows beyond are not written.
pub const MAX_ROWS: u32 = 1_048_575;

/// A workbook of one sheet being written.
pub struct RowWriter {
    book: Workbook,
    formats: [Format; 3],
    time: Format,
    columns: u16,
    rows: u32,
}

impl std::fmt::Debug for RowWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowWriter").field("columns", &self.columns).field("rows", &self.rows).finish_non_exhaustive()
    }
}

impl RowWriter {
    /// A sheet named `name` with `header` (bold, frozen) and columns `widths` wide.
    pub fn new(name: &str, header: &[&str], widths: &[f64]) -> Result<RowWriter, XlsxError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(name.chars().take(31).collect::<String>())?;
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let bold = Format::new().set_bold();
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        let formats = [
            Format::new().set_num_format("0"),
            Format::new().set_num_format("0.0%"),
            Format::new().set_num_format("#,##0.00"),
        ];
        let time = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        Ok(RowWriter { book, formats, time, columns: header.len() as u16, rows: 0 })
    }

    /// Appends a row; false (and nothing written) once the sheet is full.
    pub fn push(&mut self, cells: &[Cell]) -> Result<bool, XlsxError> {
        if self.rows >= MAX_ROWS {
            return Ok(false);
        }
        self.rows += 1;
        let r = self.rows;
        let ws = self.book.worksheet_from_index(0)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Number(v, kind) => {
                    let f = match kind {
                        Kind::Count => &self.formats[0],
                        Kind::Ratio => &self.formats[1],
                        Kind::Decimal => &self.formats[2],
                    };
                    ws.write_number_with_format(r, c, *v, f)?;
                }
                Cell::Time(t) => {
                    ws.write_datetime_with_format(r, c, excel_time(t)?, &self.time)?;
                }
            }
        }
        Ok(true)
    }

    /// Adds the autofilter over the rows written and writes the workbook to `out`.
    pub fn finish<W: std::io::Write + Send>(mut self, out: W) -> Result<(), XlsxError> {
        let (rows, columns) = (self.rows, self.columns);
        if columns > 0 {
            self.book.worksheet_from_index(0)?.autofilter(0, 0, rows, columns - 1)?;
        }
        Ok(self.book.save_to_writer(out)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_written_one_at_a_time_make_a_workbook() {
        let mut w = RowWriter::new("工单", &["id", "subject"], &[8.0, 40.0]).unwrap();
        for i in 0..1000 {
            let row = [Cell::Number(f64::from(i), Kind::Count), Cell::Text(format!("洗衣机漏水 {i}"))];
            assert!(w.push(&row).unwrap());
        }
        let mut out = std::io::Cursor::new(Vec::new());
        w.finish(&mut out).unwrap();
        let bytes = out.into_inner();
        assert!(bytes.starts_with(b"PK"), "a zip");
    }
}
