//! Priority signals: safety hazards, privacy risk, public outcry, anger, demands for
//! immediate action, core-function failure, inquiry vs complaint — from editable word lists
//! (Chinese and English) plus the complaint-tone model.

use crate::error::TriageError;
use crate::lexicon::{Hit, Lexicon};
use loopdesk_core::Urgency;
use serde::{Deserialize, Serialize};

/// The default lists, embedded.
pub const DEFAULT_SIGNALS_JSON: &str = include_str!("../data/signals.json");

/// A kind of signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SignalKind {
    /// 漏电, 起火, 冒烟, 发热, 爆炸 … electric shock, fire, smoke.
    Safety,
    /// Personal data, leaks, account takeover.
    Privacy,
    /// 曝光, 12315, 消协, 媒体, 律师 … lawyer, press.
    PublicOutcry,
    /// Strong negative emotion.
    Anger,
    /// Demands for immediate action.
    Immediate,
    /// The product or service does not work at all.
    CoreFailure,
    /// Asking for information.
    Inquiry,
    /// Complaining about something.
    Complaint,
    /// The customer lost money (double charge, unauthorised payment).
    MoneyLost,
    /// Mild dissatisfaction (有点, 一般般, "not a big deal").
    Mild,
    /// The text says the customer is a VIP or key account (the record may not know yet).
    StatedTier,
    /// Many customers, users or sites hit at once (所有门店, 十几户, "lots of us").
    ManyAffected,
    /// Severe damage: a product delivered smashed or crushed, or damage done to other
    /// property (撞坏了柜子, "arrived smashed") — DESIGN.md's "severe damage" is high.
    SevereDamage,
    /// The customer says they reported this before (之前反馈过, "already reported"):
    /// DESIGN.md's "repeated feedback about a known problem" is low.
    Repeated,
}

impl SignalKind {
    /// Every kind, in list order.
    pub const ALL: [SignalKind; 14] = [
        SignalKind::Safety,
        SignalKind::Privacy,
        SignalKind::PublicOutcry,
        SignalKind::Anger,
        SignalKind::Immediate,
        SignalKind::CoreFailure,
        SignalKind::Inquiry,
        SignalKind::Complaint,
        SignalKind::MoneyLost,
        SignalKind::Mild,
        SignalKind::StatedTier,
        SignalKind::ManyAffected,
        SignalKind::SevereDamage,
        SignalKind::Repeated,
    ];
}

/// The editable word lists, one per kind; a versioned record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalLists {
    /// Version of this record.
    pub version: u32,
    /// Safety hazard words.
    pub safety: Vec<String>,
    /// Privacy and data-leak words.
    pub privacy: Vec<String>,
    /// Public-outcry words.
    pub public_outcry: Vec<String>,
    /// Anger words.
    pub anger: Vec<String>,
    /// Demands for immediate action.
    pub immediate: Vec<String>,
    /// Core-function-failure phrasing.
    pub core_failure: Vec<String>,
    /// Inquiry phrasing.
    pub inquiry: Vec<String>,
    /// Complaint phrasing.
    pub complaint: Vec<String>,
    /// Money-lost phrasing.
    #[serde(default)]
    pub money_lost: Vec<String>,
    /// Mild-dissatisfaction phrasing.
    #[serde(default)]
    pub mild: Vec<String>,
    /// Words saying the customer is a VIP or key account.
    #[serde(default)]
    pub stated_tier: Vec<String>,
    /// Words saying many customers, users or sites are hit.
    #[serde(default)]
    pub many_affected: Vec<String>,
    /// Severe-damage phrasing.
    #[serde(default)]
    pub severe_damage: Vec<String>,
    /// Phrasing of a report made before.
    #[serde(default)]
    pub repeated: Vec<String>,
    /// Phrases that cancel any hit inside them: negations (没有漏电) and look-alikes
    /// (充电到 is not 电到).
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl SignalLists {
    /// The embedded defaults.
    pub fn defaults() -> Result<SignalLists, TriageError> {
        SignalLists::from_json(DEFAULT_SIGNALS_JSON)
    }

    /// Parses lists from JSON.
    pub fn from_json(json: &str) -> Result<SignalLists, TriageError> {
        serde_json::from_str(json).map_err(TriageError::json("signal lists"))
    }

    /// Lists in [`SignalKind::ALL`] order, then the exclusions.
    fn in_kind_order(&self) -> [&Vec<String>; 15] {
        [
            &self.safety,
            &self.privacy,
            &self.public_outcry,
            &self.anger,
            &self.immediate,
            &self.core_failure,
            &self.inquiry,
            &self.complaint,
            &self.money_lost,
            &self.mild,
            &self.stated_tier,
            &self.many_affected,
            &self.severe_damage,
            &self.repeated,
            &self.exclude,
        ]
    }
}

