//! Moderation: spam and advertising, abuse, gibberish, binary junk and out-of-scope
//! content. A verdict with reasons; the text itself is never changed or dropped. Rejection
//! needs strong evidence because a wrongly rejected complaint is worse than a missed ad.

use crate::error::TriageError;
use crate::lexicon::{Hit, Lexicon};
use crate::normalize::{fold_char, is_wordy, to_simplified, EntityKind, Normalized};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The default lists, embedded.
pub const DEFAULT_MODERATION_JSON: &str = include_str!("../data/moderation.json");

/// Editable moderation lists and thresholds; a versioned record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModerationLists {
    /// Version of this record.
    pub version: u32,
    /// Advertising and spam phrases.
    pub spam: Vec<String>,
    /// Insults (flagged and masked, never rejected on their own).
    pub abuse: Vec<String>,
    /// Topics outside customer feedback.
    pub out_of_scope: Vec<String>,
    /// Phrases that hold an insult but are none ("爸妈的" holds "妈的"): an abuse hit
    /// inside one does not count.
    #[serde(default)]
    pub not_abuse: Vec<String>,
    /// Spam score from which a text is rejected (distinct spam words, links, contacts).
    pub spam_reject_score: f32,
    /// With a spam model loaded: probability from which a text is rejected as spam.
    #[serde(default = "default_spam_reject_probability")]
    pub spam_reject_probability: f32,
    /// With a spam model loaded: probability from which a text is flagged as possible spam.
    #[serde(default = "default_spam_flag_probability")]
    pub spam_flag_probability: f32,
    /// Below this share of distinct characters (in the first 200) a text is gibberish.
    pub gibberish_min_distinct_ratio: f32,
}

/// How much lower the spam model's probability may be when list words, links or contacts
/// back it up.
const SPAM_EVIDENCE_MARGIN: f32 = 0.15;

fn default_spam_reject_probability() -> f32 {
    0.99
}

fn default_spam_flag_probability() -> f32 {
    0.9
}

impl ModerationLists {
    /// The embedded defaults.
    pub fn defaults() -> Result<ModerationLists, TriageError> {
        serde_json::from_str(DEFAULT_MODERATION_JSON).map_err(TriageError::json("moderation lists"))
    }
}

/// What to do with a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A normal ticket.
    Accept,
    /// A ticket, marked for a person's attention (abuse, possible spam).
    Flag,
    /// Goes to the rejected state with the reasons; a person can restore it.
    Reject,
}

/// Why a verdict was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// No words at all.
    Empty,
    /// Mostly control or replacement characters.
    Binary,
    /// Keyboard mashing or endless repetition.
    Gibberish,
    /// Advertising or spam.
    Spam,
    /// Insults.
    Abuse,
    /// Not customer feedback.
    OutOfScope,
}

/// One reason, with the words that triggered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModerationReason {
    /// The kind of problem.
    pub kind: ReasonKind,
    /// A short human-readable explanation.
    pub detail: String,
    /// List words found, if any.
    pub words: Vec<String>,
}

/// The moderation outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moderation {
    /// Accept, flag or reject.
    pub verdict: Verdict,
    /// Every reason found (empty when accepted).
    pub reasons: Vec<ModerationReason>,
}

/// Applies moderation lists.
#[derive(Debug, Clone)]
pub struct Moderator {
    lists: ModerationLists,
    lexicon: Lexicon,
    abuse: Lexicon,
}

impl Moderator {
    /// Compiles the lists.
    pub fn new(lists: ModerationLists) -> Result<Moderator, TriageError> {
        let lexicon = Lexicon::new(&[
            lists.spam.clone(),
            lists.abuse.clone(),
            lists.out_of_scope.clone(),
            lists.not_abuse.clone(),
        ])?;
        let abuse = Lexicon::new(&[lists.abuse.clone(), lists.not_abuse.clone()])?;
        Ok(Moderator { lists, lexicon, abuse })
    }

    /// Version of the lists in use.
    pub fn version(&self) -> u32 {
        self.lists.version
    }

