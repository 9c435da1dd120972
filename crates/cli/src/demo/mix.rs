//! The proportions of the demo data: languages, channels, categories, cues, and the state a
//! ticket has reached for its age. The first tickets cycle through every state, channel,
//! category and priority, so even a small run shows everything.

use super::catalog::{Target, CATEGORIES};
use super::draft::{self, Topic};
use super::priority::{Cue, CueKind};
use super::text::{self, pick, pick_ref, Lang};
use loopdesk_core::{Channel, State};
use rand::rngs::StdRng;
use rand::Rng;

/// What the cycle at the start of a run fixes for one ticket.
#[derive(Debug, Default, Clone)]
pub struct Forced {
    pub state: Option<State>,
    pub channel: Option<Channel>,
    /// Index into `CATEGORIES`; its cues are then chosen to reach every priority.
    pub category: Option<usize>,
    pub lang: Option<Lang>,
}

impl Forced {
    /// Tickets 0–9 take every state and channel, 10–19 every category (and so every
    /// priority); languages are mixed in among them.
    pub fn for_index(i: usize) -> Forced {
        let n = State::ALL.len();
        let mut f = Forced::default();
        if i < n {
            f.state = Some(State::ALL[i]);
            f.channel = Some(Channel::ALL[i % Channel::ALL.len()]);
        } else if i < n + CATEGORIES.len() {
            f.category = Some(i - n);
            f.state = Some(State::Closed);
        }
        if i < n + CATEGORIES.len() {
            f.lang = Some(match i {
                6 => Lang::Hant,
                7 => Lang::Mixed,
                _ if i % 4 == 1 => Lang::En,
                _ => Lang::Zh,
            });
        }
        f
    }
}

/// Mostly simplified Chinese, a quarter English, a few mixed and traditional.
fn lang(rng: &mut StdRng) -> Lang {
    match rng.gen_range(0..100) {
        0..=71 => Lang::Zh,
        72..=94 => Lang::En,
        95..=97 => Lang::Mixed,
        _ => Lang::Hant,
    }
}

/// Channel weights in `Channel::ALL` order (web, app, wechat, email, sms, phone, store,
/// walk_in, social, third_party, internal): Chinese customers use WeChat and the app, English ones
/// write e-mails.
pub fn channel(rng: &mut StdRng, lang: Lang) -> Channel {
    const ZH: [u32; 11] = [14, 22, 22, 5, 5, 14, 7, 2, 5, 5, 1];
    const EN: [u32; 11] = [30, 20, 2, 35, 1, 5, 2, 1, 3, 1, 1];
    let weights = if lang.is_en() { &EN } else { &ZH };
    Channel::ALL[weighted(rng, weights.len(), |i| weights[i])]
}

/// An index in `0..n`, drawn with the weights `weight(i)`.
fn weighted(rng: &mut StdRng, n: usize, weight: impl Fn(usize) -> u32) -> usize {
    let total: u32 = (0..n).map(&weight).sum();
    let mut r = rng.gen_range(0..total);
    for i in 0..n {
        let w = weight(i);
        if r < w {
            return i;
        }
        r -= w;
    }
    n - 1
}

/// What the feedback is about, and the core sentence template saying it.
pub fn topic(rng: &mut StdRng, forced: &Forced) -> (Topic, &'static str) {
    let lang = forced.lang.unwrap_or_else(|| lang(rng));
    if let (Lang::Hant | Lang::Mixed, None) = (lang, forced.category) {
        let table = if lang == Lang::Hant { text::HANT } else { text::MIXED };
        let (cat, tag, core) = pick(rng, table);
        let category = CATEGORIES.iter().position(|c| c.id == cat).unwrap_or(0);
        let subtags = CATEGORIES[category].subtags;
        let subtag = subtags.iter().position(|s| s.id == tag).unwrap_or(0);
        let device = Topic::draw_device(rng, subtags[subtag].target);
        return (Topic { lang, category, subtag, device }, core);
    }
    let category = forced.category.unwrap_or_else(|| weighted(rng, CATEGORIES.len(), |i| CATEGORIES[i].weight));
    let subtag = rng.gen_range(0..CATEGORIES[category].subtags.len());
    let target = CATEGORIES[category].subtags[subtag].target;
    let device = Topic::draw_device(rng, target);
    let lang = if lang == Lang::Hant || lang == Lang::Mixed { Lang::Zh } else { lang };
    let topic = Topic { lang, category, subtag, device };
    (topic, draft::core_template(rng, &topic))
}

/// The cues in the customer's words: rare safety hazards, some anger and threats, many
/// plain reports. Forced categories get exactly the cues that reach their priority.
pub fn cues(rng: &mut StdRng, topic: &Topic, forced: &Forced) -> Vec<(CueKind, &'static Cue)> {
    let mut kinds: Vec<CueKind> = Vec::new();
    let category = topic.category();
    let subtag = category.subtags[topic.subtag].id;
    if matches!(topic.lang, Lang::Hant | Lang::Mixed) {
        return Vec::new();
    }
    if forced.category.is_some() {
        match category.id {
            "product_quality" => kinds.push(CueKind::Safety),
            "technical" => kinds.push(CueKind::CoreFailure),
            _ => {}
        }
    } else {
        let device = category.subtags[topic.subtag].target == Target::Device;
        let chance = |rng: &mut StdRng, one_in: u32| rng.gen_ratio(1, one_in);
        if device && category.id == "product_quality" && chance(rng, 25) {
            kinds.push(CueKind::Safety);
        }
        if matches!(category.id, "technical" | "product_quality") && chance(rng, 12) {
            kinds.push(CueKind::CoreFailure);
        }
        if matches!(subtag, "login" | "data_sync") && chance(rng, 20) {
            kinds.push(CueKind::Privacy);
        }
        if matches!(subtag, "refund" | "charge" | "payment_failure") && chance(rng, 5) {
            kinds.push(CueKind::MoneyLost);
        }
        if category.is_problem() {
            for (kind, one_in) in [(CueKind::Outcry, 30), (CueKind::Angry, 40), (CueKind::Immediate, 16)] {
                if chance(rng, one_in) {
                    kinds.push(kind);
                }
            }
        }
        if kinds.is_empty() && chance(rng, 10) {
            kinds.push(CueKind::Mild);
        }
    }
    let en = topic.lang.is_en();
    let app = topic.device.is_none();
    kinds.into_iter().map(|k| (k, pick_ref(rng, k.phrases(en, app)))).collect()
}

/// How far a ticket of this age has got: recent ones wait, old ones are mostly closed.
pub fn state_for_age(rng: &mut StdRng, age_hours: i64) -> State {
    // Weights in `State::ALL` order: new, assigned, in_progress, awaiting_customer,
    // awaiting_approval, resolved, closed, reopened, rejected, merged.
    let weights: [u32; 10] = match age_hours {
        ..=2 => [45, 22, 15, 3, 1, 5, 0, 0, 5, 4],
        3..=48 => [8, 12, 25, 10, 5, 25, 8, 0, 4, 3],
        49..=240 => [1, 3, 8, 6, 2, 20, 51, 2, 4, 3],
        _ => [0, 0, 1, 1, 0, 2, 86, 1, 6, 3],
    };
    State::ALL[weighted(rng, weights.len(), |i| weights[i])]
}
