//! A sparkline: a small line of counts over days, beside a top problem, scaled to its own
//! largest value.

use askama::Template;

const WIDTH: u32 = 120;
const HEIGHT: u32 = 24;

/// The chart.
#[derive(Template)]
#[template(path = "chart_spark.svg", escape = "html")]
pub struct Sparkline {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub width: u32,
    pub height: u32,
    /// `x,y x,y …` (numbers only).
    pub points: String,
}

/// Lays out `values` (oldest first).
pub fn sparkline(id: &str, title: &str, desc: String, values: &[i64]) -> Sparkline {
    let max = values.iter().copied().max().unwrap_or(0);
    let n = values.len().max(2) - 1;
    let points = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = 1.0 + f64::from(WIDTH - 2) * i as f64 / n as f64;
            let share = if max > 0 { *v as f64 / max as f64 } else { 0.0 };
            format!("{x:.1},{:.1}", f64::from(HEIGHT - 2) - share * f64::from(HEIGHT - 4))
        })
        .collect::<Vec<_>>()
        .join(" ");
    Sparkline { id: id.to_string(), title: title.to_string(), desc, width: WIDTH, height: HEIGHT, points }
}

impl Sparkline {
    pub fn svg(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_value_touches_the_top() {
        let s = sparkline("p1", "问题", "0, 4, 2".into(), &[0, 4, 2]);
        assert_eq!(s.points, "1.0,22.0 60.0,2.0 119.0,12.0");
        assert!(s.svg().contains("aria-labelledby=\"p1-title p1-desc\""));
    }
}
