//! The web console for staff and the portal for customers: server-rendered pages (askama
//! templates in `crates/server/templates`, compiled into the binary), a little embedded
//! CSS and JavaScript, SVG charts drawn on the server. Pages read without JavaScript; the
//! script adds keyboard shortcuts and live updates. Every change goes through the same
//! handlers and store functions as the JSON API.

pub mod account;
pub mod account_totp;
pub mod admin;
pub mod admin_docs;
pub mod admin_versions;
pub mod assets;
pub mod brand;
pub mod charts;
pub mod context;
pub mod dashboard;
pub mod doc_forms;
pub mod fields;
pub mod form;
pub mod i18n;
pub mod login;
pub mod macros;
pub mod page;
pub mod portal;
pub mod problem;
pub mod qr;
pub mod queue;
pub mod replies;
pub mod report_charts;
pub mod reports;
pub mod said;
pub mod schedule;
pub mod sla;
pub mod status;
pub mod survey;
pub mod team;
pub mod ticket;
pub mod ticket_actions;
pub mod ticket_reply;
pub mod users;
pub mod views;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::routes::feedback::multipart::max_request_bytes())
}

/// The pages' routes (outside `/api/v1`; not part of the OpenAPI document).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .route("/assets/forms.js", get(assets::forms_js))
        .route("/lang/{code}", get(assets::switch_language))
        .route("/", get(portal::home))
        .route("/submit", post(portal::submit).layer(upload_limit()))
        .route("/track", get(portal::track_form).post(portal::track))
        .route("/track/info", post(portal::add_info).layer(upload_limit()))
        .route("/track/file", post(portal::file))
        .route("/track/survey", post(portal::answer_survey))
        .route("/survey/{token}", get(survey::page).post(survey::submit))
        .route("/status/{token}", get(status::page))
        .route("/status/{token}/message", post(status::message))
        .route("/status/{token}/info", post(status::info).layer(upload_limit()))
        .route("/status/{token}/survey", post(status::survey))
        .route("/status/{token}/files/{id}", get(status::file))
        .route("/brand/logo", get(brand::logo))
        .route("/brand/style.css", get(brand::style))
        .route("/console/login", get(login::page).post(login::submit))
        .route("/console/logout", post(login::logout))
        .route("/console", get(queue::page))
        .route("/console/bulk", post(queue::bulk))
        .route("/console/views", post(views::save))
        .route("/console/views/{id}/delete", post(views::delete))
        .route("/console/tickets/{id}", get(ticket::page))
        .route("/console/tickets/{id}/send", post(ticket_reply::send).layer(upload_limit()))
        .route("/console/tickets/{id}/macro", post(ticket_reply::apply_macro))
        .route("/console/tickets/{id}/{action}", post(ticket_actions::act))
        .route("/console/account", get(account::page))
        .route("/console/account/password", post(account::change_password))
        .route("/console/account/totp/begin", post(account_totp::begin))
        .route("/console/account/totp/confirm", post(account_totp::confirm))
        .route("/console/account/totp/disable", post(account_totp::disable))
        .route("/console/team", get(team::page))
        .route("/console/macros", get(macros::page).post(macros::save))
        .route("/console/problems/{id}", get(problem::page))
        .route("/console/dashboard", get(dashboard::page))
        .route("/console/reports", get(reports::page))
        .route("/console/admin", get(admin::index))
        .route("/console/admin/webhook-source", get(admin::webhook_source))
        .route("/console/admin/documents/{name}", get(admin_docs::page).post(admin_docs::save_json))
        .route("/console/admin/documents/{name}/form", post(admin_docs::save_form))
        .route("/console/admin/documents/{name}/versions/{n}", get(admin_versions::page))
        .route("/console/admin/documents/{name}/rollback", post(admin_versions::rollback))
        .route("/console/admin/calendars/day", post(admin::add_calendar_day))
        .route("/console/admin/users", post(admin::add_user))
        .route("/console/admin/users/{id}", get(users::page).post(users::save))
        .route("/console/admin/users/{id}/{action}", post(users::act))
        .route("/console/admin/departments", post(admin::add_department))
}
