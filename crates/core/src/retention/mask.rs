//! Personal data inside free text: phone numbers, e-mail addresses, ID-card numbers,
//! bank-card numbers and street addresses, replaced by a placeholder that says what was
//! there. Customers write these into their feedback ("我的电话 138 0013 8000，身份证
//! 110105199001011234"), so clearing the contact fields alone would keep them.
//!
//! Numbers are found as runs of digits (half- or full-width, optionally with `+`, single
//! spaces or dashes between groups) and then judged by what the digits are, because a
//! pattern with word boundaries misses a number written straight after a Chinese word
//! (`电话13800138000` has no boundary between `话` and `1`). A run that is not personal as a
//! whole (an order number next to a phone number) is judged group by group. Order,
//! tracking and serial numbers that look like nothing personal stay: they carry no person.

use regex::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

/// What a masked span was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    Phone,
    Email,
    IdNumber,
    BankCard,
    Address,
    Name,
    /// An identity the customer is known by (member id, WeChat openid).
    Identity,
}

impl Placeholder {
    /// The text that replaces the span: Chinese first, as staff read it in the console.
    pub fn text(self) -> &'static str {
        match self {
            Placeholder::Phone => "[电话]",
            Placeholder::Email => "[邮箱]",
            Placeholder::IdNumber => "[身份证号]",
            Placeholder::BankCard => "[银行卡号]",
            Placeholder::Address => "[地址]",
            Placeholder::Name => "[姓名]",
            Placeholder::Identity => "[用户标识]",
        }
    }
}

struct Patterns {
    email: Regex,
    address: Regex,
    number: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // Fixed patterns: a failure to compile is caught by every test of this module.
        let re = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("retention pattern {p:?}: {e}"));
        Patterns {
            email: re(r"[A-Za-z0-9._%+\-]+[@＠][A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
            address: re(concat!(
                // 建国路88号(3栋)(501室): a street, its number, and the building and room after it.
                r"[\p{Han}0-9０-９]{0,12}?(?:路|街|大道|大街|巷|弄|胡同|里)[0-9０-９]+(?:号|號)",
                r"(?:[0-9０-９\-]+(?:号楼|號樓|栋|棟|幢|单元|單元|层|層|楼|樓|室|号|號))*",
                // 阳光小区3栋2单元501室: an estate, its building, unit and room.
                r"|[\p{Han}]{0,10}?(?:小区|小區|花园|花園|公寓|大厦|大廈|苑|新村)[0-9０-９]+(?:号楼|號樓|栋|棟|幢)",
                r"(?:[0-9０-９\-]+(?:单元|單元|层|層|室|号|號))*",
                // 1600 Amphitheatre Parkway, 221B Baker Street (Apt 4)
                // ASCII word boundaries: a Unicode one keeps the regex off its fast engines on
                // Chinese text.
                r"|(?-u:\b)[0-9]{1,5}[A-Za-z]?[ \t]+(?:[A-Z][A-Za-z]*[ \t]+){1,4}",
                r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl|Parkway)(?-u:\b)\.?",
                r"(?:,?[ \t]*(?:Apt|Suite|Unit|Room|#)\.?[ \t]*[A-Za-z0-9\-]+)?",
            )),
            number: re(r"\+?[0-9０-９]+(?:[ \-][0-9０-９]+)*[Xx]?"),
        }
    })
}

/// `text` with every phone number, e-mail address, ID-card number, bank-card number and
/// street address replaced by its [`Placeholder`]; borrowed when there was none.
pub fn mask_personal_data(text: &str) -> Cow<'_, str> {
    let p = patterns();
    let mut out = Cow::Borrowed(text);
    if p.email.is_match(&out) {
        out = Cow::Owned(p.email.replace_all(&out, Placeholder::Email.text()).into_owned());
    }
    if p.address.is_match(&out) {
        out = Cow::Owned(p.address.replace_all(&out, Placeholder::Address.text()).into_owned());
    }
    if !p.number.is_match(&out) {
        return out;
    }
    let mut masked = String::with_capacity(out.len());
    let mut last = 0;
    let mut changed = false;
    for m in p.number.find_iter(&out) {
        masked.push_str(&out[last..m.start()]);
        last = m.end();
        let span = m.as_str();
        if let Some(kind) = classify(span) {
            masked.push_str(kind.text());
            changed = true;
            continue;
        }
        // Not personal as a whole: judge each group (a phone number next to a count).
        let mut rest = span;
        while !rest.is_empty() {
            let end = rest.char_indices().skip(1).find(|(_, c)| matches!(c, ' ' | '-')).map_or(rest.len(), |(i, _)| i);
            let (group, tail) = rest.split_at(end);
            let lead = group.len() - group.trim_start_matches([' ', '-']).len();
            match classify(&group[lead..]) {
                Some(kind) => {
                    masked.push_str(&group[..lead]);
                    masked.push_str(kind.text());
                    changed = true;
                }
                None => masked.push_str(group),
            }
            rest = tail;
        }
    }
    if !changed {
        return out;
    }
    masked.push_str(&out[last..]);
    Cow::Owned(masked)
}

