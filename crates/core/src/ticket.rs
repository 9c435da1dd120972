//! The ticket (工单) with every key field the seeds require.

use crate::{
    Channel, CustomerTier, DepartmentId, DomainError, Email, ImpactScope, Phone, Priority, State, TicketId, Timestamp,
    TrackingNo, Urgency, UserId,
};
use serde::{Deserialize, Serialize};

/// Who gave the feedback (seed 003 二(二)2). Anonymous customers are recorded as such.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub name: Option<String>,
    pub anonymous: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Phone>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Email>,
    pub address: Option<String>,
    pub member_id: Option<String>,
    pub tier: CustomerTier,
}

// `named_enum!` generates the enum, so it cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for CustomerTier {
    fn default() -> Self {
        CustomerTier::Standard
    }
}

/// What the feedback is about: product/service and order (seed 003).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductInfo {
    pub product: Option<String>,
    pub model: Option<String>,
    pub serial_no: Option<String>,
    pub service: Option<String>,
    pub order_no: Option<String>,
    /// When the problem happened, as the customer says.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub occurred_at: Option<Timestamp>,
}

/// Metadata of a file that came with the feedback; the bytes live in attachment storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Where the bytes are kept (storage key or URL given by the channel).
    pub location: String,
    pub description: Option<String>,
}

/// A stored file a staff reply carries to the customer: the attachment's id in attachment
/// storage (`/api/v1/attachments/{id}`) and what the customer sees of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileRef {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}

crate::named_enum!(
    /// How a ticket ended (seed 003 §五).
    OutcomeKind {
        /// 成功解决
        Solved = "solved",
        /// 部分解决
        PartiallySolved = "partially_solved",
        /// 无法解决
        Unable = "unable",
    }
);

/// The result told to the customer. Which fields are required depends on the kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// What was done (solved), what was solved (partially), or the finding (unable).
    pub summary: String,
    /// Partially solved: what could not be solved.
    pub unresolved: Option<String>,
    /// Partially solved / unable: why not.
    pub reason: Option<String>,
    /// Partially solved: alternative or compensation; unable: where else to turn.
    pub alternative: Option<String>,
}

impl Outcome {
    /// Checks the fields seed 003 §五 requires for this kind of outcome.
    pub fn validate(&self) -> Result<(), DomainError> {
        let need = |field: &'static str, v: &Option<String>| match v.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Ok(()),
            _ => Err(DomainError::invalid(field, format!("is required when the outcome is {}", self.kind))),
        };
        if self.summary.trim().is_empty() {
            return Err(DomainError::invalid("outcome.summary", "describe what was done"));
        }
        match self.kind {
            OutcomeKind::Solved => Ok(()),
            OutcomeKind::PartiallySolved => {
                need("outcome.unresolved", &self.unresolved)?;
                need("outcome.reason", &self.reason)?;
                need("outcome.alternative", &self.alternative)
            }
            OutcomeKind::Unable => {
                need("outcome.reason", &self.reason)?;
                need("outcome.alternative", &self.alternative)
            }
        }
    }
}

crate::named_enum!(
    /// The customer's answer to the follow-up survey (满意/一般/不满意).
    Rating {
        Satisfied = "satisfied",
        Neutral = "neutral",
        Unsatisfied = "unsatisfied",
    }
);

/// A survey answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    pub rating: Rating,
    /// Optional 1–5 score.
    pub score: Option<u8>,
    pub comment: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub answered_at: Timestamp,
}

/// What triage found at intake, kept so a person sees why the ticket was classified and
/// prioritised as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageSummary {
    /// `zh`, `en`, `mixed` or `unknown`.
    pub language: String,
    /// Confidence of the category, 0–1.
    pub confidence: f32,
    /// Below the threshold: a person should choose the category (人工辅助分派).
    pub needs_manual_triage: bool,
    /// Signals that fired, as `kind: words`.
    pub signals: Vec<String>,
    /// `accept`, `flag` or `reject`.
    pub moderation: String,
    /// Why moderation flagged or rejected.
    pub moderation_reasons: Vec<String>,
    /// Version of the priority rules that decided.
    pub rules_version: u32,
    /// The problem cluster joined; absent when the ticket started its own (its id).
    #[serde(default)]
    pub cluster_id: Option<i64>,
    /// Customers in the cluster when this ticket arrived, itself included.
    #[serde(default)]
    pub cluster_size: u32,
}