    /// Judges a normalised text. `on_topic` says whether anything in it looked like
    /// feedback (a category keyword or a priority signal): that protects it from rejection
    /// as gibberish or out of scope.
    /// `spam_probability` comes from a spam model, when one is loaded.
    pub fn check(&self, norm: &Normalized, on_topic: bool, spam_probability: Option<f32>) -> Moderation {
        let hits = self.lexicon.find(&norm.text);
        self.check_hits(norm, &hits, on_topic, spam_probability)
    }

    /// The compiled lists: spam, abuse, out of scope, not abuse.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Like [`Moderator::check`], from hits of [`Moderator::lexicon`]'s lists.
    pub fn check_hits(
        &self,
        norm: &Normalized,
        hits: &[Hit<'_>],
        on_topic: bool,
        spam_probability: Option<f32>,
    ) -> Moderation {
        let mut reasons = Vec::new();
        let mut reject = false;
        let alnum = norm.text.chars().filter(|c| is_wordy(*c)).count();
        if norm.chars > 0 && norm.binary_chars * 5 > norm.chars {
            reasons.push(reason(ReasonKind::Binary, "mostly control or invalid characters", vec![]));
            reject = true;
        } else if alnum == 0 && norm.entities.is_empty() {
            reasons.push(reason(ReasonKind::Empty, "no words", vec![]));
            reject = true;
        } else if !on_topic {
            if let Some(detail) = gibberish(&norm.text, self.lists.gibberish_min_distinct_ratio) {
                reasons.push(reason(ReasonKind::Gibberish, detail, vec![]));
                reject = true;
            }
        }
        let mut found: [Vec<String>; 3] = Default::default();
        let innocent = innocent_spans(hits, NOT_ABUSE);
        for hit in hits.iter().filter(|h| h.list < NOT_ABUSE) {
            if hit.list == ABUSE && innocent.iter().any(|&(s, e)| s <= hit.start && hit.end <= e) {
                continue;
            }
            let list = &mut found[hit.list];
            if !list.iter().any(|w| w == hit.word) {
                list.push(hit.word.to_string());
            }
        }
        let [spam, abuse, off_topic] = found;
        let evidence = !spam.is_empty()
            || norm.entities.iter().any(|e| matches!(e.kind, EntityKind::Url | EntityKind::Phone | EntityKind::Email));
        if !spam.is_empty() {
            let links = norm.entities.iter().filter(|e| e.kind == EntityKind::Url).count();
            let contacts =
                norm.entities.iter().filter(|e| matches!(e.kind, EntityKind::Phone | EntityKind::Email)).count();
            let score = spam.len() as f32 + links.min(2) as f32 + 0.5 * contacts.min(2) as f32;
            let strong = score >= self.lists.spam_reject_score && spam.len() >= 2;
            reject |= strong;
            let detail = format!("advertising or spam (score {score:.1})");
            reasons.push(reason(ReasonKind::Spam, detail, spam));
        }
        if let Some(p) = spam_probability.filter(|p| *p >= self.lists.spam_flag_probability) {
            // With other evidence (a list word, a link, a contact) a little less certainty
            // is enough; a person still sees every flagged one.
            reject |= p >= self.lists.spam_reject_probability
                || (evidence && p >= self.lists.spam_reject_probability - SPAM_EVIDENCE_MARGIN);
            let detail = format!("spam model: probability {p:.3}");
            reasons.push(reason(ReasonKind::Spam, detail, vec![]));
        }
        if !abuse.is_empty() {
            reasons.push(reason(ReasonKind::Abuse, "insulting language (masked in lists)", abuse));
        }
        if !off_topic.is_empty() && !on_topic {
            reject |= off_topic.len() >= 2;
            reasons.push(reason(ReasonKind::OutOfScope, "not about our products or services", off_topic));
        }
        let verdict = if reject {
            Verdict::Reject
        } else if reasons.is_empty() {
            Verdict::Accept
        } else {
            Verdict::Flag
        };
        Moderation { verdict, reasons }
    }

    /// The original text with insults replaced by `*` (for lists and previews).
    pub fn mask_abuse(&self, original: &str) -> String {
        let chars: Vec<char> = original.chars().collect();
        let folded: Vec<char> = chars.iter().map(|&c| fold_char(c).unwrap_or(' ')).collect();
        let folded_text: String = folded.iter().collect();
        let simplified = to_simplified(&folded_text);
        // Simplification is character for character in practice; if not, match unsimplified.
        let text = if simplified.chars().count() == chars.len() { simplified } else { folded_text };
        let mut masked = vec![false; chars.len()];
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let hits = self.abuse.find(&text);
        let innocent = innocent_spans(&hits, 1);
        for hit in hits.iter().filter(|h| h.list == 0) {
            if innocent.iter().any(|&(s, e)| s <= hit.start && hit.end <= e) {
                continue;
            }
            let from = starts.partition_point(|&b| b < hit.start);
            let to = starts.partition_point(|&b| b < hit.end);
            masked[from..to.min(chars.len())].iter_mut().for_each(|m| *m = true);
        }
        chars.iter().zip(masked).map(|(&c, m)| if m { '*' } else { c }).collect()
    }
}

/// List numbers in [`Moderator::lexicon`].
const ABUSE: usize = 1;
const NOT_ABUSE: usize = 3;

/// Byte spans of the hits of list `list` (phrases that cancel an insult inside them).
fn innocent_spans(hits: &[Hit<'_>], list: usize) -> Vec<(usize, usize)> {
    hits.iter().filter(|h| h.list == list).map(|h| (h.start, h.end)).collect()
}

fn reason(kind: ReasonKind, detail: impl Into<String>, words: Vec<String>) -> ModerationReason {
    ModerationReason { kind, detail: detail.into(), words }
}

/// Why a text looks like gibberish, if it does.
fn gibberish(text: &str, min_distinct_ratio: f32) -> Option<&'static str> {
    let sample: Vec<char> = text.chars().filter(|c| is_wordy(*c)).take(200).collect();
    let han = sample.iter().filter(|c| crate::normalize::is_han(**c)).count();
    if han * 2 >= sample.len() && sample.len() >= 8 {
        // Chinese: a real sentence uses many different characters.
        let distinct: HashSet<&char> = sample.iter().collect();
        if (distinct.len() as f32) < min_distinct_ratio * sample.len() as f32 {
            return Some("the same few characters repeated");
        }
    }
    let all_words: Vec<&str> =
        text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).take(200).collect();
    if han == 0 && all_words.len() >= 4 {
        let distinct: HashSet<&&str> = all_words.iter().collect();
        if (distinct.len() as f32) < min_distinct_ratio * all_words.len() as f32 {
            return Some("the same few words repeated");
        }
    }
    if han == 0 && sample.len() >= 8 {
        let mut longest = 1;
        let mut run = 1;
        for pair in sample.windows(2) {
            run = if pair[0] == pair[1] { run + 1 } else { 1 };
            longest = longest.max(run);
        }
        if longest * 2 > sample.len() {
            return Some("one character repeated");
        }
    }
    let words: Vec<&str> = text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 5).collect();
    let mashed = words.iter().filter(|w| looks_mashed(w)).count();
    if han == 0 && mashed >= 1 && mashed * 2 >= words.len().max(1) && words.len() <= 20 {
        return Some("keyboard mashing, no real words");
    }
    None
}

