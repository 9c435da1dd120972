//! Mailbox addresses as read from headers.

use mail_parser::{Addr, Address};
use serde::{Deserialize, Serialize};

/// An address with its display name, as the sender wrote them (encoded words decoded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailAddress {
    /// The bare address, e.g. `zhang@example.com`.
    pub addr: String,
    /// The display name, e.g. `张三`, when one was given.
    pub name: Option<String>,
}

impl MailAddress {
    fn from_addr(a: &Addr<'_>) -> Option<MailAddress> {
        let addr = a.address.as_deref()?.trim();
        if addr.is_empty() {
            return None;
        }
        let name = a.name.as_deref().map(str::trim).filter(|n| !n.is_empty() && *n != addr).map(str::to_string);
        Some(MailAddress { addr: addr.to_string(), name })
    }

    /// The local part (before the last `@`), lower-cased.
    pub fn local_part(&self) -> String {
        let local = self.addr.rsplit_once('@').map_or(&*self.addr, |(l, _)| l);
        local.to_ascii_lowercase()
    }
}

/// Every address of a header, groups flattened.
pub(crate) fn all(address: Option<&Address<'_>>) -> Vec<MailAddress> {
    address.map(|a| a.iter().filter_map(MailAddress::from_addr).collect()).unwrap_or_default()
}
