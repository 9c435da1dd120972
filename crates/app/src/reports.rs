//! Reports (issue 16): the use case behind the API, the console page and the CLI. Reads
//! the report rollups for the period, the previous period and the same period a year
//! earlier, and lets the core compute the figures. Supervisors and admins only; a caller
//! who sees one department only is held to it.

use crate::access::require;
use crate::read::Buckets;
use crate::{App, AppError};
use chrono_tz::Tz;
use loopdesk_core::access::{Permission, Visibility};
use loopdesk_core::calendar::DEFAULT_CALENDAR;
use loopdesk_core::report::engine::{AGENT_MEASURES, BREAKDOWN_MEASURES, CHANNEL_MEASURES, TREND_MEASURES};
use loopdesk_core::report::{self, Dimension, Filter, Grain, Measure, Period, ReportName};
use loopdesk_core::{Principal, Timestamp};

/// What to report.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    pub name: ReportName,
    pub period: Period,
    pub grain: Grain,
    /// The breakdown's dimensions (one or two); ignored by the other reports.
    pub dimensions: Vec<Dimension>,
    pub filter: Filter,
}

/// A computed report.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportBody {
    Summary { rows: Vec<report::SummaryRow> },
    Trend { grain: Grain, measures: Vec<Measure>, buckets: Vec<report::TrendBucket> },
    Table(report::Table),
}

/// A report with the periods it compares.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub name: ReportName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub from: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub to: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub previous_from: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub year_ago_from: Timestamp,
    /// The IANA zone periods and buckets are read in.
    pub time_zone: String,
    #[serde(flatten)]
    pub body: ReportBody,
}

/// The company's time zone: that of the default business calendar.
pub fn company_time_zone(app: &App) -> Tz {
    zone_of(&app.sla.get())
}

/// The zone of the default calendar of `sla`.
pub(crate) fn zone_of(sla: &crate::sla::SlaConfig) -> Tz {
    sla.calendars.get(DEFAULT_CALENDAR).map(|c| c.time_zone()).unwrap_or(chrono_tz::Asia::Shanghai)
}

/// Cuts the report day rollups in the company's zone if they are not already (at start-up,
/// when the calendars change, and on each worker round for a change made on another node).
pub async fn follow_company_zone(app: &App) -> Result<(), AppError> {
    let zone = company_time_zone(app);
    if app.read().report_zone() != zone {
        app.store.use_report_zone(zone).await?;
    }
    Ok(())
}

/// The filter narrowed to what the caller may see: a caller limited to a department reads
/// that department only, and naming another is refused.
fn scoped(principal: &Principal, mut filter: Filter) -> Result<Filter, AppError> {
    match principal.visibility() {
        Visibility::All => Ok(filter),
        Visibility::None => Err(AppError::Forbidden("reports need a staff account".into())),
        Visibility::Department { department_id, .. } => {
            let Some(own) = department_id else {
                return Err(AppError::Forbidden("reports need a department or a supervisor role".into()));
            };
            if filter.department.is_some_and(|d| d != own) {
                return Err(AppError::Forbidden("you may report on your own department only".into()));
            }
            filter.department = Some(own);
            Ok(filter)
        }
    }
}

fn period_error(e: report::PeriodError) -> AppError {
    match e {
        report::PeriodError::Empty => AppError::invalid("to", e.to_string()),
        report::PeriodError::TooManyBuckets { .. } => AppError::invalid("grain", e.to_string()),
    }
}

