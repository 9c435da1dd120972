//! The reports page's charts beyond the trend lines: volume stacked by category and
//! channel, and a weekday × hour heatmap, each with its numbers as a table.

use super::charts::{heatmap, stacked};
use super::i18n::T;
use loopdesk_core::report::{Dimension, Measure, Table};
use loopdesk_core::Channel;

/// A chart with its numbers as a table.
pub struct Chart {
    pub title: String,
    pub svg: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Categories shown as their own bar; the rest are summed as "other".
const CATEGORIES_SHOWN: usize = 12;

/// Volume per category (bars) and channel (segments) from a breakdown by category ×
/// channel.
pub fn category_channel(t: &T, table: &Table) -> Chart {
    let volume = table.measures.iter().position(|m| *m == Measure::Volume);
    let (Some(volume), [Dimension::Category, Dimension::Channel]) = (volume, table.dimensions.as_slice()) else {
        return empty(t);
    };
    let channels: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    let mut by_category: Vec<(String, Vec<i64>)> = Vec::new();
    for r in &table.rows {
        let n = r.values[volume].unwrap_or(0.0) as i64;
        let (Some(category), Some(channel)) = (r.keys.first(), r.keys.get(1)) else { continue };
        let Some(c) = channels.iter().position(|x| x == channel) else { continue };
        let i = match by_category.iter().position(|(k, _)| k == category) {
            Some(i) => i,
            None => {
                by_category.push((category.clone(), vec![0; channels.len()]));
                by_category.len() - 1
            }
        };
        by_category[i].1[c] += n;
    }
    by_category.sort_by_key(|(k, v)| (std::cmp::Reverse(v.iter().sum::<i64>()), k.clone()));
    if by_category.len() > CATEGORIES_SHOWN {
        let rest = by_category.split_off(CATEGORIES_SHOWN - 1);
        let mut other = vec![0; channels.len()];
        rest.iter().for_each(|(_, v)| v.iter().enumerate().for_each(|(i, n)| other[i] += n));
        by_category.push(("other".into(), other));
    }
    let category = |k: &str| t.name("category", if k.is_empty() { "none" } else { k });
    let rows: Vec<(String, Vec<i64>)> = by_category.iter().map(|(k, v)| (category(k), v.clone())).collect();
    // Only the channels that have tickets get a column.
    let used: Vec<usize> = (0..channels.len()).filter(|c| rows.iter().any(|(_, v)| v[*c] > 0)).collect();
    let series: Vec<String> = channels.iter().map(|c| t.name("channel", c)).collect();
    let title = t.get("rep.by_category_channel").to_string();
    let desc = rows
        .iter()
        .map(|(k, v)| {
            let parts = used.iter().filter(|c| v[**c] > 0).map(|c| format!("{} {}", series[*c], v[*c]));
            // The reader's punctuation: full-width in Chinese.
            format!("{k}{}{}", t.get("punct.colon"), parts.collect::<Vec<_>>().join(t.get("punct.comma")))
        })
        .collect::<Vec<_>>()
        .join(t.get("punct.semicolon"));
    let svg = stacked("chart-category-channel", &title, desc, &series, &rows).svg();
    let mut header = vec![t.get("col.category").to_string()];
    header.extend(used.iter().map(|c| series[*c].clone()));
    header.push(t.get("rep.total").to_string());
    let table_rows = rows
        .iter()
        .map(|(k, v)| {
            let mut row = vec![k.clone()];
            row.extend(used.iter().map(|c| v[*c].to_string()));
            row.push(v.iter().sum::<i64>().to_string());
            row
        })
        .collect();
    Chart { title, svg, header, rows: table_rows }
}

fn empty(t: &T) -> Chart {
    Chart { title: t.get("rep.by_category_channel").to_string(), svg: String::new(), header: vec![], rows: vec![] }
}

/// Tickets by weekday and hour of day.
pub fn weekday_hour(t: &T, counts: &[[i64; 24]; 7]) -> Chart {
    let days: [String; 7] = std::array::from_fn(|d| t.name("weekday", &d.to_string()));
    let title = t.get("rep.heatmap").to_string();
    let (mut best, mut at) = (0, (0, 0));
    for (d, row) in counts.iter().enumerate() {
        for (h, n) in row.iter().enumerate() {
            if *n > best {
                (best, at) = (*n, (d, h));
            }
        }
    }
    let busiest = format!("{} {:02}:00 ({best})", days[at.0], at.1);
    let desc = t.get("rep.heatmap_desc").replace("{busiest}", &busiest);
    let svg = heatmap("chart-heatmap", &title, desc, &days, counts).svg();
    let mut header = vec![t.get("rep.weekday").to_string()];
    header.extend((0..24).map(|h| format!("{h:02}")));
    let rows = counts
        .iter()
        .zip(&days)
        .map(|(row, d)| std::iter::once(d.clone()).chain(row.iter().map(|n| n.to_string())).collect())
        .collect();
    Chart { title, svg, header, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;
    use loopdesk_core::report::TableRow;

    #[test]
    fn a_crossed_breakdown_stacks_channels_under_categories_with_its_numbers() {
        let t = T { lang: Lang::Zh, tz: chrono_tz::Asia::Shanghai };
        let row = |c: &str, ch: &str, n: f64| TableRow { keys: vec![c.into(), ch.into()], values: vec![Some(n)] };
        let table = Table {
            dimensions: vec![Dimension::Category, Dimension::Channel],
            measures: vec![Measure::Volume],
            rows: vec![row("payment", "web", 3.0), row("payment", "email", 1.0), row("", "web", 2.0)],
            total: vec![Some(6.0)],
        };
        let c = category_channel(&t, &table);
        assert_eq!(c.header.len(), 4, "category, the two channels used, total: {:?}", c.header);
        assert_eq!(c.rows[0][3], "4");
        assert_eq!(c.rows[1][3], "2");
        assert!(c.svg.contains("<title id=\"chart-category-channel-title\">"), "{}", c.svg);

        let mut counts = [[0; 24]; 7];
        counts[2][14] = 5;
        let h = weekday_hour(&t, &counts);
        assert_eq!(h.rows.len(), 7);
        assert_eq!(h.rows[2][15], "5");
        assert!(h.svg.contains("周三 14:00 (5)"), "the busiest hour is described: {}", h.svg);
    }
}
