//! Engine tests: real Chinese and English feedback through the whole pipeline.
use super::*;
use crate::analysis::{Analysis, Input};
use crate::cluster::{BandIndex, ClusterConfig};
use crate::feature_cache::FeatureCache;
use crate::moderation::Verdict;
use crate::normalize::{normalize, DEFAULT_MAX_CHARS};
use crate::segment::{features, FeatureConfig, Language};
use crate::signals::{Intent, SignalKind};
use crate::vector::count_features;
use loopdesk_core::Urgency;
use loopdesk_core::{CustomerTier, ImpactScope, Priority};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("default engine"))
}

fn analyze(text: &str) -> Analysis {
    engine().analyze(&Input::new(text))
}

#[test]
fn safety_complaint_in_chinese() {
    let a = analyze("热水器漏电，洗澡的时候被电了一下，太危险了");
    assert_eq!(a.language, Language::Zh);
    assert_eq!(a.classification.category, "product_quality");
    assert_eq!(a.priority.priority, Priority::Urgent);
    // The learned model may already say urgent; the safety rule fires either way.
    assert!(a.priority.reasons[1].contains("urgent: safety word 漏电"), "{:?}", a.priority.reasons);
    assert_eq!(a.urgency, Urgency::High);
    assert_eq!(a.moderation.verdict, Verdict::Accept);
}

#[test]
fn traditional_characters_are_understood() {
    let a = analyze("充電器發熱冒煙，差點起火");
    assert!(a.signals.has(SignalKind::Safety));
    assert_eq!(a.signals.words(SignalKind::Safety), ["发热", "冒烟", "起火"]);
    assert_eq!(a.priority.priority, Priority::Urgent);
    assert_eq!(a.classification.category, "product_quality");
}

#[test]
fn english_and_mixed_text() {
    let a = analyze("I was charged twice for my subscription, please refund one payment.");
    assert_eq!(a.language, Language::En);
    assert_eq!(a.classification.category, "payment");
    assert!(a.classification.subtags.contains(&"charge".to_string()), "{:?}", a.classification);
    let m = analyze("The App 登录以后一直 crash on iOS 17, please fix it 今天必须修好，太垃圾了");
    assert_eq!(m.language, Language::Mixed);
    assert_eq!(m.classification.category, "technical");
    assert!(m.signals.has(SignalKind::Anger) && m.signals.has(SignalKind::Immediate));
    assert_eq!(m.priority.priority, Priority::High);
}

#[test]
fn inquiries_are_low_and_outcry_is_high() {
    let q = analyze("请问这款空调的保修期是几年？");
    assert_eq!(q.classification.category, "inquiry");
    assert_eq!(q.signals.intent, Intent::Inquiry);
    assert_eq!(q.priority.priority, Priority::Low);
    let o = analyze("退款拖了一个月，再不处理我就投诉到12315，还要找媒体曝光");
    assert_eq!(o.priority.priority, Priority::High);
    assert!(o.priority.reasons.iter().any(|r| r.contains("12315")));
}

#[test]
fn subject_tier_and_stated_urgency() {
    let input = Input {
        text: "界面上的按钮太小了",
        subject: Some("新版本体验"),
        tier: CustomerTier::Vip,
        stated_urgency: Some(Urgency::High),
        cluster_size: 1,
    };
    let a = engine().analyze(&input);
    assert_eq!(a.urgency, Urgency::High);
    assert_eq!(a.priority.priority, Priority::High, "{:?}", a.priority.reasons);
    assert!(a.priority.reasons.iter().any(|r| r.contains("vip customer")));
}

#[test]
fn empty_binary_and_huge_inputs_do_not_panic() {
    let e = analyze("");
    assert_eq!(e.moderation.verdict, Verdict::Reject);
    assert!(e.band_keys.is_empty());
    assert_eq!(e.tokens, 0);
    let b = analyze("\u{0}\u{7}\u{fffd}\u{fffd}\u{fffd}\u{1b}[0m\u{0}\u{0}");
    assert_eq!(b.moderation.verdict, Verdict::Reject);
    let huge = "屏幕坏了。".repeat(50_000);
    let h = analyze(&huge);
    assert!(h.truncated);
    assert_eq!(h.classification.category, "product_quality");
}

