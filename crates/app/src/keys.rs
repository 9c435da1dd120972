//! Every dedup and lookup key Loopdesk writes, built in one place. A job's key makes a
//! reschedule one upsert and a retried job a no-op; a delivery's key makes a notification
//! go out once; a channel key leads from a message (or a thread) to its ticket. Two places
//! that must agree on a key call the same constructor here.

use loopdesk_core::{Ticket, TicketId, UserId};
use sha2::{Digest, Sha256};
use std::fmt;

/// A key, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(String);

impl Key {
    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key derived from this one (the per-recipient deliveries of one notice).
    fn child(&self, part: &str, name: &str) -> Key {
        Key(format!("{}:{part}:{name}", self.0))
    }

    // Job keys: at most one pending job per key.

    /// A ticket's SLA timer.
    pub fn sla_timer(ticket: TicketId) -> Key {
        Key(format!("sla:{}", ticket.0))
    }

    /// The sweep that reschedules every open ticket after a policy or calendar edit.
    pub fn sla_recompute() -> Key {
        Key("sla.recompute".into())
    }

    /// Routing a new ticket.
    pub fn route(ticket: TicketId) -> Key {
        Key(format!("route:{ticket}"))
    }

    /// Re-prioritising a problem cluster's open members once it reached `size` customers.
    pub fn cluster_raise(cluster_id: i64, size: u32) -> Key {
        Key(format!("cluster.raise:{cluster_id}:{size}"))
    }

    /// A ticket's acknowledgement timer.
    pub fn ack_timer(ticket: TicketId) -> Key {
        Key(format!("ack:{ticket}"))
    }

    /// Sending (`survey.send`) or expiring (`survey.expire`) the survey of one resolution.
    pub fn survey(kind: &str, ticket: TicketId, round: i64) -> Key {
        Key(format!("{kind}:{ticket}:{round}"))
    }

    /// The spike sweep (one for the whole cluster).
    pub fn spike_sweep() -> Key {
        Key("spikes.sweep".into())
    }

    /// The alert of one spike: a value of a dimension in the window ending at `end` (a
    /// rollup hour).
    pub fn spike(dimension: &str, value: &str, end: i64) -> Key {
        Key(format!("spike:{dimension}:{end}:{value}"))
    }

    /// The overdue timer of an improvement action (issue 17).
    pub fn action_overdue(action: loopdesk_core::ActionId) -> Key {
        Key(format!("action.overdue:{action}"))
    }

    /// The staff alert of an action overdue since `due` (unix ms): once per due minute.
    pub fn action_overdue_alert(action: loopdesk_core::ActionId, due: i64) -> Key {
        Key(format!("action.overdue:{action}:{due}"))
    }

    /// The due timer of a problem.
    pub fn problem_overdue(problem: loopdesk_core::ProblemId) -> Key {
        Key(format!("problem.overdue:{problem}"))
    }

    /// The staff alert of a problem overdue since `due` (unix ms): once per due minute.
    pub fn problem_overdue_alert(problem: loopdesk_core::ProblemId, due: i64) -> Key {
        Key(format!("problem.overdue:{problem}:{due}"))
    }

    /// Resolving a fixed problem's open tickets together (one chunk pending at a time).
    pub fn problem_resolve(problem: loopdesk_core::ProblemId) -> Key {
        Key(format!("problem.resolve:{problem}"))
    }

    /// The watch of a verified problem for recurrence.
    pub fn problem_recurrence(problem: loopdesk_core::ProblemId) -> Key {
        Key(format!("problem.recurrence:{problem}"))
    }

    /// The staff alert that a problem verified at `verified` (unix ms) recurred: once per
    /// verification.
    pub fn problem_recurrence_alert(problem: loopdesk_core::ProblemId, verified: i64) -> Key {
        Key(format!("problem.recurred:{problem}:{verified}"))
    }

    /// The daily look at the calendars' official schedules (one for the whole cluster).
    pub fn calendar_watch() -> Key {
        Key("calendar.watch".into())
    }

    /// The alert that calendar `name`'s official schedule ends on `until` (sent once).
    pub fn calendar_schedule_alert(name: &str, until: chrono::NaiveDate) -> Key {
        Key(format!("calendar.schedule:{name}:{until}"))
    }

    /// The daily retention run (one for the whole cluster).
    pub fn retention_sweep() -> Key {
        Key("retention.sweep".into())
    }

    /// The purge of finished jobs (one for the whole cluster).
    pub fn jobs_purge() -> Key {
        Key("jobs.purge".into())
    }

    /// Downloading one WeChat picture.
    pub fn wechat_media(msg_id: &str) -> Key {
        Key(format!("wechat.media:{msg_id}"))
    }

