//! The shape shared by the forms for the operations documents — staffing, robots, report
//! schedules and spike rules: a few single values and tables of rows (each row removable
//! by a tick, one blank row to add one), drawn by one template
//! (`console/forms/ops.html`), so the four forms look and behave alike.

pub use super::widgets::{Kind, Tick};
use super::Fields;
use crate::web::i18n::T;

/// One input with its label, value as typed, and refusal.
pub struct Input {
    pub name: String,
    /// The element id (the name with `.` as `-`).
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub kind: Kind,
    /// (value, label) for a select.
    pub options: Vec<(String, String)>,
    pub ticks: Vec<Tick>,
    pub placeholder: String,
}

impl Input {
    pub fn new(f: &Fields, name: String, label: impl Into<String>, kind: Kind) -> Input {
        Input {
            id: name.replace('.', "-"),
            value: f.v(&name).to_string(),
            error: f.err(&name),
            label: label.into(),
            kind,
            options: Vec::new(),
            ticks: Vec::new(),
            placeholder: String::new(),
            name,
        }
    }

    /// A select of `options`; a value not among them (an id that is gone) is kept as an
    /// option of its own, so it shows and saving refuses it at its field.
    pub fn select(f: &Fields, name: String, label: impl Into<String>, options: &[(String, String)]) -> Input {
        let mut x = Input::new(f, name, label, Kind::Select);
        x.options = options.to_vec();
        if !x.value.is_empty() && !x.options.iter().any(|o| o.0 == x.value) {
            x.options.push((x.value.clone(), format!("#{}", x.value)));
        }
        x
    }

    pub fn placeholder(mut self, text: impl Into<String>) -> Input {
        self.placeholder = text.into();
        self
    }

    pub fn kind_is(&self, kind: &str) -> bool {
        self.kind.as_str() == kind
    }

    pub fn checked(&self) -> bool {
        !self.value.trim().is_empty()
    }
}

/// One row: its inputs in column order.
pub struct Row {
    pub prefix: String,
    pub cells: Vec<Input>,
    /// The blank row that adds one.
    pub is_new: bool,
}

/// A table of rows; `cards` draws each row as a box of labelled inputs (rows too wide for
/// a table line).
pub struct Table {
    pub id: String,
    pub title: String,
    pub hint: String,
    pub count_name: String,
    pub count: usize,
    pub heads: Vec<String>,
    pub rows: Vec<Row>,
    pub cards: bool,
}

impl Table {
    /// A table of `count` rows plus the blank one, each made by `row(prefix, index)`.
    pub fn build(
        id: &str,
        title: String,
        count_name: &str,
        count: usize,
        heads: Vec<String>,
        mut row: impl FnMut(&str) -> Vec<Input>,
        letter: &str,
    ) -> Table {
        let rows = (0..=count)
            .map(|i| {
                let prefix = format!("{letter}{i}");
                Row { cells: row(&prefix), is_new: i == count, prefix }
            })
            .collect();
        Table {
            id: id.into(),
            title,
            hint: String::new(),
            count_name: count_name.into(),
            count,
            heads,
            rows,
            cards: false,
        }
    }
}

/// A whole form as the page shows it.
pub struct OpsForm {
    /// `staffing`, `robots`, `schedules`, `spikes`: element ids start with it.
    pub id: &'static str,
    pub title: String,
    pub hint: String,
    pub single: Vec<Input>,
    pub tables: Vec<Table>,
    pub general: Option<String>,
}

/// The number of saved rows the form says it holds under `name` (at most 500).
pub fn rows(f: &Fields, name: &str) -> usize {
    f.get(name).and_then(|c| c.parse().ok()).unwrap_or(0).min(500)
}

/// Which rows of a table to read: each saved row not ticked for removal, and the blank row
/// when `filled` says something was typed in it.
pub fn kept(f: &Fields, count: usize, letter: &str, filled: impl Fn(&str) -> bool) -> Vec<String> {
    (0..=count)
        .map(|i| format!("{letter}{i}"))
        .enumerate()
        .filter(|(i, p)| !f.checked(&format!("{p}.remove")) && (*i < count || filled(p)))
        .map(|(_, p)| p)
        .collect()
}

/// The (value, label) options of the names the app knows, with a blank first.
pub fn with_blank(blank: &str, items: &[(String, String)]) -> Vec<(String, String)> {
    let mut all = vec![(String::new(), blank.to_string())];
    all.extend(items.iter().cloned());
    all
}

/// A whole number in `name` from `min` to `max` (i64), else a refusal there.
pub fn int(f: &mut Fields, t: &T, name: &str, min: i64, max: i64) -> Option<i64> {
    match f.get(name).map(str::parse::<i64>) {
        Some(Ok(n)) if (min..=max).contains(&n) => Some(n),
        None => {
            f.refuse(name, t.get("form.err_required"));
            None
        }
        _ => {
            let message = t.get("form.err_range").replace("{min}", &min.to_string()).replace("{max}", &max.to_string());
            f.refuse(name, message);
            None
        }
    }
}

/// `body.<list>[<i>].<field>…` from a save's refusal as the form's field `<letter><i>.<field>`
/// (the field renamed by `rename`).
pub fn row_field(path: &str, list: &str, letter: &str, rename: impl Fn(&str) -> &str) -> Option<String> {
    let rest = path.strip_prefix(&format!("body.{list}["))?;
    let (i, rest) = rest.split_once(']')?;
    let field = rest.trim_start_matches('.').split(['.', '[']).next().unwrap_or_default();
    Some(format!("{letter}{i}.{}", rename(field)))
}
