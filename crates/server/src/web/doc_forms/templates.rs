//! Notification templates as a form: one kind at a time, Chinese and English side by side
//! (subject, text and HTML body), with a preview of both rendered with sample values —
//! before saving, from what was typed. The other kinds stay as they are.

use super::Fields;
use crate::web::i18n::T;
use loopdesk_channels::templates::{vars, Lang, NotificationKind, Template, TemplateSet, COMMON_VARIABLES};

/// The two languages, as the form names them.
pub const LANGS: [(&str, Lang); 2] = [("zh", Lang::ZhCn), ("en", Lang::En)];

/// One language's inputs and preview.
pub struct LangColumn {
    pub key: &'static str,
    pub label: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub error: Option<String>,
    /// Subject and text rendered with sample values (or why they cannot be).
    pub preview: Result<(String, String), String>,
}

/// The form as the page shows it.
pub struct TemplatesForm {
    pub kind: String,
    pub kinds: Vec<(String, String)>,
    pub variables: String,
    pub columns: Vec<LangColumn>,
    pub general: Option<String>,
}

/// The kind named `name`, else the first.
pub fn kind(name: Option<&str>) -> NotificationKind {
    NotificationKind::ALL.into_iter().find(|k| Some(k.as_str()) == name).unwrap_or(NotificationKind::ALL[0])
}

/// The fields of `kind` in `set`.
pub fn fields(set: &TemplateSet, kind: NotificationKind) -> Fields {
    let mut f = Fields::default();
    f.set("kind", kind.as_str());
    for (key, lang) in LANGS {
        if let Some(t) = set.templates.iter().find(|t| t.kind == kind && t.lang == lang) {
            f.set(format!("{key}.subject"), t.subject.clone());
            f.set(format!("{key}.text"), t.text.clone());
            f.set(format!("{key}.html"), t.html.clone());
        }
    }
    f
}

fn posted(f: &Fields, kind: NotificationKind, key: &str, lang: Lang) -> Template {
    Template {
        kind,
        lang,
        subject: f.v(&format!("{key}.subject")).to_string(),
        text: f.v(&format!("{key}.text")).to_string(),
        html: f.v(&format!("{key}.html")).to_string(),
    }
}

/// `set` with the posted kind's two templates replaced; `None` when one was refused
/// (blank, or a syntax or variable error: the message names it).
pub fn apply(mut set: TemplateSet, f: &mut Fields, t: &T) -> Option<TemplateSet> {
    let kind = kind(f.get("kind"));
    for (key, lang) in LANGS {
        let new = posted(f, kind, key, lang);
        if new.subject.trim().is_empty() || new.text.trim().is_empty() {
            f.refuse(format!("{key}.text"), t.get("form.err_required"));
            continue;
        }
        let one = TemplateSet { templates: vec![new.clone()] };
        if let Err(e) = one.validate() {
            f.refuse(format!("{key}.text"), super::refusal_text(t, &e.to_string()));
            continue;
        }
        set.templates.retain(|x| !(x.kind == kind && x.lang == lang));
        set.templates.push(new);
    }
    (!f.has_errors()).then_some(set)
}

/// Sample values for previews, in the template's language.
fn samples(lang: Lang) -> loopdesk_channels::templates::Vars {
    let zh = lang == Lang::ZhCn;
    let pick = |a: &'static str, b: &'static str| if zh { a } else { b };
    vars([
        ("customer_name", pick("张伟", "Alex Chen")),
        ("tracking_no", "FK-20261102-0042-7"),
        ("company", pick("示例科技", "Example Tech")),
        ("status_url", "https://support.example.com/track"),
        ("due", pick("2026年11月3日 17:30", "3 Nov 2026, 17:30")),
        ("first_response_hours", "24"),
        ("progress", pick("技术支持部正在排查电池问题。", "Support is checking the battery issue.")),
        ("next_update", pick("11月5日", "5 Nov")),
        ("questions", pick("请提供订单截图。", "Please send a screenshot of the order.")),
        ("reply_by", pick("11月6日", "6 Nov")),
        ("reason", pick("需要厂家检测", "The manufacturer must test it")),
        ("new_due", pick("11月10日", "10 Nov")),
        ("summary", pick("已为您更换新电池。", "We replaced the battery.")),
        ("prevention", pick("新批次已改进。", "The new batch is improved.")),
        ("unresolved", pick("外壳划痕", "A scratch on the case")),
        ("alternative", pick("可到门店免费检测", "A free check at any store")),
        ("survey_url", "https://support.example.com/survey/…"),
        ("expires", pick("7天后", "in 7 days")),
    ])
}

fn preview(template: Template) -> Result<(String, String), String> {
    let (kind, lang) = (template.kind, template.lang);
    let set = TemplateSet { templates: vec![template] };
    set.validate().map_err(|e| e.to_string())?;
    let r = set.render(kind, lang, &samples(lang)).map_err(|e| e.to_string())?;
    Ok((r.subject, r.text))
}

/// The form as shown from `f` (the kind's templates, or what was typed).
pub fn view(f: &Fields, t: &T) -> TemplatesForm {
    let kind = kind(f.get("kind"));
    let mut names: Vec<&str> = COMMON_VARIABLES.to_vec();
    names.extend(kind.variables());
    TemplatesForm {
        kind: kind.as_str().to_string(),
        kinds: NotificationKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t.name("notification", k.as_str())))
            .collect(),
        variables: names.iter().map(|n| format!("{{{{{n}}}}}")).collect::<Vec<_>>().join(" "),
        columns: LANGS
            .into_iter()
            .map(|(key, lang)| LangColumn {
                key,
                label: t.get(&format!("templates_form.{key}")).to_string(),
                subject: f.v(&format!("{key}.subject")).to_string(),
                text: f.v(&format!("{key}.text")).to_string(),
                html: f.v(&format!("{key}.html")).to_string(),
                error: f.err(&format!("{key}.text")),
                preview: preview(posted(f, kind, key, lang)),
            })
            .collect(),
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_preview_and_a_bad_variable_is_named() {
        let t = T { lang: crate::web::i18n::Lang::En, tz: crate::web::i18n::DEFAULT_TZ };
        let set = TemplateSet::builtin();
        let mut f = fields(&set, NotificationKind::Acknowledgement);
        let v = view(&f, &t);
        let zh = v.columns[0].preview.as_ref().unwrap();
        assert!(zh.1.contains("张伟") || zh.0.contains("FK-20261102-0042-7"), "{zh:?}");
        assert_eq!(apply(set.clone(), &mut f.clone(), &t).map(|s| s.templates.len()), Some(set.templates.len()));
        f.set("en.text", "Hello {{nobody}}");
        assert!(apply(set, &mut f, &t).is_none());
        assert!(f.err("en.text").unwrap().contains("nobody"));
    }
}
