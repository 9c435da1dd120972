//! `POST /console/tickets/{id}/{action}`: the ticket page's forms. Each runs the JSON API's
//! handler for that action (same validation, permissions and transaction), then goes back
//! to the ticket page with the outcome (post/redirect/get).

use super::context::Staff;
use super::form::{self, field};
use super::page::{back_ok, back_with_error};
use crate::auth::{Auth, Supervisor, Worker};
use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::routes::tickets::actions as api;
use crate::routes::tickets::show::visible;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::{NaiveDateTime, TimeZone};
use loopdesk_core::access::Permission;
use loopdesk_core::event::Command;
use loopdesk_core::{Actor, TicketId};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// A change the console asks for.
#[derive(Debug, Clone)]
pub enum ActionInput {
    AssignMe,
    Transfer(i64),
    Reject(String),
    /// Any other action: its API name and JSON body.
    Api(String, Value),
    Extend {
        target: String,
        until: chrono::DateTime<chrono::Utc>,
        reason: String,
    },
}

fn body<T: DeserializeOwned>(v: &Value) -> Result<T, ApiError> {
    crate::extract::parse_json(v.to_string().as_bytes())
}

/// Runs `input` on ticket `id` as the signed-in member.
pub async fn run(state: &AppState, s: &Staff, id: i64, input: &ActionInput) -> Result<(), ApiError> {
    let st = || State(state.clone());
    let worker = || Worker(Auth(s.principal.clone()));
    let me = s.principal.user_id.0;
    match input {
        ActionInput::AssignMe => {
            let t = visible(state, &s.principal, id).await?;
            let b = json!({ "department_id": t.department_id.map(|d| d.0).or(s.principal.department_id.map(|d| d.0)), "assignee_id": me });
            let _ = api::assign(st(), worker(), Path(id), Json(body(&b)?)).await?;
        }
        ActionInput::Transfer(d) => {
            let _ = api::assign(st(), worker(), Path(id), Json(body(&json!({ "department_id": d }))?)).await?;
        }
        ActionInput::Reject(reason) => {
            let _ = api::reject(st(), worker(), Path(id), Json(body(&json!({ "body": reason }))?)).await?;
        }
        ActionInput::Extend { target, until, reason } => {
            let p = &s.principal;
            if !p.can(Permission::Work) {
                return Err(ApiError::Forbidden("work".into()));
            }
            visible(state, p, id).await?;
            let actor = Actor::User { id: p.user_id, name: p.name.clone() };
            let cmd = Command::Extend { target: target.clone(), until: *until, reason: reason.clone() };
            crate::workflow::change(state, TicketId(id), actor, |_| Ok(vec![cmd.clone()])).await?;
        }
        ActionInput::Api(name, b) => api_action(state, s, id, name, b).await?,
    }
    Ok(())
}

async fn api_action(state: &AppState, s: &Staff, id: i64, name: &str, b: &Value) -> Result<(), ApiError> {
    let st = || State(state.clone());
    let w = || Worker(Auth(s.principal.clone()));
    let p = || Path(id);
    match name {
        "assign" => drop(api::assign(st(), w(), p(), Json(body(b)?)).await?),
        "acknowledge" => drop(api::acknowledge(st(), w(), p()).await?),
        "reply" => drop(api::reply(st(), w(), p(), Json(body(b)?)).await?),
        "note" => drop(api::note(st(), w(), p(), Json(body(b)?)).await?),
        "request-info" => drop(api::request_info(st(), w(), p(), Json(body(b)?)).await?),
        "request-approval" => {
            drop(crate::routes::tickets::workflow::request_approval(st(), w(), p(), Json(body(b)?)).await?)
        }
        "transfer" => drop(crate::routes::tickets::workflow::transfer(st(), w(), p(), Json(body(b)?)).await?),
        "decide-approval" => {
            if !s.principal.can(Permission::Supervise) {
                return Err(ApiError::Forbidden("supervise".into()));
            }
            let sup = Supervisor(Auth(s.principal.clone()));
            drop(api::decide_approval(st(), sup, p(), Json(body(b)?)).await?)
        }
        "resolve" => drop(api::resolve(st(), w(), p(), Json(body(b)?)).await?),
        "close" => drop(api::close(st(), w(), p()).await?),
        "reopen" => drop(api::reopen(st(), w(), p(), Json(body(b)?)).await?),
        "reject" => drop(api::reject(st(), w(), p(), Json(body(b)?)).await?),
        "restore" => drop(api::restore(st(), w(), p(), Json(body(b)?)).await?),
        "merge" => drop(api::merge(st(), w(), p(), Json(body(b)?)).await?),
        "escalate" => drop(api::escalate(st(), w(), p(), Json(body(b)?)).await?),
        "recategorize" => drop(api::recategorize(st(), w(), p(), Json(body(b)?)).await?),
        "reprioritize" => drop(api::reprioritize(st(), w(), p(), Json(body(b)?)).await?),
        "collaborators" => drop(api::add_collaborator(st(), w(), p(), Json(body(b)?)).await?),
        _ => return Err(ApiError::NotFound("no such action".into())),
    }
    Ok(())
}

