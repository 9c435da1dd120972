//! The built-in notification templates: complete, valid, escaped, worded per outcome.

use loopdesk_channels::templates::{vars, Lang, NotificationKind, TemplateError, TemplateSet, Vars, COMMON_VARIABLES};
use loopdesk_core::OutcomeKind;

const KINDS: [NotificationKind; 8] = NotificationKind::ALL;

fn all_vars(kind: NotificationKind) -> Vars {
    let mut v = vars([
        ("customer_name", "张三"),
        ("tracking_no", "FB-2611-7K3Q9"),
        ("company", "示例电器"),
        ("status_url", "https://feedback.example.cn/t/abc"),
    ]);
    for name in kind.variables() {
        v.insert(name.to_string(), format!("<{name}-value>"));
    }
    v
}

#[test]
fn every_kind_exists_in_both_languages_and_renders() {
    let set = TemplateSet::builtin();
    for kind in KINDS {
        for lang in [Lang::ZhCn, Lang::En] {
            let t = set.get(kind, lang).unwrap();
            assert_eq!((t.kind, t.lang), (kind, lang));
            let r = set.render(kind, lang, &all_vars(kind)).unwrap();
            for part in [&r.subject, &r.text, &r.html] {
                assert!(!part.contains("{{"), "{kind:?}/{lang:?}: {part}");
                assert!(part.contains("FB-2611-7K3Q9"), "{kind:?}/{lang:?}: {part}");
            }
            assert!(!r.subject.contains('\n'));
            for name in kind.variables() {
                assert!(r.text.contains(&format!("<{name}-value>")), "{kind:?} {name}");
                assert!(r.html.contains(&format!("&lt;{name}-value&gt;")), "{kind:?} {name}");
            }
        }
    }
}

#[test]
fn acknowledgement_states_tracking_number_and_due_time() {
    let v = vars([
        ("tracking_no", "FB-2611-7K3Q9"),
        ("company", "示例电器"),
        ("due", "2026-11-05 16:00"),
        ("first_response_hours", "48"),
    ]);
    let r = TemplateSet::builtin().render(NotificationKind::Acknowledgement, Lang::ZhCn, &v).unwrap();
    assert_eq!(r.subject, "【示例电器】已收到您的反馈（编号 FB-2611-7K3Q9）");
    assert!(r.text.starts_with("您好："), "{}", r.text);
    assert!(r.text.contains("将于 2026-11-05 16:00 前（48 小时内）"), "{}", r.text);
    assert!(!r.text.contains("查看处理进度"), "no status link without a URL");
}

#[test]
fn customer_text_cannot_inject_html() {
    let mut v = all_vars(NotificationKind::Acknowledgement);
    v.insert("customer_name".into(), "<script>alert(1)</script>\"'&".into());
    let r = TemplateSet::builtin().render(NotificationKind::Acknowledgement, Lang::En, &v).unwrap();
    assert!(!r.html.contains("<script>"));
    assert!(r.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
    assert!(r.text.contains("<script>"), "plain text is not escaped");
}

#[test]
fn results_are_worded_by_outcome() {
    let set = TemplateSet::builtin();
    let render = |outcome, extra: &[(&str, &str)]| {
        let kind = NotificationKind::for_outcome(outcome);
        let mut v = vars([("tracking_no", "FB-2611-7K3Q9"), ("company", "ACME")]);
        v.extend(extra.iter().map(|(k, x)| (k.to_string(), x.to_string())));
        set.render(kind, Lang::ZhCn, &v).unwrap().text
    };
    let solved = render(OutcomeKind::Solved, &[("summary", "已为您更换了故障主板")]);
    assert!(solved.contains("问题现已解决") && solved.contains("感谢您的耐心等待"));
    let partial = render(
        OutcomeKind::PartiallySolved,
        &[("summary", "主板已更换"), ("unresolved", "会员无法升级"), ("reason", "系统限制")],
    );
    assert!(partial.contains("暂时无法完全解决的部分") && partial.contains("系统限制"));
    assert!(!partial.contains("替代方案"), "no alternative offered, no heading");
    let unable = render(
        OutcomeKind::Unable,
        &[("summary", "已超过退货期限"), ("reason", "购买已满 30 天"), ("alternative", "可联系第三方维修")],
    );
    assert!(unable.contains("无法解决") && unable.contains("可联系第三方维修"));
}

#[test]
fn missing_required_values_are_refused() {
    let err = TemplateSet::builtin()
        .render(NotificationKind::ExtensionNotice, Lang::En, &vars([("tracking_no", "x")]))
        .unwrap_err();
    assert!(matches!(err, TemplateError::MissingVariable(_)), "{err}");
}

#[test]
fn edited_sets_are_validated_and_round_trip_as_data() {
    let bad = r#"
        [[template]]
        kind = "survey"
        lang = "en"
        subject = "{{password}}"
        text = "x"
        html = "x"
    "#;
    assert!(matches!(TemplateSet::from_toml(bad), Err(TemplateError::UnknownVariable { .. })));
    let set = TemplateSet::builtin();
    let json = serde_json::to_string(&set).unwrap();
    let back: TemplateSet = serde_json::from_str(&json).unwrap();
    assert_eq!(back, set);
    assert!(COMMON_VARIABLES.contains(&"tracking_no"));
}

#[test]
fn a_missing_language_falls_back_to_another() {
    let only_en = r#"
        [[template]]
        kind = "survey"
        lang = "en"
        subject = "Rate {{tracking_no}}"
        text = "{{survey_url}}"
        html = "<a href=\"{{survey_url}}\">rate</a>"
    "#;
    let set = TemplateSet::from_toml(only_en).unwrap();
    let v = vars([("tracking_no", "T"), ("survey_url", "https://x/?a=1&b=2")]);
    let r = set.render(NotificationKind::Survey, Lang::ZhCn, &v).unwrap();
    assert_eq!(r.subject, "Rate T");
    assert_eq!(r.html, "<a href=\"https://x/?a=1&amp;b=2\">rate</a>");
}

#[test]
fn languages_are_read_from_tags() {
    assert_eq!(Lang::from_tag("zh-CN"), Lang::ZhCn);
    assert_eq!(Lang::from_tag("zh-Hant-TW"), Lang::ZhCn);
    assert_eq!(Lang::from_tag("en-US"), Lang::En);
    assert_eq!(Lang::from_tag(""), Lang::En);
}