#[test]
fn spam_is_rejected_with_its_reason_but_kept() {
    let a = analyze("兼职刷单，日赚300，加微信 vx123456 了解 http://t.cn/abc");
    assert_eq!(a.moderation.verdict, Verdict::Reject);
    assert!(a.moderation.reasons[0].detail.contains("spam"));
}

#[test]
fn every_default_rule_fires_on_real_sentences() {
    use CustomerTier::{KeyAccount, Standard, Vip};
    let cases: &[(&str, CustomerTier, u32, Priority, &str)] = &[
        ("电热水壶底座漏电，摸到外壳手麻了", Standard, 1, Priority::Urgent, "safety_hazard"),
        ("The charger caught fire on my desk", Standard, 1, Priority::Urgent, "safety_hazard"),
        ("App 完全用不了，一打开就报错", Standard, 80, Priority::Urgent, "outage"),
        ("Our whole team cannot log in, the service is unusable", Standard, 60, Priority::Urgent, "outage"),
        ("订单页面能看到别人的个人信息，这是数据泄露", Standard, 5, Priority::Urgent, "data_leak_many"),
        ("洗衣机开不了机，完全不能用了", Standard, 1, Priority::High, "core_failure"),
        ("The fridge stopped cooling and nothing works", Standard, 1, Priority::High, "core_failure"),
        ("I got an email with another customer's personal data attached", Standard, 1, Priority::High, "privacy"),
        ("我的个人信息被泄露了，天天有骚扰电话", Standard, 1, Priority::High, "privacy"),
        ("退款拖了一个月没到账，再不处理我就投诉到消协", Standard, 1, Priority::High, "public_outcry"),
        (
            "The refund never arrived. My lawyer will be in touch about this problem.",
            Standard,
            1,
            Priority::High,
            "public_outcry",
        ),
        ("同一笔订单被重复扣款两次，钱已经扣了", Standard, 1, Priority::High, "money_lost"),
        ("You charged me twice for the same order", Standard, 1, Priority::High, "money_lost"),
        ("气死了，客服一直推脱，马上给我解决", Standard, 1, Priority::High, "angry_and_demanding"),
        ("This is ridiculous, fix my account immediately", Standard, 1, Priority::High, "angry_and_demanding"),
        ("手机屏幕出现一条绿线", Standard, 25, Priority::High, "many_serious"),
        ("婚礼礼服明天要穿，今天还没送到，马上帮我查一下", Standard, 1, Priority::High, "demands_action_now"),
        ("My parcel is still not delivered and I need it today", Standard, 1, Priority::High, "demands_action_now"),
        ("耳机左边没有声音", Vip, 1, Priority::High, "vip"),
        ("The delivery was two days late", KeyAccount, 1, Priority::High, "vip"),
        ("希望增加夜间模式", Standard, 6, Priority::Medium, "frequency"),
        ("沙发送到的时候扶手已经压坏了", Standard, 1, Priority::High, "severe_damage"),
        ("这个问题上次反馈过了，App 偶尔加载慢", Standard, 1, Priority::Low, "repeated_known_problem"),
        ("希望增加夜间模式", Standard, 60, Priority::High, "scope_all"),
        ("杯子颜色和图片有一点色差，不是大问题", Standard, 1, Priority::Low, "mild"),
        ("The mug's colour is slightly different from the photo, not a big deal", Standard, 1, Priority::Low, "mild"),
    ];
    // The rules on their own (the learned model replaces the category base and `lower`).
    let rules_only = engine().clone().with_priority_model(None);
    for (text, tier, cluster, priority, rule) in cases {
        let a = rules_only.analyze(&Input { tier: *tier, cluster_size: *cluster, ..Input::new(text) });
        assert!(
            a.priority.rules_fired.iter().any(|r| r == rule),
            "{text}: {rule} did not fire: {:?}",
            a.priority.reasons
        );
        assert_eq!(a.priority.priority, *priority, "{text}: {:?}", a.priority.reasons);
    }
}

