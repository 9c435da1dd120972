//! A weekday × hour heatmap: seven rows (Monday first), 24 columns, each cell's shade its
//! count against the largest cell's.

use askama::Template;

const CELL: u32 = 20;
const LEFT: u32 = 56;
const TOP: u32 = 20;

/// A laid-out cell.
pub struct HeatCell {
    pub x: u32,
    pub y: u32,
    /// 0.05–1: the fill's opacity (0.05 for an empty cell, so the grid stays visible).
    pub opacity: String,
    /// "weekday hh:00: n", the cell's tooltip.
    pub text: String,
}

/// The chart.
#[derive(Template)]
#[template(path = "chart_heatmap.svg", escape = "html")]
pub struct Heatmap {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub width: u32,
    pub height: u32,
    pub left: u32,
    pub top: u32,
    /// Row labels with their y.
    pub days: Vec<(String, u32)>,
    /// Column labels (every third hour) with their x.
    pub hours: Vec<(String, u32)>,
    pub cells: Vec<HeatCell>,
}

/// Lays out `counts[weekday][hour]` (Monday = 0), rows named by `weekdays`.
pub fn heatmap(id: &str, title: &str, desc: String, weekdays: &[String; 7], counts: &[[i64; 24]; 7]) -> Heatmap {
    let max = counts.iter().flatten().copied().max().unwrap_or(0);
    let mut cells = Vec::with_capacity(7 * 24);
    for (d, row) in counts.iter().enumerate() {
        for (h, n) in row.iter().enumerate() {
            let share = if max > 0 { *n as f64 / max as f64 } else { 0.0 };
            cells.push(HeatCell {
                x: LEFT + h as u32 * CELL,
                y: TOP + d as u32 * CELL,
                opacity: format!("{:.2}", 0.05 + 0.95 * share),
                text: format!("{} {h:02}:00: {n}", weekdays[d]),
            });
        }
    }
    Heatmap {
        id: id.to_string(),
        title: title.to_string(),
        desc,
        width: LEFT + 24 * CELL + 8,
        height: TOP + 7 * CELL + 8,
        left: LEFT,
        top: TOP,
        days: weekdays.iter().enumerate().map(|(d, w)| (w.clone(), TOP + d as u32 * CELL + 15)).collect(),
        hours: (0..24).step_by(3).map(|h| (format!("{h:02}"), LEFT + h * CELL + 2)).collect(),
        cells,
    }
}

impl Heatmap {
    pub fn svg(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_cell_is_darkest_and_every_cell_is_drawn() {
        let mut counts = [[0i64; 24]; 7];
        counts[0][9] = 10;
        counts[6][23] = 5;
        let days = ["一", "二", "三", "四", "五", "六", "日"].map(String::from);
        let c = heatmap("h", "t", "d".into(), &days, &counts);
        assert_eq!(c.cells.len(), 168);
        assert_eq!(c.cells[9].opacity, "1.00");
        let half: f64 = c.cells[6 * 24 + 23].opacity.parse().unwrap();
        assert!((half - 0.525).abs() < 0.01, "{half}");
        assert_eq!(c.cells[0].opacity, "0.05");
        let svg = c.svg();
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"h-title\">"), "{svg}");
    }
}
