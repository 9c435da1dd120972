//! Charts drawn on the server as SVG: geometry is computed here, the markup is a template
//! (so every label is escaped). Each chart is an image to screen readers (`role="img"`)
//! labelled by its `<title>` and `<desc>`; the page shows its numbers as a table beside it.

use askama::Template;

mod heatmap;
mod spark;
mod stacked;

pub use heatmap::{heatmap, Heatmap};
pub use spark::{sparkline, Sparkline};
pub use stacked::{stacked, Stacked};

/// One bar: its label, value and the text shown beside it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// A laid-out bar.
pub struct BarGeom {
    pub label: String,
    pub text: String,
    pub y: u32,
    pub width: u32,
    pub text_y: u32,
}

/// A horizontal bar chart.
#[derive(Template)]
#[template(path = "chart_bars.svg", escape = "html")]
pub struct BarChart {
    /// Unique on the page: the ids of the title and description derive from it.
    pub id: String,
    pub title: String,
    pub desc: String,
    pub height: u32,
    pub label_width: u32,
    pub bars: Vec<BarGeom>,
}

const ROW: u32 = 30;
const BAR: u32 = 20;
const PLOT: u32 = 260;

/// Room for the longest of `labels` at the charts' 14 px (a CJK character is about 14 px
/// wide, a Latin one about 8), at least `min`: English labels are not clipped.
pub fn label_width<'a>(labels: impl IntoIterator<Item = &'a str>, min: u32) -> u32 {
    let width = |l: &str| l.chars().map(|c| if c.is_ascii() { 8 } else { 15 }).sum::<u32>() + 14;
    labels.into_iter().map(width).max().unwrap_or(0).clamp(min, 280)
}

/// Lays out `bars` (longest bar = full width): counts.
pub fn bars(id: &str, title: &str, bars: Vec<Bar>) -> BarChart {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    laid_out(id, title, bars, max)
}

/// Lays out `bars` whose values are percentages on a 0–100% axis (100% = full width), so
/// a bar of 30% never looks full because it is the largest.
pub fn percent_bars(id: &str, title: &str, bars: Vec<Bar>) -> BarChart {
    laid_out(id, title, bars, 100.0)
}

/// The bars in words: what a screen reader says for the chart.
fn described(bars: &[Bar]) -> String {
    bars.iter().map(|b| format!("{}: {}", b.label, b.text)).collect::<Vec<_>>().join("; ")
}

fn laid_out(id: &str, title: &str, bars: Vec<Bar>, max: f64) -> BarChart {
    let desc = described(&bars);
    let label_width = label_width(bars.iter().map(|b| b.label.as_str()), 120);
    let geoms = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let y = 8 + i as u32 * ROW;
            let share = if max > 0.0 { (b.value / max).clamp(0.0, 1.0) } else { 0.0 };
            let width = (share * PLOT as f64).round() as u32;
            BarGeom { label: b.label, text: b.text, y, width, text_y: y + BAR - 4 }
        })
        .collect::<Vec<_>>();
    BarChart {
        id: id.to_string(),
        title: title.to_string(),
        desc,
        height: 16 + geoms.len() as u32 * ROW,
        label_width,
        bars: geoms,
    }
}

impl BarChart {
    /// The SVG markup (empty on a template error, which cannot happen for valid input).
    pub fn svg(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_get_the_room_they_need() {
        assert_eq!(label_width(["技术问题"], 120), 120);
        let en = label_width(["Service complaint"], 120);
        assert!(en >= 17 * 8, "{en}");
        assert_eq!(label_width(["x".repeat(200).as_str()], 120), 280);
    }

    #[test]
    fn bars_scale_to_the_longest_and_escape_labels() {
        let c = bars(
            "c",
            "t",
            vec![
                Bar { label: "<b>".into(), value: 10.0, text: "10".into() },
                Bar { label: "网页".into(), value: 5.0, text: "5".into() },
            ],
        );
        assert_eq!(c.bars[0].width, PLOT);
        assert_eq!(c.bars[1].width, PLOT / 2);
        let svg = c.svg();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("<b>") && (svg.contains("&lt;b&gt;") || svg.contains("&#60;b&#62;")), "{svg}");
        assert!(svg.contains("aria-labelledby=\"c-title c-desc\"") && svg.contains("<desc id=\"c-desc\">"), "{svg}");
    }

