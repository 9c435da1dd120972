//! The moderation lists as a form: spam, abuse, out-of-scope and not-abuse words (one a
//! line) and the thresholds for rejecting or flagging spam and gibberish.

use super::signals::{areas, WordListsForm};
use super::taxonomy::words;
use super::widgets;
use super::Fields;
use crate::web::i18n::T;
use loopdesk_triage::moderation::ModerationLists;

/// The word lists in the order shown.
pub const LISTS: [&str; 4] = ["spam", "abuse", "out_of_scope", "not_abuse"];
/// The thresholds: name and the range allowed.
pub const NUMBERS: [(&str, f32, f32); 4] = [
    ("spam_reject_score", 0.5, 100.0),
    ("spam_reject_probability", 0.0, 1.0),
    ("spam_flag_probability", 0.0, 1.0),
    ("gibberish_min_distinct_ratio", 0.0, 1.0),
];

fn lists_of(l: &mut ModerationLists) -> [(&'static str, &mut Vec<String>); 4] {
    [
        ("spam", &mut l.spam),
        ("abuse", &mut l.abuse),
        ("out_of_scope", &mut l.out_of_scope),
        ("not_abuse", &mut l.not_abuse),
    ]
}

fn numbers_of(l: &mut ModerationLists) -> [&mut f32; 4] {
    [
        &mut l.spam_reject_score,
        &mut l.spam_reject_probability,
        &mut l.spam_flag_probability,
        &mut l.gibberish_min_distinct_ratio,
    ]
}

/// The fields of `lists`.
pub fn fields(lists: &ModerationLists) -> Fields {
    let mut f = Fields::default();
    let mut l = lists.clone();
    for (name, words) in lists_of(&mut l) {
        f.set(name, widgets::lines(words));
    }
    for ((name, ..), n) in NUMBERS.iter().zip(numbers_of(&mut l)) {
        f.set(*name, n.to_string());
    }
    f
}

/// `lists` with the posted lists and thresholds; `None` when a field was refused.
pub fn apply(mut lists: ModerationLists, f: &mut Fields, t: &T) -> Option<ModerationLists> {
    for (name, list) in lists_of(&mut lists) {
        *list = words(f, t, name);
    }
    for (&(name, min, max), n) in NUMBERS.iter().zip(numbers_of(&mut lists)) {
        match f.get(name).map(|v| v.replace('，', ".").parse::<f32>()) {
            Some(Ok(v)) if v.is_finite() && (min..=max).contains(&v) => *n = v,
            _ => {
                let message = t
                    .get("triage_form.err_number")
                    .replace("{min}", &min.to_string())
                    .replace("{max}", &max.to_string());
                f.refuse(name, message);
            }
        }
    }
    (!f.has_errors()).then_some(lists)
}

/// The form as shown from `f`.
pub fn view(f: &Fields, t: &T) -> WordListsForm {
    WordListsForm {
        key: "moderation",
        title: t.get("triage_form.moderation_title").to_string(),
        lists: areas(f, t, &LISTS, "triage_form.moderation"),
        numbers: NUMBERS
            .iter()
            .map(|(name, ..)| widgets::input(f, name.to_string(), t.get(&format!("triage_form.moderation.{name}"))))
            .collect(),
        general: f.general.clone(),
        comment_error: f.err("comment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_lists_survive_their_own_form_and_a_bad_threshold_is_refused_at_its_field() {
        let t = T { lang: crate::web::i18n::Lang::En, tz: crate::web::i18n::DEFAULT_TZ };
        let lists = ModerationLists::defaults().unwrap();
        let mut f = fields(&lists);
        assert_eq!(apply(lists.clone(), &mut f, &t), Some(lists.clone()));
        f.set("spam", format!("{}\n代刷好评", f.v("spam")));
        let new = apply(lists.clone(), &mut f.clone(), &t).unwrap();
        assert_eq!(new.spam.last().map(String::as_str), Some("代刷好评"));
        f.set("spam_flag_probability", "1.5");
        assert_eq!(apply(lists, &mut f, &t), None);
        assert!(f.err("spam_flag_probability").is_some());
        assert_eq!(view(&f, &t).numbers[2].value, "1.5");
    }
}
