//! Text the machine wrote, said in the reader's language: escalation reasons (written by
//! the SLA worker and the survey), the priority rules' explanations, triage signals and
//! sub-tags. The events keep their English sentences (API clients and the audit read
//! them); pages translate the shapes they know, show instants in the reader's zone, and
//! leave anything else as written.

use super::i18n::{Lang, T};
use chrono::{DateTime, Utc};

/// An escalation's reason.
pub fn escalation(t: &T, reason: &str) -> String {
    if let Some((target, due)) = reason.strip_prefix("SLA breached: ").and_then(|r| r.split_once(" was due ")) {
        if let Ok(at) = DateTime::parse_from_rfc3339(due.trim()) {
            return t
                .get("said.sla_breached")
                .replace("{target}", &t.name("sla.target", target))
                .replace("{due}", &t.date(&at.with_timezone(&Utc)));
        }
    }
    if let Some(comment) = reason.strip_prefix("customer unsatisfied: ") {
        let comment = if comment == "no reason given" { t.get("said.no_reason") } else { comment };
        return t.get("said.unsatisfied").replace("{comment}", comment);
    }
    reason.to_string()
}

/// The shapes of a priority reason (`triage/src/priority.rs`), most specific first.
const SHAPES: [(&str, &str, &str); 4] = [
    ("not raised (at most ", " by raising): ", "said.not_raised"),
    ("raised to ", ": ", "said.raised"),
    ("lowered to ", ": ", "said.lowered"),
    ("also ", ": ", "said.also"),
];

/// What the shipped priority rules say (`triage/data/priority-rules.json`), by phrase.
const PHRASES: [(&str, &str); 23] = [
    ("repeated feedback about a known problem", "said.r.repeated"),
    ("mild dissatisfaction", "said.r.mild"),
    ("safety word", "said.r.safety"),
    ("large-scale outage", "said.r.outage"),
    ("data leak affecting many", "said.r.data_leak"),
    (" reports)", "said.r.reports"),
    ("core function failed", "said.r.core_failure"),
    ("privacy or data risk", "said.r.privacy"),
    ("risk of public outcry", "said.r.outcry"),
    ("customer lost money", "said.r.money_lost"),
    ("severe damage", "said.r.severe_damage"),
    ("customer very upset and demands immediate action", "said.r.upset"),
    ("many customers hit", "said.r.many_hit"),
    ("customers report the same serious problem", "said.r.same_serious"),
    ("never low with a serious signal", "said.r.never_low"),
    ("possibly serious: learned model gives urgent or high", "said.r.possibly_serious"),
    ("urgency high (stated or detected)", "said.r.urgency_high"),
    ("customer demands immediate action", "said.r.immediate"),
    ("customer says they are", "said.r.says_tier"),
    ("customers reported this problem", "said.r.reported"),
    ("impact scope: all users", "said.r.scope_all"),
    ("learned from labelled feedback", "said.r.learned"),
    ("probability", "said.r.probability"),
];

/// One reason a ticket got its priority.
pub fn priority_reason(t: &T, reason: &str) -> String {
    if t.lang == Lang::En {
        return reason.to_string();
    }
    for (start, end, key) in SHAPES {
        if let Some((p, text)) = reason.strip_prefix(start).and_then(|r| r.split_once(end)) {
            return t.get(key).replace("{p}", &t.name("priority", p)).replace("{text}", &rule_text(t, text));
        }
    }
    match reason.split_once(": ") {
        // The category's own priority, before any rule.
        Some((p, text)) if text.starts_with("category ") && !text.contains(',') => t
            .get("said.base")
            .replace("{p}", &t.name("priority", p))
            .replace("{c}", &t.name("category", text.trim_start_matches("category "))),
        Some((p, text)) if loopdesk_core::Priority::parse(p).is_some() => {
            t.get("said.set").replace("{p}", &t.name("priority", p)).replace("{text}", &rule_text(t, text))
        }
        _ => rule_text(t, reason),
    }
}

