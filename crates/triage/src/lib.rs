//! Loopdesk triage: what a feedback is about, whether it is real, whether it repeats a
//! known problem, and how urgent it is, with the reasons. Pure: no IO, no async.
//!
//! Start at [`Engine::analyze`]:
//!
//! ```
//! use loopdesk_triage::{Engine, Input, SignalKind, Verdict};
//! use loopdesk_core::{CustomerTier, Priority};
//!
//! let engine = Engine::new().expect("embedded defaults load");
//! let a = engine.analyze(&Input {
//!     tier: CustomerTier::Vip,
//!     ..Input::new("熱水器漏電，洗澡時被電了一下")
//! });
//! assert_eq!(a.moderation.verdict, Verdict::Accept);
//! assert_eq!(a.classification.category, "product_quality");
//! assert!(a.signals.has(SignalKind::Safety));
//! assert_eq!(a.priority.priority, Priority::Urgent);
//! assert!(a.priority.reasons.iter().any(|r| r.ends_with("urgent: safety word 漏电 被电 电了一下")));
//! assert!(!a.band_keys.is_empty()); // store these to find the problem's cluster
//! ```
//!
//! Everything an admin may edit is data: [`Taxonomy`], [`signals::SignalLists`],
//! [`moderation::ModerationLists`], [`PriorityRules`] (defaults embedded from `data/`), and
//! models ([`TextModel`], serde JSON) trained with [`Engine::train_category_model`].

pub mod analysis;
mod bank;
pub mod classify;
pub mod cluster;
pub mod concepts;
pub mod engine;
pub mod error;
pub mod eval;
mod feature_cache;
pub mod hash;
pub mod lexicon;
pub mod minhash;
pub mod model;
pub mod moderation;
mod negation;
pub mod normalize;
mod note_header;
pub mod priority;
pub mod priority_model;
pub mod problem;
pub mod segment;
pub mod signals;
pub mod taxonomy;
pub mod training;
pub mod tune;
pub mod vector;

pub use analysis::{Analysis, EngineConfig, Input};
pub use classify::{Classification, ClassifyConfig};
pub use cluster::{BandIndex, ClusterConfig, Neighbour, Relation};
pub use concepts::Concepts;
pub use engine::Engine;
pub use error::TriageError;
pub use minhash::{similarity, MinHashConfig, Signature};
pub use model::{TextModel, TrainConfig};
pub use moderation::{Moderation, Verdict};
pub use priority::{PriorityDecision, PriorityRules};
pub use priority_model::{ModelVote, PriorityModel};
pub use problem::{Fingerprint, ProblemSignature};
pub use segment::{Language, Segmenter};
pub use signals::{Intent, SignalKind, Signals};
pub use taxonomy::Taxonomy;
pub use training::TrainingSet;
