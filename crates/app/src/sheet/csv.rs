//! A sheet as CSV: UTF-8 with a byte-order mark (Excel then reads Chinese text right),
//! CRLF line ends, text fields defused as in the queue export; numbers are written as
//! numbers (a negative change is no formula).

use super::{Cell, Sheet};

pub fn to_csv(sheet: &Sheet) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<Cell> = sheet.header.iter().map(|h| Cell::Text(h.clone())).collect();
    for row in std::iter::once(&header).chain(&sheet.rows) {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => field(&mut out, s),
                Cell::Number(v, _) => out.push_str(&v.to_string()),
                Cell::Time(t) => out.push_str(&t.format("%Y-%m-%d %H:%M").to_string()),
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// One field, quoted when it holds a separator, quote or line break. A field a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@`, a tab or carriage return first) gets a leading
/// `'`: customers write these texts, and a formula in an export is an attack on whoever
/// opens it.
pub fn field(out: &mut String, f: &str) {
    let formula = f.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = formula || f.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if f.contains('"') {
        out.push_str(&f.replace('"', "\"\""));
    } else {
        out.push_str(f);
    }
    if quoted {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::Kind;

    #[test]
    fn numbers_stay_numbers_and_text_is_defused() {
        let sheet = Sheet {
            name: "t".into(),
            header: vec!["产品".into(), "change".into()],
            rows: vec![
                vec![Cell::Text("=cmd".into()), Cell::Number(-0.25, Kind::Ratio)],
                vec![Cell::Empty, Cell::Empty],
            ],
        };
        assert_eq!(to_csv(&sheet), "\u{feff}产品,change\r\n\"'=cmd\",-0.25\r\n,\r\n");
    }
}
