//! Who may do what: the permission checks every use case makes, and the one rule for seeing
//! a ticket (another department's ticket is "not found", never "forbidden").

use crate::{App, AppError};
use loopdesk_core::access::Permission;
use loopdesk_core::{Principal, Ticket, TicketId};

/// The principal, if it holds `permission`.
pub fn require(principal: &Principal, permission: Permission) -> Result<&Principal, AppError> {
    if principal.can(permission) {
        Ok(principal)
    } else {
        Err(AppError::Forbidden(format!("your role ({}) may not do this", role_label(principal))))
    }
}

fn role_label(p: &Principal) -> &'static str {
    if p.intake_only {
        "intake token"
    } else {
        p.role.as_str()
    }
}

/// A ticket the caller may see.
pub async fn visible(app: &App, principal: &Principal, id: TicketId) -> Result<Ticket, AppError> {
    let ticket = app.read().ticket(id).await?;
    if principal.can_see(&ticket) {
        Ok(ticket)
    } else {
        Err(AppError::NotFound("ticket not found".into()))
    }
}
