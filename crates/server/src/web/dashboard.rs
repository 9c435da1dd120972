//! The supervisor dashboard: the seed's KPIs for today, this week or this month (in the
//! reader's time zone), computed by the store's SQL aggregates, with SVG charts.

use super::charts::{bars, percent_bars, sparkline, Bar};
use super::context::Staff;
use super::page::{error_page, render, Layout};
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, Duration, NaiveTime, TimeZone};
use loopdesk_app::read::Buckets;
use loopdesk_core::access::Permission;
use loopdesk_core::report::fact::hour_start;
use loopdesk_core::report::{self, Figures, Filter, Measure, Unit};
use loopdesk_core::{Priority, TicketId, Timestamp};
use serde::Deserialize;
use std::collections::HashMap;

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
    /// Its tickets per day over the last [`SPARK_DAYS`] days (oldest first), and their
    /// sparkline.
    pub days: Vec<i64>,
    pub spark: String,
}

/// Days a top problem's sparkline covers, today included.
const SPARK_DAYS: usize = 14;

/// Tickets per local day of the last [`SPARK_DAYS`] days in each of the clusters `ids`.
async fn problem_days(
    state: &AppState,
    ids: &[TicketId],
    now: Timestamp,
    tz: chrono_tz::Tz,
) -> Result<HashMap<i64, Vec<i64>>, ApiError> {
    let today = now.with_timezone(&tz).date_naive();
    let first = today - Duration::days(SPARK_DAYS as i64 - 1);
    let from = tz.from_local_datetime(&first.and_time(NaiveTime::MIN)).earliest().map(|d| d.to_utc()).unwrap_or(now);
    let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (cluster, hour, n) in state.read().problem_hours(from, now + Duration::hours(1), &ids).await? {
        let day = hour_start(hour).with_timezone(&tz).date_naive();
        let i = (day - first).num_days();
        if let Ok(i @ 0..SPARK_DAYS) = usize::try_from(i) {
            out.entry(cluster).or_insert_with(|| vec![0; SPARK_DAYS])[i] += n;
        }
    }
    Ok(out)
}

/// A recent spike.
pub struct SpikeLine {
    pub what: String,
    pub window: String,
    pub observed: i64,
    pub usual: String,
    pub samples: Vec<i64>,
}

/// Spikes shown: those of the last week, at most this many.
const SPIKES_SHOWN: usize = 10;

/// The spikes of the week before `now`, the window in `tz`.
async fn spike_lines(state: &AppState, now: Timestamp, tz: chrono_tz::Tz) -> Result<Vec<SpikeLine>, ApiError> {
    let list = state.read().spikes(now - Duration::days(7), now + Duration::hours(1), SPIKES_SHOWN).await?;
    Ok(list
        .into_iter()
        .map(|sp| SpikeLine {
            what: format!("{} {}", sp.dimension, sp.value),
            window: format!(
                "{}–{}",
                sp.window_start.with_timezone(&tz).format("%m-%d %H:%M"),
                sp.window_end.with_timezone(&tz).format("%H:%M")
            ),
            observed: sp.observed,
            usual: format!("{:.1}", sp.baseline),
            samples: sp.sample_ticket_ids,
        })
        .collect())
}

