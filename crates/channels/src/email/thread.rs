//! Threading replies onto tickets: our Message-IDs carry the ticket id with a keyed tag,
//! and a tracking number quoted in the subject also points to a ticket.

use super::parse::InboundEmail;
use crate::crypto::{constant_time_eq, hmac_sha256};
use loopdesk_core::{TicketId, TrackingNo};

/// Issues and recognises Loopdesk's own Message-IDs: `<t{ticket}.{nonce}.{tag}@{host}>`.
///
/// The tag is an HMAC of the rest, so a reply's `In-Reply-To` proves which ticket it
/// answers without a database lookup, and nobody can forge one to reach another ticket.
#[derive(Clone)]
pub struct MessageIdIssuer {
    host: String,
    key: Vec<u8>,
}

impl std::fmt::Debug for MessageIdIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageIdIssuer").field("host", &self.host).field("key", &"<redacted>").finish()
    }
}

/// How an inbound message was matched to an existing ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadMatch {
    /// It answers one of our messages: authenticated by the Message-ID tag.
    Reply {
        /// The ticket named in our Message-ID.
        ticket: TicketId,
        /// Which of our ids matched (without angle brackets).
        message_id: String,
    },
    /// It quotes a tracking number in the subject. Only a claim: the server should also
    /// check that the sender is the ticket's customer before appending.
    TrackingNo(TrackingNo),
}

impl ThreadMatch {
    /// The ticket the message belongs to.
    pub fn ticket_id(&self) -> TicketId {
        match self {
            ThreadMatch::Reply { ticket, .. } => *ticket,
            ThreadMatch::TrackingNo(t) => t.ticket_id(),
        }
    }
}

const TAG_BYTES: usize = 6;

impl MessageIdIssuer {
    /// An issuer for mail sent from `host` (e.g. `support.example.com`), tagging with `key`.
    pub fn new(host: &str, key: &[u8]) -> MessageIdIssuer {
        MessageIdIssuer { host: host.trim().to_ascii_lowercase(), key: key.to_vec() }
    }

    /// A Message-ID for a message about `ticket`; `nonce` makes each one unique.
    pub fn issue(&self, ticket: TicketId, nonce: u64) -> String {
        let left = format!("t{}.{:x}", ticket.0, nonce);
        format!("<{left}.{}@{}>", self.tag(&left), self.host)
    }

    /// A Message-ID with a random nonce.
    pub fn issue_random(&self, ticket: TicketId) -> String {
        self.issue(ticket, rand::random())
    }

    /// The ticket of a Message-ID we issued, or `None` for any other id.
    pub fn ticket_of(&self, message_id: &str) -> Option<TicketId> {
        let id = message_id.trim().trim_start_matches('<').trim_end_matches('>');
        let (left, host) = id.rsplit_once('@')?;
        if !host.eq_ignore_ascii_case(&self.host) {
            return None;
        }
        let (body, tag) = left.rsplit_once('.')?;
        if !constant_time_eq(tag.as_bytes(), self.tag(body).as_bytes()) {
            return None;
        }
        let (ticket, _nonce) = body.strip_prefix('t')?.split_once('.')?;
        ticket.parse().ok().filter(|t| *t > 0).map(TicketId)
    }

    /// The `ENVID` (RFC 3461) to send delivery `id` with: `d{id}.{tag}`. Delivery reports
    /// quote it back; the tag keeps anyone else's report from marking our deliveries.
    pub fn envelope_id(&self, delivery: i64) -> String {
        let left = format!("d{delivery}");
        format!("{left}.{}", self.tag(&left))
    }

    /// The delivery an `ENVID` we issued names, or `None` for any other.
    pub fn delivery_of(&self, envelope_id: &str) -> Option<i64> {
        let (left, tag) = envelope_id.trim().rsplit_once('.')?;
        if !constant_time_eq(tag.as_bytes(), self.tag(left).as_bytes()) {
            return None;
        }
        left.strip_prefix('d')?.parse().ok().filter(|d| *d > 0)
    }

    fn tag(&self, left: &str) -> String {
        hex::encode(&hmac_sha256(&self.key, left.as_bytes())[..TAG_BYTES])
    }
}

/// Finds the ticket an inbound message belongs to: first through its reply headers
/// (most recent reference first), then through a tracking number in the subject.
pub fn find_thread(email: &InboundEmail, issuer: &MessageIdIssuer) -> Option<ThreadMatch> {
    let ids = email.in_reply_to.iter().chain(email.references.iter().rev());
    for id in ids {
        if let Some(ticket) = issuer.ticket_of(id) {
            return Some(ThreadMatch::Reply { ticket, message_id: id.clone() });
        }
    }
    tracking_no_in(&email.subject).map(ThreadMatch::TrackingNo)
}

/// The first valid tracking number in `text` (check character verified).
pub(crate) fn tracking_no_in(text: &str) -> Option<TrackingNo> {
    let upper = text.to_ascii_uppercase();
    let mut from = 0;
    while let Some(pos) = upper[from..].find("FB-") {
        let start = from + pos;
        let candidate: String =
            upper[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').take(20).collect();
        if let Ok(t) = TrackingNo::parse(&candidate) {
            return Some(t);
        }
        from = start + 3;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn issuer() -> MessageIdIssuer {
        MessageIdIssuer::new("mail.loopdesk.test", b"k3y")
    }

    #[test]
    fn our_message_ids_give_back_their_ticket() {
        let id = issuer().issue(TicketId(4242), 0xdead_beef);
        assert!(id.starts_with("<t4242.deadbeef."), "{id}");
        assert!(id.ends_with("@mail.loopdesk.test>"), "{id}");
        assert_eq!(issuer().ticket_of(&id), Some(TicketId(4242)));
    }

    #[test]
    fn forged_or_foreign_ids_are_refused() {
        let id = issuer().issue(TicketId(7), 1);
        let forged = id.replacen("<t7.", "<t8.", 1);
        assert_eq!(issuer().ticket_of(&forged), None);
        let other_key = MessageIdIssuer::new("mail.loopdesk.test", b"other");
        assert_eq!(other_key.ticket_of(&id), None);
        assert_eq!(issuer().ticket_of("<CAF=abc@mail.gmail.com>"), None);
        assert_eq!(issuer().ticket_of("garbage"), None);
    }

    #[test]
    fn envelope_ids_give_back_their_delivery_and_refuse_forgeries() {
        let envid = issuer().envelope_id(31);
        assert!(envid.starts_with("d31."), "{envid}");
        assert_eq!(issuer().delivery_of(&envid), Some(31));
        assert_eq!(issuer().delivery_of(&envid.replacen("d31.", "d32.", 1)), None);
        assert_eq!(MessageIdIssuer::new("mail.loopdesk.test", b"other").delivery_of(&envid), None);
        assert_eq!(issuer().delivery_of("31"), None);
    }

    #[test]
    fn finds_a_tracking_number_among_other_text() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 3, 8, 0, 0).unwrap();
        let t = TrackingNo::new(TicketId(99), at);
        let subject = format!("回复: FB-9999-XXXX 不对，是 [{}] 的问题", t.as_str().to_lowercase());
        assert_eq!(tracking_no_in(&subject), Some(t));
        assert_eq!(tracking_no_in("Re: your order"), None);
    }
}
