//! The triage taxonomy as a form: each category with its id, names in Chinese and
//! English, its keywords (one a line) and its sub-tags (id, name, keywords), a blank row
//! to add a category and one per category to add a sub-tag, and the fallback category.
//! Saving runs the engine's own checks; a duplicate id or an unknown fallback is refused
//! at its field before that.

use super::widgets::{self, Choice, Input};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_triage::taxonomy::{Category, SubTag};
use loopdesk_triage::Taxonomy;

/// Most categories and sub-tags per category the form reads.
const MAX_ROWS: usize = 200;

/// One sub-tag's inputs, named `c{i}.s{j}.…`.
pub struct SubRow {
    pub prefix: String,
    pub id: Input,
    pub name: Input,
    pub keywords: Input,
    pub is_new: bool,
}

/// One category's inputs, named `c{i}.…`.
pub struct CategoryRow {
    pub prefix: String,
    pub number: usize,
    pub id: Input,
    pub name: Input,
    pub name_en: Input,
    pub keywords: Input,
    pub subtags: Vec<SubRow>,
    /// Number of sub-tags listed (the blank one not counted).
    pub sub_count: usize,
    pub is_new: bool,
    /// Shown unfolded: new, or holding a refusal.
    pub open: bool,
}

/// The whole form as the page shows it.
pub struct TaxonomyForm {
    pub categories: Vec<CategoryRow>,
    pub fallback: Choice,
    pub general: Option<String>,
    pub comment_error: Option<String>,
}

fn count(f: &Fields, name: &str) -> usize {
    f.get(name).and_then(|c| c.parse().ok()).unwrap_or(0).min(MAX_ROWS)
}

/// The fields of `tax`.
pub fn fields(tax: &Taxonomy) -> Fields {
    let mut f = Fields::default();
    for (i, c) in tax.categories.iter().enumerate() {
        let p = format!("c{i}");
        f.set(format!("{p}.id"), c.id.clone());
        f.set(format!("{p}.name"), c.name.clone());
        f.set(format!("{p}.name_en"), c.name_en.clone());
        f.set(format!("{p}.keywords"), widgets::lines(&c.keywords));
        for (j, s) in c.subtags.iter().enumerate() {
            let q = format!("{p}.s{j}");
            f.set(format!("{q}.id"), s.id.clone());
            f.set(format!("{q}.name"), s.name.clone());
            f.set(format!("{q}.keywords"), widgets::lines(&s.keywords));
        }
        f.set(format!("{p}.count"), c.subtags.len().to_string());
    }
    f.set("count", tax.categories.len().to_string());
    f.set("fallback", tax.fallback.clone());
    f
}

/// A word list from field `name`; a word that matches nothing once normalised (only
/// punctuation or `*`) is refused there.
pub fn words(f: &mut Fields, t: &T, name: &str) -> Vec<String> {
    let words = super::list(f.v(name));
    let bad = words.iter().find(|w| {
        let norm = loopdesk_triage::lexicon::normalize_pattern(w);
        norm.trim_end_matches('*').is_empty() || w.chars().count() > 100
    });
    if let Some(w) = bad {
        let message = t.get("triage_form.err_word").replace("{word}", w);
        f.refuse(name, message);
    }
    words
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
}

/// A row's id: required, letters, digits, `-` or `_`, not taken by an earlier row.
fn row_id(f: &mut Fields, t: &T, name: &str, taken: &[String]) -> String {
    let id = f.v(name).trim().to_string();
    if !valid_id(&id) {
        f.refuse(name, t.get("triage_form.err_id"));
    } else if taken.contains(&id) {
        f.refuse(name, t.get("triage_form.err_duplicate"));
    }
    id
}

fn subtags(f: &mut Fields, t: &T, p: &str) -> Vec<SubTag> {
    let n = count(f, &format!("{p}.count"));
    let mut out: Vec<SubTag> = Vec::new();
    for j in 0..=n {
        let q = format!("{p}.s{j}");
        let blank = f.get(&format!("{q}.id")).is_none() && f.get(&format!("{q}.name")).is_none();
        if f.checked(&format!("{q}.remove")) || (j == n && blank) {
            continue;
        }
        let taken: Vec<String> = out.iter().map(|s| s.id.clone()).collect();
        let id = row_id(f, t, &format!("{q}.id"), &taken);
        let name = f.v(&format!("{q}.name")).trim().to_string();
        if name.is_empty() {
            f.refuse(format!("{q}.name"), t.get("form.err_required"));
        }
        let keywords = words(f, t, &format!("{q}.keywords"));
        out.push(SubTag { id, name, keywords });
    }
    out
}

