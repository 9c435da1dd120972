//! What goes into the engine and what comes out: [`Input`], [`Analysis`], [`EngineConfig`].

use crate::classify::{Classification, ClassifyConfig};
use crate::cluster::ClusterConfig;
use crate::minhash::{MinHashConfig, Signature};
use crate::moderation::Moderation;
use crate::normalize::{Entity, DEFAULT_MAX_CHARS};
use crate::priority::PriorityDecision;
use crate::priority_model::ModelVote;
use crate::problem::{Fingerprint, ProblemSignature};
use crate::segment::Language;
use crate::signals::Signals;
use loopdesk_core::{CustomerTier, ImpactScope, Urgency};
use serde::{Deserialize, Serialize};

/// Tunables of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EngineConfig {
    /// Longest text analysed, in characters.
    pub max_chars: usize,
    /// Classification threshold and blend.
    pub classify: ClassifyConfig,
    /// Signature shape.
    pub minhash: MinHashConfig,
    /// Duplicate, cluster and scope thresholds.
    pub cluster: ClusterConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_chars: DEFAULT_MAX_CHARS,
            classify: ClassifyConfig::default(),
            minhash: MinHashConfig::default(),
            cluster: ClusterConfig::default(),
        }
    }
}

/// What is analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input<'a> {
    /// The customer's text, verbatim.
    pub text: &'a str,
    /// A subject line, if any.
    #[serde(default)]
    pub subject: Option<&'a str>,
    /// Customer tier.
    pub tier: CustomerTier,
    /// Urgency the customer stated, if any.
    #[serde(default)]
    pub stated_urgency: Option<Urgency>,
    /// Customers currently in this ticket's problem cluster (1 when it stands alone).
    pub cluster_size: u32,
}

impl<'a> Input<'a> {
    /// A standard customer's text, alone in its cluster.
    pub fn new(text: &'a str) -> Input<'a> {
        Input { text, subject: None, tier: CustomerTier::Standard, stated_urgency: None, cluster_size: 1 }
    }
}

/// Everything triage found out about a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Detected language.
    pub language: Language,
    /// Words after segmentation (entity tokens included).
    pub tokens: usize,
    /// Words joined by spaces, for full-text indexing.
    pub index_text: String,
    /// Whether only the first `max_chars` characters were analysed.
    pub truncated: bool,
    /// URLs, e-mails, phone and order numbers found.
    pub entities: Vec<Entity>,
    /// Accept, flag or reject, with reasons.
    pub moderation: Moderation,
    /// Category, sub-tags, confidence, needs-manual-triage.
    pub classification: Classification,
    /// Priority signals with their words.
    pub signals: Signals,
    /// Stated or detected urgency, whichever is more pressing.
    pub urgency: Urgency,
    /// MinHash signature of the content words.
    pub signature: Signature,
    /// Weighted concepts: what the report is about, in any language.
    #[serde(default)]
    pub problem: ProblemSignature,
    /// Keys to store and look up: concept pairs, or MinHash bands when the text has no
    /// telling concept (empty when the text has no content words).
    pub band_keys: Vec<i64>,
    /// Impact scope for the given cluster size.
    pub impact_scope: ImpactScope,
    /// What the learned priority model said (kept so a re-prioritisation reads it again).
    #[serde(default)]
    pub priority_vote: Option<ModelVote>,
    /// Priority and the reasons that fired.
    pub priority: PriorityDecision,
}

impl Analysis {
    /// What is stored for clustering.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint { minhash: self.signature.clone(), problem: self.problem.clone() }
    }
}
