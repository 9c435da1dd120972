//! Triage by meaning, with the default engine and its embedded models: paraphrases and
//! translations of one problem group, different problems do not; spam of the usual kinds
//! is rejected while customers reporting a scam are not; serious reports are never scored
//! low, in Chinese (simplified and traditional) and English. None of these texts is in
//! the training sets.

use loopdesk_core::{CustomerTier, Priority};
use loopdesk_triage::{ClusterConfig, Engine, Input, Relation, Verdict};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("default engine"))
}

fn relation(a: &str, b: &str) -> (f32, Relation) {
    let (x, y) = (engine().analyze(&Input::new(a)), engine().analyze(&Input::new(b)));
    ClusterConfig::default().relate(&x.fingerprint(), &y.fingerprint(), false)
}

fn shares_a_key(a: &str, b: &str) -> bool {
    let (x, y) = (engine().analyze(&Input::new(a)), engine().analyze(&Input::new(b)));
    x.band_keys.iter().any(|k| y.band_keys.contains(k))
}

const PARAPHRASES: [(&str, &str); 11] = [
    (
        "客服热线一直打不进，忙音，等了半小时也没人接",
        "Called your support number and was on hold for 40 minutes, nobody picks up",
    ),
    ("退货寄回去十天了，退款还没到账", "I sent the item back ten days ago and my refund still hasn't arrived"),
    ("新买的冰箱不制冷，冷藏室一点都不凉", "The new fridge stopped cooling, nothing in it is cold"),
    ("热水器打不着火，没有热水", "The water heater won't ignite, no hot water at all"),
    (
        "约好今天上午维修师傅上门，等了一上午人没来，电话也不接",
        "The technician never showed up for my repair appointment and doesn't answer his phone",
    ),
    (
        "导出的CSV文件用Excel打开，中文全变成乱码了",
        "Exported CSV opens in Excel with all the Chinese turned into garbled characters",
    ),
    ("登录时短信验证码一直收不到，试了好多次", "The SMS verification code never arrives when I try to log in"),
    ("簡訊驗證碼收不到，沒辦法登入", "登录收不到验证码，一直进不去"),
    ("请增加深色模式，晚上用太刺眼了", "Please add a dark mode, the white screen is blinding at night"),
    ("客服热线打了半小时一直在排队，没人接", "Been on hold with your hotline for 40 minutes, nobody answers"),
    ("转账显示成功了，可是对方说钱没到账", "The transfer says successful but the payee never received the money"),
];

const DIFFERENT: [(&str, &str); 8] = [
    ("洗衣机脱水的时候噪音特别大", "洗衣机底部漏水，地上全是水"),
    ("智能门锁连不上wifi，一直离线", "智能门锁的电池耗电太快，一周就没电"),
    // One home visit, two problems: a fee without a fix, a late installer.
    ("维修师傅上门收了检测费，问题没修好就走了", "安装师傅上门迟到了两个小时，也没提前通知"),
    (
        "The installer brought the wrong bracket and left",
        "Let me upload a video when booking a repair visit so the technician brings the parts",
    ),
    ("导出的CSV文件用Excel打开，中文全变成乱码了", "登录时短信验证码一直收不到，试了好多次"),
    ("请增加深色模式，晚上用太刺眼了", "Please add an option to export my order history"),
    ("App的按钮太小了，很容易点错", "切换城市的按钮位置有点奇怪"),
    ("外卖少送了一杯奶茶", "外卖晚到了一个小时，饭都凉了"),
];

#[test]
fn paraphrases_in_both_languages_are_one_problem() {
    for (a, b) in PARAPHRASES {
        let (sim, rel) = relation(a, b);
        assert_eq!(rel, Relation::SameProblem, "{sim:.2}: {a} | {b}");
        assert!(shares_a_key(a, b), "no shared look-up key: {a} | {b}");
    }
}

#[test]
fn different_problems_stay_apart() {
    for (a, b) in DIFFERENT {
        let (sim, rel) = relation(a, b);
        assert_eq!(rel, Relation::Unrelated, "{sim:.2}: {a} | {b}");
    }
}

