//! One feedback as it arrives: the customer's words composed from fragments, the product it
//! is about, and what triage makes of it (category, sub-tag, priority with reasons).

use super::catalog::{Category, Target, CATEGORIES};
use super::priority::{self, Cue, CueKind};
use super::products::{Product, APP, DEVICES};
use super::text::{self, pick, pick_ref, render, Lang, Slots};
use loopdesk_core::{Attachment, ImpactScope, ProductInfo, Ticket, Timestamp};
use rand::rngs::StdRng;
use rand::Rng;
use std::fmt::Write;

/// The values a ticket's texts are filled with, kept for the replies that follow.
pub struct Fill {
    pub product: String,
    pub order: String,
    pub version: String,
    pub n: u32,
    pub money: u32,
    pub symptom: &'static str,
}

impl Fill {
    /// Draws the values for a ticket about `product`, received at `received`.
    pub fn draw(rng: &mut StdRng, product: &Product, lang: Lang, received: Timestamp) -> Fill {
        let name = match lang {
            Lang::En => product.en,
            Lang::Hant => product.hant,
            Lang::Zh | Lang::Mixed => product.zh,
        };
        let mut label = String::with_capacity(name.len() + 8);
        label.push_str(name);
        if !product.model.is_empty() {
            label.push(' ');
            label.push_str(product.model);
        }
        let day = (received - chrono::Duration::days(rng.gen_range(0..20))).date_naive();
        let mut order = String::with_capacity(16);
        let _ = write!(order, "YJ{}{:06}", day.format("%y%m%d"), rng.gen_range(0..1_000_000));
        let &(symptom_zh, symptom_en) = pick_ref(rng, product.symptoms);
        Fill {
            symptom: if lang.is_en() { symptom_en } else { symptom_zh },
            product: label,
            order,
            version: format!("3.{}.{}", rng.gen_range(2..9), rng.gen_range(0..12)),
            n: rng.gen_range(2..9),
            money: rng.gen_range(2..200) * 10,
        }
    }

    /// The slots view of these values.
    pub fn slots<'a>(&'a self, when: &'a str) -> Slots<'a> {
        Slots {
            product: &self.product,
            order: &self.order,
            when,
            n: self.n,
            money: self.money,
            version: &self.version,
            symptom: self.symptom,
        }
    }
}

/// What the content is about: category, sub-tag, product, language.
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    pub lang: Lang,
    pub category: usize,
    pub subtag: usize,
    /// Index into `DEVICES`, or `None` for the app.
    pub device: Option<usize>,
}

impl Topic {
    /// The category.
    pub fn category(&self) -> &'static Category {
        &CATEGORIES[self.category]
    }

    /// The product.
    pub fn product(&self) -> &'static Product {
        self.device.map_or(&APP, |d| &DEVICES[d])
    }

    /// A product fitting `target`, best sellers more often.
    pub fn draw_device(rng: &mut StdRng, target: Target) -> Option<usize> {
        let n = DEVICES.len();
        (target == Target::Device).then(|| rng.gen_range(0..n).min(rng.gen_range(0..n)))
    }
}

/// Composes the customer's message: greeting, the core issue, cue phrases, then what was
/// tried, that it is not the first time, and a demand or thanks — each only where it fits.
pub fn compose(rng: &mut StdRng, topic: &Topic, cues: &[(CueKind, &'static Cue)], core: &str, slots: &Slots) -> String {
    let mut out = String::with_capacity(160);
    let en = topic.lang.is_en();
    if topic.lang != Lang::Hant {
        out.push_str(pick(rng, if en { text::EN_OPENERS } else { text::ZH_OPENERS }));
    }
    render(core, slots, &mut out);
    if en && !core.ends_with('?') {
        out.push('.');
    }
    let calm = cues.iter().any(|(kind, _)| *kind == CueKind::Mild);
    let extras = if topic.lang == Lang::Zh || en { extras(rng, topic, calm) } else { [None; 3] };
    let cue_texts = cues.iter().map(|(_, cue)| cue.text);
    for fragment in cue_texts.chain(extras.into_iter().flatten()) {
        out.push(if en { ' ' } else { '，' });
        render(fragment, slots, &mut out);
    }
    if !en && !out.ends_with(['？', '！', '?']) && rng.gen_bool(0.8) {
        let asks = topic.category().id == "inquiry" && !out.contains('？');
        out.push(if asks { '？' } else { '。' });
    }
    out
}

/// What was tried (devices and apps), that it is not the first time (problems), and a
/// demand (problems, unless the customer is `calm`) or thanks, each with its own chance.
fn extras(rng: &mut StdRng, topic: &Topic, calm: bool) -> [Option<&'static str>; 3] {
    let category = topic.category();
    let en = topic.lang.is_en();
    let table = |zh: &'static [&'static str], english: &'static [&'static str]| {
        if en {
            english
        } else {
            zh
        }
    };
    let tried = matches!(category.id, "technical" | "product_quality") && rng.gen_bool(0.25);
    let again = category.is_problem() && rng.gen_bool(0.12);
    let closing = if category.is_problem() && !calm {
        rng.gen_bool(0.45).then_some(table(text::ZH_DEMANDS, text::EN_DEMANDS))
    } else {
        rng.gen_bool(0.4).then_some(table(text::ZH_THANKS, text::EN_THANKS))
    };
    [
        tried.then(|| pick(rng, table(text::ZH_TRIED, text::EN_TRIED))),
        again.then(|| pick(rng, table(text::ZH_AGAIN, text::EN_AGAIN))),
        closing.map(|t| pick(rng, t)),
    ]
}

