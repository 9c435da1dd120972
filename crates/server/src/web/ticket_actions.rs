//! `POST /console/tickets/{id}/{action}`: the ticket page's forms. Each form is read into
//! the same [`Action`] the JSON API builds and performed by the same use case (same
//! validation, permissions and transaction), then the page is shown again with the outcome
//! (post/redirect/get).

use super::context::Staff;
use super::fields::{self, Kept};
use super::form::{self, field};
use super::page::{back_ok, back_with_error};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::{NaiveDateTime, TimeZone};
use loopdesk_app::tickets::actions::{perform, Action};
use loopdesk_core::approval::ApprovalReason;
use loopdesk_core::{DepartmentId, Outcome, OutcomeKind, Priority, TicketId, UserId};

type Pairs = [(String, String)];

fn text(p: &Pairs, name: &str) -> String {
    field(p, name).unwrap_or_default()
}

fn id<T>(p: &Pairs, name: &str, make: fn(i64) -> T) -> Option<T> {
    field(p, name).and_then(|v| v.parse::<i64>().ok()).map(make)
}

fn required<T>(v: Option<T>, name: &str, message: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::invalid(name.to_string(), message.to_string()))
}

/// Turns a ticket-page form into the action it asks for.
fn input(s: &Staff, action: &str, p: &Pairs) -> Result<Action, ApiError> {
    Ok(match action {
        "assign-me" => Action::AssignToMe,
        "assign" => Action::Assign {
            department_id: id(p, "department_id", DepartmentId),
            assignee_id: id(p, "assignee_id", UserId),
            reason: field(p, "reason"),
        },
        "transfer" => Action::Transfer {
            department_id: required(id(p, "department_id", DepartmentId), "department_id", "choose a department")?,
            assignee_id: id(p, "assignee_id", UserId),
            reason: field(p, "reason").or_else(|| field(p, "body")).unwrap_or_default(),
        },
        "message" if field(p, "kind").as_deref() == Some("note") => Action::Note { body: text(p, "body") },
        "message" | "reply" => Action::Reply { body: text(p, "body"), files: Vec::new() },
        "note" => Action::Note { body: text(p, "body") },
        "request-info" => Action::RequestInfo { message: text(p, "body") },
        "request-approval" => Action::RequestApproval {
            plan: field(p, "plan").unwrap_or_else(|| text(p, "body")),
            reasons: p
                .iter()
                .filter(|(k, _)| k == "reasons")
                .filter_map(|(_, r)| {
                    serde_json::from_value::<ApprovalReason>(serde_json::Value::String(r.clone())).ok()
                })
                .collect(),
        },
        "reopen" => Action::Reopen { reason: text(p, "body") },
        "reject" => Action::Reject { reason: text(p, "body") },
        "escalate" => Action::Escalate { reason: text(p, "body") },
        "acknowledge" => Action::Acknowledge,
        "close" => Action::Close,
        "decide-approval" => Action::DecideApproval {
            approved: field(p, "approved").as_deref() == Some("true"),
            comment: field(p, "comment"),
        },
        "resolve" => Action::Resolve(Outcome {
            kind: required(field(p, "kind").as_deref().and_then(OutcomeKind::parse), "kind", "choose the outcome")?,
            summary: text(p, "summary"),
            unresolved: field(p, "unresolved"),
            reason: field(p, "reason"),
            alternative: field(p, "alternative"),
        }),
        "restore" => Action::Restore { reason: field(p, "reason") },
        "merge" => Action::Merge { into: required(id(p, "into", TicketId), "into", "give the ticket to merge into")? },
        "recategorize" => Action::Recategorize {
            category: field(p, "category"),
            subtags: text(p, "subtags")
                .split([',', '，'])
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect(),
        },
        "reprioritize" => Action::Reprioritize {
            priority: required(
                field(p, "priority").as_deref().and_then(Priority::parse),
                "priority",
                "choose a priority",
            )?,
            reason: text(p, "reason"),
        },
        "collaborators" => {
            Action::AddCollaborator { user_id: required(id(p, "user_id", UserId), "user_id", "choose a person")? }
        }
        "extend" => {
            let until = field(p, "until")
                .and_then(|u| NaiveDateTime::parse_from_str(&u, "%Y-%m-%dT%H:%M").ok())
                .and_then(|n| s.t.tz.from_local_datetime(&n).earliest())
                .map(|d| d.with_timezone(&chrono::Utc))
                .ok_or_else(|| ApiError::invalid("until", "give the new due time"))?;
            Action::Extend {
                target: field(p, "target").unwrap_or_else(|| "result".into()),
                until,
                reason: text(p, "reason"),
            }
        }
        _ => return Err(ApiError::NotFound("no such action".into())),
    })
}

/// `POST /console/tickets/{id}/{action}`.
pub async fn act(
    State(state): State<AppState>,
    s: Staff,
    Path((id, action)): Path<(i64, String)>,
    b: Bytes,
) -> Response {
    let p = form::pairs(&b);
    let page = format!("/console/tickets/{id}");
    let back = form::local_path(field(&p, "back").as_deref(), &page);
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        let action = input(&s, &action, &p)?;
        perform(&state, &s.principal, TicketId(id), action).await?;
        Ok::<(), ApiError>(())
    }
    .await;
    match result {
        Ok(()) => back_ok(&back, "done"),
        // A refused field on the ticket page: the page again, nothing typed lost.
        Err(e) if back == page => match fields::refused_field(&e) {
            Some((api_field, message)) => {
                let name = form_field(&p, api_field);
                let typed = p.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).unwrap_or("");
                let text = fields::explain(
                    &s.t,
                    api_field,
                    api_field.rsplit('.').next().unwrap_or(api_field),
                    &message,
                    typed,
                );
                let kept = Kept::new(&action, p.clone()).with_error(&name, text.clone());
                super::ticket::refused(&state, &s, id, kept, text).await
            }
            None => back_with_error(&back, &e),
        },
        Err(e) => back_with_error(&back, &e),
    }
}

/// The field of the posted form that the use case's `api_field` is about: the text box
/// `body` stands for the reason, message or plan of the one-box forms.
fn form_field(p: &Pairs, api_field: &str) -> String {
    let name = api_field.rsplit('.').next().unwrap_or(api_field);
    if p.iter().any(|(k, _)| k == name) || !matches!(name, "reason" | "message" | "plan") {
        return name.to_string();
    }
    "body".to_string()
}