/// `tax` with the posted categories (rows with `remove` ticked dropped, blank rows that
/// were filled in added); `None` when a field was refused.
pub fn apply(mut tax: Taxonomy, f: &mut Fields, t: &T) -> Option<Taxonomy> {
    let n = count(f, "count");
    let mut categories: Vec<Category> = Vec::new();
    for i in 0..=n {
        let p = format!("c{i}");
        let blank = f.get(&format!("{p}.id")).is_none() && f.get(&format!("{p}.name")).is_none();
        if f.checked(&format!("{p}.remove")) || (i == n && blank) {
            continue;
        }
        let taken: Vec<String> = categories.iter().map(|c| c.id.clone()).collect();
        let id = row_id(f, t, &format!("{p}.id"), &taken);
        let name = f.v(&format!("{p}.name")).trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            f.refuse(format!("{p}.name"), t.get("form.err_name"));
        }
        let keywords = words(f, t, &format!("{p}.keywords"));
        let subtags = subtags(f, t, &p);
        let name_en = f.v(&format!("{p}.name_en")).trim().to_string();
        categories.push(Category { id, name, name_en, keywords, subtags });
    }
    let fallback = f.v("fallback").trim().to_string();
    if !categories.iter().any(|c| c.id == fallback) {
        f.refuse("fallback", t.get("triage_form.err_fallback"));
    }
    tax.categories = categories;
    tax.fallback = fallback;
    (!f.has_errors()).then_some(tax)
}

fn sub_row(f: &Fields, t: &T, q: String, is_new: bool) -> SubRow {
    let kw = f.v(&format!("{q}.keywords")).to_string();
    SubRow {
        id: widgets::input(f, format!("{q}.id"), t.get("triage_form.id")),
        name: widgets::input(f, format!("{q}.name"), t.get("triage_form.subtag_name")),
        keywords: widgets::area(f, format!("{q}.keywords"), t.get("triage_form.keywords"), widgets::rows_for(&kw)),
        is_new,
        prefix: q,
    }
}

fn has_error(f: &Fields, p: &str, names: &[&str]) -> bool {
    names.iter().any(|k| f.err(&format!("{p}.{k}")).is_some())
}

/// The form as shown from `f`, with a blank row to add a category and one per category
/// to add a sub-tag.
pub fn view(f: &Fields, t: &T) -> TaxonomyForm {
    let n = count(f, "count");
    let categories = (0..=n)
        .map(|i| {
            let p = format!("c{i}");
            let subs = count(f, &format!("{p}.count"));
            let subtags: Vec<SubRow> = (0..=subs).map(|j| sub_row(f, t, format!("{p}.s{j}"), j == subs)).collect();
            let sub_error = (0..=subs).any(|j| has_error(f, &format!("{p}.s{j}"), &["id", "name", "keywords"]));
            let kw = f.v(&format!("{p}.keywords")).to_string();
            CategoryRow {
                number: i + 1,
                id: widgets::input(f, format!("{p}.id"), t.get("triage_form.id")),
                name: widgets::input(f, format!("{p}.name"), t.get("triage_form.name_zh")),
                name_en: widgets::input(f, format!("{p}.name_en"), t.get("triage_form.name_en")),
                keywords: widgets::area(
                    f,
                    format!("{p}.keywords"),
                    t.get("triage_form.keywords"),
                    widgets::rows_for(&kw),
                ),
                sub_count: subs,
                subtags,
                is_new: i == n,
                open: i == n || sub_error || has_error(f, &p, &["id", "name", "keywords"]),
                prefix: p,
            }
        })
        .collect::<Vec<_>>();
    let options = categories
        .iter()
        .filter(|c| !c.is_new)
        .map(|c| (c.id.value.clone(), format!("{} ({})", c.name.value, c.id.value)))
        .collect();
    TaxonomyForm {
        categories,
        fallback: widgets::choice(f, "fallback".into(), t.get("triage_form.fallback"), options),
        general: f.general.clone(),
        comment_error: f.err("comment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> T {
        T { lang: crate::web::i18n::Lang::En, tz: crate::web::i18n::DEFAULT_TZ }
    }

    #[test]
    fn the_default_taxonomy_survives_its_own_form() {
        let tax = Taxonomy::defaults().unwrap();
        let mut f = fields(&tax);
        assert_eq!(apply(tax.clone(), &mut f, &t()), Some(tax));
    }

    #[test]
    fn a_keyword_and_a_category_are_added_and_a_duplicate_id_is_refused_at_its_field() {
        let tax = Taxonomy::defaults().unwrap();
        let mut f = fields(&tax);
        let n = tax.categories.len();
        f.set("c0.keywords", format!("{}\n蓝屏死机", f.v("c0.keywords")));
        f.set(format!("c{n}.id"), "warranty");
        f.set(format!("c{n}.name"), "保修");
        f.set(format!("c{n}.keywords"), "保修期, warranty");
        let new = apply(tax.clone(), &mut f, &t()).unwrap();
        assert!(new.categories[0].keywords.contains(&"蓝屏死机".to_string()));
        assert_eq!(new.categories[n].keywords, ["保修期", "warranty"]);
        let mut f = fields(&tax);
        f.set("c1.id", "technical");
        f.set("c2.keywords", "ok\n***");
        assert_eq!(apply(tax, &mut f, &t()), None);
        assert!(f.err("c1.id").is_some());
        assert!(f.err("c2.keywords").unwrap().contains("***"));
        assert!(f.err("c0.id").is_none());
        let shown = view(&f, &t());
        assert_eq!(shown.categories[1].id.value, "technical");
        assert!(shown.categories[1].open);
    }
}
