//! Every versioned configuration document through one resource: `GET` what is in force
//! (version 0 is the built-in default), `PUT` a new version based on the one read
//! (`expected_version`; 409 `stale_version` otherwise), `GET …/history`. The body is checked
//! into the document's typed form before it is saved, and an error names the field inside
//! it (`body.rules[2].departments`).
//!
//! | path | document |
//! | --- | --- |
//! | `/admin/routing-rules` | routing rules |
//! | `/admin/staffing` | skills, duty calendars, leave, supervisors |
//! | `/admin/sla-policy` | SLA targets |
//! | `/admin/calendars` | business calendars |
//! | `/admin/templates` | notification templates |
//! | `/admin/robots` | robots and staff addresses |
//! | `/admin/report-schedules` | weekly and monthly summaries to staff |
//! | `/admin/portal` | the portal's branding and what an unsatisfied customer is promised |
//! | `/admin/retention` | how long finished tickets keep personal data |
//! | `/admin/channels/{name}` | a channel's settings |
//! | `/triage/rules/{part}` | a part of the triage rules |

use super::document_versions::ShowQuery;
use crate::auth::{Admin, Auth};
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use loopdesk_app::documents::channel::{GatewayDoc, RobotsDoc, WebhookDoc, WechatDoc};
use loopdesk_app::documents::{self, ChannelName, DocumentEdit, DocumentKind, DocumentView};
use loopdesk_app::portal::branding::PortalDoc;
use loopdesk_app::sla::load::CalendarsDoc;
use loopdesk_app::summaries::SchedulesDoc;
use loopdesk_app::triage::engine::RulePart;
use loopdesk_channels::templates::TemplateSet;
use loopdesk_core::report::spike_rules::SpikeRules;
use loopdesk_core::retention::RetentionPolicy;
use loopdesk_core::routing::{RoutingRules, Staffing};
use loopdesk_core::sla::SlaPolicy;
use loopdesk_triage::moderation::ModerationLists;
use loopdesk_triage::signals::SignalLists;
use loopdesk_triage::{PriorityRules, Taxonomy};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Body of a `PUT`: the new document and the version it was based on. The server reads
/// `body` as JSON and checks it into the document's type (`B`, which the document shows).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentIn<B = Value> {
    /// The version the edit started from; 0 when none was saved yet.
    #[schema(minimum = 0)]
    pub expected_version: i64,
    /// The document itself, checked into its typed form before it is saved (an error
    /// names the field inside it, `body.rules[2].departments`). Secrets written back as
    /// `********` or left out keep their saved values.
    pub body: B,
    /// Why it changes (required for the triage rules), at most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub comment: String,
}

/// Query of `/history`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// 1 to 500 (default 50).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The versions of a document, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct History {
    pub items: Vec<DocumentView>,
}

async fn show(
    state: &AppState,
    auth: &Auth,
    kind: DocumentKind,
    q: ShowQuery,
) -> Result<axum::Json<DocumentView>, ApiError> {
    Ok(axum::Json(match q.effective {
        true => documents::current_effective(state, &auth.0, &kind).await?,
        false => documents::current(state, &auth.0, &kind).await?,
    }))
}

async fn save(
    state: &AppState,
    auth: &Auth,
    kind: DocumentKind,
    b: DocumentIn,
) -> Result<axum::Json<DocumentView>, ApiError> {
    let edit = DocumentEdit { expected_version: b.expected_version, body: b.body, comment: b.comment };
    Ok(axum::Json(documents::save(state, &auth.0, &kind, edit).await?))
}

async fn history(
    state: &AppState,
    auth: &Auth,
    kind: DocumentKind,
    q: HistoryQuery,
) -> Result<axum::Json<History>, ApiError> {
    let items = documents::history(state, &auth.0, &kind, crate::extract::limit(q.limit, 50, 500)?).await?;
    Ok(axum::Json(History { items }))
}

