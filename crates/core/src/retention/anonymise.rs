//! Anonymising a ticket and its timeline in place. The contact fields go; the customer's
//! own words stay readable for analysis with every personal detail in them masked (the
//! values the ticket knows — name, phone, e-mail, member id, address — and anything that
//! looks like one); file names go with the files. What reports count stays as it was.

use super::mask::{mask_personal_data, Placeholder};
use crate::event::{Event, EventData};
use crate::ticket::{Customer, Outcome, Satisfaction, Ticket};

/// Stands for a removed file's name.
const REMOVED_FILE: &str = "[已删除]";

/// The personal values a ticket holds, found before its fields are cleared, so the same
/// values are masked wherever they were written in its texts.
#[derive(Debug, Clone, Default)]
pub struct Known {
    literals: Vec<(String, Placeholder)>,
}

impl Known {
    /// What `customer` holds.
    pub fn of(customer: &Customer) -> Known {
        let mut k = Known::default();
        k.add(customer);
        k
    }

    /// Adds what `customer` holds (a ticket's first record may name other values than its
    /// latest).
    pub fn add(&mut self, customer: &Customer) {
        let mut push = |value: &str, kind: Placeholder| {
            let value = value.trim();
            // One-character names (a surname alone) would mask that character everywhere.
            if value.chars().count() >= 2 && !self.literals.iter().any(|(v, _)| v == value) {
                self.literals.push((value.to_string(), kind));
            }
        };
        if let Some(name) = &customer.name {
            push(name, Placeholder::Name);
        }
        if let Some(phone) = &customer.phone {
            push(phone.as_str(), Placeholder::Phone);
            if let Some(national) = phone.as_str().strip_prefix("+86") {
                push(national, Placeholder::Phone);
            }
        }
        if let Some(email) = &customer.email {
            push(email.as_str(), Placeholder::Email);
        }
        if let Some(member) = &customer.member_id {
            push(member, Placeholder::Identity);
            // `wechat:<openid>`: the openid alone is the person too.
            if let Some((_, id)) = member.split_once(':') {
                push(id, Placeholder::Identity);
            }
        }
        if let Some(address) = &customer.address {
            push(address, Placeholder::Address);
        }
        // Longest first, so a value inside another is not masked half-way.
        self.literals.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    }

    /// `text` with the known values and anything personal-looking masked.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (value, kind) in &self.literals {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), kind.text());
            }
        }
        mask_personal_data(&out).into_owned()
    }

    fn scrub_in_place(&self, text: &mut String) {
        *text = self.scrub(text);
    }

    fn scrub_opt(&self, text: &mut Option<String>) {
        if let Some(t) = text {
            self.scrub_in_place(t);
        }
    }

    fn scrub_outcome(&self, o: &mut Outcome) {
        self.scrub_in_place(&mut o.summary);
        self.scrub_opt(&mut o.unresolved);
        self.scrub_opt(&mut o.reason);
        self.scrub_opt(&mut o.alternative);
    }

    fn scrub_satisfaction(&self, s: &mut Satisfaction) {
        self.scrub_opt(&mut s.comment);
    }
}

/// Clears the customer's personal data from a ticket. The tier stays (reports group by
/// it); serial and order numbers go (they lead to the person through other systems).
pub fn anonymise_ticket(t: &mut Ticket, known: &Known) {
    t.customer = Customer { anonymous: true, tier: t.customer.tier, ..Customer::default() };
    known.scrub_opt(&mut t.subject);
    known.scrub_in_place(&mut t.content);
    for a in &mut t.attachments {
        a.name = REMOVED_FILE.to_string();
        a.location = String::new();
        a.description = None;
    }
    t.product.serial_no = None;
    t.product.order_no = None;
    for reason in &mut t.priority_reasons {
        known.scrub_in_place(reason);
    }
    if let Some(o) = &mut t.outcome {
        known.scrub_outcome(o);
    }
    if let Some(s) = &mut t.satisfaction {
        known.scrub_satisfaction(s);
    }
    known.scrub_opt(&mut t.reject_reason);
    if let Some(triage) = &mut t.triage {
        for reason in &mut triage.moderation_reasons {
            known.scrub_in_place(reason);
        }
    }
}

