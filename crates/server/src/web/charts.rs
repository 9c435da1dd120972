//! Charts drawn on the server as SVG: geometry is computed here, the markup is a template
//! (so every label is escaped).

use askama::Template;

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
    pub title: String,
    pub height: u32,
    pub label_width: u32,
    pub bars: Vec<BarGeom>,
}

const ROW: u32 = 30;
const BAR: u32 = 20;
const PLOT: u32 = 260;

/// Lays out `bars` (longest bar = full width): counts.
pub fn bars(title: &str, bars: Vec<Bar>) -> BarChart {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    laid_out(title, bars, max)
}

/// Lays out `bars` whose values are percentages on a 0–100% axis (100% = full width), so
/// a bar of 30% never looks full because it is the largest.
pub fn percent_bars(title: &str, bars: Vec<Bar>) -> BarChart {
    laid_out(title, bars, 100.0)
}

fn laid_out(title: &str, bars: Vec<Bar>, max: f64) -> BarChart {
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
    BarChart { title: title.to_string(), height: 16 + geoms.len() as u32 * ROW, label_width: 120, bars: geoms }
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
    fn bars_scale_to_the_longest_and_escape_labels() {
        let c = bars(
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
    }

    #[test]
    fn percentages_are_drawn_on_a_full_axis() {
        let bar = |v: f64| Bar { label: "p".into(), value: v, text: format!("{v}%") };
        let c = percent_bars("t", vec![bar(28.6), bar(50.0), bar(100.0), bar(130.0)]);
        let widths: Vec<u32> = c.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, vec![(0.286 * PLOT as f64).round() as u32, PLOT / 2, PLOT, PLOT]);
    }
}
