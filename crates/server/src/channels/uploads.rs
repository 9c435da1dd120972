//! Files customers upload with the public web form (`POST /api/v1/feedback` as
//! `multipart/form-data`, and the portal's form) and on the portal's status page when
//! information is asked for. They pass the same size limit and type check as e-mail
//! attachments (recognised from the bytes) and are stored the same way. Every file is
//! checked before anything is stored, and files stored for a submission that is then
//! refused are removed: an error leaves nothing behind.

use super::attachment_policy;
use crate::auth::MaybeAuth;
use crate::error::ApiError;
use crate::extract::{parse_json, ClientIp, JsonWithBytes};
use crate::routes::feedback::{self, FeedbackIn};
use crate::state::AppState;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use loopdesk_channels::email::{InboundAttachment, Refusal};
use loopdesk_core::{Attachment, Principal, Ticket, TicketId};
use std::net::IpAddr;

/// Form fields that carry files.
pub const FILE_FIELDS: [&str; 3] = ["attachment", "attachments", "file"];

/// A multipart form read and checked: its text fields and its accepted files.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<InboundAttachment>,
}

impl UploadForm {
    /// The first value of a text field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn unreadable(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::FileTooLarge {
            field: "attachments".into(),
            message: format!("the upload is too large: {}", e.body_text()),
        }
    } else {
        ApiError::BadRequest { code: "unreadable_body", message: e.body_text(), field: None }
    }
}

/// A file name safe to keep: no path, no control characters, at most 200 characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let s: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if s.trim().is_empty() {
        "upload".into()
    } else {
        s.trim().to_string()
    }
}

/// Reads the whole form, checking each file as it arrives: over the size limit → 413,
/// type not accepted → 415, too many files → 422, each naming the field (`attachments[i]`).
pub async fn read(mut form: Multipart) -> Result<UploadForm, ApiError> {
    let policy = attachment_policy();
    let mut out = UploadForm::default();
    let mut index = 0usize;
    while let Some(mut part) = form.next_field().await.map_err(unreadable)? {
        let name = part.name().unwrap_or_default().to_string();
        let file_name = part.file_name().map(str::to_string);
        if file_name.is_none() && !FILE_FIELDS.contains(&name.as_str()) {
            let value = part.text().await.map_err(unreadable)?;
            if value.len() > 100_000 {
                return Err(ApiError::invalid(name, "is too long"));
            }
            out.fields.push((name, value));
            continue;
        }
        let declared = part.content_type().unwrap_or("application/octet-stream").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(unreadable)? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > policy.max_bytes {
                return Err(ApiError::FileTooLarge {
                    field: format!("attachments[{index}]"),
                    message: format!(
                        "{} is over the {} byte limit for one file",
                        file_name.as_deref().unwrap_or("the file"),
                        policy.max_bytes
                    ),
                });
            }
        }
        // An empty file input submits a part with no name and no bytes: nothing chosen.
        if bytes.is_empty() && file_name.as_deref().unwrap_or_default().is_empty() {
            continue;
        }
        if out.files.len() >= policy.max_count {
            return Err(ApiError::invalid("attachments", format!("at most {} files", policy.max_count)));
        }
        let shown = clean_name(file_name.as_deref().unwrap_or_default());
        let field = format!("attachments[{index}]");
        let file = policy.accept(&shown, &declared, bytes).map_err(|r| match r {
            Refusal::TooLarge { .. } => {
                ApiError::FileTooLarge { field: field.clone(), message: format!("{shown}: {r}") }
            }
            _ => ApiError::FileType { field: field.clone(), message: format!("{shown}: {r}") },
        })?;
        out.files.push(file);
        index += 1;
    }
    Ok(out)
}

