//! Turning templates into a customer's words: slot filling (a byte scan, no regex) and the
//! sentence fragments that surround the core issue.

use rand::rngs::StdRng;
use rand::Rng;

/// The language a ticket is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
    /// Traditional characters (Hong Kong, Taiwan customers).
    Hant,
    /// Chinese with English words mixed in.
    Mixed,
}

impl Lang {
    /// Whether staff answer in English.
    pub fn is_en(self) -> bool {
        self == Lang::En
    }
}

/// Values for a template's slots.
pub struct Slots<'a> {
    pub product: &'a str,
    pub order: &'a str,
    pub when: &'a str,
    pub n: u32,
    pub money: u32,
    pub version: &'a str,
    pub symptom: &'a str,
}

/// Appends `template` to `out` with `{p}`, `{o}`, `{t}`, `{n}`, `{x}`, `{v}`, `{s}` filled in.
pub fn render(template: &str, slots: &Slots, out: &mut String) {
    use std::fmt::Write;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let slot = rest.as_bytes().get(open + 1).copied();
        match slot {
            Some(b'p') => out.push_str(slots.product),
            Some(b'o') => out.push_str(slots.order),
            Some(b't') => out.push_str(slots.when),
            Some(b'v') => out.push_str(slots.version),
            Some(b's') => out.push_str(slots.symptom),
            Some(b'n') => {
                let _ = write!(out, "{}", slots.n);
            }
            Some(b'x') => {
                let _ = write!(out, "{}", slots.money);
            }
            _ => {
                out.push('{');
                rest = &rest[open + 1..];
                continue;
            }
        }
        rest = rest.get(open + 3..).unwrap_or("");
    }
    out.push_str(rest);
}

/// Renders a template into a new string.
pub fn rendered(template: &str, slots: &Slots) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    render(template, slots, &mut out);
    out
}

/// Picks one element uniformly.
pub fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// Picks one element uniformly, by reference.
pub fn pick_ref<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// When something happened, as customers say it.
pub fn when(rng: &mut StdRng, lang: Lang) -> &'static str {
    match lang {
        Lang::En => pick(rng, WHEN_EN),
        Lang::Hant => pick(rng, WHEN_HANT),
        Lang::Zh | Lang::Mixed => pick(rng, WHEN_ZH),
    }
}

const WHEN_ZH: &[&str] = &["昨天", "前天", "上周", "今天早上", "前几天", "这两天", "上个月", "周末", "昨晚"];
const WHEN_HANT: &[&str] = &["昨天", "上週", "今天早上", "前幾天", "這兩天"];
const WHEN_EN: &[&str] =
    &["yesterday", "last week", "this morning", "a few days ago", "over the weekend", "last month"];

/// Fragments around the core sentence in Chinese: greetings; what was tried (devices and
/// apps); that it is not the first time (any problem); demands (problems) and thanks.
pub const ZH_OPENERS: &[&str] =
    &["", "", "", "你好，", "您好，", "客服你好，", "在吗？", "麻烦看一下，", "我是老用户了，"];
/// What the customer already tried.
pub const ZH_TRIED: &[&str] =
    &["已经重启过了，没用", "按说明书操作过了还是不行", "照片已经拍下来了", "家里老人小孩都在用"];
/// Not the first time.
pub const ZH_AGAIN: &[&str] = &["已经是第{n}次反馈了", "之前打过电话没解决", "同事家里也遇到同样的问题"];
/// What the customer wants done.
pub const ZH_DEMANDS: &[&str] = &["希望尽快处理", "麻烦给个解决方案", "请尽快联系我", "要求换新", "请给个说法"];
/// Polite endings.
pub const ZH_THANKS: &[&str] = &["谢谢", "辛苦了", "麻烦了"];

/// The same in English, as whole sentences.
pub const EN_OPENERS: &[&str] = &["", "", "Hi,\n", "Hello,\n", "Dear support team,\n\n"];
/// What the customer already tried.
pub const EN_TRIED: &[&str] =
    &["I already restarted it twice.", "I followed the manual step by step.", "I have photos if you need them."];
/// Not the first time.
pub const EN_AGAIN: &[&str] =
    &["This is the {n}th time I'm reporting this.", "I called last week and nothing happened."];
/// What the customer wants done.
pub const EN_DEMANDS: &[&str] = &[
    "Please fix this as soon as possible.",
    "What are my options?",
    "Please get back to me.",
    "I'd like a replacement.",
];
/// Polite endings.
pub const EN_THANKS: &[&str] = &["Thanks.", "Thanks in advance!", "Cheers"];

/// Core sentences in traditional characters: (category id, sub-tag id, template).
pub const HANT: &[(&str, &str, &str)] = &[
    ("technical", "crash", "{p}{t}更新後一直閃退，重新安裝也沒用"),
    ("technical", "login", "{p}登入時一直顯示驗證碼錯誤"),
    ("feature_request", "new_feature", "希望{p}可以增加定時功能"),
    ("ux", "layout", "{p}的介面字太小，長輩看不清楚"),
    ("payment", "charge", "訂單 {o} 被重複扣款{x}元，請盡快退款"),
    ("product_quality", "durability", "{p}買了{n}個月就壞了，按鍵沒有反應"),
    ("product_quality", "performance", "{p}運轉時噪音很大"),
    ("service_complaint", "response_time", "客服電話一直打不通，等了很久都沒人接"),
    ("logistics", "delay", "訂單 {o} 的{p}到現在還沒收到，物流也沒有更新"),
    ("inquiry", "policy", "請問{p}的保固期是多久？"),
    ("inquiry", "usage", "{p}可以寄到香港嗎？運費怎麼算"),
    ("suggestion", "product", "建議{p}推出更小的尺寸"),
    ("other", "praise", "謝謝你們的{p}，用起來很滿意"),
];

/// Core sentences mixing Chinese and English: (category id, sub-tag id, template).
pub const MIXED: &[(&str, &str, &str)] = &[
    ("technical", "crash", "{p} 更新到 {v} 之后一直 crash，login 页面都打不开"),
    ("technical", "data_sync", "{p} 的 sync 功能有 bug，data 都没了"),
    ("feature_request", "customization", "希望{p}加一个 dark mode，还有 widget"),
    ("ux", "layout", "{p} 新版 UI 太 confusing 了，setting 找不到"),
    ("payment", "refund", "订单 {o} 的 refund 一直 pending，已经{n}天了"),
    ("logistics", "delay", "订单 {o} 的 tracking 一直没更新，delivery 太慢了"),
    ("inquiry", "usage", "请问{p}支持 HomeKit 吗？有没有 English manual"),
];
