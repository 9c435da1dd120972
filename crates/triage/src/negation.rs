//! Negated hazard words: "打不着火" (the heater will not ignite) holds "着火" (on fire),
//! "没有冒烟" and "no smoke" deny the hazard they name. A safety word right after a
//! negation is not a safety signal; a question about the hazard ("会不会起火",
//! "有没有漏电") still is, because customers ask exactly when they fear it.

/// Chinese negations that deny the word right after them (longest first).
const ZH_NEGATIONS: [&str; 7] = ["没有", "不会", "不", "没", "未", "无", "防"];

/// English negations before a hazard word ("no smoke", "without sparks").
const EN_NEGATIONS: [&str; 4] = ["no", "not", "without", "never"];

/// Whether the word starting at byte `start` of a normalised (lower-case, simplified)
/// `text` is negated by what comes right before it.
pub fn negated(text: &str, start: usize) -> bool {
    let Some(before) = text.get(..start) else {
        return false;
    };
    if ZH_NEGATIONS.iter().any(|n| before.ends_with(n)) {
        return !a_not_a(before);
    }
    let last_word = before.trim_end().rsplit(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or("");
    before.ends_with(' ') && EN_NEGATIONS.contains(&last_word)
}

/// "会不会", "有没有", "是不是": a yes-no question, which asks about the hazard rather
/// than denying it.
fn a_not_a(before: &str) -> bool {
    let mut tail = before.chars().rev();
    match (tail.next(), tail.next(), tail.next()) {
        (Some(a), Some('不' | '没'), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, word: &str) -> bool {
        negated(text, text.find(word).unwrap())
    }

    #[test]
    fn negations_deny_the_hazard() {
        assert!(at("热水器打不着火", "着火"));
        assert!(at("燃气灶点不着火了", "着火"));
        assert!(at("检查过了，没有漏电", "漏电"));
        assert!(at("不发热了", "发热"));
        assert!(at("there was no smoke at all", "smoke"));
        assert!(at("it runs without overheating", "overheating"));
    }

    #[test]
    fn hazards_and_questions_about_them_stay() {
        assert!(!at("插头冒烟了", "冒烟"));
        assert!(!at("这样会不会起火", "起火"));
        assert!(!at("是不是漏电了", "漏电"));
        assert!(!at("有没有漏电的风险", "漏电"));
        assert!(!at("插座不停地冒烟", "冒烟"));
        assert!(!at("the charger is on fire", "fire"));
        assert!(!at("烧焦", "烧焦"));
    }
}
