//! Small helpers for portable SQL: instants as milliseconds and dynamically bound values.

use crate::Backend;
use chrono::{TimeZone, Utc};
use loopdesk_core::Timestamp;
use sqlx::any::AnyArguments;
use sqlx::Arguments;

/// An instant as stored: unix milliseconds.
pub(crate) fn ms(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

/// A stored instant back as a timestamp.
pub(crate) fn from_ms(v: i64) -> Timestamp {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

/// A value bound to a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
}

/// Accumulates `WHERE` clauses with `$n` placeholders numbered in order.
#[derive(Debug, Default)]
pub(crate) struct Conditions {
    pub clauses: Vec<String>,
    pub values: Vec<Value>,
}

impl Conditions {
    /// Adds one value and returns its placeholder.
    pub fn arg(&mut self, v: Value) -> String {
        self.values.push(v);
        format!("${}", self.values.len())
    }

    /// Adds a clause built with placeholders from [`Conditions::arg`].
    pub fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// `WHERE a AND b`, or nothing.
    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// The arguments of a dynamically built query, for `query_with` / `query_as_with`.
pub(crate) fn arguments<'q>(values: &[Value]) -> Result<AnyArguments<'q>, sqlx::Error> {
    let mut args = AnyArguments::default();
    for v in values {
        match v {
            Value::Int(i) => args.add(*i),
            Value::Text(s) => args.add(s.clone()),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(args)
}

/// Placeholders for a multi-row statement of `rows` × `cols` whose only parameters they
/// are. SQLite gets anonymous `?` placeholders, bound in order: with `$n` it looks every
/// parameter's name up in a list, which grows with the square of the statement's size and
/// forced small statements.
pub(crate) fn values_rows_for(backend: Backend, rows: usize, cols: usize) -> String {
    match backend {
        Backend::Postgres => values_rows(rows, cols),
        Backend::Sqlite => {
            let row = format!("({})", vec!["?"; cols].join(", "));
            vec![row; rows].join(", ")
        }
    }
}

/// Rows per multi-row statement for `cols` columns: as many as keep a statement under
/// SQLite's and PostgreSQL's parameter limits with room to spare.
pub(crate) fn rows_per_statement(backend: Backend, cols: usize) -> usize {
    let budget = match backend {
        Backend::Sqlite => 4_000,
        Backend::Postgres => 16_000,
    };
    (budget / cols.max(1)).clamp(1, 500)
}

/// `(…), (…)` with consecutive placeholders for a multi-row insert of `rows` × `cols`.
pub(crate) fn values_rows(rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("${}", r * cols + c + 1));
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(values_rows(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_rows_for(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(values_rows_for(Backend::Postgres, 1, 2), "($1, $2)");
        let mut c = Conditions::default();
        let a = c.arg(Value::Int(1));
        c.push(format!("x = {a}"));
        let b = c.arg(Value::Text("y".into()));
        c.push(format!("y = {b}"));
        assert_eq!(c.where_sql(), " WHERE x = $1 AND y = $2");
    }
}