/// The digits of a span in ASCII (full-width digits are what many Chinese keyboards type),
/// with a trailing `X` kept.
fn digits_of(span: &str) -> String {
    span.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            'x' | 'X' => Some('X'),
            _ => None,
        })
        .collect()
}

fn classify(span: &str) -> Option<Placeholder> {
    let d = digits_of(span);
    let plus = span.starts_with('+');
    if is_id_number(&d) {
        return Some(Placeholder::IdNumber);
    }
    if d.contains('X') {
        return None;
    }
    if is_phone(&d, plus, span.len() != d.len()) {
        return Some(Placeholder::Phone);
    }
    if (13..=19).contains(&d.len()) && luhn(&d) {
        return Some(Placeholder::BankCard);
    }
    None
}

/// A mainland resident ID number: 17 digits and a check character, with a plausible birth
/// date in positions 7–14. The check character is not verified: a mistyped number is
/// still the person's.
fn is_id_number(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 18 || b[0] == b'0' || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| d[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    (1900..=2099).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Mainland mobiles (with or without +86/0086), landlines written with their trunk 0 and
/// a separator, and international numbers written with `+`.
fn is_phone(d: &str, plus: bool, separated: bool) -> bool {
    let national = d.strip_prefix("0086").or_else(|| d.strip_prefix("86").filter(|_| plus || d.len() == 13));
    let mobile = |n: &str| n.len() == 11 && n.starts_with('1') && matches!(n.as_bytes()[1], b'3'..=b'9');
    if mobile(d) || national.is_some_and(mobile) {
        return true;
    }
    if plus {
        return (8..=15).contains(&d.len());
    }
    let landline = d.starts_with('0') && !d.starts_with("00") && (10..=12).contains(&d.len());
    landline && (separated || d.len() >= 11)
}

fn luhn(d: &str) -> bool {
    let mut sum = 0;
    for (i, c) in d.bytes().rev().enumerate() {
        let mut v = u32::from(c - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        mask_personal_data(s).into_owned()
    }

    #[test]
    fn phones_in_any_form() {
        assert_eq!(m("电话13800138000，谢谢"), "电话[电话]，谢谢");
        assert_eq!(m("call +86 138 0013 8000 now"), "call [电话] now");
        assert_eq!(m("我的手机是138-0013-8000"), "我的手机是[电话]");
        assert_eq!(m("座机 010-6552 9988"), "座机 [电话]");
        assert_eq!(m("全角１３８００１３８０００"), "全角[电话]");
        assert_eq!(m("+1 415 555 0100"), "[电话]");
        assert_eq!(m("打了13800138000 3次"), "打了[电话] 3次");
    }

    #[test]
    fn emails_ids_and_cards() {
        assert_eq!(m("请回复 li.wei@example.com 或13800138000@qq.com"), "请回复 [邮箱] 或[邮箱]");
        assert_eq!(m("身份证号110105199001011234"), "身份证号[身份证号]");
        assert_eq!(m("身份证 11010519900101123X 已上传"), "身份证 [身份证号] 已上传");
        // 4111 1111 1111 1111 passes the Luhn check; 4111 1111 1111 1112 does not.
        assert_eq!(m("卡号 4111 1111 1111 1111"), "卡号 [银行卡号]");
        assert_eq!(m("卡号 6222021234567890128"), "卡号 [银行卡号]");
    }

    #[test]
    fn addresses() {
        // Without look-behind the words just before a street may go with it: more masked,
        // never less.
        assert_eq!(m("地址：北京市朝阳区建国路88号3栋501室，谢谢"), "地址：[地址]，谢谢");
        assert_eq!(m("住址：阳光小区3栋2单元501室"), "住址：[地址]");
        assert_eq!(m("ship to 221B Baker Street, Apt 4 please"), "ship to [地址] please");
    }

    #[test]
    fn what_is_not_personal_stays() {
        for keep in [
            "订单号 2023111512345 未发货",
            "版本 3.2.1，错误码 E1001",
            "退款 199 元，等了 3 天",
            "型号 X200，序列号 SN-88231",
            "2024-03-05 14:30 下单",
            "卡号 4111 1111 1111 1112",
        ] {
            assert_eq!(m(keep), keep);
            assert!(matches!(mask_personal_data(keep), Cow::Borrowed(_)), "{keep}");
        }
    }
}
