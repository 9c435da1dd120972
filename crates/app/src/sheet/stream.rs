//! A workbook written a row at a time in bounded memory, for exports of any length (the
//! queue's): rust_xlsxwriter's constant-memory mode keeps only the current row and writes
//! the rest to a temporary file, so a million rows take no more memory than ten. The
//! columns' widths are given up front (they cannot follow the data in this mode); numbers,
//! times, the frozen header and the autofilter are as in [`super::to_xlsx`].

use super::xlsx::{Formats, XlsxError};
use super::Cell;
use rust_xlsxwriter::Workbook;

/// Data rows an Excel sheet holds below its header; rows beyond are not written.
pub const MAX_ROWS: u32 = 1_048_575;

/// A workbook of one sheet being written.
pub struct RowWriter {
    book: Workbook,
    formats: Formats,
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
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        // Counts here are ids: no thousands separator.
        let formats = Formats::new("0");
        formats.header(ws, name, header)?;
        Ok(RowWriter { book, formats, columns: header.len() as u16, rows: 0 })
    }

    /// Appends a row; false (and nothing written) once the sheet is full.
    pub fn push(&mut self, cells: &[Cell]) -> Result<bool, XlsxError> {
        if self.rows >= MAX_ROWS {
            return Ok(false);
        }
        self.rows += 1;
        let ws = self.book.worksheet_from_index(0)?;
        for (c, cell) in cells.iter().enumerate() {
            self.formats.cell(ws, self.rows, c as u16, cell)?;
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
    use crate::sheet::Kind;

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