/// Whether the text mostly asks, complains, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Intent {
    /// Asks for information (咨询).
    Inquiry,
    /// Reports a problem or dissatisfaction (投诉).
    Complaint,
    /// Anything else: suggestions, praise, requests.
    Feedback,
}

/// One signal that fired, with the words that made it fire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Which signal.
    pub kind: SignalKind,
    /// The list words found (as written in the list), without repeats.
    pub words: Vec<String>,
}

/// All signals of a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Signals that fired, in kind order.
    pub fired: Vec<Signal>,
    /// Probability that the tone is negative (complaint tone), when a model is loaded.
    pub negative_tone: Option<f32>,
    /// Inquiry, complaint or other feedback.
    pub intent: Intent,
    /// Urgency detected from the text alone.
    pub detected_urgency: Urgency,
}

impl Signals {
    /// Whether `kind` fired.
    pub fn has(&self, kind: SignalKind) -> bool {
        self.fired.iter().any(|s| s.kind == kind)
    }

    /// The words behind `kind` (empty if it did not fire).
    pub fn words(&self, kind: SignalKind) -> &[String] {
        self.fired.iter().find(|s| s.kind == kind).map(|s| s.words.as_slice()).unwrap_or(&[])
    }
}

/// Negative-tone probability above which a text counts as a complaint.
const COMPLAINT_TONE: f32 = 0.75;

/// Finds signals with compiled lists.
#[derive(Debug, Clone)]
pub struct SignalDetector {
    lexicon: Lexicon,
    version: u32,
}

impl SignalDetector {
    /// Compiles the lists.
    pub fn new(lists: &SignalLists) -> Result<SignalDetector, TriageError> {
        let words: Vec<Vec<String>> = lists.in_kind_order().iter().map(|l| l.to_vec()).collect();
        Ok(SignalDetector { lexicon: Lexicon::new(&words)?, version: lists.version })
    }

    /// Version of the lists in use.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The compiled lists (list `i` is [`SignalKind::ALL`]`[i]`, then the exclusions).
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Signals in a normalised text; `negative_tone` comes from the sentiment model.
    pub fn detect(&self, text: &str, negative_tone: Option<f32>) -> Signals {
        self.detect_hits(&self.lexicon.find(text), text, negative_tone)
    }

