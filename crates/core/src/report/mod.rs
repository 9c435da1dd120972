//! Reports: pure aggregation over the rollup rows (see `fact` for what one ticket
//! contributes, `figures` for the one definition of each figure). The store sums rows by
//! hour and key; everything here is arithmetic, so it is tested without a database.

pub mod day;
pub mod dimension;
pub mod engine;
pub mod fact;
pub mod figures;
pub mod heatmap;
pub mod period;
pub mod schedule;
#[cfg(any(test, feature = "testing"))]
pub mod seasonal;
pub mod sketch;
pub mod spike;
pub mod spike_rules;
#[cfg(test)]
mod tests;

pub use dimension::{Dimension, Filter};
pub use engine::{breakdown, figures, summary, trend, ReportName, Rows, SummaryRow, Table, TableRow, TrendBucket};
pub use fact::{contributions, intake_on_time, Counts, Fact, FactKey, SlaFact, WaitFact};
pub use figures::{mean, rate, Figures, Measure, Unit};
pub use period::{Grain, Period, PeriodError, PeriodKind};
