//! An earlier version of a configuration document next to the one in force: what changed
//! since (added lines green, removed red, line numbers of both), and the rollback —
//! this page is its confirmation: one button saves that version's content as a new
//! version, validated again and recorded as "rollback to vN".

use super::admin_docs::{admin_only, doc_path, kind};
use super::context::Staff;
use super::form::{self, field};
use super::page::{back_ok, back_with_error, error_page, render, FlashQuery, Layout};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use loopdesk_app::documents::{self, LineOp, Rollback};

/// A diff line as shown.
pub struct LineView {
    pub class: &'static str,
    pub sign: &'static str,
    pub old: String,
    pub new: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "console/document_version.html")]
struct VersionPage {
    layout: Layout,
    csrf: String,
    name: String,
    version: i64,
    current: i64,
    changed_by: String,
    changed_at: String,
    comment: String,
    added: usize,
    removed: usize,
    hunks: Vec<Vec<LineView>>,
}

fn view(op: LineOp) -> (&'static str, &'static str) {
    match op {
        LineOp::Same => ("diff-same", " "),
        LineOp::Added => ("diff-add", "+"),
        LineOp::Removed => ("diff-del", "−"),
    }
}

async fn build(state: &AppState, s: &Staff, name: String, n: i64, fq: &FlashQuery) -> Result<VersionPage, ApiError> {
    admin_only(s)?;
    let kind = kind(&name)?;
    let earlier = documents::version(state, &s.principal, &kind, n).await?;
    let diff = documents::diff(state, &s.principal, &kind, n, None).await?;
    let hunks = diff
        .hunks
        .into_iter()
        .map(|h| {
            h.lines
                .into_iter()
                .map(|l| {
                    let (class, sign) = view(l.op);
                    let num = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
                    LineView { class, sign, old: num(l.old), new: num(l.new), text: l.text }
                })
                .collect()
        })
        .collect();
    Ok(VersionPage {
        layout: Layout::staff(s, "admin.documents").with_flash(fq),
        csrf: s.csrf.clone(),
        version: n,
        current: diff.to,
        changed_by: earlier.changed_by.unwrap_or_default(),
        changed_at: earlier.changed_at.map(|at| s.t.date(&at)).unwrap_or_default(),
        comment: earlier.comment.unwrap_or_default(),
        added: diff.added,
        removed: diff.removed,
        hunks,
        name,
    })
}

/// `GET /console/admin/documents/{name}/versions/{n}`.
pub async fn page(
    State(state): State<AppState>,
    s: Staff,
    Path((name, n)): Path<(String, i64)>,
    Query(fq): Query<FlashQuery>,
) -> Response {
    match build(&state, &s, name, n, &fq).await {
        Ok(p) => render(&p),
        Err(e) => error_page(s.t, Some(&s), e),
    }
}

/// `POST /console/admin/documents/{name}/rollback`: `version` and `expected_version` (the
/// version in force when the page was shown), optional `comment`.
pub async fn rollback(State(state): State<AppState>, s: Staff, Path(name): Path<String>, body: Bytes) -> Response {
    let p = form::pairs(&body);
    let number = |k: &str| field(&p, k).and_then(|v| v.parse::<i64>().ok());
    let version = number("version").unwrap_or(-1);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        admin_only(&s)?;
        let r = Rollback {
            version,
            expected_version: number("expected_version").unwrap_or(0),
            comment: field(&p, "comment").unwrap_or_default(),
        };
        documents::rollback(&state, &s.principal, &kind(&name)?, r).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok(&doc_path(&name), "rolled_back"),
        Err(e) => back_with_error(&format!("{}/versions/{version}", doc_path(&name)), &e),
    }
}