/// Clears personal data from one event of the ticket `known` was taken from.
pub fn anonymise_event(e: &mut Event, known: &Known) {
    match &mut e.data {
        EventData::Created { ticket } => anonymise_ticket(ticket, known),
        EventData::Replied { body, files } => {
            known.scrub_in_place(body);
            for f in files {
                f.name = REMOVED_FILE.to_string();
            }
        }
        EventData::Noted { body } | EventData::InfoProvided { body } => known.scrub_in_place(body),
        EventData::InfoRequested { message } => known.scrub_in_place(message),
        EventData::ApprovalRequested { plan, .. } => known.scrub_in_place(plan),
        EventData::ApprovalDecided { comment, .. } => known.scrub_opt(comment),
        EventData::Resolved { outcome } => known.scrub_outcome(outcome),
        EventData::SurveyAnswered { satisfaction } => known.scrub_satisfaction(satisfaction),
        EventData::Reopened { reason }
        | EventData::Rejected { reason }
        | EventData::Extended { reason, .. }
        | EventData::Escalated { reason, .. } => known.scrub_in_place(reason),
        EventData::Restored { reason } | EventData::Assigned { reason, .. } => known.scrub_opt(reason),
        EventData::Reprioritized { reasons, .. } => {
            for r in reasons {
                known.scrub_in_place(r);
            }
        }
        EventData::Acknowledged
        | EventData::SurveySent { .. }
        | EventData::Closed { .. }
        | EventData::Merged { .. }
        | EventData::Recategorized { .. }
        | EventData::CollaboratorAdded { .. }
        | EventData::SlaAlerted { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Channel, Email, Phone, TicketId};
    use chrono::TimeZone;

    fn ticket() -> Ticket {
        let customer = Customer {
            name: Some("王小明".into()),
            phone: Some(Phone::parse("139 6666 7777").unwrap()),
            email: Some(Email::parse("xiaoming.wang@example.com").unwrap()),
            address: Some("上海市浦东新区".into()),
            member_id: Some("wechat:oAbCdEf123456".into()),
            ..Customer::default()
        };
        let at = chrono::Utc.with_ymd_and_hms(2023, 5, 1, 8, 0, 0).unwrap();
        let mut t = Ticket::draft(
            Channel::Web,
            "我是王小明，电话13966667777，上海市浦东新区的家里冰箱坏了，openid oAbCdEf123456".into(),
            customer,
            at,
            at,
        );
        t.id = TicketId(7);
        t.category = Some("质量".into());
        t.product.order_no = Some("SO-2023-0501".into());
        t
    }

    #[test]
    fn known_values_and_patterns_are_masked_statistics_stay() {
        let mut t = ticket();
        let known = Known::of(&t.customer);
        let before = t.clone();
        anonymise_ticket(&mut t, &known);
        assert_eq!(t.content, "我是[姓名]，电话[电话]，[地址]的家里冰箱坏了，openid [用户标识]");
        assert_eq!(t.customer.name, None);
        assert_eq!(t.customer.phone, None);
        assert_eq!(t.customer.email, None);
        assert_eq!(t.customer.member_id, None);
        assert!(t.customer.anonymous);
        assert_eq!(t.product.order_no, None);
        assert_eq!(
            (&t.category, t.channel, t.priority, t.received_at),
            (&before.category, before.channel, before.priority, before.received_at)
        );
        let json = serde_json::to_string(&t).unwrap();
        for secret in ["王小明", "13966667777", "xiaoming.wang", "oAbCdEf123456", "浦东"] {
            assert!(!json.contains(secret), "{secret} left in {json}");
        }
    }

    #[test]
    fn events_are_scrubbed_with_the_tickets_values() {
        let t = ticket();
        let known = Known::of(&t.customer);
        let at = t.received_at;
        let mut created = Event {
            ticket_id: t.id,
            seq: 0,
            at,
            actor: crate::Actor::Customer,
            state_before: None,
            state_after: crate::State::New,
            data: EventData::Created { ticket: Box::new(t.clone()) },
        };
        anonymise_event(&mut created, &known);
        let mut note = Event {
            seq: 1,
            data: EventData::Noted { body: "王小明 说改寄到 xiaoming.wang@example.com".into() },
            ..created.clone()
        };
        anonymise_event(&mut note, &known);
        let json = serde_json::to_string(&[created, note]).unwrap();
        for secret in ["王小明", "13966667777", "xiaoming.wang"] {
            assert!(!json.contains(secret), "{secret} left in {json}");
        }
        assert!(json.contains("[姓名] 说改寄到 [邮箱]"), "{json}");
    }
}