#[test]
fn spam_of_the_usual_kinds_is_rejected() {
    for text in [
        "日结兼职，手机刷单，一单一结，加微信 abc123 了解",
        "专业代开增值税发票，点数低，可验证，联系 139****1234",
        "Congratulations!!! You won a $1,000 Amazon gift card, click http://bit.ly/xyz to claim now",
        "無抵押貸款，當天放款，額度最高100萬，加LINE諮詢",
    ] {
        let a = engine().analyze(&Input::new(text));
        assert_eq!(a.moderation.verdict, Verdict::Reject, "{text}: {:?}", a.moderation);
    }
}

#[test]
fn rejected_spam_is_other_and_low_whatever_it_claims() {
    // A phishing text full of urgent words must not land in an agent's urgent queue.
    let text = "【紧急通知】您的账户存在异常，请立即点击 http://t.cn/A6abcd 验证身份，否则24小时内冻结，加微信 kf8899";
    let a = engine().analyze(&Input::new(text));
    assert_eq!(a.moderation.verdict, Verdict::Reject, "{:?}", a.moderation);
    assert_eq!(a.classification.category, "other");
    assert_eq!(a.priority.priority, Priority::Low, "{:?}", a.priority);
    assert_eq!(a.priority.rules_fired, ["moderation_rejected"]);
    let later = engine().reprioritize(&a, CustomerTier::Vip, 30);
    assert_eq!(later.priority, Priority::Low);
}

#[test]
fn a_heater_that_will_not_ignite_is_not_on_fire() {
    let a = engine().analyze(&Input::new("热水器打不着火，一直洗不了热水澡"));
    assert_ne!(a.priority.priority, Priority::Urgent, "{:?}", a.priority);
    assert!(a.signals.words(loopdesk_triage::SignalKind::Safety).is_empty(), "{:?}", a.signals);
    let real = engine().analyze(&Input::new("热水器点火的时候突然着火了，墙都熏黑了"));
    assert_eq!(real.priority.priority, Priority::Urgent, "{:?}", real.priority);
}

#[test]
fn customers_reporting_scams_are_not_rejected() {
    for text in [
        "有人冒充你们的客服打电话，让我下载软件退款，我没理他，你们提醒一下其他客户",
        "I got a text saying I won a prize from your shop and must pay a fee first. Is it real?",
    ] {
        let a = engine().analyze(&Input::new(text));
        assert_ne!(a.moderation.verdict, Verdict::Reject, "{text}: {:?}", a.moderation);
    }
}

#[test]
fn serious_reports_are_never_low() {
    for text in [
        "打开订单页面看到的是陌生人的姓名和电话，这是泄露隐私吧",
        "My order page shows a stranger's name, phone and home address instead of mine",
        "充值了500元，钱扣了，余额一分没加",
        "I was billed twice for one order, two identical charges on my card",
        "從昨天開始完全無法登入，什麼都不能做",
        "再不给我退款我就找媒体曝光，还要去12315投诉",
        "The charger got so hot the plastic melted and there was a burning smell",
    ] {
        let a = engine().analyze(&Input::new(text));
        assert!(a.priority.priority.rank() <= Priority::Medium.rank(), "{text}: {:?}", a.priority);
    }
}

#[test]
fn outages_and_leaks_affecting_many_are_urgent() {
    for text in [
        "Checkout is down for everyone since 9am, the site returns 503 on every request",
        "改一下链接里的编号就能看到其他客户的订单和手机号，任何人都能看",
        "Anyone can open other users' invoices by changing the ID in the link",
    ] {
        let a = engine().analyze(&Input::new(text));
        assert_eq!(a.priority.priority, Priority::Urgent, "{text}: {:?}", a.priority);
    }
}

#[test]
fn a_stated_vip_is_raised_one_level() {
    let plain = engine().analyze(&Input::new("请问年费套餐能不能改成月付？"));
    let vip = engine().analyze(&Input::new("我是你们的钻石会员，请问年费套餐能不能改成月付？"));
    assert_eq!(vip.priority.priority.rank() + 1, plain.priority.priority.rank(), "{:?}", vip.priority);
    // A tier the record already knows is not counted twice.
    let known = engine()
        .analyze(&Input {
            tier: CustomerTier::Vip, ..Input::new("我是你们的钻石会员，请问年费套餐能不能改成月付？")
        });
    assert_eq!(known.priority.priority, vip.priority.priority);
}

#[test]
fn every_priority_says_why() {
    let a = engine().analyze(&Input::new("The app has crashed every morning since the update"));
    assert!(!a.priority.reasons.is_empty());
    assert!(a.priority.reasons[0].contains("learned from labelled feedback"), "{:?}", a.priority.reasons);
}