#[test]
fn stated_urgency_lifts_a_low_category() {
    let input = Input { stated_urgency: Some(Urgency::High), ..Input::new("希望增加夜间模式") };
    let a = engine().analyze(&input);
    assert!(a.priority.rules_fired.contains(&"urgency_high".to_string()));
    assert_eq!(a.priority.priority, Priority::Medium);
}

#[test]
fn feature_cache_merges_word_pairs_like_a_full_extraction() {
    let norm = normalize("快递三天没到 物流也不更新 the parcel is late", DEFAULT_MAX_CHARS);
    let words = engine().segmenter().words(&norm);
    let mut cache = FeatureCache { words: &words, text: &norm.text, made: Vec::new(), concepts: Vec::new() };
    let with_pairs = FeatureConfig { word_bigrams: true, ..FeatureConfig::default() };
    let merged = cache.get(&with_pairs).to_vec();
    assert_eq!(merged, count_features(features(&words, &norm.text, &with_pairs)));
    assert_eq!(cache.made.len(), 2);
}

#[test]
fn engine_is_shareable_and_cheap_to_reconfigure() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    let rules = PriorityRules { version: 7, ..engine().priority_rules().clone() };
    let copy = engine().clone().with_priority_rules(rules);
    assert_eq!(copy.analyze(&Input::new("快递丢了")).priority.rules_version, 7);
    assert_eq!(engine().analyze(&Input::new("快递丢了")).priority.rules_version, 1);
}

#[test]
fn model_round_trips_through_json() {
    let model = engine().classifier.model().cloned().expect("model");
    let json = model.to_json().unwrap();
    let back = TextModel::from_json(&json).unwrap();
    let feats = crate::model::text_features(engine().segmenter(), "快递丢件了", back.feature_config());
    assert_eq!(model.predict_features(&feats), back.predict_features(&feats));
    assert!(TextModel::from_json("{\"format\":1}").is_err());
}

#[test]
fn fifty_customers_one_problem_form_one_cluster_and_rise() {
    // Differently worded reports of one outage, as 50 customers would write them.
    let openings = ["", "你好，", "紧急：", "客服你好，", "Hi，"];
    let middles = [
        "App 今天早上开始无法登录",
        "今天早上开始 App 登录不上",
        "App 一直无法登录，提示服务器错误",
        "登录不上 App，一直提示服务器错误",
        "App 无法登录了，验证码也收不到",
    ];
    let endings = [
        "，请尽快修复",
        "",
        "，怎么回事？",
        "，影响工作",
        "，麻烦看一下",
        "。",
        "，急",
        "，已经半小时了",
        "!",
        "，谢谢",
    ];
    let config = ClusterConfig::default();
    let mut index = BandIndex::new(engine().config().minhash.bands);
    let mut cluster: Vec<u64> = Vec::new();
    let mut last = Priority::Low;
    let mut saw = Vec::new();
    for i in 0..50u64 {
        let text =
            format!("{}{}{}", openings[i as usize % 5], middles[(i as usize / 5) % 5], endings[(i as usize * 7) % 10]);
        let a = engine().analyze(&Input::new(&text));
        let near = index.query(&a.signature, config.cluster_similarity);
        if i == 0 || !near.is_empty() {
            cluster.push(i);
        }
        index.insert(i, a.signature.clone());
        let decision = engine().reprioritize(&a, CustomerTier::Standard, cluster.len() as u32);
        assert!(decision.priority.rank() <= last.rank() || i == 0);
        last = decision.priority;
        saw.push((cluster.len(), engine().impact_scope(cluster.len() as u32), decision.priority));
    }
    assert_eq!(cluster.len(), 50, "{saw:?}");
    assert_eq!(saw[0].1, ImpactScope::Single);
    assert_eq!(saw[49].1, ImpactScope::All);
    assert_eq!(saw[49].2, Priority::Urgent);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    #[test]
    fn any_text_gets_a_clear_outcome(text in "\\PC{0,300}") {
        let a = engine().analyze(&Input::new(&text));
        proptest::prop_assert!((0.0..=1.0001).contains(&a.classification.confidence));
        proptest::prop_assert!(a.band_keys.len() <= 32 + 36);
        proptest::prop_assert!(!a.priority.reasons.is_empty());
    }

    #[test]
    fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let a = engine().analyze(&Input::new(&text));
        proptest::prop_assert!(a.tokens <= text.chars().count() + a.entities.len());
    }

    #[test]
    fn mixed_script_masks_keep_length(text in "[a-z傻逼漏电 ]{0,40}") {
        let masked = engine().moderator().mask_abuse(&text);
        proptest::prop_assert_eq!(masked.chars().count(), text.chars().count());
    }
}

