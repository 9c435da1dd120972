//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`. [`OPERATIONS`] lists every
//! operation; a test checks that the router serves exactly these.

use axum::Json;
use serde_json::{json, Map, Value};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    /// Public, or with a token for channel integrations.
    PublicOrToken,
    Staff,
}

/// One documented operation: method, path, summary, access, request schema, response schema.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
    pub request: Option<&'static str>,
    pub response: &'static str,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    access: Access,
    request: Option<&'static str>,
    response: &'static str,
) -> Operation {
    Operation { method, path, summary, access, request, response }
}

use Access::{Public, PublicOrToken, Staff};

/// Every operation of the API.
pub const OPERATIONS: &[Operation] = &[
    op(
        "post",
        "/feedback",
        "Submit feedback (public form, or a channel/staff with a token)",
        PublicOrToken,
        Some("FeedbackIn"),
        "FeedbackOut",
    ),
    op(
        "get",
        "/track/{tracking_no}",
        "Public status of a feedback, given the contact left with it",
        Public,
        None,
        "TrackOut",
    ),
    op("get", "/openapi.json", "This document", Public, None, "Object"),
    op("post", "/auth/login", "Sign in; sets the session cookie", Public, Some("LoginIn"), "Me"),
    op("post", "/auth/logout", "Sign out", Public, None, "Empty"),
    op("get", "/auth/me", "The signed-in user", Staff, None, "Me"),
    op("get", "/tickets", "The queue: filters, sort, cursor pagination", Staff, None, "QueuePage"),
    op("get", "/tickets/counts", "Tickets per state for the same filters", Staff, None, "StateCounts"),
    op("get", "/tickets/{id}", "One ticket with its timeline", Staff, None, "TicketDetail"),
    op("post", "/tickets/{id}/assign", "Assign, reassign or transfer", Staff, Some("AssignIn"), "ActionOut"),
    op(
        "post",
        "/tickets/{id}/extend",
        "A later due time for one SLA target, told to the customer",
        Staff,
        Some("Object"),
        "ActionOut",
    ),
    op("post", "/tickets/{id}/acknowledge", "Accept an assigned ticket", Staff, None, "ActionOut"),
    op("post", "/tickets/{id}/reply", "Public reply to the customer", Staff, Some("TextIn"), "ActionOut"),
    op("post", "/tickets/{id}/note", "Internal note", Staff, Some("TextIn"), "ActionOut"),
    op("post", "/tickets/{id}/request-info", "Ask the customer for information", Staff, Some("TextIn"), "ActionOut"),
    op("post", "/tickets/{id}/provide-info", "Record the customer's answer", Staff, Some("TextIn"), "ActionOut"),
    op(
        "post",
        "/tickets/{id}/request-approval",
        "Submit the plan for approval",
        Staff,
        Some("ApprovalIn"),
        "TicketDetail",
    ),
    op(
        "post",
        "/tickets/{id}/decide-approval",
        "Approve or refuse the plan (supervisor)",
        Staff,
        Some("DecisionIn"),
        "ActionOut",
    ),
    op("post", "/tickets/{id}/resolve", "Resolve with an outcome", Staff, Some("Outcome"), "ActionOut"),
    op("post", "/tickets/{id}/close", "Close", Staff, None, "ActionOut"),
    op("post", "/tickets/{id}/reopen", "Reopen with a reason", Staff, Some("TextIn"), "ActionOut"),
    op(
        "post",
        "/tickets/{id}/reject",
        "Reject as spam/abuse/irrelevant with a reason",
        Staff,
        Some("TextIn"),
        "ActionOut",
    ),
    op("post", "/tickets/{id}/restore", "Restore a rejected ticket", Staff, Some("RestoreIn"), "ActionOut"),
    op(
        "post",
        "/tickets/{id}/merge",
        "Merge into another ticket of the same customer",
        Staff,
        Some("MergeIn"),
        "ActionOut",
    ),
    op("post", "/tickets/{id}/escalate", "Escalate to a supervisor", Staff, Some("TextIn"), "ActionOut"),
    op("post", "/tickets/{id}/recategorize", "Correct the category", Staff, Some("CategoryIn"), "ActionOut"),
    op(
        "post",
        "/tickets/{id}/reprioritize",
        "Change the priority with a reason",
        Staff,
        Some("PriorityIn"),
        "ActionOut",
    ),
    op("post", "/tickets/{id}/collaborators", "Add a collaborator", Staff, Some("CollaboratorIn"), "ActionOut"),
    op(
        "get",
        "/live",
        "Server-sent events: which visible ticket changed (`ticket` events with ticket_id, kind, version)",
        Staff,
        None,
        "LiveChange",
    ),
    op("get", "/users", "Staff users (supervisor)", Staff, None, "Users"),
    op("post", "/users", "Create a user (admin)", Staff, Some("UserIn"), "User"),
    op(
        "post",
        "/users/{id}",
        "Change a user's display name, role, department or skills (admin; audited)",
        Staff,
        Some("UserEditIn"),
        "User",
    ),
    op("post", "/users/{id}/deactivate", "Deactivate: no sign-in, sessions ended (admin)", Staff, None, "User"),
    op("post", "/users/{id}/reactivate", "Reactivate a user (admin)", Staff, None, "User"),
    op(
        "post",
        "/users/{id}/reset-password",
        "New generated password, shown once; sessions ended (admin)",
        Staff,
        None,
        "Object",
    ),
    op("get", "/users/{id}/audit", "Who changed this user, what and when (admin)", Staff, None, "Object"),
    op("get", "/departments", "Departments", Staff, None, "Departments"),
    op("post", "/departments", "Create a department (admin)", Staff, Some("DepartmentIn"), "Department"),
    op("post", "/tokens", "Create an API token (admin); the secret is shown once", Staff, Some("TokenIn"), "TokenOut"),
    op("delete", "/tokens/{id}", "Revoke an API token (admin)", Staff, None, "Empty"),
    op("post", "/tickets/{id}/route", "Route a new ticket by the routing rules now", Staff, None, "TicketDetail"),
    op(
        "post",
        "/tickets/{id}/transfer",
        "Transfer to another department with a reason",
        Staff,
        Some("TransferIn"),
        "TicketDetail",
    ),
    op("get", "/tickets/{id}/survey", "The latest follow-up survey and its link", Staff, None, "Object"),
    op("get", "/approvals", "Plans waiting for approval, with due times (supervisor)", Staff, None, "Object"),
    op("get", "/admin/routing-rules", "Routing rules in effect (supervisor)", Staff, None, "ConfigDocument"),
    op(
        "put",
        "/admin/routing-rules",
        "Replace the routing rules (admin)",
        Staff,
        Some("ConfigDocumentIn"),
        "ConfigDocument",
    ),
    op("get", "/admin/routing-rules/history", "Earlier versions of the routing rules", Staff, None, "Object"),
    op(
        "get",
        "/admin/staffing",
        "Skills, duty calendars, leave, supervisors (supervisor)",
        Staff,
        None,
        "ConfigDocument",
    ),
    op("put", "/admin/staffing", "Replace the staffing (admin)", Staff, Some("ConfigDocumentIn"), "ConfigDocument"),
    op("get", "/admin/staffing/history", "Earlier versions of the staffing", Staff, None, "Object"),
    op("get", "/surveys/{token}", "The follow-up survey behind a signed link", Public, None, "Object"),
    op("post", "/surveys/{token}", "Answer the survey once", Public, Some("SurveyAnswerIn"), "Object"),
    op("get", "/stats/follow-up", "Follow-up rate: surveys answered over surveys sent", Staff, None, "Object"),
    op("get", "/triage/rules", "Triage rule sets and their versions (supervisor)", Staff, None, "Object"),
    op("get", "/triage/rules/{part}", "A triage rule set in effect (supervisor)", Staff, None, "RulesDoc"),
    op(
        "put",
        "/triage/rules/{part}",
        "Save a new version of a triage rule set (admin)",
        Staff,
        Some("RulesIn"),
        "RulesDoc",
    ),
    op(
        "get",
        "/triage/rules/{part}/history",
        "Versions of a triage rule set, newest first (supervisor)",
        Staff,
        None,
        "Object",
    ),
    op("post", "/triage/retrain", "Retrain the category model with agents' corrections (admin)", Staff, None, "Object"),
    // SLA policy and business calendars (admin; timers helper).
    op("get", "/admin/sla-policy", "The SLA policy in effect (admin)", Staff, None, "Object"),
    op("put", "/admin/sla-policy", "Replace the SLA policy (admin, expected_version)", Staff, Some("Object"), "Object"),
    op("get", "/admin/sla-policy/history", "Saved versions of the SLA policy (admin)", Staff, None, "Object"),
    op("get", "/admin/calendars", "The business calendars in effect (admin)", Staff, None, "Object"),
    op("put", "/admin/calendars", "Replace the calendars (admin, expected_version)", Staff, Some("Object"), "Object"),
    op("get", "/admin/calendars/history", "Saved versions of the calendars (admin)", Staff, None, "Object"),
    op("get", "/admin/calendars/{name}/days.csv", "A calendar's listed days as CSV (admin)", Staff, None, "Object"),
    op("put", "/admin/calendars/{name}/days.csv", "Import days from CSV (admin)", Staff, Some("Object"), "Object"),
    op(
        "get",
        "/admin/calendars/{name}/days.ics",
        "A calendar's listed days as iCalendar (admin)",
        Staff,
        None,
        "Object",
    ),
    op(
        "put",
        "/admin/calendars/{name}/days.ics",
        "Import days from iCalendar (admin)",
        Staff,
        Some("Object"),
        "Object",
    ),
    op(
        "post",
        "/inbound/email",
        "Raw RFC 822 message from a mail provider (Bearer token)",
        PublicOrToken,
        None,
        "Object",
    ),
    op("get", "/inbound/wechat", "WeChat official account URL verification (echostr)", Public, None, "Object"),
    op("post", "/inbound/wechat", "WeChat official account message (XML, plaintext or AES)", Public, None, "Object"),
    op("post", "/inbound/webhook/{source}", "Signed JSON from a configured source", Public, None, "Object"),
    op("get", "/admin/templates", "Notification templates in effect (admin)", Staff, None, "Object"),
    op(
        "put",
        "/admin/templates",
        "Replace the notification templates, validated (admin)",
        Staff,
        Some("Object"),
        "Object",
    ),
    op(
        "get",
        "/admin/templates/history",
        "Saved versions of the notification templates (admin)",
        Staff,
        None,
        "Object",
    ),
    op("get", "/admin/robots", "Staff alert robots and addresses (admin)", Staff, None, "Object"),
    op("put", "/admin/robots", "Replace the robots document (admin)", Staff, Some("Object"), "Object"),
    op("get", "/admin/robots/history", "Saved versions of the robots document (admin)", Staff, None, "Object"),
    op(
        "get",
        "/admin/channels/{name}/history",
        "Saved versions of a channel's settings (admin)",
        Staff,
        None,
        "Object",
    ),
    op(
        "get",
        "/admin/channels/{name}",
        "A channel's settings: wechat, outbound or a webhook source (admin)",
        Staff,
        None,
        "Object",
    ),
    op(
        "put",
        "/admin/channels/{name}",
        "Replace a channel's settings, validated (admin)",
        Staff,
        Some("Object"),
        "Object",
    ),
    op("get", "/admin/quarantine", "Inbound messages that could not be taken in (admin)", Staff, None, "Object"),
    op("get", "/admin/quarantine/{id}/raw", "A quarantined message as received (admin)", Staff, None, "Object"),
    op("get", "/attachments/{id}", "A stored attachment of a visible ticket", Staff, None, "Object"),
    op("get", "/tickets/{id}/deliveries", "The ticket's notifications and their delivery state", Staff, None, "Object"),
];