/// The three operations of a document at a fixed path, as named handlers (each documents
/// itself). Only admins save: the extractor refuses others before the body is read.
macro_rules! fixed_document {
    ($module:ident, $path:literal, $history:literal, $name:literal, $body:ident, $kind:expr) => {
        pub mod $module {
            use super::*;

            #[doc = concat!("`GET ", $path, "`: the ", $name, " in force (version 0: the built-in defaults; `effective=true`: every value in force).")]
            #[utoipa::path(get, path = $path, tag = "documents", operation_id = concat!("get_", $name),
                params(ShowQuery), responses((status = 200, body = DocumentView), crate::openapi::Errors))]
            pub async fn show(
                State(s): State<AppState>,
                auth: Auth,
                Query(q): Query<ShowQuery>,
            ) -> Result<axum::Json<DocumentView>, ApiError> {
                super::show(&s, &auth, $kind, q).await
            }

            #[doc = concat!("`PUT ", $path, "`: a new version of the ", $name, " (admins; 409 `stale_version`).")]
            #[utoipa::path(put, path = $path, tag = "documents", operation_id = concat!("put_", $name),
                request_body = DocumentIn<$body>, responses((status = 200, body = DocumentView), crate::openapi::Errors))]
            pub async fn save(
                State(s): State<AppState>,
                Admin(auth): Admin,
                Json(b): Json<DocumentIn>,
            ) -> Result<axum::Json<DocumentView>, ApiError> {
                super::save(&s, &auth, $kind, b).await
            }

            #[doc = concat!("`GET ", $history, "`: saved versions of the ", $name, ", newest first.")]
            #[utoipa::path(get, path = $history, tag = "documents", operation_id = concat!("history_", $name),
                params(HistoryQuery), responses((status = 200, body = History), crate::openapi::Errors))]
            pub async fn history(
                State(s): State<AppState>,
                auth: Auth,
                Query(q): Query<HistoryQuery>,
            ) -> Result<axum::Json<History>, ApiError> {
                super::history(&s, &auth, $kind, q).await
            }
        }
    };
}

fixed_document!(
    routing_rules,
    "/admin/routing-rules",
    "/admin/routing-rules/history",
    "routing_rules",
    RoutingRules,
    DocumentKind::RoutingRules
);
fixed_document!(staffing, "/admin/staffing", "/admin/staffing/history", "staffing", Staffing, DocumentKind::Staffing);
fixed_document!(
    sla_policy,
    "/admin/sla-policy",
    "/admin/sla-policy/history",
    "sla_policy",
    SlaPolicy,
    DocumentKind::SlaPolicy
);
fixed_document!(
    calendars,
    "/admin/calendars",
    "/admin/calendars/history",
    "calendars",
    CalendarsDoc,
    DocumentKind::Calendars
);
fixed_document!(
    templates,
    "/admin/templates",
    "/admin/templates/history",
    "templates",
    TemplateSet,
    DocumentKind::Templates
);
fixed_document!(robots, "/admin/robots", "/admin/robots/history", "robots", RobotsDoc, DocumentKind::Robots);
fixed_document!(
    report_schedules,
    "/admin/report-schedules",
    "/admin/report-schedules/history",
    "report_schedules",
    SchedulesDoc,
    DocumentKind::ReportSchedules
);
fixed_document!(portal, "/admin/portal", "/admin/portal/history", "portal", PortalDoc, DocumentKind::Portal);
fixed_document!(
    retention,
    "/admin/retention",
    "/admin/retention/history",
    "retention",
    RetentionPolicy,
    DocumentKind::Retention
);
fixed_document!(
    spike_rules,
    "/admin/spike-rules",
    "/admin/spike-rules/history",
    "spike_rules",
    SpikeRules,
    DocumentKind::SpikeRules
);

/// A body that is one of several document types, chosen by the path (`oneOf` of their
/// schemas, each registered under its own name).
macro_rules! one_of_documents {
    ($(#[$doc:meta])* $name:ident, $description:literal, [$($member:ident),+]) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::OneOfBuilder::new()
                    $(.item(utoipa::openapi::schema::Ref::from_schema_name(stringify!($member))))+
                    .description(Some($description))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(out: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
                $(
                    out.push((stringify!($member).into(), <$member as utoipa::PartialSchema>::schema()));
                    <$member as utoipa::ToSchema>::schemas(out);
                )+
            }
        }
    };
}

one_of_documents!(
    /// A channel's settings: the `wechat` document, the `outbound` gateway, or a webhook
    /// source's (any other name).
    ChannelSettings,
    "By the channel's name: wechat, outbound, or a webhook source",
    [WechatDoc, GatewayDoc, WebhookDoc]
);

one_of_documents!(
    /// A triage rule set: by `{part}`, the taxonomy, the signal lists, the moderation lists
    /// or the priority rules.
    RuleSet,
    "By the part: taxonomy, signals, moderation or priority-rules",
    [Taxonomy, SignalLists, ModerationLists, PriorityRules]
);

fn channel(name: &str) -> Result<DocumentKind, ApiError> {
    Ok(DocumentKind::Channel(ChannelName::parse(name)?))
}

