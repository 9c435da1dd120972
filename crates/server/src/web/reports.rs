//! The reports page: a period's figures against the previous period and a year earlier,
//! the trend (previous period faint), on-time per priority on a 0–100% axis and a
//! breakdown whose numbers open the queue filtered the same way; CSV and Excel downloads
//! from the API. Every figure comes from `loopdesk_app::reports::run`, as the API's.

use super::charts::{line, percent_bars, Bar};
use super::context::Staff;
use super::form::encode;
use super::i18n::T;
use super::page::{error_page, render, Layout};
use super::report_charts::{category_channel, weekday_hour, Chart};
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use loopdesk_app::reports::{company_time_zone, Report, ReportBody, ReportRequest};
use loopdesk_app::sheet::Names;
use loopdesk_core::report::engine::{BREAKDOWN_MEASURES, CHANNEL_MEASURES};
use loopdesk_core::report::{Dimension, Filter, Grain, Measure, Period, PeriodKind, ReportName, Table, Unit};
use loopdesk_core::sla::TargetKind;
use loopdesk_core::{Channel, Priority, Timestamp};
use serde::Deserialize;

/// Query of the page (dates are local days, `to` inclusive).
#[derive(Debug, Default, Deserialize)]
pub struct ReportsQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    grain: Option<String>,
    #[serde(default)]
    dimension: Option<String>,
    #[serde(default)]
    dimension2: Option<String>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    priority: Option<String>,
}

/// A summary line, formatted.
pub struct SummaryLine {
    id: String,
    label: String,
    value: String,
    previous: String,
    change: String,
    year_ago: String,
    change_year: String,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    layout: Layout,
    from: String,
    to: String,
    grain: &'static str,
    dimension: &'static str,
    dimension2: &'static str,
    channel: &'static str,
    priority: &'static str,
    grains: Vec<&'static str>,
    dimensions: Vec<&'static str>,
    channels: Vec<&'static str>,
    priorities: Vec<&'static str>,
    downloads: Vec<(String, String, String)>,
    period_text: String,
    previous_text: String,
    zone: String,
    summary: Vec<SummaryLine>,
    charts: Vec<Chart>,
    breakdown_header: Vec<String>,
    breakdown: Vec<Vec<Cell>>,
    /// Channel effectiveness: the `channels` report's table.
    effectiveness_header: Vec<String>,
    effectiveness: Vec<Vec<Cell>>,
}

/// A table cell: its text and, for a figure, the queue it counts.
type Cell = (String, Option<String>);

/// A value as the page writes it: shares in %, times in hours, `—` for nothing.
fn show(unit: Unit, v: Option<f64>, t: &T) -> String {
    let Some(v) = v else { return "—".into() };
    match unit {
        Unit::Count => format!("{v:.0}"),
        Unit::Ratio => format!("{:.1}%", v * 100.0),
        Unit::Milliseconds => format!("{:.1} {}", v / 3_600_000.0, t.get("dash.hours")),
        Unit::Score => format!("{v:.2}"),
    }
}

/// A change, signed; a ratio's in percentage points.
fn show_change(unit: Unit, v: Option<f64>, t: &T) -> String {
    let Some(v) = v else { return "—".into() };
    let sign = if v > 0.0 { "+" } else { "" };
    match unit {
        Unit::Ratio => format!("{sign}{:.1} {}", v * 100.0, t.get("rep.points")),
        _ => format!("{sign}{}", show(unit, Some(v), t)),
    }
}

fn date(raw: &Option<String>, field: &str) -> Result<Option<NaiveDate>, ApiError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| ApiError::BadRequest {
            code: "invalid_query",
            message: format!("{field} must be a date (YYYY-MM-DD)"),
            field: Some(field.into()),
        }),
    }
}

/// The period of the form: from the first day to the end of the last, in `tz`.
fn period(q: &ReportsQuery, tz: chrono_tz::Tz, now: Timestamp) -> Result<Period, ApiError> {
    let midnight = |d: NaiveDate| tz.from_local_datetime(&d.and_time(NaiveTime::MIN)).earliest().map(|x| x.to_utc());
    match (date(&q.from, "from")?, date(&q.to, "to")?) {
        (Some(a), Some(b)) => match (midnight(a), midnight(b + Duration::days(1))) {
            (Some(from), Some(to)) => Period::new(from, to).map_err(|e| ApiError::BadRequest {
                code: "invalid_query",
                message: e.to_string(),
                field: Some("to".into()),
            }),
            _ => Err(ApiError::BadRequest { code: "invalid_query", message: "no such day".into(), field: None }),
        },
        _ => Ok(Period::containing(PeriodKind::Month, now, tz)),
    }
}

