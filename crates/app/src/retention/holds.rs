//! Legal holds: a ticket, or every ticket of a customer, kept whole whatever the retention
//! policy says, until an admin releases the hold (who, when and why are kept with it).

use crate::access::require;
use crate::{App, AppError};
use loopdesk_core::access::{Permission, Principal};
use loopdesk_core::{Email, Phone, TicketId};
use loopdesk_store::{HoldTarget, LegalHold};
use serde::Deserialize;

/// A new hold: exactly one of `ticket_id` and `customer` (a phone number or an e-mail
/// address, in any form the intake accepts).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewHold {
    #[serde(default)]
    pub ticket_id: Option<i64>,
    #[serde(default)]
    pub customer: Option<String>,
    pub reason: String,
}

/// Why a hold was released.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub reason: String,
}

fn reason(text: &str) -> Result<&str, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(AppError::invalid("reason", "say why, in 1 to 500 characters"));
    }
    Ok(text)
}

/// The customer's contact as the tickets' contact columns hold it.
fn customer_key(raw: &str) -> Result<String, AppError> {
    if raw.contains('@') {
        let email = Email::parse(raw).map_err(|_| AppError::invalid("customer", "not an e-mail address"))?;
        Ok(email.as_str().to_lowercase())
    } else {
        let phone = Phone::parse(raw)
            .map_err(|_| AppError::invalid("customer", "give the customer's phone number or e-mail address"))?;
        Ok(phone.as_str().to_string())
    }
}

/// Places a hold (admins).
pub async fn place(app: &App, by: &Principal, new: &NewHold) -> Result<LegalHold, AppError> {
    require(by, Permission::Administer)?;
    let target = match (new.ticket_id, new.customer.as_deref()) {
        (Some(id), None) => {
            app.read().ticket(TicketId(id)).await?;
            HoldTarget::Ticket(TicketId(id))
        }
        (None, Some(customer)) => HoldTarget::Customer(customer_key(customer)?),
        _ => return Err(AppError::invalid("ticket_id", "give either ticket_id or customer, not both")),
    };
    let hold = app.store.place_hold(&target, reason(&new.reason)?, by.user_id.0, app.now()).await?;
    tracing::info!(hold = hold.id, by = by.user_id.0, "legal hold placed");
    Ok(hold)
}

/// Releases a hold (admins); releasing one twice is a conflict.
pub async fn release(app: &App, by: &Principal, id: i64, release: &Release) -> Result<LegalHold, AppError> {
    require(by, Permission::Administer)?;
    let hold =
        app.store.release_hold(id, reason(&release.reason)?, by.user_id.0, app.now()).await.map_err(|e| match e {
            loopdesk_store::StoreError::Conflict => {
                AppError::conflict("hold_released", "this hold was already released")
            }
            other => other.into(),
        })?;
    tracing::info!(hold = hold.id, by = by.user_id.0, "legal hold released");
    Ok(hold)
}

/// Active holds, or every hold with `all` (admins).
pub async fn list(app: &App, by: &Principal, all: bool) -> Result<Vec<LegalHold>, AppError> {
    require(by, Permission::Administer)?;
    Ok(app.read().legal_holds(all).await?)
}
