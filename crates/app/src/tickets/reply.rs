//! A staff reply to the customer with files, optionally resolving the ticket in the same
//! change ("reply and resolve"). The files pass the same checks as every upload and are
//! stored with the ticket first; a refused reply removes them again.

use super::actions::{perform_all, Action, Done};
use crate::access::{require, visible};
use crate::intake::uploads;
use crate::{App, AppError};
use loopdesk_channels::email::InboundAttachment;
use loopdesk_core::access::Permission;
use loopdesk_core::{FileRef, Outcome, OutcomeKind, Principal, TicketId};

/// What the agent sends.
#[derive(Debug, Clone, Default)]
pub struct ReplyInput {
    pub body: String,
    /// Checked files (see [`uploads::policy`]).
    pub files: Vec<InboundAttachment>,
    /// Resolve in the same change with this outcome.
    pub resolve: Option<Outcome>,
}

/// The outcome "reply and resolve" records when none is given: solved, and the reply is
/// the summary (so the customer is told once, by the result notice).
pub fn solved_by(body: &str) -> Outcome {
    Outcome {
        kind: OutcomeKind::Solved,
        summary: body.trim().to_string(),
        unresolved: None,
        reason: None,
        alternative: None,
    }
}

/// Sends a reply (with files, then the resolution if asked) as `who`, in one change.
pub async fn reply(app: &App, who: &Principal, id: TicketId, input: ReplyInput) -> Result<Done, AppError> {
    // Nothing is stored for a ticket the caller may not work on.
    visible(app, require(who, Permission::Work)?, id).await?;
    let policy = uploads::policy();
    if input.files.len() > policy.max_count {
        return Err(AppError::invalid("attachments", format!("at most {} files", policy.max_count)));
    }
    let stored = uploads::store(app, Some(id), &input.files).await?;
    let files = stored
        .iter()
        .map(|(fid, a)| FileRef { id: *fid, name: a.name.clone(), content_type: a.content_type.clone(), size: a.size })
        .collect();
    // Resolving in the same step accepts the ticket first when that is still to do.
    let mut actions = Vec::with_capacity(3);
    if input.resolve.is_some() {
        actions.push(Action::TakeUp);
    }
    actions.push(Action::Reply { body: input.body, files });
    actions.extend(input.resolve.map(Action::Resolve));
    let done = perform_all(app, who, id, actions).await;
    if done.is_err() {
        uploads::discard(app, &stored).await;
    }
    done
}