/// A rule's own text: its known phrases and the category and tier names translated,
/// the punctuation full-width.
fn rule_text(t: &T, text: &str) -> String {
    let mut out = text.to_string();
    if let Some(c) = out.rsplit_once("category ").map(|(_, c)| c.to_string()) {
        out = out.replace(&format!("category {c}"), &t.get("said.r.category").replace("{c}", &t.name("category", &c)));
    }
    for (english, key) in PHRASES {
        out = out.replace(english, t.get(key));
    }
    for tier in ["vip customer", "key_account customer"] {
        let name = tier.trim_end_matches(" customer");
        out = out.replace(tier, &t.get("said.r.tier").replace("{tier}", &t.name("tier", name)));
    }
    out.replace(": ", "：").replace(", ", "，").replace(" (", "（").replace(')', "）")
}

/// A triage signal (`safety: 漏电 冒烟`) with its kind named.
pub fn signal(t: &T, s: &str) -> String {
    match s.split_once(": ") {
        Some((kind, words)) => {
            t.get("said.signal").replace("{kind}", &t.name("signal", kind)).replace("{words}", words)
        }
        None => t.name("signal", s),
    }
}

/// Why a message to the customer is not delivered yet, as the outbox wrote it
/// (`app/src/outbound`): the shapes it writes in the reader's language; a server's own
/// answer (an SMTP reply, an HTTP status) stays as the server said it.
pub fn delivery_error(t: &T, error: &str) -> String {
    if let Some(rest) = error.strip_prefix("gave up after ") {
        if let Some((n, why)) = rest.split_once(" attempts: ") {
            return t.get("said.d.gave_up").replace("{n}", n).replace("{why}", &delivery_error(t, why));
        }
    }
    if let Some(code) = error.strip_prefix("the receiver answered error code ") {
        return t.get("said.d.error_code").replace("{code}", code);
    }
    if let Some(robot) = error.strip_prefix("robot ").and_then(|r| r.strip_suffix(" is no longer configured")) {
        return t.get("said.d.robot_gone").replace("{robot}", robot);
    }
    match error {
        "SMTP is not configured" => t.get("said.d.no_smtp").to_string(),
        "no outbound gateway configured" => t.get("said.d.no_gateway").to_string(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::DEFAULT_TZ;

    const ZH: T = T { lang: Lang::Zh, tz: DEFAULT_TZ };
    const EN: T = T { lang: Lang::En, tz: DEFAULT_TZ };

    #[test]
    fn a_breach_is_said_in_the_readers_language_and_zone() {
        let r = "SLA breached: result was due 2026-11-02T01:30:00+00:00";
        assert_eq!(escalation(&ZH, r), "超时：“处理结果”应于 2026-11-02 09:30 完成");
        assert!(escalation(&EN, r).contains("2026-11-02 09:30"), "{}", escalation(&EN, r));
        assert_eq!(escalation(&ZH, "customer unsatisfied: no reason given"), "客户不满意：未说明原因");
        assert_eq!(escalation(&ZH, "人工升级"), "人工升级");
    }

    #[test]
    fn priority_reasons_are_chinese() {
        for (english, chinese) in [
            ("urgent: safety word 漏电", "紧急：安全隐患词 漏电"),
            ("raised to high: risk of public outcry: 曝光", "升为高：可能引发舆情：曝光"),
            ("medium: category logistics", "中：类型“物流配送”的默认优先级"),
            ("lowered to low: mild dissatisfaction: 有点", "降为低：轻微不满：有点"),
            ("urgent: large-scale outage (12 reports)", "紧急：大范围故障（12 份反馈）"),
            (
                "high: learned from labelled feedback (probability 0.83), category logistics",
                "高：由已标注反馈训练的模型判断（概率 0.83），类型“物流配送”",
            ),
        ] {
            assert_eq!(priority_reason(&ZH, english), chinese);
        }
        assert_eq!(priority_reason(&EN, "urgent: safety word 漏电"), "urgent: safety word 漏电");
        assert_eq!(signal(&ZH, "safety: 漏电"), "安全隐患：漏电");
    }

    #[test]
    fn delivery_errors_are_chinese() {
        assert_eq!(delivery_error(&ZH, "SMTP is not configured"), "邮件服务器（SMTP）尚未配置");
        assert_eq!(
            delivery_error(&ZH, "gave up after 8 attempts: no outbound gateway configured"),
            "尝试 8 次后放弃：尚未配置短信/应用/微信网关"
        );
        assert_eq!(delivery_error(&ZH, "HTTP 503"), "HTTP 503");
        assert_eq!(delivery_error(&EN, "SMTP is not configured"), "SMTP is not configured");
    }
}
