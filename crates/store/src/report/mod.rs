//! The reports' rollups (`report_facts`, `report_sla`, `report_waits` by hour and every key;
//! `report_day_*` by local day, department and priority; `report_backlog`, the open backlog per
//! key over all time): written with every ticket change
//! from what `loopdesk_core::report::fact` says the ticket contributes ([`deltas`]), and
//! read back summed by hour or day, priority and the dimensions a report asks for, narrowed
//! to its filter. The arithmetic on the rows is the core's; this module only moves sums.

use crate::rollup::{Key, Table};
use crate::sql::{Conditions, Value};
use loopdesk_core::report::{Counts, Dimension, FactKey, Filter};

/// Key columns shared by the three tables, in [`key_values`] order, then a table's own.
macro_rules! key_columns {
    ($($own:literal),*) => {
        ["hour", "channel", "category", "subtag", "product", "department_id", "agent_id", "priority_rank", "tier" $(, $own)*]
    };
}
const KEY_COLUMNS: [&str; 9] = key_columns!();

mod days;
pub(crate) mod deltas;
mod lookups;
pub(crate) use days::DayZone;
pub use days::DEFAULT_DAY_ZONE;

const FACTS: Table = Table { name: "report_facts", keys: &KEY_COLUMNS, counts: Counts::COLUMNS };
const WAITS: Table = Table { name: "report_waits", keys: &key_columns!("bucket"), counts: &["n"] };
const DAY_KEYS: [&str; 3] = ["day", "department_id", "priority_rank"];
const DAY_FACTS: Table = Table { name: "report_day_facts", keys: &DAY_KEYS, counts: Counts::COLUMNS };
const DAY_SLA: Table = Table {
    name: "report_day_sla",
    keys: &["day", "department_id", "priority_rank", "target"],
    counts: &["met", "breached"],
};
const DAY_WAITS: Table = Table { name: "report_day_waits", keys: &["day", "priority_rank", "bucket"], counts: &["n"] };
/// The day waits summed across priorities (migration 0055): what a trend reads.
const DAY_WAITS_ALL: Table = Table { name: "report_day_waits_all", keys: &["day", "bucket"], counts: &["n"] };
/// The open backlog per key over all time (migration 0054): the key columns without the hour.
const BACKLOG: Table = Table { name: "report_backlog", keys: &BACKLOG_KEYS, counts: &["backlog"] };
const BACKLOG_KEYS: [&str; 8] =
    ["channel", "category", "subtag", "product", "department_id", "agent_id", "priority_rank", "tier"];

fn key_values(hour: i64, k: &FactKey) -> Vec<Key<'_>> {
    vec![
        Key::Int(hour),
        Key::Text(k.channel.as_str()),
        Key::Text(&k.category),
        Key::Text(&k.subtag),
        Key::Text(&k.product),
        Key::Int(k.department_id.map(|d| d.0).unwrap_or(0)),
        Key::Int(k.agent_id.map(|u| u.0).unwrap_or(0)),
        Key::Int(k.priority.rank()),
        Key::Text(k.tier.as_str()),
    ]
}

/// The SQL conditions of a report filter.
fn conditions(filter: &Filter, c: &mut Conditions) {
    let mut eq = |col: &str, v: Value| {
        let p = c.arg(v);
        c.push(format!("{col} = {p}"));
    };
    if let Some(v) = filter.channel {
        eq("channel", Value::Text(v.as_str().into()));
    }
    for (col, v) in [("category", &filter.category), ("subtag", &filter.subtag), ("product", &filter.product)] {
        if let Some(v) = v {
            eq(col, Value::Text(v.clone()));
        }
    }
    if let Some(v) = filter.department {
        eq("department_id", Value::Int(v.0));
    }
    if let Some(v) = filter.agent {
        eq("agent_id", Value::Int(v.0));
    }
    if let Some(v) = filter.priority {
        eq("priority_rank", Value::Int(v.rank()));
    }
    if let Some(v) = filter.tier {
        eq("tier", Value::Text(v.as_str().into()));
    }
}

fn column(d: Dimension) -> &'static str {
    match d {
        Dimension::Channel => "channel",
        Dimension::Category => "category",
        Dimension::Subtag => "subtag",
        Dimension::Product => "product",
        Dimension::Department => "department_id",
        Dimension::Agent => "agent_id",
        Dimension::Priority => "priority_rank",
        Dimension::Tier => "tier",
    }
}

mod read;
mod volume;
use read::{key_of, sums};
pub use read::{Buckets, ACROSS_PRIORITIES};