/// Stores checked files (for `ticket`, or to be linked later); on a failure midway the ones
/// already stored are removed.
pub async fn store(
    state: &AppState,
    ticket: Option<TicketId>,
    files: &[InboundAttachment],
) -> Result<Vec<(i64, Attachment)>, ApiError> {
    let mut stored = Vec::with_capacity(files.len());
    for f in files {
        match state.store.add_attachment(ticket, &f.name, &f.content_type, &f.bytes, state.now()).await {
            Ok(id) => stored.push((
                id,
                Attachment {
                    name: f.name.clone(),
                    content_type: f.content_type.clone(),
                    size: f.size as u64,
                    location: format!("/api/v1/attachments/{id}"),
                    description: None,
                },
            )),
            Err(e) => {
                discard(state, &stored).await;
                return Err(e.into());
            }
        }
    }
    Ok(stored)
}

/// Removes stored files of a refused submission.
pub async fn discard(state: &AppState, stored: &[(i64, Attachment)]) {
    let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
    if let Err(e) = state.store.delete_attachments(&ids).await {
        tracing::warn!(error = %e, ?ids, "could not remove the files of a refused submission");
    }
}

/// The largest request body a form with files may have.
pub fn max_request_bytes() -> usize {
    let p = attachment_policy();
    p.max_bytes.saturating_mul(3).max(1 << 20) + (1 << 20)
}

/// Whether a request carries `multipart/form-data`.
pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// Reads and checks a multipart request (see [`read`]).
pub async fn read_request(state: &AppState, req: Request) -> Result<UploadForm, ApiError> {
    let form = Multipart::from_request(req, state).await.map_err(|e| ApiError::BadRequest {
        code: "unreadable_body",
        message: e.body_text(),
        field: None,
    })?;
    read(form).await
}

/// Records a submission with its checked files: admits it first (who may submit, rate
/// limits), then stores the files, records the ticket with them and links them to it. A
/// refusal stores nothing; a replay answers with the first ticket and keeps no new file.
pub async fn accept(
    state: &AppState,
    principal: Option<&Principal>,
    ip: IpAddr,
    headers: &HeaderMap,
    body: FeedbackIn,
    bytes: &[u8],
    files: &[InboundAttachment],
) -> Result<(Ticket, bool), ApiError> {
    let mut submission = feedback::admit(state, principal, ip, headers, body, bytes)?;
    let stored = store(state, None, files).await?;
    let recorded = match submission.attach(stored.iter().map(|(_, a)| a.clone())) {
        Ok(()) => feedback::record(state, submission).await,
        Err(e) => Err(e),
    };
    let linked = match recorded {
        Ok((t, false)) => {
            let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
            state.store.link_attachments(&ids, t.id).await.map(|_| (t, false)).map_err(ApiError::from)
        }
        other => other,
    };
    // Refused, or a replay (the first submission kept its own files).
    if !matches!(linked, Ok((_, false))) {
        discard(state, &stored).await;
    }
    linked
}

/// `POST /api/v1/feedback`: JSON as before, or `multipart/form-data` with the JSON in a
/// `feedback` field and the files in `attachment` fields.
pub async fn submit_feedback(
    State(state): State<AppState>,
    MaybeAuth(principal): MaybeAuth,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, ApiError> {
    if !is_multipart(&headers) {
        // The route allows bodies big enough for files; JSON keeps the usual limit.
        let limit = state.config.limits.max_body_bytes;
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| ApiError::PayloadTooLarge { limit })?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let body = JsonWithBytes::<FeedbackIn>::from_request(req, &state).await?;
        return feedback::submit(State(state), MaybeAuth(principal), ClientIp(ip), headers, body).await;
    }
    let form = read_request(&state, req).await?;
    let json =
        form.field("feedback").ok_or_else(|| ApiError::invalid("feedback", "the JSON of the feedback is missing"))?;
    let body: FeedbackIn = parse_json(json.as_bytes())?;
    let (t, replayed) = accept(&state, principal.as_ref(), ip, &headers, body, json.as_bytes(), &form.files).await?;
    Ok(feedback::created(&t, replayed))
}
