//! The `portal` document as a form: the company's name, logo and accent colour on the
//! portal and in e-mails, and within how many working hours an unsatisfied customer is
//! contacted. The values in force are shown, the built-in ones included (the built-in
//! accent is picked in the colour input and its box "use the built-in colour" ticked).

use super::inputs::{self, put, remove, Input, Kind, SettingsForm};
use super::Fields;
use crate::web::i18n::T;
use loopdesk_app::portal::branding::{contrast, parse_colour, UnsatisfiedPromise};
use serde_json::Value;

/// The portal's own accent colour (`--accent` in app.css), in force while none is saved.
pub const BUILTIN_ACCENT: &str = "#1d5fbf";
/// Contrast white button text needs on the accent (WCAG AA for normal text).
const AA: f64 = 4.5;
/// Longest company name (as the document allows).
const MAX_COMPANY: usize = 100;

/// The form's fields, each at its path in the document.
pub const FIELDS: [&str; 5] = [
    "branding.company",
    "branding.logo",
    "branding.accent",
    "branding.accent_builtin",
    "unsatisfied.contact_within_working_hours",
];

const HOURS: &str = "unsatisfied.contact_within_working_hours";

/// The fields of `body` (the document in force, defaults filled in).
pub fn fields(body: &Value) -> Fields {
    let mut f = Fields::default();
    for name in ["branding.company", "branding.logo", HOURS] {
        f.set(name, inputs::text_at(body, name));
    }
    if f.get(HOURS).is_none() {
        f.set(HOURS, UnsatisfiedPromise::default().contact_within_working_hours.to_string());
    }
    match Some(inputs::text_at(body, "branding.accent")).filter(|a| !a.is_empty()) {
        Some(accent) => f.set("branding.accent", accent),
        None => {
            f.set("branding.accent", BUILTIN_ACCENT);
            f.set("branding.accent_builtin", "on");
        }
    }
    f
}

/// The accent typed, checked: `#rrggbb` with white text on it readable.
fn accent(t: &T, typed: &str) -> Result<String, String> {
    let rgb = parse_colour(typed).ok_or_else(|| t.get("portal_form.err_colour").to_string())?;
    let ratio = contrast(rgb, (255, 255, 255));
    if ratio < AA {
        return Err(t.get("portal_form.err_contrast").replace("{ratio}", &format!("{ratio:.1}")));
    }
    Ok(typed.to_ascii_lowercase())
}

/// `body` with the posted fields applied; `None` when a field was refused (in `f`). The
/// logo is checked by the save (its refusal is placed at the field).
pub fn apply(mut body: Value, f: &mut Fields, t: &T) -> Option<Value> {
    match f.get("branding.company") {
        Some(c) if c.chars().count() > MAX_COMPANY || c.chars().any(char::is_control) => {
            f.refuse("branding.company", t.get("portal_form.err_company"))
        }
        Some(c) => put(&mut body, "branding.company", Value::String(c.to_string())),
        None => remove(&mut body, "branding.company"),
    }
    inputs::optional_text(&mut body, f, "branding.logo");
    if f.checked("branding.accent_builtin") {
        remove(&mut body, "branding.accent");
    } else {
        match accent(t, f.v("branding.accent").trim()) {
            Ok(a) => put(&mut body, "branding.accent", Value::String(a)),
            Err(message) => f.refuse("branding.accent", message),
        }
    }
    inputs::number(&mut body, f, t, HOURS, 1, 240);
    (!f.has_errors()).then_some(body)
}

/// The form as shown from `f`, with the logo in force for a preview.
pub fn view(f: &Fields, t: &T, logo_src: Option<String>) -> SettingsForm {
    let p = "portal_form";
    SettingsForm {
        key: "portal",
        title: t.get("portal_form.title").to_string(),
        hint: t.get("portal_form.hint").to_string(),
        new: false,
        inputs: vec![
            Input::new(f, t, p, "branding.company", Kind::Text),
            Input::new(f, t, p, "branding.logo", Kind::Text),
            Input::new(f, t, p, "branding.accent", Kind::Colour),
            Input::new(f, t, p, "branding.accent_builtin", Kind::Check),
            Input::new(f, t, p, HOURS, Kind::Number),
        ],
        logo_src,
        general: f.general.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopdesk_app::portal::branding::PortalDoc;
    use serde_json::json;

    fn t() -> T {
        T { lang: crate::web::i18n::Lang::Zh, tz: crate::web::i18n::DEFAULT_TZ }
    }

    #[test]
    fn the_defaults_show_and_survive_their_own_form() {
        let defaults = serde_json::to_value(PortalDoc::default()).unwrap();
        let mut f = fields(&defaults);
        assert_eq!(f.v("branding.accent"), BUILTIN_ACCENT);
        assert!(f.checked("branding.accent_builtin"));
        assert_eq!(f.v(HOURS), "8");
        let saved = apply(defaults.clone(), &mut f, &t()).unwrap();
        let doc: PortalDoc = serde_json::from_value(saved).unwrap();
        assert_eq!(doc, PortalDoc::default());
    }

    #[test]
    fn a_name_and_colour_are_set_and_a_light_colour_is_refused_at_its_field() {
        let body =
            json!({"branding": {"logo": "/assets/logo.png"}, "unsatisfied": {"contact_within_working_hours": 4}});
        let mut f = fields(&body);
        f.set("branding.company", " 海川电器 ");
        f.set("branding.accent", "#0B5394");
        f.set("branding.accent_builtin", "");
        let saved = apply(body.clone(), &mut f, &t()).unwrap();
        assert_eq!(saved["branding"]["company"], "海川电器");
        assert_eq!(saved["branding"]["accent"], "#0b5394");
        assert_eq!(saved["branding"]["logo"], "/assets/logo.png");
        assert_eq!(saved["unsatisfied"]["contact_within_working_hours"], 4);
        f.set("branding.accent", "#ffcc00");
        f.set(HOURS, "0");
        assert!(apply(body, &mut f, &t()).is_none());
        assert!(f.err("branding.accent").unwrap().contains("4.5"));
        assert!(f.err(HOURS).is_some());
        let v = view(&f, &t(), None);
        let colour = v.inputs.iter().find(|i| i.name == "branding.accent").unwrap();
        assert_eq!(colour.value, "#ffcc00");
        assert!(colour.error.is_some());
    }
}
