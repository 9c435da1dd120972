//! How the demo company's feedback is sorted: departments, and the default categories of the
//! design with their sub-tags, who handles them and how common they are.

use loopdesk_core::Priority;

/// The demo departments, in creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dept {
    Tech,
    AfterSales,
    RnD,
    Service,
    Logistics,
    Marketing,
}

impl Dept {
    /// Every department.
    pub const ALL: [Dept; 6] =
        [Dept::Tech, Dept::AfterSales, Dept::RnD, Dept::Service, Dept::Logistics, Dept::Marketing];

    /// Position in [`Dept::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The department's name as stored.
    pub fn name(self) -> &'static str {
        match self {
            Dept::Tech => "技术支持部",
            Dept::AfterSales => "售后服务部",
            Dept::RnD => "产品研发部",
            Dept::Service => "客服中心",
            Dept::Logistics => "物流部",
            Dept::Marketing => "市场部",
        }
    }
}

/// What a template talks about, so it gets a product it makes sense for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The 优家 App (or the app side of a smart device).
    App,
    /// A physical product.
    Device,
}

/// A sub-tag with the core sentences customers write for it.
pub struct Subtag {
    pub id: &'static str,
    pub target: Target,
    pub zh: &'static [&'static str],
    pub en: &'static [&'static str],
}

/// Declares a sub-tag (for the template tables).
pub const fn tag(id: &'static str, target: Target, zh: &'static [&'static str], en: &'static [&'static str]) -> Subtag {
    Subtag { id, target, zh, en }
}

/// A top-level category: who handles it, its base priority, how common it is.
pub struct Category {
    pub id: &'static str,
    pub dept: Dept,
    pub base: Priority,
    /// Relative frequency among real (non-spam) feedback.
    pub weight: u32,
    pub subtags: &'static [Subtag],
}

impl Category {
    /// Whether the content is about something broken or mis-delivered (flags may escalate it).
    pub fn is_problem(&self) -> bool {
        matches!(self.id, "technical" | "product_quality" | "payment" | "service_complaint" | "logistics")
    }
}

/// The category a rejected (spam) ticket is filed under.
pub const SPAM_CATEGORY: usize = 9;

/// The default categories of the design, in its order.
pub static CATEGORIES: &[Category] = &[
    cat("technical", Dept::Tech, Priority::Medium, 22, super::problems::TECHNICAL),
    cat("feature_request", Dept::RnD, Priority::Low, 8, super::requests::FEATURE),
    cat("ux", Dept::RnD, Priority::Low, 6, super::requests::UX),
    cat("payment", Dept::Service, Priority::Medium, 9, super::problems::PAYMENT),
    cat("product_quality", Dept::AfterSales, Priority::Medium, 18, super::problems::QUALITY),
    cat("service_complaint", Dept::Service, Priority::Medium, 8, super::problems::SERVICE),
    cat("logistics", Dept::Logistics, Priority::Medium, 11, super::problems::LOGISTICS),
    cat("inquiry", Dept::Service, Priority::Low, 12, super::requests::INQUIRY),
    cat("suggestion", Dept::Marketing, Priority::Low, 4, super::requests::SUGGESTION),
    cat("other", Dept::Service, Priority::Low, 2, super::requests::OTHER),
];

const fn cat(id: &'static str, dept: Dept, base: Priority, weight: u32, subtags: &'static [Subtag]) -> Category {
    Category { id, dept, base, weight, subtags }
}
