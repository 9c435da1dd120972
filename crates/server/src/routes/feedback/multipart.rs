//! Reading `multipart/form-data` with files: each file is checked as it arrives (size limit,
//! type recognised from the bytes, count) before anything is stored, and each refusal names
//! its form field (`attachments[i]`).

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use loopdesk_app::intake::uploads::policy;
use loopdesk_app::AppError;
use loopdesk_channels::email::{InboundAttachment, Refusal};

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
        AppError::TooLarge {
            field: "attachments".into(),
            message: format!("the upload is too large: {}", e.body_text()),
        }
        .into()
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
/// type not accepted → 415, too many files → 422, each naming the field.
pub async fn read(mut form: Multipart) -> Result<UploadForm, ApiError> {
    let policy = policy();
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
                let message = format!(
                    "{} is over the {} byte limit for one file",
                    file_name.as_deref().unwrap_or("the file"),
                    policy.max_bytes
                );
                return Err(AppError::TooLarge { field: format!("attachments[{index}]"), message }.into());
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
        let file = policy.accept(&shown, &declared, bytes).map_err(|r| -> ApiError {
            match r {
                Refusal::TooLarge { .. } => {
                    AppError::TooLarge { field: field.clone(), message: format!("{shown}: {r}") }
                }
                _ => AppError::UnsupportedType { field: field.clone(), message: format!("{shown}: {r}") },
            }
            .into()
        })?;
        out.files.push(file);
        index += 1;
    }
    Ok(out)
}

/// The largest request body a form with files may have.
pub fn max_request_bytes() -> usize {
    let p = policy();
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
