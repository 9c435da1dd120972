//! Settings of routing, acknowledgement and the follow-up survey (`[workflow]` in the
//! configuration file, `LOOPDESK_WORKFLOW__*` in the environment).

use crate::config::Secret;
use serde::{Deserialize, Serialize};

/// The `[workflow]` section.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct WorkflowConfig {
    /// Minutes an assignee has to acknowledge before the ticket goes to the next agent
    /// (clock minutes; the SLA's acknowledge target is measured separately).
    pub ack_timeout_minutes: i64,
    /// Minutes after resolving before the survey goes out.
    pub survey_delay_minutes: i64,
    /// Hours a survey may be answered; unanswered, the ticket closes "without follow-up
    /// answer" (clock hours: 72 h ≈ 3 working days).
    pub survey_window_hours: i64,
    /// Key that signs survey links; generated once and kept in the database when empty.
    pub survey_secret: Secret,
    /// Public address of the customer portal (`https://support.example.com`), for survey
    /// and status links. Empty: `[channels] public_url`, else the listening address, with a
    /// warning at start (see [`crate::portal::links`]).
    pub public_url: String,
}

impl Default for WorkflowConfig {
    fn default() -> Self {
        WorkflowConfig {
            ack_timeout_minutes: 15,
            survey_delay_minutes: 0,
            survey_window_hours: 72,
            survey_secret: Secret::default(),
            public_url: String::new(),
        }
    }
}