/// Computes a report for `principal`.
pub async fn run(app: &App, principal: &Principal, req: ReportRequest) -> Result<Report, AppError> {
    require(principal, Permission::Supervise)?;
    let filter = scoped(principal, req.filter)?;
    let tz = company_time_zone(app);
    let (p, prev, year) = (req.period, req.period.previous(tz), req.period.year_earlier(tz));
    let read = app.read();
    let dims: Vec<Dimension> = match req.name {
        ReportName::Breakdown => {
            if req.dimensions.is_empty() || req.dimensions.len() > 2 {
                return Err(AppError::invalid("dimension", "a breakdown takes one or two dimensions"));
            }
            req.dimensions.clone()
        }
        ReportName::Channels => vec![Dimension::Channel],
        ReportName::Agents => vec![Dimension::Agent],
        ReportName::Summary | ReportName::Trend => Vec::new(),
    };
    // Only a trend needs the hours (or the days, for a grain of a day or more); the rest
    // sum the period in the database.
    let buckets = match (req.name, req.grain) {
        (ReportName::Trend, Grain::Hour) => Buckets::Hours,
        (ReportName::Trend, _) => Buckets::Days(tz),
        _ => Buckets::Period,
    };
    // The periods compared are read side by side (each read is a few queries; on several
    // connections their round trips overlap).
    let at = |period: Period| read.report_rows(period.from, period.to, &filter, &dims, buckets);
    let body = match req.name {
        ReportName::Summary => {
            let (rows, previous, year_ago) = tokio::try_join!(at(p), at(prev), at(year))?;
            ReportBody::Summary { rows: report::summary(&rows, &previous, &year_ago) }
        }
        ReportName::Trend => {
            let bounds = p.boundaries(req.grain, tz).map_err(period_error)?;
            let previous_bounds = prev.boundaries(req.grain, tz).map_err(period_error)?;
            let (rows, previous) = tokio::try_join!(at(p), at(prev))?;
            let buckets = report::trend(&rows, &bounds, &previous, &previous_bounds);
            ReportBody::Trend { grain: req.grain, measures: TREND_MEASURES.to_vec(), buckets }
        }
        ReportName::Breakdown => ReportBody::Table(report::breakdown(&at(p).await?, &dims, &BREAKDOWN_MEASURES)),
        ReportName::Channels => ReportBody::Table(report::breakdown(&at(p).await?, &dims, &CHANNEL_MEASURES)),
        ReportName::Agents => ReportBody::Table(report::breakdown(&at(p).await?, &dims, &AGENT_MEASURES)),
    };
    Ok(Report {
        name: req.name,
        from: p.from,
        to: p.to,
        previous_from: prev.from,
        year_ago_from: year.from,
        time_zone: tz.name().to_string(),
        body,
    })
}

/// Tickets recorded in `period` by local weekday (Monday first) and hour of day, in the
/// company's zone, narrowed to `filter` as [`run`] narrows it: the heatmap of when feedback
/// arrives.
pub async fn weekday_hours(
    app: &App,
    principal: &Principal,
    period: Period,
    filter: Filter,
) -> Result<[[i64; 24]; 7], AppError> {
    require(principal, Permission::Supervise)?;
    let filter = scoped(principal, filter)?;
    let volumes = app.read().report_hourly_volume(period.from, period.to, &filter).await?;
    Ok(report::heatmap::weekday_hours(&volumes, company_time_zone(app)))
}

/// Tables of one period, each by its own dimensions and measures, from one read by
/// `read_by` (which must hold every table's dimensions): a table regroups the rows by its
/// dimensions, so it is the same table the report of those dimensions gives, and a page
/// that shows several tables of one period reads the rollups once.
pub async fn tables(
    app: &App,
    principal: &Principal,
    period: Period,
    filter: Filter,
    read_by: &[Dimension],
    tables: &[(&[Dimension], &[Measure])],
) -> Result<Vec<report::Table>, AppError> {
    require(principal, Permission::Supervise)?;
    let filter = scoped(principal, filter)?;
    if tables.iter().any(|(dims, _)| dims.is_empty() || dims.len() > 2 || dims.iter().any(|d| !read_by.contains(d))) {
        return Err(AppError::invalid("dimension", "a table takes one or two of the dimensions read"));
    }
    let rows = app.read().report_rows(period.from, period.to, &filter, read_by, Buckets::Period).await?;
    Ok(tables.iter().map(|(dims, measures)| report::breakdown(&rows, dims, measures)).collect())
}
