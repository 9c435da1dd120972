//! The supervisor dashboard: the seed's KPIs for today, this week or this month (in the
//! reader's time zone), computed by the store's SQL aggregates, with SVG charts.

use super::charts::{bars, percent_bars, Bar};
use super::context::Staff;
use super::page::{error_page, render, Layout};
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveTime, TimeZone};
use loopdesk_app::read::{rate, Dashboard};
use loopdesk_core::access::Permission;
use loopdesk_core::{TicketId, Timestamp};
use serde::Deserialize;

/// Query of the dashboard.
#[derive(Debug, Default, Deserialize)]
pub struct DashQuery {
    #[serde(default)]
    period: Option<String>,
}

/// A headline figure.
pub struct Kpi {
    pub label: &'static str,
    pub value: String,
    pub id: &'static str,
}

/// A top problem.
pub struct Problem {
    pub cluster_id: i64,
    pub tickets: i64,
    pub subject: String,
}

/// A row of the per-priority table.
pub struct PriorityRow {
    pub priority: &'static str,
    pub first_response: String,
    pub resolved: i64,
    pub handling: String,
    pub on_time: String,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    period: &'static str,
    kpis: Vec<Kpi>,
    rows: Vec<PriorityRow>,
    charts: Vec<(String, String)>,
    problems: Vec<Problem>,
    empty: bool,
}

/// Start of the period containing `now`, in `tz`.
pub fn period_start(period: &str, now: Timestamp, tz: chrono_tz::Tz) -> Timestamp {
    let local = now.with_timezone(&tz).date_naive();
    let day = match period {
        "week" => local - Duration::days(local.weekday().num_days_from_monday() as i64),
        "month" => local.with_day(1).unwrap_or(local),
        _ => local,
    };
    tz.from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or(now)
}

fn pct(n: i64, d: i64) -> String {
    share(rate(n, d))
}

/// A share as the dashboard writes it (`—` for none of none).
fn share(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "—".into())
}

fn hours(ms: i64, n: i64) -> String {
    if n == 0 {
        "—".into()
    } else {
        format!("{:.1}", ms as f64 / 3_600_000.0)
    }
}

/// `GET /console/dashboard?period=today|week|month`.
pub async fn page(State(state): State<AppState>, s: Staff, Query(q): Query<DashQuery>) -> Response {
    match build(&state, &s, q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

fn kpis(s: &Staff, d: &Dashboard) -> Vec<Kpi> {
    let fr_n: i64 = d.per_priority.iter().map(|p| p.first_responses).sum();
    let fr_ms: i64 = d.per_priority.iter().map(|p| p.first_response_avg_ms * p.first_responses).sum();
    let on_time: i64 = d.per_priority.iter().map(|p| p.on_time).sum();
    let on_time_of: i64 = d.per_priority.iter().map(|p| p.on_time_of).sum();
    let mean = if d.scored > 0 { format!("{:.2}", d.score_sum as f64 / d.scored as f64) } else { "—".into() };
    let h = s.t.get("dash.hours");
    vec![
        Kpi { label: "dash.volume", value: d.total.to_string(), id: "kpi-volume" },
        Kpi { label: "dash.intake", value: pct(d.intake_on_time, d.total), id: "kpi-intake" },
        Kpi {
            label: "dash.first_response",
            value: format!("{} {h}", hours(fr_ms / fr_n.max(1), fr_n)),
            id: "kpi-first-response",
        },
        Kpi { label: "dash.resolved", value: d.resolved.to_string(), id: "kpi-resolved" },
        Kpi { label: "dash.on_time", value: pct(on_time, on_time_of), id: "kpi-on-time" },
        Kpi { label: "dash.satisfaction", value: pct(d.satisfied, d.surveys), id: "kpi-satisfaction" },
        Kpi { label: "dash.follow_up", value: pct(d.surveys, d.resolved), id: "kpi-follow-up" },
        Kpi { label: "dash.mean_score", value: mean, id: "kpi-score" },
    ]
}

async fn build(state: &AppState, s: &Staff, q: DashQuery) -> Result<DashboardPage, ApiError> {
    if !s.can(Permission::Supervise) {
        return Err(ApiError::Forbidden("supervise".into()));
    }
    let period = match q.period.as_deref() {
        Some("week") => "week",
        Some("month") => "month",
        _ => "today",
    };
    let now = state.now();
    let from = period_start(period, now, s.t.tz);
    let d = state.read().dashboard(from, now + Duration::seconds(1)).await?;
    let t = &s.t;
    let rows = d
        .per_priority
        .iter()
        .map(|p| PriorityRow {
            priority: p.priority.map(|x| x.as_str()).unwrap_or("medium"),
            first_response: hours(p.first_response_avg_ms, p.first_responses),
            resolved: p.resolved,
            handling: hours(p.handling_avg_ms, p.resolved),
            on_time: share(p.on_time_rate()),
        })
        .collect();
    let mut by_channel: Vec<(&String, &i64)> = d.by_channel.iter().collect();
    by_channel.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    let mut by_category: Vec<(&String, &i64)> = d.by_category.iter().collect();
    by_category.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    let channel_chart = bars(
        t.get("dash.by_channel"),
        by_channel
            .iter()
            .map(|(c, n)| Bar { label: t.name("channel", c), value: **n as f64, text: n.to_string() })
            .collect(),
    );
    let category_chart = bars(
        t.get("dash.by_category"),
        by_category
            .iter()
            .map(|(c, n)| Bar {
                label: t.name("category", if c.is_empty() { "none" } else { c }),
                value: **n as f64,
                text: n.to_string(),
            })
            .collect(),
    );
    // The same rate as the table beside it and the tile above, on a 0–100% axis.
    let on_time_chart = percent_bars(
        t.get("dash.on_time"),
        d.per_priority
            .iter()
            .map(|p| Bar {
                label: t.name("priority", p.priority.map(|x| x.as_str()).unwrap_or("")),
                value: p.on_time_rate().unwrap_or(0.0) * 100.0,
                text: share(p.on_time_rate()),
            })
            .collect(),
    );
    let satisfaction_chart = bars(
        t.get("dash.satisfaction"),
        [("satisfied", d.satisfied), ("neutral", d.neutral), ("unsatisfied", d.unsatisfied)]
            .into_iter()
            .map(|(r, n)| Bar { label: t.name("rating", r), value: n as f64, text: n.to_string() })
            .collect(),
    );
    let mut problems = Vec::new();
    let ids: Vec<TicketId> = d.top_problems.iter().map(|p| TicketId(p.cluster_id)).collect();
    let firsts = state.read().tickets_by_id(&ids).await?;
    for p in &d.top_problems {
        let subject = firsts
            .iter()
            .find(|x| x.id.0 == p.cluster_id)
            .map(|x| x.subject.clone().unwrap_or_else(|| x.content.chars().take(60).collect()))
            .unwrap_or_default();
        problems.push(Problem { cluster_id: p.cluster_id, tickets: p.tickets, subject });
    }
    Ok(DashboardPage {
        layout: Layout::staff(s, "dash.title"),
        period,
        kpis: kpis(s, &d),
        rows,
        charts: vec![
            (t.get("dash.by_channel").to_string(), channel_chart.svg()),
            (t.get("dash.by_category").to_string(), category_chart.svg()),
            (t.get("dash.on_time").to_string(), on_time_chart.svg()),
            (t.get("dash.satisfaction").to_string(), satisfaction_chart.svg()),
        ],
        problems,
        empty: d.total == 0 && d.resolved == 0,
    })
}