/// A row of the per-priority table.
pub struct PriorityRow {
    pub priority: &'static str,
    pub first_response: String,
    pub resolved: String,
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
    spikes: Vec<SpikeLine>,
    empty: bool,
    /// The period's summary report as CSV and Excel.
    downloads: Vec<(String, String)>,
    /// Admins only: calendars whose official holiday schedule ends soon.
    schedule_warnings: Vec<String>,
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

/// A figure as the dashboard writes it, in the unit of its measure (`—` for nothing).
fn show(f: &Figures, m: Measure, priority: Option<Priority>, t: &super::i18n::T) -> String {
    let Some(v) = f.value(m, priority, None) else { return "—".into() };
    match m.unit() {
        Unit::Count => format!("{v:.0}"),
        Unit::Ratio => format!("{:.1}%", v * 100.0),
        Unit::Milliseconds => format!("{:.1} {}", v / 3_600_000.0, t.get("dash.hours")),
        Unit::Score => format!("{v:.2}"),
    }
}

/// `GET /console/dashboard?period=today|week|month`.
pub async fn page(State(state): State<AppState>, s: Staff, Query(q): Query<DashQuery>) -> Response {
    match build(&state, &s, q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// The headline figures: each one [`Figures::value`], the reports' definition.
fn kpis(s: &Staff, f: &Figures) -> Vec<Kpi> {
    let k = |label, m, id| Kpi { label, value: show(f, m, None, &s.t), id };
    vec![
        k("dash.volume", Measure::Volume, "kpi-volume"),
        k("dash.intake", Measure::IntakeTimeliness, "kpi-intake"),
        k("dash.first_response", Measure::FirstResponseMean, "kpi-first-response"),
        k("dash.resolved", Measure::Resolved, "kpi-resolved"),
        k("dash.on_time", Measure::OnTimeRate, "kpi-on-time"),
        k("dash.satisfaction", Measure::SatisfiedShare, "kpi-satisfaction"),
        k("dash.follow_up", Measure::FollowUpRate, "kpi-follow-up"),
        k("dash.mean_score", Measure::MeanScore, "kpi-score"),
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
    let to = now + Duration::seconds(1);
    let d = state.read().dashboard(from, to).await?;
    // Headline figures, the per-priority table and the on-time chart are the reports'
    // figures of the same period: one definition each, so they cannot disagree.
    let f = report::figures(&state.read().report_rows(from, to, &Filter::default(), &[], Buckets::Period).await?);
    let t = &s.t;
    let rows = Priority::ALL
        .iter()
        .map(|p| PriorityRow {
            priority: p.as_str(),
            first_response: show(&f, Measure::FirstResponseMean, Some(*p), t),
            resolved: show(&f, Measure::Resolved, Some(*p), t),
            handling: show(&f, Measure::HandlingMean, Some(*p), t),
            on_time: show(&f, Measure::OnTimeRate, Some(*p), t),
        })
        .collect();
    let mut by_channel: Vec<(&String, &i64)> = d.by_channel.iter().collect();
    by_channel.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    let mut by_category: Vec<(&String, &i64)> = d.by_category.iter().collect();
    by_category.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
    let channel_chart = bars(
        "dash-channel",
        t.get("dash.by_channel"),
        by_channel
            .iter()
            .map(|(c, n)| Bar { label: t.name("channel", c), value: **n as f64, text: n.to_string() })
            .collect(),
    );
    let category_chart = bars(
        "dash-category",
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
        "dash-on-time",
        t.get("dash.on_time"),
        Priority::ALL
            .iter()
            .map(|p| Bar {
                label: t.name("priority", p.as_str()),
                value: f.value(Measure::OnTimeRate, Some(*p), None).unwrap_or(0.0) * 100.0,
                text: show(&f, Measure::OnTimeRate, Some(*p), t),
            })
            .collect(),
    );
    let satisfaction_chart = bars(
        "dash-satisfaction",
        t.get("dash.satisfaction"),
        [("satisfied", d.satisfied), ("neutral", d.neutral), ("unsatisfied", d.unsatisfied)]
            .into_iter()
            .map(|(r, n)| Bar { label: t.name("rating", r), value: n as f64, text: n.to_string() })
            .collect(),
    );
    let mut problems = Vec::new();
    let ids: Vec<TicketId> = d.top_problems.iter().map(|p| TicketId(p.cluster_id)).collect();
    let firsts = state.read().tickets_by_id(&ids).await?;
    let mut daily = problem_days(state, &ids, now, s.t.tz).await?;
    for p in &d.top_problems {
        let subject = firsts
            .iter()
            .find(|x| x.id.0 == p.cluster_id)
            .map(|x| x.subject.clone().unwrap_or_else(|| x.content.chars().take(60).collect()))
            .unwrap_or_default();
        let days = daily.remove(&p.cluster_id).unwrap_or_else(|| vec![0; SPARK_DAYS]);
        let desc =
            t.get("dash.spark_desc").replace("{days}", &days.iter().map(i64::to_string).collect::<Vec<_>>().join(", "));
        let spark = sparkline(&format!("spark-{}", p.cluster_id), &subject, desc, &days).svg();
        problems.push(Problem { cluster_id: p.cluster_id, tickets: p.tickets, subject, spark, days });
    }
    Ok(DashboardPage {
        layout: Layout::staff(s, "dash.title"),
        period,
        kpis: kpis(s, &f),
        downloads: ["csv", "xlsx"]
            .map(|format| {
                let q = form_urlencoded::Serializer::new(String::new())
                    .append_pair("from", &from.to_rfc3339())
                    .append_pair("to", &to.to_rfc3339())
                    .append_pair("format", format)
                    .finish();
                (format.to_uppercase(), format!("/api/v1/reports/summary?{q}"))
            })
            .to_vec(),
        rows,
        charts: vec![
            (t.get("dash.by_channel").to_string(), channel_chart.svg()),
            (t.get("dash.by_category").to_string(), category_chart.svg()),
            (t.get("dash.on_time").to_string(), on_time_chart.svg()),
            (t.get("dash.satisfaction").to_string(), satisfaction_chart.svg()),
        ],
        problems,
        spikes: spike_lines(state, now, s.t.tz).await?,
        empty: d.total == 0 && d.resolved == 0,
        schedule_warnings: super::schedule::notices(state, s),
    })
}
