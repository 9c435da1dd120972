//! Tables for download: a report as rows of typed cells, written as CSV (UTF-8 with a
//! byte-order mark, as the queue export) or as an Excel workbook with real numbers and
//! dates. Used by the API, the console's download buttons and `loopdesk report`.

mod csv;
mod report;
mod stream;
mod xlsx;

pub use self::csv::{field, to_csv};
pub use report::{sheet, Names};
pub use stream::{RowWriter, MAX_ROWS};
pub use xlsx::{to_xlsx, XlsxError};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    /// Text, possibly a customer's (defused in CSV when it would run as a formula).
    Text(String),
    /// A number and how it reads.
    Number(f64, Kind),
    /// A local date and time (the company's zone).
    Time(chrono::NaiveDateTime),
}

/// How a number reads, for its Excel format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Count,
    /// 0–1, shown as a percentage.
    Ratio,
    /// Milliseconds, or a score with decimals.
    Decimal,
}

/// A header row and data rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Download formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}