fn looks_mashed(word: &str) -> bool {
    let vowels = word.bytes().filter(|b| b"aeiouy".contains(b)).count();
    let mut run = 0;
    let mut longest = 0;
    for b in word.bytes() {
        run = if b"aeiouy".contains(&b) { 0 } else { run + 1 };
        longest = longest.max(run);
    }
    word.len() > 30 || vowels == 0 || longest >= 5 || vowels * 6 < word.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize, DEFAULT_MAX_CHARS};

    fn check(text: &str, on_topic: bool) -> Moderation {
        let m = Moderator::new(ModerationLists::defaults().unwrap()).unwrap();
        m.check(&normalize(text, DEFAULT_MAX_CHARS), on_topic, None)
    }

    fn kinds(m: &Moderation) -> Vec<ReasonKind> {
        m.reasons.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn plain_feedback_is_accepted() {
        assert_eq!(check("收到的耳机左边没有声音，麻烦处理一下", true).verdict, Verdict::Accept);
        assert_eq!(check("The delivery was two days late.", true).verdict, Verdict::Accept);
    }

    #[test]
    fn spam_needs_strong_evidence() {
        let ad = check("兼职刷单日赚500，加微信 abc12345 详情点击链接 http://t.cn/xyz", false);
        assert_eq!(ad.verdict, Verdict::Reject);
        assert_eq!(kinds(&ad), vec![ReasonKind::Spam]);
        let en = check("Work from home and earn money fast! Click here: www.example-offer.com", false);
        assert_eq!(en.verdict, Verdict::Reject);
        // One ad-like phrase in a real complaint is only flagged.
        let mild = check("你们的推广短信太多了，能不能别发了", true);
        assert_eq!(mild.verdict, Verdict::Flag);
    }

    #[test]
    fn abuse_is_flagged_and_masked_never_rejected() {
        let m = check("客服就是个傻逼，问题到现在还没解决", true);
        assert_eq!(m.verdict, Verdict::Flag);
        assert_eq!(m.reasons[0].words, ["傻逼"]);
        let mod_ = Moderator::new(ModerationLists::defaults().unwrap()).unwrap();
        assert_eq!(mod_.mask_abuse("客服就是个傻逼，問題沒解決"), "客服就是个**，問題沒解決");
        assert_eq!(mod_.mask_abuse("This is SHIT service"), "This is **** service");
    }

    #[test]
    fn an_insult_inside_an_innocent_phrase_is_none() {
        assert_eq!(check("能不能加个家庭共享，爸妈的设备我想统一管理", true).verdict, Verdict::Accept);
        let mod_ = Moderator::new(ModerationLists::defaults().unwrap()).unwrap();
        assert_eq!(mod_.mask_abuse("爸妈的手机"), "爸妈的手机");
        // Everyday insults beyond the oldest list words are flagged.
        for text in [
            "你们技术部都是饭桶吗",
            "送货的是不是瞎，送错楼",
            "Your couriers are useless morons",
            "incompetent clowns",
            "什么破公司，沙雕客服",
            "This is bullshit service",
        ] {
            assert!(kinds(&check(text, true)).contains(&ReasonKind::Abuse), "{text}");
        }
    }

    #[test]
    fn gibberish_empty_and_binary() {
        assert_eq!(kinds(&check("asdfghjkl qwrtzxcv", false)), vec![ReasonKind::Gibberish]);
        assert_eq!(kinds(&check("啊啊啊啊啊啊啊啊啊啊啊啊", false)), vec![ReasonKind::Gibberish]);
        assert_eq!(kinds(&check("   ？？！！。。 ", false)), vec![ReasonKind::Empty]);
        assert_eq!(kinds(&check("", false)), vec![ReasonKind::Empty]);
        let bin = check("\u{0}\u{1}\u{2}\u{fffd}\u{fffd}\u{3}ab", false);
        assert_eq!(bin.verdict, Verdict::Reject);
        assert_eq!(kinds(&bin), vec![ReasonKind::Binary]);
        // A real report is never gibberish, even in capitals.
        assert_eq!(check("WIFI DISCONNECTS EVERY FIVE MINUTES", false).verdict, Verdict::Accept);
    }

    #[test]
    fn spam_model_probability() {
        let m = Moderator::new(ModerationLists::defaults().unwrap()).unwrap();
        let norm = normalize("Dear friend, I have a business proposal for you", DEFAULT_MAX_CHARS);
        assert_eq!(m.check(&norm, false, Some(0.5)).verdict, Verdict::Accept);
        assert_eq!(m.check(&norm, false, Some(0.75)).verdict, Verdict::Flag);
        assert_eq!(m.check(&norm, false, Some(0.999)).verdict, Verdict::Reject);
    }

    #[test]
    fn out_of_scope() {
        let m = check("征婚交友，有意者联系", false);
        assert_eq!(m.verdict, Verdict::Reject);
        assert_eq!(kinds(&m), vec![ReasonKind::OutOfScope]);
        // Protected when it is also about the product.
        assert_eq!(check("在你们app上看到招聘广告，点进去闪退", true).verdict, Verdict::Accept);
    }
}
