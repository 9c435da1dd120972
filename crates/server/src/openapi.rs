//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, generated from the code: each
//! handler carries its own `#[utoipa::path]` (method, path, parameters, body, statuses and
//! content types), and every schema is derived from the type the handler reads or writes
//! (`ToSchema`, with serde's renames, defaults and `deny_unknown_fields` →
//! `additionalProperties: false`). A field, parameter, status or content type cannot differ
//! from what the server does without the code changing; the snapshot test shows each change.

use crate::routes;
use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// Every error answer: a machine code, a message for people, and the offending field when
/// there is one (`customer.phone`, `body.rules[2].departments`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// Stable machine code: `invalid_field`, `not_found`, `rate_limited`, `stale_version`, …
    pub code: String,
    pub message: String,
    /// The request field the error is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The error statuses any operation may answer, each with the one error body.
#[derive(IntoResponses)]
pub enum Errors {
    /// Unreadable request: malformed JSON, a bad query string or path parameter.
    #[response(status = 400)]
    BadRequest(#[to_schema] ErrorBody),
    /// No valid credentials (also a wrong username or password: `bad_credentials`).
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Signed in, but the role may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Nothing there, or not visible to the caller.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Conflicts with the current state (an illegal transition, `stale_version`).
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The link has expired.
    #[response(status = 410)]
    Gone(ErrorBody),
    /// The body (or one file) is too large.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// Not JSON (or a file type not accepted).
    #[response(status = 415)]
    UnsupportedMediaType(ErrorBody),
    /// Well-formed but invalid; `field` names the field.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many requests; `Retry-After` says when to try again.
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// Starting or shutting down.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Declares the session cookie and bearer token, and makes them the default.
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "inbound_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("channels.inbound_email_token, for the mail provider's push"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
        let staff = [
            utoipa::openapi::security::SecurityRequirement::new("token", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
        ];
        doc.security = Some(staff.to_vec());
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Loopdesk API",
        description = "Closed-loop customer feedback center. Every error is {code, message, field?} (schema Error)."
    ),
    servers((url = "/api/v1")),
    modifiers(&Security),
    paths(
        routes::feedback::submit,
        routes::track::track,
        routes::status::status,
        routes::status::message,
        routes::surveys::show,
        routes::surveys::submit,
        document,
        crate::auth::routes::login,
        crate::auth::routes::logout,
        crate::auth::routes::me,
        crate::auth::routes::change_password,
        crate::auth::totp::status,
        crate::auth::totp::enrol,
        crate::auth::totp::confirm,
        crate::auth::totp::disable,
        crate::auth::totp::reset,
        routes::tickets::list::queue,
        routes::tickets::list::counts,
        routes::tickets::export::csv,
        routes::tickets::export_xlsx::xlsx,
        routes::tickets::show::show,
        routes::live::stream,
        routes::tickets::actions::assign,
        routes::tickets::actions::acknowledge,
        routes::tickets::reply::reply,
        routes::macros::list,
        routes::macros::create,
        routes::macros::show,
        routes::macros::update,
        routes::macros::remove,
        routes::macros::history,
        routes::macros::apply,
        routes::tickets::actions::note,
        routes::tickets::actions::request_info,
        routes::tickets::actions::provide_info,
        routes::tickets::actions::request_approval,
        routes::tickets::actions::decide_approval,
        routes::tickets::actions::resolve,
        routes::tickets::actions::close,
        routes::tickets::actions::reopen,
        routes::tickets::actions::reject,
        routes::tickets::actions::restore,
        routes::tickets::actions::merge,
        routes::tickets::actions::escalate,
        routes::tickets::actions::recategorize,
        routes::tickets::actions::reprioritize,
        routes::tickets::actions::add_collaborator,
        routes::tickets::actions::route,
        routes::tickets::actions::transfer,
        routes::tickets::actions::extend,
        routes::tickets::actions::survey_status,
        routes::admin::channels::deliveries,
        routes::approvals::pending,
        routes::reports::report,
        routes::spikes::list,
        routes::problems::list,
        routes::problems::create,
        routes::problems::show,
        routes::problems::edit,
        routes::problems::set_rca,
        routes::problems::transition,
        routes::problems::link,
        routes::problems::resolve_tickets,
        routes::problems::effect,
        routes::problems::of_ticket,
        routes::problems::actions::of_problem,
        routes::problems::actions::add,
        routes::problems::actions::list,
        routes::problems::actions::transition,
        routes::follow_up::follow_up,
        routes::admin::list_users,
        routes::admin::create_user,
        routes::admin::list_departments,
        routes::admin::create_department,
        routes::admin::create_token,
        routes::admin::revoke_token,
        routes::users::update,
        routes::users::deactivate,
        routes::users::reactivate,
        routes::users::reset_password,
        routes::users::audit,
        routes::documents::routing_rules::show,
        routes::documents::routing_rules::save,
        routes::documents::routing_rules::history,
        routes::documents::staffing::show,
        routes::documents::staffing::save,
        routes::documents::staffing::history,
        routes::documents::sla_policy::show,
        routes::documents::sla_policy::save,
        routes::documents::sla_policy::history,
        routes::documents::calendars::show,
        routes::documents::calendars::save,
        routes::documents::calendars::history,
        routes::documents::templates::show,
        routes::documents::templates::save,
        routes::documents::templates::history,
        routes::documents::robots::show,
        routes::documents::robots::save,
        routes::documents::robots::history,
        routes::documents::report_schedules::show,
        routes::documents::report_schedules::save,
        routes::documents::report_schedules::history,
        routes::documents::spike_rules::show,
        routes::documents::spike_rules::save,
        routes::documents::spike_rules::history,
        routes::documents::portal::show,
        routes::documents::portal::save,
        routes::documents::portal::history,
        routes::documents::retention::show,
        routes::documents::retention::save,
        routes::documents::retention::history,
        routes::retention::list_holds,
        routes::retention::place_hold,
        routes::retention::release_hold,
        routes::retention::list_runs,
        routes::retention::start_run,
        routes::documents::show_channel,
        routes::documents::save_channel,
        routes::documents::channel_history,
        routes::calendars::export_csv,
        routes::calendars::import_csv,
        routes::calendars::export_ics,
        routes::calendars::import_ics,
        routes::triage::list,
        routes::triage::retrain,
        routes::documents::show_rules,
        routes::documents::save_rules,
        routes::documents::rules_history,
        routes::document_versions::show,
        routes::document_versions::version,
        routes::document_versions::diff,
        routes::document_versions::rollback,
        routes::admin::channels::quarantine,
        routes::admin::channels::quarantine_raw,
        routes::admin::channels::attachment,
        routes::inbound::email,
        routes::inbound::wechat_verify,
        routes::inbound::wechat_receive,
        routes::inbound::webhook,
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "feedback", description = "Public intake, tracking and surveys"),
        (name = "auth", description = "Sessions"),
        (name = "tickets", description = "The queue, tickets and their actions"),
        (name = "users", description = "Staff, departments, API tokens"),
        (name = "documents", description = "Versioned configuration documents"),
        (name = "triage", description = "Triage rules and the category model"),
        (name = "channels", description = "Inbound channels, quarantine, attachments"),
        (name = "reports", description = "Reports: figures, trends and breakdowns, as JSON, CSV or Excel"),
        (name = "spikes", description = "Spikes: a category, sub-tag, product or problem cluster over its threshold or well above its usual level"),
        (name = "problems", description = "Problems: root-cause analysis, linked tickets, improvement actions with owners and deadlines"),
        (name = "retention", description = "Retention: legal holds and the record of anonymisation runs"),
        (name = "macros", description = "Macros: saved field changes plus a reply, applied to a ticket in one click"),
        (name = "meta", description = "This document")
    )
)]
struct ApiDoc;

/// The document.
pub fn build() -> Document {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// Who may call an operation, as the document says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials needed.
    Public,
    /// Public, or with a token for channel integrations.
    PublicOrToken,
    /// A session or token.
    Staff,
}

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub access: Access,
}

/// Every operation of the document, with who may call it (for the access test).
pub fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(build()).unwrap_or_default();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let anonymous = |r: &serde_json::Value| r.as_object().is_some_and(|o| o.is_empty());
            let session = |r: &serde_json::Value| r.get("session").is_some();
            let access = match op.get("security").and_then(|s| s.as_array()) {
                None => Access::Staff,
                Some(list) if list.iter().all(anonymous) => Access::Public,
                Some(list) if list.iter().any(anonymous) => Access::PublicOrToken,
                Some(list) if list.iter().any(session) => Access::Staff,
                Some(_) => Access::PublicOrToken,
            };
            out.push(Operation { method: method.clone(), path: path.clone(), access });
        }
    }
    out
}

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn document() -> Json<Document> {
    Json(build())
}
