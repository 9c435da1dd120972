//! `POST /api/v1/inbound/webhook/{source}`: signed JSON from apps, mini programs, SMS
//! gateways and platforms, configured per source by the `channel:<source>` document.
//! A bad or missing signature or a stale timestamp is 401 and nothing is stored; a
//! signature seen before is a replay (409); the same external id twice gives one ticket.

use super::docs::{self, WebhookDoc};
use super::email_in::acknowledge;
use super::intake::open_ticket;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use loopdesk_channels::webhook::{WebhookError, WebhookSource, SIGNATURE_HEADER};
use loopdesk_core::{Customer, Ticket};
use serde_json::json;

fn refusal(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

fn valid_source(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        && s != "wechat"
        && s != "outbound"
}

/// `POST /api/v1/inbound/webhook/{source}`.
pub async fn receive(
    State(state): State<AppState>,
    Path(source): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !valid_source(&source) {
        return Err(ApiError::NotFound("no such webhook source".into()));
    }
    let doc = docs::load::<WebhookDoc>(&state, &format!("channel:{source}"))
        .await?
        .ok_or_else(|| ApiError::NotFound("no such webhook source".into()))?;
    let config = WebhookSource {
        name: source.clone(),
        secret: doc.secret.clone(),
        previous_secret: doc.previous_secret.clone(),
        tolerance_secs: doc.tolerance_secs,
        mapping: doc.mapping.clone(),
    };
    let now = state.now();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let record = match config.accept(header, &body, now) {
        Ok(r) => r,
        Err(e) if e.is_unauthorized() => return Ok(refusal(StatusCode::UNAUTHORIZED, "bad_signature", e.to_string())),
        Err(e @ WebhookError::BadJson(_)) => {
            return Err(ApiError::BadRequest { code: "bad_json", message: e.to_string(), field: None })
        }
        Err(e) => return Err(ApiError::invalid("body", e.to_string())),
    };
    // A signature covers the timestamp and the body: seen twice inside the window is a replay.
    let signature = header(SIGNATURE_HEADER).unwrap_or_default();
    let forget = now - chrono::Duration::seconds(doc.tolerance_secs.max(1) * 2);
    if !state.store.claim_nonce(&source, signature, now, forget).await? {
        return Ok(refusal(StatusCode::CONFLICT, "replayed", "this delivery was already received".into()));
    }
    let received_at = record
        .received_at
        .filter(|t| *t <= now + chrono::Duration::minutes(5) && *t > now - chrono::Duration::days(366))
        .unwrap_or(now);
    let customer = Customer {
        name: record.contact_name.clone().map(|n| n.chars().take(100).collect()),
        phone: record.contact_phone.clone(),
        email: record.contact_email.clone(),
        anonymous: record.contact_phone.is_none() && record.contact_email.is_none(),
        ..Customer::default()
    };
    let text: String = record.text.chars().take(crate::routes::feedback::MAX_CONTENT).collect();
    let mut ticket = Ticket::draft(doc.channel, text, customer, received_at, now);
    ticket.subject = record.subject.clone().map(|s| s.chars().take(200).collect());
    let idempotency = Some((format!("webhook:{}", record.dedupe_key), "webhook".to_string()));
    let (t, replayed) = open_ticket(&state, ticket, idempotency).await?;
    if !replayed {
        acknowledge(&state, &t).await?;
    }
    let status = if replayed { StatusCode::OK } else { StatusCode::CREATED };
    let out = json!({
        "id": t.id.0,
        "tracking_no": t.tracking_no.to_string(),
        "external_id": record.external_id,
        "replayed": replayed,
    });
    Ok((status, Json(out)).into_response())
}