/// A form choice: blank is none; a value the form never offers is refused, naming the field,
/// rather than quietly replaced by the default.
fn choice<T>(field: &'static str, raw: &Option<String>, parse: fn(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
    match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| ApiError::invalid(field, format!("unknown value \"{v}\""))),
    }
}

/// `GET /console/reports`.
pub async fn page(State(state): State<AppState>, s: Staff, Query(q): Query<ReportsQuery>) -> Response {
    match build(&state, &s, q).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

async fn run(state: &AppState, s: &Staff, name: ReportName, base: &ReportRequest) -> Result<Report, ApiError> {
    let req = ReportRequest { name, ..base.clone() };
    Ok(loopdesk_app::reports::run(state, &s.principal, req).await?)
}

async fn build(state: &AppState, s: &Staff, q: ReportsQuery) -> Result<ReportsPage, ApiError> {
    let t = s.t;
    let tz = company_time_zone(state);
    let p = period(&q, tz, state.now())?;
    let grain = choice("grain", &q.grain, Grain::parse)?.unwrap_or(Grain::Day);
    let dimension = choice("dimension", &q.dimension, Dimension::parse)?.unwrap_or(Dimension::Category);
    let dimension2 = choice("dimension2", &q.dimension2, Dimension::parse)?.filter(|d| *d != dimension);
    let filter = Filter {
        channel: choice("channel", &q.channel, Channel::parse)?,
        priority: choice("priority", &q.priority, Priority::parse)?,
        ..Filter::default()
    };
    let dims: Vec<Dimension> = std::iter::once(dimension).chain(dimension2).collect();
    let base =
        ReportRequest { name: ReportName::Summary, period: p, grain, dimensions: dims.clone(), filter: filter.clone() };
    // One read by category × channel gives the stacked chart, the channel effectiveness
    // table and, when the page breaks down by those dimensions, its breakdown too; every
    // read of the page runs side by side.
    let cross = [Dimension::Category, Dimension::Channel];
    let reuse = dims.iter().all(|d| cross.contains(d));
    let (volume, by_channel): (&[Measure], &[Dimension]) = (&[Measure::Volume], &[Dimension::Channel]);
    let (effectiveness, breakdown): (&[Measure], &[Measure]) = (&CHANNEL_MEASURES, &BREAKDOWN_MEASURES);
    let mut wanted = vec![(&cross[..], volume), (by_channel, effectiveness)];
    if reuse {
        wanted.push((dims.as_slice(), breakdown));
    }
    let own_breakdown = async {
        match reuse {
            true => Ok(None),
            false => run(state, s, ReportName::Breakdown, &base).await.map(|r| Some(r.body)),
        }
    };
    let tables = async {
        Ok::<_, ApiError>(loopdesk_app::reports::tables(state, &s.principal, p, filter.clone(), &cross, &wanted).await?)
    };
    let by_hour = async {
        Ok::<_, ApiError>(loopdesk_app::reports::weekday_hours(state, &s.principal, p, filter.clone()).await?)
    };
    let (summary, trend, own_breakdown, mut tables, by_hour, names) = tokio::try_join!(
        run(state, s, ReportName::Summary, &base),
        run(state, s, ReportName::Trend, &base),
        own_breakdown,
        tables,
        by_hour,
        crate::routes::reports::names(state),
    )?;
    let table = match own_breakdown {
        Some(ReportBody::Table(tb)) => Some(tb),
        Some(_) => None,
        None => tables.pop(),
    };
    let (by_category_channel, by_channel) = (tables.first(), tables.get(1));

    // Links: the API's report with the same parameters, and the queue for a table row.
    let mut api_query =
        format!("from={}&to={}&grain={}", encode(&p.from.to_rfc3339()), encode(&p.to.to_rfc3339()), grain);
    api_query.push_str(&format!("&dimension={}", dims.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")));
    if let Some(c) = filter.channel {
        api_query.push_str(&format!("&channel={c}"));
    }
    if let Some(x) = filter.priority {
        api_query.push_str(&format!("&priority={x}"));
    }
    let mut downloads = Vec::new();
    for name in [ReportName::Summary, ReportName::Trend, ReportName::Breakdown, ReportName::Channels] {
        for format in ["csv", "xlsx"] {
            let label = format!("{} ({})", t.name("rep", name.as_str()), format.to_uppercase());
            let href = format!("/api/v1/reports/{name}?{api_query}&format={format}");
            downloads.push((label, href, format!("download-{name}-{format}")));
        }
    }

    let mut lines = Vec::new();
    let mut on_time = Vec::new();
    if let ReportBody::Summary { rows } = &summary.body {
        for r in rows {
            if r.priority.is_none() && r.measure != Measure::SlaCompleted {
                let mut label = t.name("measure", r.measure.as_str());
                let mut id = r.measure.as_str().to_string();
                if let Some(target) = r.target {
                    label = format!("{label} · {}", t.name("target", target.as_str()));
                    id = format!("{id}-{target}");
                }
                lines.push(SummaryLine {
                    id,
                    label,
                    value: show(r.unit, r.value, &t),
                    previous: show(r.unit, r.previous, &t),
                    change: show_change(r.unit, r.change, &t),
                    year_ago: show(r.unit, r.year_ago, &t),
                    change_year: show_change(r.unit, r.change_year, &t),
                });
            }
            if r.measure == Measure::OnTimeRate && r.target == Some(TargetKind::Result) {
                if let Some(prio) = r.priority {
                    on_time.push((prio, r.value));
                }
            }
        }
    }
    let mut charts = Vec::new();
    if let ReportBody::Trend { measures, buckets, .. } = &trend.body {
        let at = |m: Measure| measures.iter().position(|x| *x == m);
        let label =
            |b: &loopdesk_core::report::TrendBucket| b.start.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
        let first_last =
            (buckets.first().map(label).unwrap_or_default(), buckets.last().map(label).unwrap_or_default());
        for (m, id) in [
            (Measure::Volume, "trend-volume"),
            (Measure::Backlog, "trend-backlog"),
            (Measure::SatisfiedShare, "trend-satisfaction"),
        ] {
            let Some(i) = at(m) else { continue };
            let now: Vec<Option<f64>> = buckets.iter().map(|b| b.values[i]).collect();
            let before: Vec<Option<f64>> = buckets.iter().map(|b| b.previous[i]).collect();
            let title = format!("{} · {}", t.get("rep.trend"), t.name("measure", m.as_str()));
            let desc = t.get("rep.trend_desc").replace("{grain}", &t.name("grain", grain.as_str()));
            let chart = line(id, &title, desc, first_last.clone(), &now, &before, |v| show(m.unit(), Some(v), &t));
            let rows = buckets
                .iter()
                .map(|b| vec![label(b), show(m.unit(), b.values[i], &t), show(m.unit(), b.previous[i], &t)])
                .collect();
            let header = vec![
                t.get("rep.bucket").to_string(),
                t.get("rep.value").to_string(),
                t.get("rep.previous").to_string(),
            ];
            charts.push(Chart { title, svg: chart.svg(), header, rows });
        }
    }
    // On-time per priority: the same definition as the summary, on a 0–100% axis.
    let title = t.get("dash.on_time").to_string();
    let bars = on_time
        .iter()
        .map(|(prio, v)| Bar {
            label: t.name("priority", prio.as_str()),
            value: v.unwrap_or(0.0) * 100.0,
            text: show(Unit::Ratio, *v, &t),
        })
        .collect();
    let rows =
        on_time.iter().map(|(prio, v)| vec![t.name("priority", prio.as_str()), show(Unit::Ratio, *v, &t)]).collect();
    let header = vec![t.get("col.priority").to_string(), title.clone()];
    charts.push(Chart { svg: percent_bars("chart-on-time", &title, bars).svg(), title, header, rows });
    if let Some(tb) = by_category_channel {
        charts.push(category_channel(&t, tb));
    }
    charts.push(weekday_hour(&t, &by_hour));

    let (breakdown_header, breakdown) = table.map(|tb| cells(&t, &names, &p, &filter, &tb)).unwrap_or_default();
    let (effectiveness_header, effectiveness) =
        by_channel.map(|tb| cells(&t, &names, &p, &filter, tb)).unwrap_or_default();
    Ok(ReportsPage {
        layout: Layout::staff(s, "rep.title"),
        from: p.from.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        to: (p.to - Duration::seconds(1)).with_timezone(&tz).format("%Y-%m-%d").to_string(),
        grain: grain.as_str(),
        dimension: dimension.as_str(),
        dimension2: dimension2.map(|d| d.as_str()).unwrap_or(""),
        channel: filter.channel.map(|c| c.as_str()).unwrap_or(""),
        priority: filter.priority.map(|c| c.as_str()).unwrap_or(""),
        grains: Grain::ALL.iter().map(|g| g.as_str()).collect(),
        dimensions: Dimension::ALL.iter().map(|d| d.as_str()).collect(),
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
        priorities: Priority::ALL.iter().map(|c| c.as_str()).collect(),
        downloads,
        period_text: format!("{} – {}", t.date(&summary.from), t.date(&summary.to)),
        previous_text: t.date(&summary.previous_from),
        zone: summary.time_zone.clone(),
        summary: lines,
        charts,
        breakdown_header,
        breakdown,
        effectiveness_header,
        effectiveness,
    })
}

/// A table as the page shows it: its header, and per row the dimension values then the
/// figures, each figure a link to the queue filtered as the row counts.
fn cells(t: &T, names: &Names, p: &Period, filter: &Filter, tb: &Table) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut header: Vec<String> = tb.dimensions.iter().map(|d| t.name("dim", d.as_str())).collect();
    header.extend(tb.measures.iter().map(|m| t.name("measure", m.as_str())));
    let rows = tb
        .rows
        .iter()
        .map(|r| {
            let link = queue_link(p, filter, &tb.dimensions, &r.keys);
            let mut cells: Vec<Cell> =
                tb.dimensions.iter().zip(&r.keys).map(|(d, k)| (key_label(t, names, *d, k), None)).collect();
            cells.extend(tb.measures.iter().zip(&r.values).map(|(m, v)| (show(m.unit(), *v, t), link.clone())));
            cells
        })
        .collect();
    (header, rows)
}

/// How a dimension value reads: names for agents and departments, `—` for none.
fn key_label(t: &T, names: &Names, d: Dimension, key: &str) -> String {
    if key.is_empty() {
        return t.get("rep.none").to_string();
    }
    match d {
        Dimension::Agent | Dimension::Department => {
            names.get(&(d, key.to_string())).cloned().unwrap_or_else(|| key.to_string())
        }
        Dimension::Channel => t.name("channel", key),
        Dimension::Category => t.name("category", key),
        Dimension::Priority => t.name("priority", key),
        _ => key.to_string(),
    }
}

/// The queue filtered as a table row counts: the tickets recorded in the period with the
/// report's filters and the row's values. `None` when the row is on a dimension the queue
/// cannot filter by (sub-tag, product, tier) or on "none" of a text dimension.
fn queue_link(p: &Period, filter: &Filter, dims: &[Dimension], keys: &[String]) -> Option<String> {
    let mut q = vec![
        ("view".to_string(), "all".to_string()),
        ("created_from".to_string(), p.from.to_rfc3339()),
        ("created_to".to_string(), p.to.to_rfc3339()),
    ];
    if let Some(c) = filter.channel {
        q.push(("channel".into(), c.as_str().into()));
    }
    if let Some(x) = filter.priority {
        q.push(("priority".into(), x.as_str().into()));
    }
    for (d, k) in dims.iter().zip(keys) {
        let param = match d {
            Dimension::Channel => "channel",
            Dimension::Category if !k.is_empty() => "category",
            Dimension::Priority => "priority",
            Dimension::Department => "department",
            Dimension::Agent => "assignee",
            _ => return None,
        };
        let value = if k.is_empty() { "none".to_string() } else { k.clone() };
        q.retain(|(name, _)| name != param);
        q.push((param.to_string(), value));
    }
    Some(format!("/console?{}", q.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")))
}
