//! Standard replies (标准应答话术) as a form: each with its name, title and text in
//! Chinese and English, a tick to remove it and a blank row to add one.

use super::widgets::{self, Input};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_app::documents::reply_templates::{ReplyTemplates, StoredTemplate};

const MAX_ROWS: usize = 500;
/// Longest text per language, as the document allows (bytes).
const MAX_TEXT: usize = 5000;

/// One reply's inputs, named `t{i}.…`.
pub struct ReplyRow {
    pub prefix: String,
    pub number: usize,
    pub name: Input,
    pub title_zh: Input,
    pub title_en: Input,
    pub text_zh: Input,
    pub text_en: Input,
    pub is_new: bool,
}

/// The whole form as the page shows it.
pub struct RepliesForm {
    pub rows: Vec<ReplyRow>,
    pub general: Option<String>,
    pub comment_error: Option<String>,
}

fn count(f: &Fields) -> usize {
    f.get("count").and_then(|c| c.parse().ok()).unwrap_or(0).min(MAX_ROWS)
}

/// The fields of `doc`.
pub fn fields(doc: &ReplyTemplates) -> Fields {
    let mut f = Fields::default();
    for (i, r) in doc.templates.iter().enumerate() {
        let p = format!("t{i}");
        f.set(format!("{p}.name"), r.name.clone());
        f.set(format!("{p}.title_zh"), r.title_zh.clone());
        f.set(format!("{p}.title_en"), r.title_en.clone());
        f.set(format!("{p}.text_zh"), r.text_zh.clone());
        f.set(format!("{p}.text_en"), r.text_en.clone());
    }
    f.set("count", doc.templates.len().to_string());
    f
}

/// The replies from the posted rows; `None` when a field was refused.
pub fn apply(f: &mut Fields, t: &T) -> Option<ReplyTemplates> {
    let n = count(f);
    let mut templates: Vec<StoredTemplate> = Vec::new();
    for i in 0..=n {
        let p = format!("t{i}");
        let v = |f: &Fields, k: &str| f.v(&format!("{p}.{k}")).trim().to_string();
        let blank = ["name", "title_zh", "text_zh"].iter().all(|k| v(f, k).is_empty());
        if f.checked(&format!("{p}.remove")) || (i == n && blank) {
            continue;
        }
        let name = v(f, "name");
        if name.is_empty() || name.chars().count() > 64 {
            f.refuse(format!("{p}.name"), t.get("form.err_name"));
        } else if templates.iter().any(|x| x.name == name) {
            f.refuse(format!("{p}.name"), t.get("triage_form.err_duplicate"));
        }
        for k in ["title_zh", "title_en"] {
            if v(f, k).is_empty() {
                f.refuse(format!("{p}.{k}"), t.get("form.err_required"));
            }
        }
        for k in ["text_zh", "text_en"] {
            let text = v(f, k);
            if text.is_empty() {
                f.refuse(format!("{p}.{k}"), t.get("form.err_required"));
            } else if text.len() > MAX_TEXT {
                f.refuse(format!("{p}.{k}"), t.get("replies_form.err_long"));
            }
        }
        templates.push(StoredTemplate {
            title_zh: v(f, "title_zh"),
            title_en: v(f, "title_en"),
            text_zh: v(f, "text_zh"),
            text_en: v(f, "text_en"),
            name,
        });
    }
    (!f.has_errors()).then_some(ReplyTemplates { templates })
}

/// The form as shown from `f`, with a blank row to add a reply.
pub fn view(f: &Fields, t: &T) -> RepliesForm {
    let n = count(f);
    let rows = (0..=n)
        .map(|i| {
            let p = format!("t{i}");
            let label = |k: &str| t.get(&format!("replies_form.{k}")).to_string();
            ReplyRow {
                number: i + 1,
                name: widgets::input(f, format!("{p}.name"), label("name")),
                title_zh: widgets::input(f, format!("{p}.title_zh"), label("title_zh")),
                title_en: widgets::input(f, format!("{p}.title_en"), label("title_en")),
                text_zh: widgets::area(f, format!("{p}.text_zh"), label("text_zh"), 4),
                text_en: widgets::area(f, format!("{p}.text_en"), label("text_en"), 4),
                is_new: i == n,
                prefix: p,
            }
        })
        .collect();
    RepliesForm { rows, general: f.general.clone(), comment_error: f.err("comment") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_replies_survive_their_own_form_and_a_blank_title_is_refused_there() {
        let t = T { lang: crate::web::i18n::Lang::Zh, tz: crate::web::i18n::DEFAULT_TZ };
        let doc: ReplyTemplates = serde_json::from_value(loopdesk_app::documents::reply_templates::defaults()).unwrap();
        let mut f = fields(&doc);
        let same = apply(&mut f.clone(), &t).unwrap();
        assert_eq!(serde_json::to_value(&same).unwrap(), serde_json::to_value(&doc).unwrap());
        f.set("t3.name", "thanks");
        f.set("t3.title_zh", "感谢");
        f.set("t3.title_en", "Thanks");
        f.set("t3.text_zh", "谢谢您的反馈。");
        f.set("t3.text_en", "Thank you for your feedback.");
        f.set("t0.remove", "on");
        let new = apply(&mut f.clone(), &t).unwrap();
        let names: Vec<_> = new.templates.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["need_info", "solved", "thanks"]);
        f.set("t1.title_en", " ");
        assert!(apply(&mut f, &t).is_none());
        assert!(f.err("t1.title_en").is_some());
        assert_eq!(view(&f, &t).rows[3].title_zh.value, "感谢");
    }
}