    // Notification keys: the job that composes a notice and the deliveries it queues.

    /// A customer notice or staff alert of `kind` owed by event `seq` of a ticket.
    pub fn notice(ticket: TicketId, kind: &str, seq: i64) -> Key {
        Key(format!("notify:{ticket}:{kind}:{seq}"))
    }

    /// The acknowledgement of a new ticket (one per ticket).
    pub fn acknowledgement(ticket: TicketId) -> Key {
        Key::notice(ticket, "acknowledgement", 1)
    }

    /// The customer notice of a reply, an information request or an extension (event `seq`).
    pub fn event_notice(ticket: TicketId, seq: i64) -> Key {
        Key(format!("notify:{ticket}:event:{seq}"))
    }

    /// An SLA warning or breach alert of one target and due time.
    pub fn sla_alert(ticket: TicketId, alert: &str, target: &str, due_ms: i64) -> Key {
        Key(format!("notify:{}:{alert}:{target}:{due_ms}", ticket.0))
    }

    /// The sending of the scheduled summary `schedule` for the period starting `from`.
    pub fn summary(schedule: &str, from: loopdesk_core::Timestamp) -> Key {
        Key(format!("summary:{schedule}:{}", from.timestamp_millis()))
    }

    /// A notice's delivery to the robot `name`.
    pub fn robot_delivery(&self, name: &str) -> Key {
        self.child("robot", name)
    }

    /// A notice's delivery by e-mail to `address`.
    pub fn email_delivery(&self, address: &str) -> Key {
        self.child("email", address)
    }

    /// The notice of a job that has no key of its own.
    pub fn job(id: i64) -> Key {
        Key(format!("job:{id}"))
    }

    // Channel keys: from a message or a thread to its ticket.

    /// An e-mail by its Message-ID, or by a digest of its bytes when it has none.
    pub fn email(message_id: Option<&str>, raw: &[u8]) -> Key {
        match message_id {
            Some(id) => Key(format!("email:{id}")),
            None => Key(format!("email:sha256:{}", hex::encode(Sha256::digest(raw)))),
        }
    }

    /// The customer's latest e-mail on a ticket, which our next message answers.
    pub fn email_last(ticket: TicketId) -> Key {
        Key(format!("email-last:{ticket}"))
    }

    /// A WeChat follower's open conversation.
    pub fn wechat_thread(openid: &str) -> Key {
        Key(format!("wechat-open:{openid}"))
    }

    /// A WeChat picture already stored.
    pub fn wechat_media_done(msg_id: &str) -> Key {
        Key(format!("wechat-media:{msg_id}"))
    }

    /// A webhook delivery by the source's own dedup key.
    pub fn webhook(dedupe: &str) -> Key {
        Key(format!("webhook:{dedupe}"))
    }

    /// A client's Idempotency-Key, scoped to who sent it.
    pub fn idempotency(user: Option<UserId>, key: &str) -> Key {
        match user {
            Some(u) => Key(format!("user:{u}:{key}")),
            None => Key(format!("public:{key}")),
        }
    }

    /// Who the customer is for duplicate detection; anonymous customers have none.
    pub fn customer(t: &Ticket) -> Option<Key> {
        t.customer
            .phone
            .as_ref()
            .map(|p| Key(format!("phone:{}", p.as_str())))
            .or_else(|| t.customer.email.as_ref().map(|e| Key(format!("email:{}", e.as_str().to_lowercase()))))
    }

    /// A key as channels give it (WeChat's message dedup key is built by the codec).
    pub fn raw(key: impl Into<String>) -> Key {
        Key(key.into())
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Key> for String {
    fn from(k: Key) -> String {
        k.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_stored_form() {
        // Pending jobs and stored keys from earlier versions must still be found.
        let t = TicketId(42);
        assert_eq!(Key::sla_timer(t).as_str(), "sla:42");
        assert_eq!(Key::ack_timer(t).as_str(), "ack:42");
        assert_eq!(Key::route(t).as_str(), "route:42");
        assert_eq!(Key::acknowledgement(t).as_str(), "notify:42:acknowledgement:1");
        assert_eq!(Key::event_notice(t, 3).as_str(), "notify:42:event:3");
        assert_eq!(Key::email_last(t).as_str(), "email-last:42");
        assert_eq!(Key::survey("survey.send", t, 7).as_str(), "survey.send:42:7");
        assert_eq!(Key::notice(t, "assigned", 2).robot_delivery("ops").as_str(), "notify:42:assigned:2:robot:ops");
        assert_eq!(Key::idempotency(None, "k1").as_str(), "public:k1");
        assert_eq!(Key::idempotency(Some(UserId(5)), "k1").as_str(), "user:5:k1");
    }
}
