//! How tickets and events look to a given caller: personal data masked for roles that may
//! not see it, internal detail kept from the public.

use loopdesk_app::read::LineContact;
use loopdesk_core::contact::{mask_email, mask_phone};
use loopdesk_core::{Event, EventData, Principal, Ticket};
use serde_json::{json, Value};
use std::borrow::Cow;

/// A ticket as JSON for `principal`.
pub fn ticket(t: &Ticket, principal: &Principal) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    if !principal.sees_personal_data() {
        mask_customer(&mut v, t);
    }
    v
}

fn mask_customer(v: &mut Value, t: &Ticket) {
    let Some(c) = v.get_mut("customer").and_then(Value::as_object_mut) else {
        return;
    };
    c.insert("phone".into(), json!(t.customer.phone.as_ref().map(|p| p.masked())));
    c.insert("email".into(), json!(t.customer.email.as_ref().map(|e| e.masked())));
    c.insert("address".into(), json!(t.customer.address.as_ref().map(|_| "***")));
    c.insert("name".into(), json!(t.customer.name.as_ref().map(|n| mask_name(n))));
}

/// The customer's name, phone and e-mail as `principal` sees them (masked as in
/// [`ticket`] for roles that may not see personal data), from the stored values without
/// building the JSON view: what an export of a million rows writes.
pub fn contact<'a>(c: &'a LineContact, principal: &Principal) -> [Option<Cow<'a, str>>; 3] {
    if principal.sees_personal_data() {
        [c.name.as_deref(), c.phone.as_deref(), c.email.as_deref()].map(|v| v.map(Cow::Borrowed))
    } else {
        [
            c.name.as_deref().map(|n| Cow::Owned(mask_name(n))),
            c.phone.as_deref().map(|p| Cow::Owned(mask_phone(p))),
            c.email.as_deref().map(|e| Cow::Owned(mask_email(e))),
        ]
    }
}

/// `王*` / `J***`: first character kept.
fn mask_name(name: &str) -> String {
    let first: String = name.chars().take(1).collect();
    format!("{first}***")
}

/// A timeline entry as staff see it. The created event's ticket snapshot is left out (the
/// ticket itself is beside the timeline).
pub fn event(e: &Event) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
    if let (EventData::Created { ticket }, Some(obj)) = (&e.data, v.as_object_mut()) {
        obj.remove("ticket");
        obj.insert("channel".into(), json!(ticket.channel));
    }
    v
}

/// A timeline entry as the customer sees it: only public kinds, no staff names, no notes.
pub fn public_event(e: &Event) -> Option<Value> {
    if !e.data.is_public() {
        return None;
    }
    let detail = match &e.data {
        EventData::Replied { body, files } if files.is_empty() => json!({ "message": body }),
        EventData::Replied { body, files } => {
            json!({ "message": body, "files": files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>() })
        }
        EventData::InfoRequested { message } => json!({ "message": message }),
        EventData::InfoProvided { body } => json!({ "message": body }),
        EventData::Resolved { outcome } => json!({ "outcome": outcome }),
        EventData::Extended { until, reason, .. } => json!({ "until": until, "reason": reason }),
        EventData::Merged { .. } => json!({ "message": "merged into your earlier feedback" }),
        _ => json!({}),
    };
    Some(json!({
        "kind": e.data.kind(),
        "at": e.at,
        "state": e.state_after,
        "detail": detail,
    }))
}
