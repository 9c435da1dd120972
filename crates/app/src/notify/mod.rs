//! What customers and staff are told: a customer notice (acknowledgement, progress, a
//! question, an extension, the result, the survey) rendered from the templates in force,
//! and a staff alert addressed to robots and mailboxes — each composed into outbox
//! deliveries with its Message-ID fixed, so every attempt (and a resend after a crash)
//! sends the same message. Customer personal data stays out of staff alerts.

mod customer;
mod staff;

pub use customer::{Composer, CustomerNotice, PortalLinks};
pub use staff::{alert_card, supervisors_of, Recipients, StaffAlert, StaffNotice};

use loopdesk_channels::templates::Lang;
use loopdesk_core::{Ticket, Timestamp};

/// The language to write to a customer in: Chinese when they wrote Chinese.
pub fn language(t: &Ticket) -> Lang {
    let cjk = t
        .content
        .chars()
        .chain(t.subject.iter().flat_map(|s| s.chars()))
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if cjk {
        Lang::ZhCn
    } else {
        Lang::En
    }
}

/// An instant as customers in China read it.
pub fn china_time(t: Timestamp) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(cst) => t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// Masks an address for display on the timeline: `zh***@example.com`.
pub fn mask(addr: &str) -> String {
    match addr.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().take(2).collect::<String>()),
        None => format!("{}***", addr.chars().take(3).collect::<String>()),
    }
}