    /// Signals from hits of [`SignalDetector::lexicon`]'s lists, found in `text`.
    pub fn detect_hits(&self, hits: &[Hit<'_>], text: &str, negative_tone: Option<f32>) -> Signals {
        let excluded: Vec<(usize, usize)> =
            hits.iter().filter(|h| h.list >= SignalKind::ALL.len()).map(|h| (h.start, h.end)).collect();
        let mut fired: Vec<Signal> = Vec::new();
        for hit in hits {
            let Some(&kind) = SignalKind::ALL.get(hit.list) else {
                continue;
            };
            if excluded.iter().any(|&(s, e)| s <= hit.start && hit.end <= e) {
                continue;
            }
            // "打不着火" is a heater that will not ignite, "no smoke" no hazard.
            if kind == SignalKind::Safety && crate::negation::negated(text, hit.start) {
                continue;
            }
            match fired.iter_mut().find(|s| s.kind == kind) {
                Some(s) if !s.words.iter().any(|w| w == hit.word) => s.words.push(hit.word.into()),
                Some(_) => {}
                None => fired.push(Signal { kind, words: vec![hit.word.into()] }),
            }
        }
        let shouting = text.matches('!').count() >= 3;
        if shouting && negative_tone.is_some_and(|t| t >= 0.9) {
            push_word(&mut fired, SignalKind::Anger, "!!!");
        }
        fired.sort_by_key(|s| s.kind);
        let has = |k: SignalKind| fired.iter().any(|s| s.kind == k);
        let negative = negative_tone.is_some_and(|t| t >= COMPLAINT_TONE);
        let complaining = has(SignalKind::Complaint)
            || has(SignalKind::Anger)
            || has(SignalKind::Safety)
            || has(SignalKind::CoreFailure)
            || has(SignalKind::SevereDamage);
        let intent = if complaining || (negative && !has(SignalKind::Inquiry)) {
            Intent::Complaint
        } else if has(SignalKind::Inquiry) {
            Intent::Inquiry
        } else {
            Intent::Feedback
        };
        let detected_urgency = if has(SignalKind::Safety)
            || has(SignalKind::CoreFailure)
            || has(SignalKind::SevereDamage)
            || has(SignalKind::Privacy)
            || has(SignalKind::PublicOutcry)
            || (has(SignalKind::Anger) && has(SignalKind::Immediate))
        {
            Urgency::High
        } else if intent == Intent::Complaint || has(SignalKind::Immediate) {
            Urgency::Medium
        } else {
            Urgency::Low
        };
        Signals { fired, negative_tone, intent, detected_urgency }
    }
}

fn push_word(fired: &mut Vec<Signal>, kind: SignalKind, word: &str) {
    match fired.iter_mut().find(|s| s.kind == kind) {
        Some(s) => s.words.push(word.into()),
        None => fired.push(Signal { kind, words: vec![word.into()] }),
    }
}

/// Rank of an urgency: 0 is the most pressing.
pub fn urgency_rank(u: Urgency) -> usize {
    Urgency::ALL.iter().position(|x| *x == u).unwrap_or(0)
}

/// The more pressing of two urgencies.
pub fn max_urgency(a: Urgency, b: Urgency) -> Urgency {
    if urgency_rank(a) <= urgency_rank(b) {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize, DEFAULT_MAX_CHARS};

    fn detect(text: &str) -> Signals {
        let d = SignalDetector::new(&SignalLists::defaults().unwrap()).unwrap();
        d.detect(&normalize(text, DEFAULT_MAX_CHARS).text, None)
    }

    #[test]
    fn safety_in_chinese_traditional_and_english() {
        let s = detect("热水器插座漏电，刚才还冒烟了");
        assert_eq!(s.words(SignalKind::Safety), ["漏电", "冒烟"]);
        assert_eq!(s.detected_urgency, Urgency::High);
        let t = detect("充電器使用時發熱嚴重，差點起火");
        assert_eq!(t.words(SignalKind::Safety), ["发热", "起火"]);
        let e = detect("The power bank exploded on my desk and there was smoke everywhere");
        assert_eq!(e.words(SignalKind::Safety), ["explod", "smoke"]);
        assert!(detect("冰箱门把手断裂，存在结构隐患").has(SignalKind::Safety));
    }

    #[test]
    fn privacy_and_outcry() {
        let s = detect("我的个人信息被泄露了，天天接到骚扰电话，再不处理我就去12315投诉并找媒体曝光");
        assert!(s.has(SignalKind::Privacy));
        assert_eq!(s.words(SignalKind::PublicOutcry), ["12315", "媒体", "曝光"]);
        let e = detect("Your app leaked my personal data. My lawyer will contact you.");
        assert!(e.has(SignalKind::Privacy));
        assert_eq!(e.words(SignalKind::PublicOutcry), ["lawyer"]);
        assert!(detect("已经向消协反映了").has(SignalKind::PublicOutcry));
    }

    #[test]
    fn anger_immediate_and_core_failure() {
        let s = detect("气死我了！！！洗衣机完全用不了，今天必须马上派人来修");
        assert!(s.has(SignalKind::Anger));
        assert_eq!(s.words(SignalKind::Immediate), ["今天必须", "马上"]);
        assert!(s.has(SignalKind::CoreFailure));
        assert_eq!(s.intent, Intent::Complaint);
        let e = detect("This is unacceptable. The app is completely broken, fix it immediately!");
        assert!(e.has(SignalKind::Anger) && e.has(SignalKind::Immediate) && e.has(SignalKind::CoreFailure));
    }

    #[test]
    fn inquiry_vs_complaint() {
        assert_eq!(detect("请问会员积分怎么兑换？").intent, Intent::Inquiry);
        assert_eq!(detect("How do I change my delivery address?").intent, Intent::Inquiry);
        assert_eq!(detect("退款申请一周了还没到账，太慢了").intent, Intent::Complaint);
        assert_eq!(detect("界面很漂亮，点赞").intent, Intent::Feedback);
        // Mis-selling is a complaint even in calm, formal words.
        assert_eq!(detect("业务员以不实说法推销延保，我已咨询律师").intent, Intent::Complaint);
        assert_eq!(detect("The sales rep lied about the contract terms").intent, Intent::Complaint);
        assert_eq!(detect("请问会员积分怎么兑换？").detected_urgency, Urgency::Low);
    }

    #[test]
    fn money_lost_and_mild() {
        assert_eq!(detect("同一个账号被重复扣费两次").words(SignalKind::MoneyLost), ["重复扣"]);
        assert!(detect("You charged me twice for one order").has(SignalKind::MoneyLost));
        assert!(detect("颜色有一点色差，不是大问题").has(SignalKind::Mild));
        assert!(detect("The box was slightly dented, not a big deal").has(SignalKind::Mild));
    }

    #[test]
    fn severe_damage_and_repeated_reports() {
        let s = detect("沙发送到的时候扶手已经压坏了");
        assert!(s.has(SignalKind::SevereDamage));
        assert_eq!(s.detected_urgency, Urgency::High);
        assert!(detect("The mirror arrived smashed to pieces").has(SignalKind::SevereDamage));
        assert!(!detect("盒子有点压痕，东西没事").has(SignalKind::SevereDamage));
        assert!(detect("这个问题上次反馈过了，还是一样").has(SignalKind::Repeated));
        assert!(detect("I already reported this last month").has(SignalKind::Repeated));
        assert!(!detect("第一次用就发现这个问题").has(SignalKind::Repeated));
    }

    #[test]
    fn exclusions_cancel_negations_and_look_alikes() {
        assert!(!detect("检查过了，没有漏电，也没有冒烟").has(SignalKind::Safety));
        assert!(!detect("平板充电到80%就充不进去了").has(SignalKind::Safety));
        assert!(!detect("这个型号能不能用在110伏电压下").has(SignalKind::CoreFailure));
        assert!(!detect("Firewall settings are confusing").has(SignalKind::Safety));
        // A real hazard next to a negation still counts.
        assert!(detect("插座没有漏电，但是插头冒烟了").has(SignalKind::Safety));
        // Negated hazards in any wording: a heater that will not ignite is not on fire.
        assert!(!detect("热水器打不着火，洗不了澡").has(SignalKind::Safety));
        assert!(!detect("燃气灶点不着火").has(SignalKind::Safety));
        assert!(!detect("The heater smells a bit but there is no smoke").has(SignalKind::Safety));
        assert!(detect("这个充电器会不会起火？用的时候很烫").has(SignalKind::Safety));
        assert!(detect("热水器打不着火，后来闻到煤气味").has(SignalKind::Safety));
    }

    #[test]
    fn takeovers_data_loss_and_calm_words() {
        assert!(detect("我的账号在陌生设备上登录了，收货地址也被改了，我根本没操作过").has(SignalKind::Privacy));
        assert!(detect("The editor wiped everything I typed, 3 hours of work gone").has(SignalKind::CoreFailure));
        // Data lost is severe damage, in any wording.
        assert!(detect("Since the sync all my saved drafts are gone").has(SignalKind::CoreFailure));
        assert!(detect("换了新版本以后，历史记录不见了").has(SignalKind::CoreFailure));
        assert!(!detect("The delivery guy was gone before I reached the door").has(SignalKind::CoreFailure));
        // "Not urgent" says the opposite of urgent.
        assert!(!detect("Your invoices still show the old logo. Not urgent.").has(SignalKind::Immediate));
        assert!(!detect("发票抬头有个错字，不着急，有空改一下").has(SignalKind::Immediate));
    }

    #[test]
    fn many_affected_and_insults() {
        assert!(detect("我们小区已经有十几户都遇到一样的问题").has(SignalKind::ManyAffected));
        assert!(
            detect("Since the update lots of us in the owners group see the same thing").has(SignalKind::ManyAffected)
        );
        assert!(!detect("希望后台能批量修改价格").has(SignalKind::ManyAffected));
        assert!(detect("扫码一直失败，问了隔壁几个同事也都一样").has(SignalKind::ManyAffected));
        assert!(detect("Login seems broken for everyone in our office").has(SignalKind::ManyAffected));
        // An insulting customer is a very upset one; with a deadline that is high.
        let s = detect("Your couriers are useless morons. Escalate this now!");
        assert!(s.has(SignalKind::Anger) && s.has(SignalKind::Immediate));
        assert!(!detect("爸妈的手机也想绑定").has(SignalKind::Anger));
    }

    #[test]
    fn tone_model_turns_shouting_into_anger() {
        let d = SignalDetector::new(&SignalLists::defaults().unwrap()).unwrap();
        let s = d.detect("东西到了!!! 和描述不一样!!!", Some(0.97));
        assert!(s.has(SignalKind::Anger));
        assert_eq!(s.intent, Intent::Complaint);
    }

    #[test]
    fn urgency_order() {
        assert_eq!(max_urgency(Urgency::Low, Urgency::High), Urgency::High);
        assert_eq!(max_urgency(Urgency::Medium, Urgency::Low), Urgency::Medium);
    }
}
