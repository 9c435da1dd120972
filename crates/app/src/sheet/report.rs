//! A report as a sheet: one row per figure (summary), per bucket (trend) or per dimension
//! value (tables), with the names of agents and departments beside their ids.

use super::{Cell, Kind, Sheet};
use crate::reports::{Report, ReportBody};
use loopdesk_core::report::{Dimension, Measure, Unit};
use std::collections::BTreeMap;

/// Display names of dimension values (agents' and departments' names by id).
pub type Names = BTreeMap<(Dimension, String), String>;

fn number(v: Option<f64>, unit: Unit) -> Cell {
    let kind = match unit {
        Unit::Count => Kind::Count,
        Unit::Ratio => Kind::Ratio,
        Unit::Milliseconds | Unit::Score => Kind::Decimal,
    };
    v.map(|v| Cell::Number(v, kind)).unwrap_or(Cell::Empty)
}

fn text(s: Option<&str>) -> Cell {
    s.map(|s| Cell::Text(s.to_string())).unwrap_or(Cell::Empty)
}

/// The sheet of `report`, times in its zone.
pub fn sheet(report: &Report, names: &Names) -> Sheet {
    let tz: chrono_tz::Tz = report.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let local = |t: &loopdesk_core::Timestamp| Cell::Time(t.with_timezone(&tz).naive_local());
    let mut s = Sheet { name: report.name.as_str().to_string(), ..Sheet::default() };
    match &report.body {
        ReportBody::Summary { rows } => {
            let header =
                ["measure", "priority", "target", "unit", "value", "previous", "year_ago", "change", "change_year"];
            s.header = header.map(String::from).to_vec();
            for r in rows {
                // A change of a ratio is in points, still a ratio; of a count, a count.
                let n = |v| number(v, r.unit);
                s.rows.push(vec![
                    Cell::Text(r.measure.as_str().into()),
                    text(r.priority.map(|p| p.as_str())),
                    text(r.target.map(|t| t.as_str())),
                    Cell::Text(r.unit.as_str().into()),
                    n(r.value),
                    n(r.previous),
                    n(r.year_ago),
                    n(r.change),
                    n(r.change_year),
                ]);
            }
        }
        ReportBody::Trend { measures, buckets, .. } => {
            s.header = ["start", "end"].map(String::from).to_vec();
            s.header.extend(measures.iter().map(|m| m.as_str().to_string()));
            s.header.extend(measures.iter().map(|m| format!("previous_{m}")));
            for b in buckets {
                let mut row = vec![local(&b.start), local(&b.end)];
                row.extend(measures.iter().zip(&b.values).map(|(m, v)| number(*v, m.unit())));
                row.extend(measures.iter().zip(&b.previous).map(|(m, v)| number(*v, m.unit())));
                s.rows.push(row);
            }
        }
        ReportBody::Table(t) => {
            for d in &t.dimensions {
                s.header.push(d.as_str().to_string());
                if matches!(d, Dimension::Agent | Dimension::Department) {
                    s.header.push(format!("{d}_name"));
                }
            }
            s.header.extend(t.measures.iter().map(|m: &Measure| m.as_str().to_string()));
            for r in &t.rows {
                let mut row = Vec::new();
                for (d, k) in t.dimensions.iter().zip(&r.keys) {
                    row.push(Cell::Text(k.clone()));
                    if matches!(d, Dimension::Agent | Dimension::Department) {
                        row.push(text(names.get(&(*d, k.clone())).map(String::as_str)));
                    }
                }
                row.extend(t.measures.iter().zip(&r.values).map(|(m, v)| number(*v, m.unit())));
                s.rows.push(row);
            }
        }
    }
    s
}
