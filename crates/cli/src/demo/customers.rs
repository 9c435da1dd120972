//! Made-up customers: Chinese and English names, Chinese mobile numbers, e-mail addresses,
//! addresses, member ids and tiers, drawn to fit the ticket's language and channel.

use super::text::{pick, Lang};
use loopdesk_core::{Channel, Customer, CustomerTier, Email, Phone};
use rand::rngs::StdRng;
use rand::Rng;
use std::fmt::Write;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡",
    "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈", "姚", "卢", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "晨", "欣怡", "子涵", "浩然", "宇轩", "雨桐", "建国", "建华", "志强", "海燕", "丹", "鹏",
    "婷婷", "佳琪", "俊杰", "思远", "雪", "梓萱",
];
const HANT_NAMES: &[&str] =
    &["陳志明", "林淑芬", "黃美玲", "張家豪", "李怡君", "王建宏", "吳俊傑", "劉雅婷", "蔡宗翰", "鄭佩珊"];
const EN_FIRST: &[&str] = &[
    "James", "Emma", "Oliver", "Sophia", "Liam", "Mia", "Noah", "Olivia", "Lucas", "Chloe", "Daniel", "Grace",
    "Michael", "Hannah", "David", "Emily", "Ryan", "Sarah", "Kevin", "Anna",
];
const EN_LAST: &[&str] = &[
    "Smith", "Johnson", "Brown", "Miller", "Wilson", "Taylor", "Clark", "Walker", "Wright", "Green", "Baker", "Hill",
    "Turner", "Evans", "Murphy", "Cooper", "Reed", "Kelly",
];
const PINYIN: &[&str] = &[
    "xiao", "wang", "li", "zhang", "chen", "ming", "hua", "jing", "lei", "yu", "tian", "xin", "long", "fei", "yang",
    "lin", "hao", "qing", "mei", "jun",
];
const ZH_MAIL: &[&str] = &["qq.com", "163.com", "126.com", "sina.com", "foxmail.com"];
const EN_MAIL: &[&str] = &["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com"];
const CITIES: &[(&str, &str)] = &[
    ("上海市", "浦东新区"),
    ("北京市", "朝阳区"),
    ("广东省深圳市", "南山区"),
    ("浙江省杭州市", "西湖区"),
    ("四川省成都市", "武侯区"),
    ("江苏省南京市", "鼓楼区"),
    ("湖北省武汉市", "洪山区"),
    ("广东省广州市", "天河区"),
];
const ROADS: &[&str] = &["人民路", "建设路", "中山路", "解放路", "长江路", "科技园路", "文化路"];

/// Draws a customer for a ticket in `lang` that came through `channel`.
pub fn customer(rng: &mut StdRng, lang: Lang, channel: Channel, wants_address: bool) -> Customer {
    let anonymous_allowed = matches!(channel, Channel::Web | Channel::App | Channel::Wechat | Channel::Social);
    if anonymous_allowed && rng.gen_ratio(1, 30) {
        return Customer { anonymous: true, ..Customer::default() };
    }
    let (name, latin) = name(rng, lang);
    let needs_email = channel == Channel::Email || (lang.is_en() && rng.gen_bool(0.7));
    let needs_phone =
        matches!(channel, Channel::Sms | Channel::Phone | Channel::Store | Channel::WalkIn) || !needs_email;
    let phone = (needs_phone || rng.gen_ratio(1, 4)).then(|| phone(rng, lang));
    let email = (needs_email || rng.gen_ratio(1, 6)).then(|| email(rng, lang, &latin));
    let tier = match rng.gen_range(0..100) {
        0..=89 => CustomerTier::Standard,
        90..=96 => CustomerTier::Vip,
        _ => CustomerTier::KeyAccount,
    };
    let member = (channel != Channel::Internal && rng.gen_ratio(1, 3))
        .then(|| format!("M{:09}", rng.gen_range(0..1_000_000_000u32)));
    Customer {
        name: Some(name),
        anonymous: false,
        phone: phone.and_then(|p| Phone::parse(&p).ok()),
        email: email.and_then(|e| Email::parse(&e).ok()),
        address: (wants_address && rng.gen_bool(0.5)).then(|| address(rng, lang)),
        member_id: member,
        tier: if channel == Channel::Internal { CustomerTier::Standard } else { tier },
    }
}

/// A display name and a latin handle for the e-mail address.
fn name(rng: &mut StdRng, lang: Lang) -> (String, String) {
    match lang {
        Lang::En => {
            let first = pick(rng, EN_FIRST);
            let last = pick(rng, EN_LAST);
            (format!("{first} {last}"), format!("{first}.{last}").to_lowercase())
        }
        Lang::Hant => (pick(rng, HANT_NAMES).to_string(), handle(rng)),
        Lang::Zh | Lang::Mixed => {
            let surname = pick(rng, SURNAMES);
            let name = match rng.gen_range(0..10) {
                // People often give only a surname on the phone.
                0 => format!("{surname}先生"),
                1 => format!("{surname}女士"),
                _ => format!("{surname}{}", pick(rng, GIVEN)),
            };
            (name, handle(rng))
        }
    }
}

fn handle(rng: &mut StdRng) -> String {
    let mut h = String::with_capacity(16);
    h.push_str(pick(rng, PINYIN));
    h.push_str(pick(rng, PINYIN));
    let _ = write!(h, "{}", rng.gen_range(1..2000));
    h
}

fn phone(rng: &mut StdRng, lang: Lang) -> String {
    match lang {
        Lang::Hant if rng.gen_bool(0.5) => {
            format!("+852 {}", rng.gen_range(50_000_000..99_999_999u32))
        }
        Lang::Hant => format!("+886 9{:08}", rng.gen_range(0..100_000_000u32)),
        Lang::En if rng.gen_bool(0.4) => format!("+1 415 {:07}", rng.gen_range(0..10_000_000u32)),
        _ => format!("1{}{:09}", rng.gen_range(3..=9), rng.gen_range(0..1_000_000_000u32)),
    }
}

fn email(rng: &mut StdRng, lang: Lang, latin: &str) -> String {
    if lang.is_en() {
        return format!("{latin}@{}", pick(rng, EN_MAIL));
    }
    if rng.gen_bool(0.4) {
        return format!("{}@qq.com", rng.gen_range(10_000..3_000_000_000u64));
    }
    format!("{latin}@{}", pick(rng, ZH_MAIL))
}

fn address(rng: &mut StdRng, lang: Lang) -> String {
    let (city, district) = pick(rng, CITIES);
    let road = pick(rng, ROADS);
    let (no, building, room) = (rng.gen_range(1..900), rng.gen_range(1..30), rng.gen_range(101..2800));
    if lang.is_en() {
        return format!("Room {room}, Building {building}, No. {no} {road}, {district}, {city}");
    }
    format!("{city}{district}{road}{no}号{building}栋{room}室")
}