#[test]
fn a_new_concept_lexicon_is_scanned_with_the_other_lists() {
    let engine = Engine::new().unwrap();
    let text = "about the zorblax, once more";
    assert!(engine.analyze(&Input::new(text)).problem.is_empty());
    let concepts = Concepts::parse("zorblax 3.0: zorblax*, 佐布拉克斯").unwrap();
    let engine = engine.with_concepts(concepts);
    assert!(!engine.analyze(&Input::new(text)).problem.is_empty());
    assert!(!engine.analyze(&Input::new("关于佐布拉克斯")).problem.is_empty());
}

#[test]
fn mentioning_support_is_no_service_complaint_keyword() {
    // Customers say whom they asked; what went wrong decides the category.
    let a = analyze("客服说退款已经处理了，但是一周了银行卡还没收到退款");
    assert!(!a.classification.rule_hits.iter().any(|h| h.starts_with("service_complaint:")), "{:?}", a.classification);
    let rude = analyze("客服态度很差，问什么都敷衍");
    assert!(rude.classification.rule_hits.iter().any(|h| h.starts_with("service_complaint:")));
}

#[test]
fn an_unsure_category_never_lowers_the_learned_vote() {
    let e = engine();
    let mut checked = 0;
    for text in [
        "上次那个事情还没弄好",
        "东西有问题，你们看着办",
        "The thing from last week still isn't sorted",
        "出了点状况，麻烦联系我",
    ] {
        let a = analyze(text);
        let c = &a.classification;
        let (Some(model), Some((alt, _))) = (&e.priority_model, c.alternatives.first()) else {
            continue;
        };
        if !c.needs_manual_triage {
            continue;
        }
        let (counts, signals) = e.counts_and_signals(text);
        let best = model.vote(&counts, &signals, &c.category).unwrap();
        let other = model.vote(&counts, &signals, alt).unwrap();
        let vote = a.priority_vote.unwrap();
        assert!(vote.priority.rank() <= best.priority.rank().min(other.priority.rank()), "{text}: {vote:?}");
        checked += 1;
    }
    assert!(checked > 0, "no unsure text");
}

#[test]
fn decide_is_analyze_without_the_similarity_step() {
    let texts = [
        "热水器漏电，洗澡的时候被电了一下，太危险了",
        "The app crashes every time I open my order history, version 3.2",
        "加微信领取免费礼品，日赚500元",
        "退款申请了两周还没到账，客服一直不回复",
    ];
    for text in texts {
        let (full, decided) = (analyze(text), engine().decide(&Input::new(text)));
        assert!(decided.signature.is_empty() && decided.problem.is_empty() && decided.band_keys.is_empty());
        let without = |a: &Analysis| {
            let mut v = serde_json::to_value(a).expect("analysis as JSON");
            for key in ["signature", "problem", "band_keys"] {
                v.as_object_mut().expect("an object").remove(key);
            }
            v
        };
        assert_eq!(without(&full), without(&decided), "{text}");
        assert!(!full.band_keys.is_empty(), "{text}");
    }
}
