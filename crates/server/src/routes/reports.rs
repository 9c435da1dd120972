//! `GET /reports/{name}`: a report (summary, trend, breakdown, channels, agents) for a
//! period, as JSON, CSV or Excel. The use case is `loopdesk_app::reports::run`; this
//! adapter parses the query into its types and writes the chosen format.

use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use loopdesk_app::reports::{company_time_zone, Report, ReportRequest};
use loopdesk_app::sheet::{self, Format, Names};
use loopdesk_app::App;
use loopdesk_core::report::{Dimension, Filter, Grain, Period, PeriodKind, ReportName};
use loopdesk_core::{Channel, CustomerTier, DepartmentId, Priority, Timestamp, UserId};
use serde::Deserialize;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/reports/{name}", get(report))
}

/// Query of a report. Without `from` and `to`, the current month in the company's zone.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Start of the period (RFC 3339), inclusive.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Timestamp>,
    /// End of the period (RFC 3339), exclusive.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Timestamp>,
    /// Bucket width of a trend: `hour`, `day` (default), `week`, `month`.
    #[param(pattern = "^(hour|day|week|month)$")]
    pub grain: Option<String>,
    /// A breakdown's dimension, or two comma-separated to cross them (`category,channel`):
    /// channel, category, subtag, product, department, agent, priority, tier.
    pub dimension: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub subtag: Option<String>,
    pub product: Option<String>,
    /// A department id.
    pub department: Option<i64>,
    /// An agent's user id.
    pub agent: Option<i64>,
    pub priority: Option<String>,
    /// Customer tier: standard, vip, key_account.
    pub tier: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    #[param(pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

fn bad(field: &str, message: String) -> ApiError {
    ApiError::BadRequest { code: "invalid_query", message, field: Some(field.into()) }
}

fn named<T>(
    field: &str,
    raw: &Option<String>,
    parse: fn(&str) -> Option<T>,
    names: String,
) -> Result<Option<T>, ApiError> {
    raw.as_deref()
        .map(|s| parse(s.trim()).ok_or_else(|| bad(field, format!("unknown {field} {s:?}; expected one of {names}"))))
        .transpose()
}

/// Text filters: empty means "none" (no category, say), as the breakdown's keys.
fn text(raw: &Option<String>) -> Option<String> {
    raw.as_ref().map(|s| s.trim().to_string())
}

impl ReportParams {
    /// The request these parameters describe (the report's name comes from the path).
    pub fn request(&self, name: ReportName, app: &App, now: Timestamp) -> Result<(ReportRequest, Format), ApiError> {
        let format = named("format", &self.format, Format::parse, "json, csv, xlsx".into())?.unwrap_or_default();
        let tz = company_time_zone(app);
        let period = match (self.from, self.to) {
            (None, None) => Period::containing(PeriodKind::Month, now, tz),
            (Some(from), Some(to)) => Period::new(from, to).map_err(|e| bad("to", e.to_string()))?,
            (None, Some(_)) => return Err(bad("from", "give both from and to, or neither".into())),
            (Some(_), None) => return Err(bad("to", "give both from and to, or neither".into())),
        };
        let grain = named("grain", &self.grain, Grain::parse, Grain::names())?.unwrap_or(Grain::Day);
        let dimensions = self
            .dimension
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                Dimension::parse(s).ok_or_else(|| {
                    bad("dimension", format!("unknown dimension {s:?}; expected one of {}", Dimension::names()))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if dimensions.len() > 2 || (name == ReportName::Breakdown && dimensions.is_empty()) {
            return Err(bad("dimension", "a breakdown takes one dimension or two comma-separated".into()));
        }
        let filter = Filter {
            channel: named("channel", &self.channel, Channel::parse, Channel::names())?,
            category: text(&self.category),
            subtag: text(&self.subtag),
            product: text(&self.product),
            department: self.department.map(DepartmentId),
            agent: self.agent.map(UserId),
            priority: named("priority", &self.priority, Priority::parse, Priority::names())?,
            tier: named("tier", &self.tier, CustomerTier::parse, CustomerTier::names())?,
        };
        Ok((ReportRequest { name, period, grain, dimensions, filter }, format))
    }
}

/// Names of agents and departments for the sheet.
pub async fn names(app: &App) -> Result<Names, ApiError> {
    let mut names = Names::new();
    for u in app.read().users().await? {
        names.insert((Dimension::Agent, u.id.0.to_string()), u.display_name);
    }
    for d in app.read().departments().await? {
        names.insert((Dimension::Department, d.id.0.to_string()), d.name);
    }
    Ok(names)
}

/// The report written in `format`.
pub async fn respond(app: &App, report: Report, format: Format) -> Result<Response, ApiError> {
    if format == Format::Json {
        return Ok(Json(report).into_response());
    }
    let sheet = sheet::sheet(&report, &names(app).await?);
    let day = report.from.format("%Y%m%d");
    let disposition = format!("attachment; filename=\"report-{}-{day}.{}\"", report.name, format.extension());
    let body = match format {
        Format::Csv => sheet::to_csv(&sheet).into_bytes(),
        _ => sheet::to_xlsx(&sheet).map_err(|e| ApiError::from(loopdesk_app::AppError::Internal(Box::new(e))))?,
    };
    Ok(([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response())
}

/// `GET /api/v1/reports/{name}`.
#[utoipa::path(get, path = "/reports/{name}", tag = "reports",
    params(("name" = ReportName, Path, description = "summary, trend, breakdown, channels or agents"), ReportParams),
    responses(
        (status = 200, description = "The report; with format=csv UTF-8 CSV with a byte-order mark, with format=xlsx an Excel workbook",
            content(
                (Report = "application/json"),
                (String = "text/csv"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        crate::openapi::Errors))]
pub async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    Query(params): Query<ReportParams>,
) -> Result<Response, ApiError> {
    let name = ReportName::parse(&name)
        .ok_or_else(|| ApiError::NotFound(format!("no report {name:?}; reports are {}", ReportName::names())))?;
    let (req, format) = params.request(name, &state, state.clock.now())?;
    let report = loopdesk_app::reports::run(&state, &auth.0, req).await?;
    respond(&state, report, format).await
}
