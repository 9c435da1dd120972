//! Cues a customer's words carry (safety words, threats of public outcry, anger, …) and the
//! priority they lead to, with the reasons a person reads — the design's default rules.

use super::catalog::Category;
use loopdesk_core::{CustomerTier, ImpactScope, Priority, Urgency};

/// A kind of cue in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueKind {
    Safety,
    CoreFailure,
    Privacy,
    Outcry,
    MoneyLost,
    Angry,
    Immediate,
    Mild,
}

/// A phrase carrying a cue, and the word that fires the rule.
pub struct Cue {
    pub text: &'static str,
    pub word: &'static str,
}

const fn cue(text: &'static str, word: &'static str) -> Cue {
    Cue { text, word }
}

impl CueKind {
    /// The phrases of this cue in Chinese or English, for a device or the app.
    pub fn phrases(self, en: bool, app: bool) -> &'static [Cue] {
        match (self, en) {
            (CueKind::CoreFailure, false) if app => {
                const { &[cue("现在整个 App 都用不了了", "用不了"), cue("所有功能都失灵了", "失灵")] }
            }
            (CueKind::CoreFailure, true) if app => const { &[cue("Now the whole app is unusable.", "unusable")] },
            (CueKind::Safety, false) => {
                const {
                    &[
                        cue("插上电以后机身冒烟，还有焦糊味", "冒烟"),
                        cue("手碰到外壳有麻的感觉，可能漏电了", "漏电"),
                        cue("充电的时候发热特别严重，烫得拿不住", "发热"),
                        cue("电源插头那里起火了，幸好及时拔掉", "起火"),
                    ]
                }
            }
            (CueKind::Safety, true) => {
                const {
                    &[
                        cue("It started smoking while plugged in.", "smoking"),
                        cue("I got an electric shock touching the casing.", "electric shock"),
                        cue("The plug caught fire!", "caught fire"),
                    ]
                }
            }
            (CueKind::CoreFailure, false) => {
                const {
                    &[cue("现在完全无法开机", "无法开机"), cue("整个都用不了了", "用不了"), cue("设备彻底失灵", "失灵")]
                }
            }
            (CueKind::CoreFailure, true) => {
                const {
                    &[
                        cue("Now it won't turn on at all.", "won't turn on"),
                        cue("It has completely stopped working.", "stopped working"),
                    ]
                }
            }
            (CueKind::Privacy, false) => {
                const { &[cue("而且能看到别人的手机号和地址，隐私泄露", "隐私泄露")] }
            }
            (CueKind::Privacy, true) => {
                const { &[cue("I can also see other people's addresses, this is a privacy leak.", "privacy leak")] }
            }
            (CueKind::Outcry, false) => {
                const {
                    &[
                        cue("再不解决我就投诉到12315", "12315"),
                        cue("不给说法我就发微博曝光", "曝光"),
                        cue("我已经咨询律师了", "律师"),
                        cue("准备向消协投诉", "消协"),
                    ]
                }
            }
            (CueKind::Outcry, true) => {
                const {
                    &[
                        cue("Otherwise I will report you to the consumer association.", "consumer association"),
                        cue("I'm going to post about this on social media.", "social media"),
                        cue("My lawyer will be in touch.", "lawyer"),
                    ]
                }
            }
            (CueKind::MoneyLost, false) => {
                const {
                    &[cue("钱被重复扣了，损失了{x}元", "重复扣款"), cue("多扣了{x}元一直不退", "多扣")]
                }
            }
            (CueKind::MoneyLost, true) => const { &[cue("I've lost ¥{x} because of this.", "lost money")] },
            (CueKind::Angry, false) => {
                const {
                    &[
                        cue("太气人了！今天必须给我解决", "太气人了, 今天必须"),
                        cue("简直忍无可忍，马上处理", "忍无可忍, 马上"),
                    ]
                }
            }
            (CueKind::Angry, true) => {
                const { &[cue("This is outrageous and needs fixing today!", "outrageous, today")] }
            }
            (CueKind::Immediate, false) => {
                const { &[cue("麻烦尽快处理，很急", "尽快"), cue("明天要出门，急用", "急用")] }
            }
            (CueKind::Immediate, true) => {
                const { &[cue("Please deal with this urgently.", "urgently"), cue("I need it fixed asap.", "asap")] }
            }
            (CueKind::Mild, false) => {
                const { &[cue("小问题，不着急", "不着急"), cue("有点小瑕疵，说一下", "小瑕疵")] }
            }
            (CueKind::Mild, true) => const { &[cue("Not a big deal, just letting you know.", "not a big deal")] },
        }
    }
}

/// What triage would decide for a ticket.
pub struct Triage {
    pub priority: Priority,
    pub reasons: Vec<String>,
    pub urgency: Urgency,
}

/// Applies the default rules: the category's base, `lower` for mild words, `set` floors for
/// serious cues, then one-step raises capped at high.
pub fn decide(category: &Category, cues: &[(CueKind, &'static Cue)], tier: CustomerTier, scope: ImpactScope) -> Triage {
    let has = |k: CueKind| cues.iter().find(|(c, _)| *c == k).map(|(_, cue)| cue.word);
    let mut p = category.base;
    let mut reasons = vec![format!("category {}: base {}", category.id, p)];
    if let Some(w) = has(CueKind::Mild).filter(|_| has(CueKind::Angry).is_none()) {
        p = Priority::from_rank((p.rank() + 1).min(3)).unwrap_or(p);
        reasons.push(format!("mild dissatisfaction: {w}"));
    }
    let floors = [
        (CueKind::Safety, Priority::Urgent, "safety word"),
        (CueKind::CoreFailure, Priority::High, "core function failed:"),
        (CueKind::Privacy, Priority::High, "privacy or data risk:"),
        (CueKind::Outcry, Priority::High, "risk of public outcry:"),
        (CueKind::MoneyLost, Priority::High, "customer lost money:"),
        (CueKind::Angry, Priority::High, "customer very upset and demands immediate action:"),
    ];
    for (kind, floor, why) in floors {
        if let Some(w) = has(kind) {
            if floor.rank() < p.rank() {
                p = floor;
            }
            reasons.push(format!("{why} {w}"));
        }
    }
    let mut raise = |p: &mut Priority, reason: String| {
        if p.rank() > Priority::High.rank() {
            *p = p.raised();
        }
        reasons.push(reason);
    };
    if let Some(w) = has(CueKind::Immediate) {
        raise(&mut p, format!("customer demands immediate action: {w}"));
    }
    if tier != CustomerTier::Standard {
        raise(&mut p, format!("{tier} customer"));
    }
    if scope == ImpactScope::All {
        raise(&mut p, "impact scope: all users".to_string());
    }
    let urgency = if has(CueKind::Safety).or(has(CueKind::Angry)).or(has(CueKind::Immediate)).is_some() {
        Urgency::High
    } else if has(CueKind::Mild).is_some() || category.base == Priority::Low {
        Urgency::Low
    } else {
        Urgency::Medium
    };
    Triage { priority: p, reasons, urgency }
}