    #[test]
    fn percentages_are_drawn_on_a_full_axis() {
        let bar = |v: f64| Bar { label: "p".into(), value: v, text: format!("{v}%") };
        let c = percent_bars("c", "t", vec![bar(28.6), bar(50.0), bar(100.0), bar(130.0)]);
        let widths: Vec<u32> = c.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, vec![(0.286 * PLOT as f64).round() as u32, PLOT / 2, PLOT, PLOT]);
    }
}

/// A line chart of one series over buckets, the previous period's as a faint dashed line.
#[derive(Template)]
#[template(path = "chart_line.svg", escape = "html")]
pub struct LineChart {
    pub id: String,
    pub title: String,
    /// What the chart shows, in words (read by screen readers).
    pub desc: String,
    pub width: u32,
    pub height: u32,
    pub left: u32,
    pub right: u32,
    pub top: u32,
    pub bottom: u32,
    pub max_label: String,
    pub first_label: String,
    pub last_label: String,
    /// `x,y x,y …` (numbers only).
    pub current: String,
    pub previous: String,
}

/// The points of `values` (gaps read as 0) scaled to `max` in the plot area.
fn points(values: &[Option<f64>], max: f64, c: &LineChart) -> String {
    let n = values.len().max(2) - 1;
    let span = f64::from(c.right - c.left);
    let height = f64::from(c.bottom - c.top);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = f64::from(c.left) + span * i as f64 / n as f64;
            let share = if max > 0.0 { (v.unwrap_or(0.0) / max).clamp(0.0, 1.0) } else { 0.0 };
            format!("{:.1},{:.1}", x, f64::from(c.bottom) - share * height)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lays out a line chart of `current` beside `previous`, both on the axis of the larger.
/// `labels` are the first and last bucket's names; `format` writes the axis maximum.
pub fn line(
    id: &str,
    title: &str,
    desc: String,
    labels: (String, String),
    current: &[Option<f64>],
    previous: &[Option<f64>],
    format: impl Fn(f64) -> String,
) -> LineChart {
    let max = current.iter().chain(previous).flatten().fold(0.0_f64, |a, b| a.max(*b));
    let mut c = LineChart {
        id: id.to_string(),
        title: title.to_string(),
        desc,
        width: 600,
        height: 220,
        left: 60,
        right: 590,
        top: 10,
        bottom: 190,
        max_label: format(max),
        first_label: labels.0,
        last_label: labels.1,
        current: String::new(),
        previous: String::new(),
    };
    c.current = points(current, max, &c);
    if previous.iter().any(Option::is_some) {
        c.previous = points(previous, max, &c);
    }
    c
}

impl LineChart {
    pub fn svg(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod line_tests {
    use super::*;

    #[test]
    fn a_line_scales_both_periods_to_the_larger_and_escapes_its_words() {
        let c = line(
            "t",
            "<趋势>",
            "desc".into(),
            ("a".into(), "b".into()),
            &[Some(2.0), Some(4.0)],
            &[Some(8.0), None],
            |v| v.to_string(),
        );
        assert_eq!(c.current, "60.0,145.0 590.0,100.0");
        assert_eq!(c.previous, "60.0,10.0 590.0,190.0");
        let svg = c.svg();
        assert!(svg.contains("<title id=\"t-title\">") && !svg.contains("<趋势>"), "{svg}");
        assert!(svg.contains("stroke-opacity=\"0.3\""), "the previous period is faint");
    }
}
