//! The supervisors' macros page, `/console/macros`: every macro in force as a form
//! ([`super::doc_forms::macros`]) and who changed them when. Saving replaces the list
//! through the macros use case (each macro checked, one new version with the comment);
//! a refusal shows the form again with what was typed and the message at its field.

use super::admin_docs::refusal;
use super::context::Staff;
use super::doc_forms::macros::{self as form_of, MacrosForm, Options};
use super::doc_forms::Fields;
use super::form::{self, field};
use super::page::{back_ok, error_page, render, FlashQuery, Layout};
use crate::error::ApiError;
use crate::extract::Query;
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use loopdesk_app::macros::manage;
use loopdesk_core::access::Permission;
use loopdesk_core::Role;

/// One saved version.
pub struct Change {
    pub version: i64,
    pub by: String,
    pub at: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "console/macros.html")]
struct MacrosPage {
    layout: Layout,
    csrf: String,
    version: i64,
    comment: String,
    f: MacrosForm,
    history: Vec<Change>,
}

fn supervisor(s: &Staff) -> Result<(), ApiError> {
    if s.can(Permission::Supervise) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("supervise".into()))
    }
}

async fn options(state: &AppState, s: &Staff) -> Result<Options, ApiError> {
    let zh = s.t.lang == super::i18n::Lang::Zh;
    let engine = state.triage.current();
    let categories = engine
        .taxonomy()
        .categories
        .iter()
        .map(|c| (c.id.clone(), if zh || c.name_en.is_empty() { c.name.clone() } else { c.name_en.clone() }))
        .collect();
    let departments = state.read().departments().await?.into_iter().map(|d| (d.id.0.to_string(), d.name)).collect();
    let users = state
        .read()
        .users()
        .await?
        .into_iter()
        .filter(|u| u.active && u.role != Role::Viewer)
        .map(|u| (u.id.0.to_string(), u.display_name))
        .collect();
    Ok(Options { categories, departments, users })
}

async fn build(
    state: &AppState,
    s: &Staff,
    fq: &FlashQuery,
    posted: Option<(Fields, String)>,
) -> Result<MacrosPage, ApiError> {
    supervisor(s)?;
    let listed = manage::list(state, &s.principal).await?;
    let history = manage::history(state, &s.principal, 20)
        .await?
        .into_iter()
        .map(|d| Change {
            version: d.version,
            by: d.changed_by.unwrap_or_default(),
            at: d.changed_at.map(|at| s.t.date(&at)).unwrap_or_default(),
            comment: d.comment.unwrap_or_default(),
        })
        .collect();
    let (f, comment) = posted.unwrap_or_else(|| (form_of::fields(&listed.macros), String::new()));
    Ok(MacrosPage {
        layout: Layout::staff(s, "macros_form.title").with_flash(fq),
        csrf: s.csrf.clone(),
        version: f.get("version").and_then(|v| v.parse().ok()).unwrap_or(listed.version),
        f: form_of::view(&f, &s.t, &options(state, s).await?),
        comment,
        history,
    })
}

/// `GET /console/macros`.
pub async fn page(State(state): State<AppState>, s: Staff, Query(fq): Query<FlashQuery>) -> Response {
    match build(&state, &s, &fq, None).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// Where a refusal of the use case goes: the macro's field, the comment, else the top.
fn place(f: &mut Fields, s: &Staff, e: &ApiError, rows: &[usize]) {
    let text = refusal(&s.t, e);
    let path = e.parts().2.unwrap_or_default().to_string();
    match form_of::field_of(&path, rows) {
        Some(field) => f.refuse(field, super::doc_forms::refusal_text(&s.t, &e.public_message())),
        None if path == "comment" => {
            let text = super::fields::explain(&s.t, "comment", "comment", &e.public_message(), f.v("comment"));
            f.refuse("comment", text)
        }
        None => f.general = Some(text),
    }
}

/// `POST /console/macros`: the whole list saved as one new version.
pub async fn save(State(state): State<AppState>, s: Staff, body: Bytes) -> Response {
    let p = form::pairs(&body);
    if let Err(e) = form::check_csrf(&p, &s.csrf).and_then(|_| supervisor(&s)) {
        return error_page(s.t, Some(&s), e);
    }
    let mut f = Fields::posted(&p);
    let comment = field(&p, "comment").unwrap_or_default();
    if let Some((macros, rows)) = form_of::apply(&mut f, &s.t) {
        let base = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
        match manage::replace(&state, &s.principal, base, macros, comment.clone()).await {
            Ok(()) => return back_ok("/console/macros", "saved"),
            Err(e) => place(&mut f, &s, &ApiError::from(e), &rows),
        }
    }
    match build(&state, &s, &FlashQuery::default(), Some((f, comment))).await {
        Ok(page) => {
            let mut resp = render(&page);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
        Err(e) => error_page(s.t, Some(&s), e),
    }
}