fn obj(props: &[(&str, Value)], required: &[&str]) -> Value {
    let p: Map<String, Value> = props.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    json!({ "type": "object", "properties": p, "required": required })
}

fn s() -> Value {
    json!({ "type": "string" })
}

fn enum_of(values: &[&'static str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn names(all: impl Iterator<Item = &'static str>) -> Vec<&'static str> {
    all.collect()
}

fn schemas() -> Value {
    use loopdesk_core::*;
    let states = names(State::ALL.iter().map(|x| x.as_str()));
    let channels = names(Channel::ALL.iter().map(|x| x.as_str()));
    let priorities = names(Priority::ALL.iter().map(|x| x.as_str()));
    let text_in = obj(&[("body", s())], &["body"]);
    json!({
        "Error": obj(&[("code", s()), ("message", s()), ("field", s())], &["code", "message"]),
        "FeedbackIn": obj(&[
            ("content", json!({"type": "string", "maxLength": 10000})),
            ("subject", s()),
            ("channel", enum_of(&channels)),
            ("customer", obj(&[("name", s()), ("anonymous", json!({"type": "boolean"})), ("phone", s()), ("email", s()),
                ("address", s()), ("member_id", s()), ("tier", enum_of(&["standard", "vip", "key_account"]))], &[])),
            ("product", obj(&[("product", s()), ("model", s()), ("serial_no", s()), ("service", s()), ("order_no", s()),
                ("occurred_at", json!({"type": "string", "format": "date-time"}))], &[])),
            ("attachments", json!({"type": "array", "maxItems": 10, "items": obj(&[("name", s()), ("content_type", s()),
                ("size", json!({"type": "integer"})), ("location", s()), ("description", s())], &["name", "content_type", "size", "location"])})),
            ("received_at", json!({"type": "string", "format": "date-time"})),
            ("urgency", enum_of(&["high", "medium", "low"])),
        ], &["content"]),
        "FeedbackOut": obj(&[("id", json!({"type": "integer"})), ("tracking_no", s()), ("state", enum_of(&states)),
            ("priority", enum_of(&priorities)), ("category", s()), ("channel", enum_of(&channels)),
            ("received_at", s()), ("recorded_at", s()), ("track_url", s())], &["id", "tracking_no", "state"]),
        "TrackOut": obj(&[("tracking_no", s()), ("state", enum_of(&states)), ("received_at", s()), ("updated_at", s()),
            ("timeline", json!({"type": "array", "items": {"type": "object"}}))], &["tracking_no", "state"]),
        "LoginIn": obj(&[("username", s()), ("password", s())], &["username", "password"]),
        "Me": obj(&[("user", json!({"$ref": "#/components/schemas/User"}))], &["user"]),
        "Ticket": obj(&[("id", json!({"type": "integer"})), ("tracking_no", s()), ("state", enum_of(&states)),
            ("priority", enum_of(&priorities)), ("priority_reasons", json!({"type": "array", "items": s()})),
            ("channel", enum_of(&channels)), ("content", s()), ("customer", json!({"type": "object"}))], &["id", "state"]),
        "QueuePage": obj(&[("items", json!({"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}})), ("next_cursor", s())], &["items"]),
        "StateCounts": obj(&[("by_state", json!({"type": "object", "additionalProperties": {"type": "integer"}})), ("total", json!({"type": "integer"}))], &["by_state", "total"]),
        "TicketDetail": obj(&[("ticket", json!({"$ref": "#/components/schemas/Ticket"})), ("timeline", json!({"type": "array", "items": {"type": "object"}})),
            ("allowed_actions", json!({"type": "array", "items": s()}))], &["ticket", "timeline"]),
        "ActionOut": obj(&[("ticket", json!({"$ref": "#/components/schemas/Ticket"})), ("events", json!({"type": "array", "items": {"type": "object"}}))], &["ticket", "events"]),
        "AssignIn": obj(&[("department_id", json!({"type": "integer"})), ("assignee_id", json!({"type": "integer"})), ("reason", s())], &[]),
        "TextIn": text_in,
        "ApprovalIn": obj(&[("plan", s()), ("reasons", json!({"type": "array", "minItems": 1, "items": enum_of(&["cost", "policy_exception", "other_departments"])}))], &["plan", "reasons"]),
        "TransferIn": obj(&[("department_id", json!({"type": "integer"})), ("assignee_id", json!({"type": "integer"})), ("reason", s())], &["department_id", "reason"]),
        "ConfigDocument": obj(&[("name", s()), ("version", json!({"type": "integer"})), ("body", json!({"type": "object"})), ("changed_by", s()), ("changed_at", s()), ("comment", s())], &["name", "version", "body"]),
        "ConfigDocumentIn": obj(&[("expected_version", json!({"type": "integer"})), ("body", json!({"type": "object"})), ("comment", s())], &["expected_version", "body"]),
        "SurveyAnswerIn": obj(&[("satisfaction", enum_of(&["satisfied", "neutral", "unsatisfied"])), ("score", json!({"type": "integer", "minimum": 1, "maximum": 5})), ("comment", json!({"type": "string", "maxLength": 2000}))], &["satisfaction"]),
        "DecisionIn": obj(&[("approved", json!({"type": "boolean"})), ("comment", s())], &["approved"]),
        "Outcome": obj(&[("kind", enum_of(&["solved", "partially_solved", "unable"])), ("summary", s()), ("unresolved", s()),
            ("reason", s()), ("alternative", s())], &["kind", "summary"]),
        "RestoreIn": obj(&[("reason", s())], &[]),
        "MergeIn": obj(&[("into", json!({"type": "integer"}))], &["into"]),
        "CategoryIn": obj(&[("category", s()), ("subtags", json!({"type": "array", "items": s()}))], &[]),
        "PriorityIn": obj(&[("priority", enum_of(&priorities)), ("reason", s())], &["priority", "reason"]),
        "CollaboratorIn": obj(&[("user_id", json!({"type": "integer"}))], &["user_id"]),
        "User": obj(&[("id", json!({"type": "integer"})), ("username", s()), ("display_name", s()),
            ("role", enum_of(&["admin", "supervisor", "agent", "viewer"])), ("department_id", json!({"type": "integer"}))], &["id", "username", "role"]),
        "Users": json!({"type": "array", "items": {"$ref": "#/components/schemas/User"}}),
        "UserIn": obj(&[("username", s()), ("display_name", s()), ("role", enum_of(&["admin", "supervisor", "agent", "viewer"])),
            ("department_id", json!({"type": "integer"})), ("password", json!({"type": "string", "minLength": 10}))], &["username", "display_name", "role", "password"]),
        "UserEditIn": obj(&[("display_name", s()), ("role", enum_of(&["admin", "supervisor", "agent", "viewer"])),
            ("department_id", json!({"type": ["integer", "null"]})), ("skills", json!({"type": "array", "items": s(), "maxItems": 20}))], &[]),
        "Department": obj(&[("id", json!({"type": "integer"})), ("name", s())], &["id", "name"]),
        "Departments": json!({"type": "array", "items": {"$ref": "#/components/schemas/Department"}}),
        "DepartmentIn": obj(&[("name", s())], &["name"]),
        "TokenIn": obj(&[("name", s()), ("user_id", json!({"type": "integer"})), ("intake_only", json!({"type": "boolean"}))], &["name"]),
        "TokenOut": obj(&[("token", s()), ("id", json!({"type": "integer"})), ("name", s())], &["token", "id"]),
        "RulesIn": obj(&[("expected_version", json!({"type": "integer"})), ("body", json!({"type": "object"})), ("comment", s())],
            &["expected_version", "body", "comment"]),
        "RulesDoc": obj(&[("part", enum_of(&["taxonomy", "signals", "moderation", "priority-rules"])), ("version", json!({"type": "integer"})),
            ("body", json!({"type": "object"})), ("changed_by", s()), ("changed_at", s()), ("comment", s())], &["part", "version", "body"]),
        "LiveChange": obj(&[("ticket_id", json!({"type": "integer"})), ("kind", s()), ("version", json!({"type": "integer"}))], &["ticket_id", "kind", "version"]),
        "Object": json!({"type": "object"}),
        "Empty": json!({}),
    })
}

fn operation(o: &Operation) -> Value {
    let mut v = json!({
        "summary": o.summary,
        "responses": {
            "2XX": { "description": "success", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{}", o.response) } } } },
            "4XX": { "description": "client error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        },
    });
    let mut params = Vec::new();
    for name in ["id", "tracking_no", "token", "name"] {
        if o.path.contains(&format!("{{{name}}}")) {
            params.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
        }
    }
    if o.method == "post" && o.path == "/feedback" {
        params.push(json!({ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 200 } }));
    }
    v["parameters"] = json!(params);
    if let Some(req) = o.request {
        v["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{req}") } } } });
    }
    if o.method == "post" && o.path == "/feedback" {
        // With files: the same JSON in a `feedback` part, files in `attachment` parts
        // (413/415 name the refused file as `attachments[i]`).
        v["requestBody"]["content"]["multipart/form-data"] = json!({ "schema": {
            "type": "object",
            "required": ["feedback"],
            "properties": {
                "feedback": { "type": "string", "contentMediaType": "application/json", "description": "FeedbackIn as JSON" },
                "attachment": { "type": "array", "items": { "type": "string", "format": "binary" } }
            }
        } });
    }
    match o.access {
        Access::Public => v["security"] = json!([]),
        Access::PublicOrToken => v["security"] = json!([{}, { "token": [] }]),
        Access::Staff => {}
    }
    v
}

/// Builds the document.
pub fn build() -> Value {
    let mut paths = Map::new();
    for o in OPERATIONS {
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method] = operation(o);
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Loopdesk API", "version": env!("CARGO_PKG_VERSION"),
            "description": "Closed-loop customer feedback center. Every error is {code, message, field?}." },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "token": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE },
            },
        },
        "security": [{ "token": [] }, { "session": [] }],
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(build())
}