/// One customer's submission and everything done about it. The current row is always what
/// replaying its timeline gives ([`crate::event::replay`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ticket {
    pub id: TicketId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tracking_no: TrackingNo,
    pub state: State,
    pub channel: Channel,
    pub customer: Customer,
    pub subject: Option<String>,
    /// The customer's own words, verbatim.
    pub content: String,
    pub attachments: Vec<Attachment>,
    pub product: ProductInfo,
    /// When the customer gave the feedback.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
    /// When it entered the system.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    pub category: Option<String>,
    pub subtags: Vec<String>,
    pub urgency: Urgency,
    pub impact_scope: ImpactScope,
    pub priority: Priority,
    /// The rules that set the priority, in words a person reads.
    pub priority_reasons: Vec<String>,
    pub department_id: Option<DepartmentId>,
    pub assignee_id: Option<UserId>,
    pub collaborators: Vec<UserId>,
    pub outcome: Option<Outcome>,
    pub satisfaction: Option<Satisfaction>,
    pub reject_reason: Option<String>,
    pub merged_into: Option<TicketId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub first_response_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub resolved_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Number of events applied; the next event's sequence number.
    pub version: i64,
    /// Triage's findings at intake (absent for tickets recorded before triage ran).
    #[serde(default)]
    pub triage: Option<TriageSummary>,
    /// Escalated at least once (an SLA breach, an unsatisfied customer, by hand).
    #[serde(default)]
    pub escalated: bool,
    /// Reopened at least once (the customer was unsatisfied or came back); reports count
    /// the reopen rate from it.
    #[serde(default)]
    pub reopened: bool,
}

impl Ticket {
    /// A ticket not yet recorded: id 0 (the store assigns id and tracking number), state new,
    /// medium priority until triage decides.
    pub fn draft(
        channel: Channel,
        content: String,
        customer: Customer,
        received_at: Timestamp,
        recorded_at: Timestamp,
    ) -> Ticket {
        Ticket {
            id: TicketId(0),
            tracking_no: TrackingNo::new(TicketId(0), received_at),
            state: State::New,
            channel,
            customer,
            subject: None,
            content,
            attachments: Vec::new(),
            product: ProductInfo::default(),
            received_at,
            recorded_at,
            category: None,
            subtags: Vec::new(),
            urgency: Urgency::Medium,
            impact_scope: ImpactScope::Single,
            priority: Priority::Medium,
            priority_reasons: Vec::new(),
            department_id: None,
            assignee_id: None,
            collaborators: Vec::new(),
            outcome: None,
            satisfaction: None,
            reject_reason: None,
            merged_into: None,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            updated_at: recorded_at,
            version: 0,
            triage: None,
            escalated: false,
            reopened: false,
        }
    }

    /// Whether `phone` or `email` (as typed by a customer) matches a contact on the ticket.
    pub fn contact_matches(&self, phone: Option<&str>, email: Option<&str>) -> bool {
        let phone_ok = match (phone.map(Phone::parse), &self.customer.phone) {
            (Some(Ok(given)), Some(ours)) => &given == ours,
            _ => false,
        };
        let email_ok = match (email.map(Email::parse), &self.customer.email) {
            (Some(Ok(given)), Some(ours)) => given.as_str().eq_ignore_ascii_case(ours.as_str()),
            _ => false,
        };
        phone_ok || email_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_fields_required_by_kind() {
        let mut o = Outcome {
            kind: OutcomeKind::PartiallySolved,
            summary: "已为您更换电池".into(),
            unresolved: None,
            reason: Some("主板缺货".into()),
            alternative: Some("赠送积分".into()),
        };
        let err = o.validate().unwrap_err();
        assert_eq!(err, DomainError::invalid("outcome.unresolved", "is required when the outcome is partially_solved"));
        o.unresolved = Some("主板无法维修".into());
        assert!(o.validate().is_ok());
        o.kind = OutcomeKind::Solved;
        o.summary = "  ".into();
        assert!(o.validate().is_err());
    }
}
