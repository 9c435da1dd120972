//! Files customers upload with the public web form and on the portal's status page. They
//! pass the same size limit and type check as e-mail attachments (recognised from the
//! bytes; the adapter checks each as it arrives) and are stored the same way. Files stored
//! for a submission that is then refused are removed: an error leaves nothing behind.

use super::feedback::{self, Submission};
use super::Recorded;
use crate::{App, AppError};
use loopdesk_channels::email::{AttachmentPolicy, InboundAttachment};
use loopdesk_core::{Attachment, TicketId};

/// Size limit and type check for every attachment, whatever door it came through (e-mail,
/// uploads, WeChat pictures).
pub fn policy() -> AttachmentPolicy {
    AttachmentPolicy::default()
}

/// Stores checked files (for `ticket`, or to be linked later); on a failure midway the ones
/// already stored are removed.
pub async fn store(
    app: &App,
    ticket: Option<TicketId>,
    files: &[InboundAttachment],
) -> Result<Vec<(i64, Attachment)>, AppError> {
    let mut stored = Vec::with_capacity(files.len());
    for f in files {
        match app.store.add_attachment(ticket, &f.name, &f.content_type, &f.bytes, app.now()).await {
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
                discard(app, &stored).await;
                return Err(e.into());
            }
        }
    }
    Ok(stored)
}

/// Removes stored files of a refused submission.
pub async fn discard(app: &App, stored: &[(i64, Attachment)]) {
    let ids: Vec<i64> = stored.iter().map(|(id, _)| *id).collect();
    if let Err(e) = app.store.delete_attachments(&ids).await {
        tracing::warn!(error = %e, ?ids, "could not remove the files of a refused submission");
    }
}

/// Records an admitted submission with its checked files: stores the files, then records
/// the ticket with them linked in the same transaction. A refusal keeps no file; a replay
/// answers with the first ticket and keeps no new file.
pub async fn accept(app: &App, mut submission: Submission, files: &[InboundAttachment]) -> Result<Recorded, AppError> {
    let stored = store(app, None, files).await?;
    let recorded = match submission.attach(stored.iter().map(|(_, a)| a.clone())) {
        Ok(()) => feedback::record_with(app, submission, stored.iter().map(|(id, _)| *id).collect()).await,
        Err(e) => Err(e),
    };
    // Refused, or a replay (the first submission kept its own files).
    if !matches!(recorded, Ok(Recorded { replayed: false, .. })) {
        discard(app, &stored).await;
    }
    recorded
}
