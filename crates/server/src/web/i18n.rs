//! Languages of the console and the portal: a message catalogue per language (embedded
//! JSON, flat `key -> text`), the language chosen per request (cookie, else the browser's
//! `Accept-Language`), and dates shown in the reader's time zone.

use chrono_tz::Tz;
use loopdesk_core::Timestamp;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A language of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// Name of the cookie holding the chosen language.
pub const LANG_COOKIE: &str = "loopdesk_lang";
/// Name of the cookie holding the browser's time zone (set by the script).
pub const TZ_COOKIE: &str = "loopdesk_tz";
/// Time zone when the browser did not tell.
pub const DEFAULT_TZ: Tz = chrono_tz::Asia::Shanghai;

type Catalogue = HashMap<String, String>;

fn load(text: &str) -> Catalogue {
    serde_json::from_str(text).unwrap_or_default()
}

/// The catalogue of `lang`.
pub fn catalogue(lang: Lang) -> &'static Catalogue {
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| load(include_str!("../../i18n/zh-CN.json"))),
        Lang::En => EN.get_or_init(|| load(include_str!("../../i18n/en.json"))),
    }
}

impl Lang {
    /// The code used in the cookie and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses a cookie value.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language (for the switch link).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The language the browser prefers among ours; Chinese when it says nothing.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else { return Lang::Zh };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag.starts_with("zh") {
                Lang::Zh
            } else if tag.starts_with("en") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::En)
    }
}

/// Translations and date formatting for one request.
#[derive(Debug, Clone, Copy)]
pub struct T {
    pub lang: Lang,
    pub tz: Tz,
}

impl T {
    /// The text for `key`; the key itself when missing (a test keeps both catalogues full).
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        catalogue(self.lang).get(key).map(String::as_str).unwrap_or(key)
    }

    /// Whether the catalogue has `key` (for a specific text with a general fallback).
    pub fn has(&self, key: &str) -> bool {
        catalogue(self.lang).contains_key(key)
    }

    /// The text for `prefix.name`, or `name` when the catalogue has no such key
    /// (categories added by an admin, for example).
    pub fn name(&self, prefix: &str, name: &str) -> String {
        let key = format!("{prefix}.{name}");
        match catalogue(self.lang).get(&key) {
            Some(v) => v.clone(),
            None => name.to_string(),
        }
    }

    /// The text for `key` with `{n}` replaced.
    pub fn with_n(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.get(key).replace("{n}", &n.to_string())
    }

    /// `2026-11-02 09:30` in the reader's zone.
    pub fn date(&self, at: &Timestamp) -> String {
        at.with_timezone(&self.tz).format("%Y-%m-%d %H:%M").to_string()
    }

    /// As [`T::date`] for an optional instant.
    pub fn opt_date(&self, at: &Option<Timestamp>) -> String {
        at.as_ref().map(|a| self.date(a)).unwrap_or_else(|| "—".into())
    }

    /// The value for an `<input type="datetime-local">` in the reader's zone.
    pub fn input_date(&self, at: &Timestamp) -> String {
        at.with_timezone(&self.tz).format("%Y-%m-%dT%H:%M").to_string()
    }

    /// The offset of the reader's zone, for labelling times (`UTC+08:00`).
    pub fn zone(&self) -> String {
        self.tz.name().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key() {
        let zh = catalogue(Lang::Zh);
        let en = catalogue(Lang::En);
        assert!(zh.len() > 200, "zh catalogue did not load");
        let missing_en: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        let missing_zh: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        assert!(missing_en.is_empty(), "missing in en.json: {missing_en:?}");
        assert!(missing_zh.is_empty(), "missing in zh-CN.json: {missing_zh:?}");
        for (k, v) in zh.iter().chain(en.iter()) {
            assert!(!v.trim().is_empty(), "empty text for {k}");
        }
    }

    #[test]
    fn every_domain_name_is_translated() {
        use loopdesk_core::{Channel, OutcomeKind, Priority, Role, State};
        let keys = State::ALL
            .iter()
            .map(|s| format!("state.{s}"))
            .chain(Priority::ALL.iter().map(|p| format!("priority.{p}")))
            .chain(Channel::ALL.iter().map(|c| format!("channel.{c}")))
            .chain(OutcomeKind::ALL.iter().map(|o| format!("outcome.{o}")))
            .chain(Role::ALL.iter().map(|r| format!("role.{r}")));
        for key in keys {
            for lang in [Lang::Zh, Lang::En] {
                assert!(catalogue(lang).contains_key(&key), "{key} missing in {}", lang.code());
            }
        }
    }

    #[test]
    fn accept_language_picks_our_best() {
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9,zh;q=0.5")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr;q=1,zh-TW;q=0.4")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::En);
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
    }
}