/// The core sentence template of a topic in its language.
pub fn core_template(rng: &mut StdRng, topic: &Topic) -> &'static str {
    let subtag = &topic.category().subtags[topic.subtag];
    let table = match topic.lang {
        Lang::En => subtag.en,
        _ => subtag.zh,
    };
    pick(rng, table)
}

/// Fills the product info the customer gave.
pub fn product_info(rng: &mut StdRng, topic: &Topic, fill: &Fill, core: &str, received: Timestamp) -> ProductInfo {
    let product = topic.product();
    let mut info = ProductInfo::default();
    if product.serial.is_empty() {
        info.service = Some(product.zh.to_string());
    } else {
        info.product = Some(product.zh.to_string());
        info.model = Some(product.model.to_string());
        if rng.gen_ratio(1, 4) {
            info.serial_no = Some(format!("{}{:010}", product.serial, rng.gen_range(0..10_000_000_000u64)));
        }
    }
    if core.contains("{o}") || rng.gen_ratio(1, 4) {
        info.order_no = Some(fill.order.clone());
    }
    if rng.gen_ratio(1, 5) {
        info.occurred_at = Some(received - chrono::Duration::hours(rng.gen_range(1..96)));
    }
    info
}

/// Sets what triage decides: category, sub-tag, priority and its reasons, urgency, scope.
pub fn triage(ticket: &mut Ticket, rng: &mut StdRng, topic: &Topic, cues: &[(CueKind, &'static Cue)]) {
    let category = topic.category();
    let scope = match (category.id, rng.gen_range(0..100)) {
        ("technical", 0) => ImpactScope::All,
        ("technical", 1..=7) | ("product_quality", 0..=2) => ImpactScope::Some,
        _ => ImpactScope::Single,
    };
    let decided = priority::decide(category, cues, ticket.customer.tier, scope);
    ticket.category = Some(category.id.to_string());
    ticket.subtags = vec![category.subtags[topic.subtag].id.to_string()];
    ticket.priority = decided.priority;
    ticket.priority_reasons = decided.reasons;
    ticket.urgency = decided.urgency;
    ticket.impact_scope = scope;
}

/// A photo now and then, as channels that accept files send them.
pub fn attachment(rng: &mut StdRng, id: i64, received: Timestamp) -> Attachment {
    let name = format!("IMG_{}_{:04}.jpg", received.format("%Y%m%d"), rng.gen_range(0..10_000));
    Attachment {
        location: format!("demo/{id}/{name}"),
        name,
        content_type: "image/jpeg".to_string(),
        size: rng.gen_range(80_000..4_000_000),
        description: None,
    }
}

/// The subject line of an e-mail.
pub fn subject(rng: &mut StdRng, lang: Lang, slots: &Slots) -> String {
    const SUBJECTS: &[(&str, &str)] = &[
        ("关于{p}的问题", "Problem with my {p}"),
        ("【反馈】{p}", "Feedback: {p}"),
        ("订单 {o}", "Order {o}"),
        ("请尽快处理：{p}", "Please help: {p}"),
    ];
    let (zh, en) = pick(rng, SUBJECTS);
    text::rendered(if lang.is_en() { en } else { zh }, slots)
}