fn triage_part(name: &str) -> Result<DocumentKind, ApiError> {
    RulePart::parse(name).map(DocumentKind::Triage).ok_or_else(|| {
        loopdesk_app::AppError::invalid("part", format!("no such rule set; use one of {}", RulePart::names())).into()
    })
}

/// `GET /admin/channels/{name}`: a channel's settings, secrets masked (admins).
#[utoipa::path(get, path = "/admin/channels/{name}", tag = "documents",
    params(("name" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$", description = "`wechat`, `outbound` or a webhook source"), ShowQuery),
    responses((status = 200, body = DocumentView), crate::openapi::Errors))]
pub async fn show_channel(
    State(s): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    show(&s, &auth, channel(&name)?, q).await
}

/// `PUT /admin/channels/{name}`: new settings for a channel, validated (admins).
#[utoipa::path(put, path = "/admin/channels/{name}", tag = "documents",
    params(("name" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$", description = "`wechat`, `outbound` or a webhook source")),
    request_body = DocumentIn<ChannelSettings>, responses((status = 200, body = DocumentView), crate::openapi::Errors))]
pub async fn save_channel(
    State(s): State<AppState>,
    Admin(auth): Admin,
    Path(name): Path<String>,
    Json(b): Json<DocumentIn>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    save(&s, &auth, channel(&name)?, b).await
}

/// `GET /admin/channels/{name}/history`: saved versions of a channel's settings.
#[utoipa::path(get, path = "/admin/channels/{name}/history", tag = "documents",
    params(("name" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$", description = "`wechat`, `outbound` or a webhook source"), HistoryQuery),
    responses((status = 200, body = History), crate::openapi::Errors))]
pub async fn channel_history(
    State(s): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Result<axum::Json<History>, ApiError> {
    history(&s, &auth, channel(&name)?, q).await
}

/// `GET /triage/rules/{part}`: a triage rule set in force (supervisors).
#[utoipa::path(get, path = "/triage/rules/{part}", tag = "triage",
    params(("part" = RulePart, Path, description = "The rule set"), ShowQuery), responses((status = 200, body = DocumentView), crate::openapi::Errors))]
pub async fn show_rules(
    State(s): State<AppState>,
    auth: Auth,
    Path(part): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    show(&s, &auth, triage_part(&part)?, q).await
}

/// `PUT /triage/rules/{part}`: a new version of a triage rule set, with a comment (admins).
#[utoipa::path(put, path = "/triage/rules/{part}", tag = "triage",
    params(("part" = RulePart, Path, description = "The rule set")), request_body = DocumentIn<RuleSet>,
    responses((status = 200, body = DocumentView), crate::openapi::Errors))]
pub async fn save_rules(
    State(s): State<AppState>,
    Admin(auth): Admin,
    Path(part): Path<String>,
    Json(b): Json<DocumentIn>,
) -> Result<axum::Json<DocumentView>, ApiError> {
    save(&s, &auth, triage_part(&part)?, b).await
}

/// `GET /triage/rules/{part}/history`: versions of a triage rule set, newest first.
#[utoipa::path(get, path = "/triage/rules/{part}/history", tag = "triage",
    params(("part" = RulePart, Path, description = "The rule set"), HistoryQuery), responses((status = 200, body = History), crate::openapi::Errors))]
pub async fn rules_history(
    State(s): State<AppState>,
    auth: Auth,
    Path(part): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Result<axum::Json<History>, ApiError> {
    history(&s, &auth, triage_part(&part)?, q).await
}

/// Routes of this module.
pub fn router() -> Router<AppState> {
    macro_rules! routes {
        ($r:expr, $($module:ident: $path:literal),+) => {
            $r$(.route($path, get($module::show).put($module::save)).route(concat!($path, "/history"), get($module::history)))+
        };
    }
    let r = routes!(
        Router::new(),
        routing_rules: "/admin/routing-rules",
        staffing: "/admin/staffing",
        sla_policy: "/admin/sla-policy",
        calendars: "/admin/calendars",
        templates: "/admin/templates",
        robots: "/admin/robots",
        report_schedules: "/admin/report-schedules",
        spike_rules: "/admin/spike-rules",
        portal: "/admin/portal",
        retention: "/admin/retention"
    );
    r.route("/admin/channels/{name}", get(show_channel).put(save_channel))
        .route("/admin/channels/{name}/history", get(channel_history))
        .route("/triage/rules/{part}", get(show_rules).put(save_rules))
        .route("/triage/rules/{part}/history", get(rules_history))
}
