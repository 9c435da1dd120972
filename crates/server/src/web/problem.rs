//! The console's problem page (issue 17): the problem's state and description, and the
//! effect of its fix — matching feedback per week before and after the fix as a bar chart
//! with the same numbers in a table. The figures come from the same use case as
//! `GET /api/v1/problems/{id}/effect`.

use super::charts::{bars, Bar, BarChart};
use super::context::Staff;
use super::page::{error_page, render, Layout};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::problems::effect::ProblemEffect;
use loopdesk_app::{problems, AppError};
use loopdesk_core::ProblemId;

/// One week of the table.
pub struct WeekRow {
    pub label: String,
    pub start: String,
    pub count: u64,
}

/// The effect as shown: chart, rows and the summary figures.
pub struct EffectView {
    pub chart: String,
    pub rows: Vec<WeekRow>,
    pub fixed_at: String,
    pub mean_before: String,
    pub mean_after: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "console/problem.html")]
struct ProblemPage {
    layout: Layout,
    id: i64,
    title: String,
    state: String,
    description: String,
    effect: Option<EffectView>,
}

/// `GET /console/problems/{id}`.
pub async fn page(State(state): State<AppState>, s: Staff, Path(id): Path<i64>) -> Response {
    match build(&state, &s, ProblemId(id)).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

fn week_label(s: &Staff, week: i64) -> String {
    // Weeks after the fix are numbered from 1 for readers; before it, −1 is the last one.
    let n = if week >= 0 { format!("+{}", week + 1) } else { week.to_string() };
    s.t.with_n("problem.week", n)
}

fn view(s: &Staff, e: &ProblemEffect) -> EffectView {
    let hour = |h: i64| chrono::DateTime::from_timestamp(h * 3600, 0).unwrap_or_default();
    let week_bars = e
        .effect
        .counts
        .iter()
        .map(|w| Bar { label: week_label(s, w.week), value: w.count as f64, text: w.count.to_string() })
        .collect();
    let chart: BarChart = bars("problem-effect", s.t.get("problem.effect"), week_bars);
    EffectView {
        chart: chart.svg(),
        rows: e
            .effect
            .counts
            .iter()
            .map(|w| WeekRow { label: week_label(s, w.week), start: s.t.date(&hour(w.start_hour)), count: w.count })
            .collect(),
        fixed_at: s.t.date(&e.fixed_at),
        mean_before: format!("{:.1}", e.effect.mean_before),
        mean_after: format!("{:.1}", e.effect.mean_after),
        change: e.effect.change_pct.map(|p| format!("{p:+.1}%")).unwrap_or_else(|| "—".into()),
    }
}

async fn build(state: &AppState, s: &Staff, id: ProblemId) -> Result<ProblemPage, ApiError> {
    let p = problems::show(state, &s.principal, id).await?;
    let effect = match problems::effect::effect(state, &s.principal, id).await {
        Ok(e) => Some(view(s, &e)),
        // Not fixed yet, or nothing to match: the page says so instead of a chart.
        Err(AppError::Conflict { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(ProblemPage {
        layout: Layout::staff(s, "problem.title"),
        id: id.0,
        title: p.problem.title,
        state: s.t.name("problem_state", p.problem.state.as_str()),
        description: p.problem.description,
        effect,
    })
}
