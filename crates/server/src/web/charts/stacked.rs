//! Stacked horizontal bars: one bar per row (a category), one segment per series (a
//! channel), each segment's share of the longest bar; a legend names the series' colours.

use askama::Template;

/// Colours of the series, in order (ten: one per channel); repeated beyond.
const PALETTE: [&str; 10] =
    ["#2b6cb0", "#dd6b20", "#38a169", "#d53f8c", "#805ad5", "#d69e2e", "#319795", "#e53e3e", "#718096", "#4c51bf"];
const ROW: u32 = 28;
const BAR: u32 = 18;
const PLOT: u32 = 300;
const LABEL: u32 = 130;

/// A laid-out segment.
pub struct Segment {
    pub x: u32,
    pub width: u32,
    pub colour: &'static str,
    /// "series: n", shown as the segment's tooltip.
    pub text: String,
}

/// A laid-out bar.
pub struct StackedBar {
    pub label: String,
    pub y: u32,
    pub text_y: u32,
    pub total: i64,
    pub end: u32,
    pub segments: Vec<Segment>,
}

/// A legend entry.
pub struct Key {
    pub label: String,
    pub colour: &'static str,
    pub x: u32,
    pub y: u32,
}

/// The chart.
#[derive(Template)]
#[template(path = "chart_stacked.svg", escape = "html")]
pub struct Stacked {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub width: u32,
    pub height: u32,
    pub label_width: u32,
    pub bars: Vec<StackedBar>,
    pub legend: Vec<Key>,
}

/// Lays out `rows` (a label and a count per series, in `series` order), the longest total
/// spanning the plot. Series no row has are left out of the legend.
pub fn stacked(id: &str, title: &str, desc: String, series: &[String], rows: &[(String, Vec<i64>)]) -> Stacked {
    let max = rows.iter().map(|(_, v)| v.iter().sum::<i64>()).max().unwrap_or(0);
    let left = super::label_width(rows.iter().map(|(l, _)| l.as_str()), LABEL);
    let scale = |n: i64| if max > 0 { (n as f64 / max as f64 * f64::from(PLOT)).round() as u32 } else { 0 };
    let bars: Vec<StackedBar> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, values))| {
            let y = 8 + i as u32 * ROW;
            let (mut x, mut sum, mut segments) = (left, 0, Vec::new());
            for (s, n) in values.iter().enumerate().filter(|(_, n)| **n > 0) {
                sum += n;
                // Each segment ends where the running total ends, so rounding never adds up.
                let end = left + scale(sum);
                let text = format!("{}: {n}", series.get(s).map(String::as_str).unwrap_or(""));
                segments.push(Segment { x, width: end - x, colour: PALETTE[s % PALETTE.len()], text });
                x = end;
            }
            StackedBar { label: label.clone(), y, text_y: y + BAR - 4, total: sum, end: x, segments }
        })
        .collect();
    let used = |s: usize| rows.iter().any(|(_, v)| v.get(s).is_some_and(|n| *n > 0));
    let legend_y = 16 + bars.len() as u32 * ROW;
    // Five entries to a row.
    let legend = series
        .iter()
        .enumerate()
        .filter(|(s, _)| used(*s))
        .enumerate()
        .map(|(k, (s, label))| Key {
            label: label.clone(),
            colour: PALETTE[s % PALETTE.len()],
            x: (k as u32 % 5) * 96,
            y: legend_y + (k as u32 / 5) * 20,
        })
        .collect::<Vec<_>>();
    let legend_rows = (legend.len() as u32).div_ceil(5);
    Stacked {
        id: id.to_string(),
        title: title.to_string(),
        desc,
        width: left + PLOT + 60,
        height: legend_y + legend_rows * 20 + 4,
        label_width: left,
        bars,
        legend,
    }
}

impl Stacked {
    pub fn svg(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_stack_to_the_total_and_the_longest_fills_the_plot() {
        let series = vec!["网页".to_string(), "<邮件>".to_string(), "电话".to_string()];
        let rows = vec![("支付".to_string(), vec![3, 0, 1]), ("物流".to_string(), vec![1, 1, 0])];
        let c = stacked("s", "t", "d".into(), &series, &rows);
        assert_eq!(c.bars[0].segments.len(), 2, "empty segments are left out");
        assert_eq!(c.bars[0].end, LABEL + PLOT);
        assert_eq!(c.bars[1].end, LABEL + PLOT / 2);
        let widths: u32 = c.bars[1].segments.iter().map(|s| s.width).sum();
        assert_eq!(widths, PLOT / 2);
        assert_eq!(c.legend.len(), 3);
        let svg = c.svg();
        assert!(svg.contains("aria-labelledby=\"s-title s-desc\"") && !svg.contains("<邮件>"), "{svg}");
    }
}