fn opt(p: &[(String, String)], name: &str) -> Value {
    field(p, name).map(Value::String).unwrap_or(Value::Null)
}

fn id_field(p: &[(String, String)], name: &str) -> Value {
    field(p, name).and_then(|v| v.parse::<i64>().ok()).map(Value::from).unwrap_or(Value::Null)
}

/// Turns a ticket-page form into the action to run.
fn input(s: &Staff, action: &str, p: &[(String, String)]) -> Result<ActionInput, ApiError> {
    let text = |name: &str| Value::String(field(p, name).unwrap_or_default());
    let api = |b: Value| Ok(ActionInput::Api(action.to_string(), b));
    match action {
        "assign-me" => Ok(ActionInput::AssignMe),
        "assign" => api(
            json!({ "department_id": id_field(p, "department_id"), "assignee_id": id_field(p, "assignee_id"), "reason": opt(p, "reason") }),
        ),
        "message" => {
            let kind = if field(p, "kind").as_deref() == Some("note") { "note" } else { "reply" };
            Ok(ActionInput::Api(kind.into(), json!({ "body": text("body") })))
        }
        "reply" | "note" | "request-info" | "request-approval" | "reopen" | "reject" | "escalate" => {
            api(json!({ "body": text("body") }))
        }
        "acknowledge" | "close" => api(json!({})),
        "decide-approval" => {
            api(json!({ "approved": field(p, "approved").as_deref() == Some("true"), "comment": opt(p, "comment") }))
        }
        "resolve" => api(json!({
            "kind": field(p, "kind").unwrap_or_default(), "summary": text("summary"),
            "unresolved": opt(p, "unresolved"), "reason": opt(p, "reason"), "alternative": opt(p, "alternative"),
        })),
        "restore" => api(json!({ "reason": opt(p, "reason") })),
        "merge" => api(json!({ "into": id_field(p, "into") })),
        "recategorize" => {
            let subtags: Vec<String> = field(p, "subtags")
                .unwrap_or_default()
                .split([',', '，'])
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect();
            api(json!({ "category": opt(p, "category"), "subtags": subtags }))
        }
        "reprioritize" => {
            api(json!({ "priority": field(p, "priority").unwrap_or_default(), "reason": text("reason") }))
        }
        "collaborators" => api(json!({ "user_id": id_field(p, "user_id") })),
        "extend" => {
            let until = field(p, "until")
                .and_then(|u| NaiveDateTime::parse_from_str(&u, "%Y-%m-%dT%H:%M").ok())
                .and_then(|n| s.t.tz.from_local_datetime(&n).earliest())
                .map(|d| d.with_timezone(&chrono::Utc))
                .ok_or_else(|| ApiError::invalid("until", "give the new due time"))?;
            Ok(ActionInput::Extend {
                target: field(p, "target").unwrap_or_else(|| "result".into()),
                until,
                reason: field(p, "reason").unwrap_or_default(),
            })
        }
        _ => Err(ApiError::NotFound("no such action".into())),
    }
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
    let back = form::local_path(field(&p, "back").as_deref(), &page).to_string();
    let result = async {
        form::check_csrf(&p, &s.csrf)?;
        let i = input(&s, &action, &p)?;
        run(&state, &s, id, &i).await
    }
    .await;
    match result {
        Ok(()) => back_ok(&back, "done"),
        Err(e) => back_with_error(&back, &e),
    }
}
