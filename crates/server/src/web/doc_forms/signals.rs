//! The triage signal lists as a form: one text area per signal (safety words, privacy,
//! public outcry, anger …, one word a line) and the exclusions that cancel a hit inside
//! them. Saving replaces the lists; the engine compiles them before they are in force.

use super::taxonomy::words;
use super::widgets::{self, Input};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_triage::signals::SignalLists;

/// The lists in the order shown: each signal kind, then the exclusions.
pub const LISTS: [&str; 15] = [
    "safety",
    "privacy",
    "public_outcry",
    "anger",
    "immediate",
    "core_failure",
    "inquiry",
    "complaint",
    "money_lost",
    "mild",
    "stated_tier",
    "many_affected",
    "severe_damage",
    "repeated",
    "exclude",
];

/// The whole form as the page shows it.
pub struct WordListsForm {
    /// `signals` or `moderation`: the form's id and save button.
    pub key: &'static str,
    pub title: String,
    pub lists: Vec<Input>,
    /// Numbers (moderation thresholds).
    pub numbers: Vec<Input>,
    pub general: Option<String>,
    pub comment_error: Option<String>,
}

fn list_mut<'a>(l: &'a mut SignalLists, name: &str) -> Option<&'a mut Vec<String>> {
    Some(match name {
        "safety" => &mut l.safety,
        "privacy" => &mut l.privacy,
        "public_outcry" => &mut l.public_outcry,
        "anger" => &mut l.anger,
        "immediate" => &mut l.immediate,
        "core_failure" => &mut l.core_failure,
        "inquiry" => &mut l.inquiry,
        "complaint" => &mut l.complaint,
        "money_lost" => &mut l.money_lost,
        "mild" => &mut l.mild,
        "stated_tier" => &mut l.stated_tier,
        "many_affected" => &mut l.many_affected,
        "severe_damage" => &mut l.severe_damage,
        "repeated" => &mut l.repeated,
        "exclude" => &mut l.exclude,
        _ => return None,
    })
}

/// The fields of `lists`.
pub fn fields(lists: &SignalLists) -> Fields {
    let mut f = Fields::default();
    let mut l = lists.clone();
    for name in LISTS {
        if let Some(words) = list_mut(&mut l, name) {
            f.set(name, widgets::lines(words));
        }
    }
    f
}

/// `lists` with every posted list replaced; `None` when a word was refused.
pub fn apply(mut lists: SignalLists, f: &mut Fields, t: &T) -> Option<SignalLists> {
    for name in LISTS {
        let posted = words(f, t, name);
        if let Some(list) = list_mut(&mut lists, name) {
            *list = posted;
        }
    }
    (!f.has_errors()).then_some(lists)
}

/// A text area per list, labelled in the reader's language.
pub fn areas(f: &Fields, t: &T, names: &[&str], prefix: &str) -> Vec<Input> {
    names
        .iter()
        .map(|name| {
            let label = t.get(&format!("{prefix}.{name}")).to_string();
            widgets::area(f, name.to_string(), label, widgets::rows_for(f.v(name)))
        })
        .collect()
}

/// The form as shown from `f`.
pub fn view(f: &Fields, t: &T) -> WordListsForm {
    WordListsForm {
        key: "signals",
        title: t.get("triage_form.signals_title").to_string(),
        lists: areas(f, t, &LISTS, "triage_form.signal"),
        numbers: Vec::new(),
        general: f.general.clone(),
        comment_error: f.err("comment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_lists_survive_their_own_form_and_a_bad_word_is_refused_at_its_list() {
        let t = T { lang: crate::web::i18n::Lang::Zh, tz: crate::web::i18n::DEFAULT_TZ };
        let lists = SignalLists::defaults().unwrap();
        let mut f = fields(&lists);
        assert_eq!(apply(lists.clone(), &mut f, &t), Some(lists.clone()));
        f.set("anger", "气死了\n***");
        f.set("safety", format!("{}\n电池冒烟了", f.v("safety")));
        assert_eq!(apply(lists.clone(), &mut f, &t), None);
        assert!(f.err("anger").is_some() && f.err("safety").is_none());
        let shown = view(&f, &t);
        assert!(shown.lists[0].value.ends_with("电池冒烟了"));
        assert!(shown.lists[3].error.is_some());
    }
}
