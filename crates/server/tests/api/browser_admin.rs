//! The admin's configuration forms and two-step sign-in in a real headless Chromium
//! (`tests/browser/admin.mjs`), in Chinese and English: the SLA policy edited in a form
//! (a typo refused at its field with the input kept), the diff against the defaults, the
//! rollback; TOTP set up on the account page and a sign-in with a code computed in node.
//! Screenshots: `admin-sla-form.png`, `admin-sla-form-en.png`, `admin-sla-diff.png`,
//! `account-totp.png`, `login-totp-zh.png` in `target/screenshots`.

use crate::browser::{ready, run_script, screenshots};
use crate::common::{self, TestApp};
use loopdesk_app::{Clock, Config};
use loopdesk_store::Backend;

#[tokio::test]
async fn an_admin_edits_the_sla_form_diffs_rolls_back_and_signs_in_with_a_code() {
    if let Err(why) = ready() {
        common::skip(&format!("admin browser test: {why}"));
        return;
    }
    let mut config = Config::default();
    // The walk signs in seven times on a clock that does not move.
    config.limits.login_per_minute = 100;
    let app = TestApp::start(Backend::Sqlite, config).await;
    let now = app.clock.now().timestamp().to_string();
    let out = run_script(&app, "admin.mjs", &[("NOW", &now)]).await;

    // The form showed the defaults in force (high: first response within 1 working day).
    assert_eq!(out["sla_title"], "各优先级的时限", "{out}");
    assert!(out["effective_hint"].as_str().unwrap().contains("内置默认值"), "{out}");
    assert_eq!(
        (out["high_first_response"].as_str(), out["high_first_response_unit"].as_str()),
        (Some("1"), Some("days"))
    );
    // The typo was named at its field, and both edits stayed as typed.
    assert_eq!(out["typo_error"], "请输入 1 到 100000 之间的整数。", "{out}");
    assert_eq!(out["typo_invalid"], "true");
    assert_eq!((out["typo_kept"].as_str(), out["other_kept"].as_str()), (Some("6小时"), Some("12")));
    assert_eq!(out["saved_flash"], "已保存为新版本。", "{out}");
    assert!(out["saved_version"].as_str().unwrap().ends_with("v1"), "{out}");
    // The diff from the defaults: the two changed amounts (and high's unit) in, the old out.
    assert!(out["diff_summary"].as_str().unwrap().starts_with("从 v0 到 v1"), "{out}");
    assert_eq!(out["diff_added"], out["diff_removed"], "{out}");
    let added = out["diff_added_text"].as_str().unwrap();
    assert!(added.contains("\"working_hours\": 6") && added.contains("\"working_days\": 12"), "{added}");
    assert_eq!(out["rollback_flash"], "已回滚：较早的内容已作为新版本生效。", "{out}");
    assert_eq!((out["after_rollback"].as_str(), out["after_rollback_unit"].as_str()), (Some("1"), Some("days")));
    assert!(out["history"].as_str().unwrap().contains("rollback to v0"), "{out}");
    let history = app.store.document_history("sla_policy", 5).await.unwrap();
    assert_eq!(
        history.iter().map(|d| (d.version, d.changed_by.as_str())).collect::<Vec<_>>(),
        [(2, "admin"), (1, "admin")]
    );
    assert_eq!(history[1].comment, "高优先级首次响应改为 6 小时");
    assert_eq!(history[0].body, serde_json::to_value(loopdesk_core::sla::SlaPolicy::default()).unwrap());
    // English.
    assert_eq!(out["sla_title_en"], "Targets per priority");
    assert_eq!(out["first_label_en"], "First response");

    // Two-step sign-in: on, the secret not shown again, a replayed code refused, the next accepted.
    assert!(out["otpauth"].as_str().unwrap().starts_with("otpauth://totp/Loopdesk:admin?secret="), "{out}");
    assert_eq!(out["totp_flash"], "Two-step sign-in is on.");
    assert!(out["totp_state"].as_str().unwrap().starts_with("On:"), "{out}");
    assert_eq!(out["secret_shown_after"], false);
    assert_eq!(out["code_hint"], "Enter the 6-digit code from your authenticator app.");
    assert!(out["replay_error"].as_str().unwrap().contains("used already"), "{out}");
    assert!(out["signed_in_url"].as_str().unwrap().ends_with("/console"), "{out}");
    assert_eq!(out["signed_in"], true, "{out}");
    assert_eq!(out["code_hint_zh"], "请输入身份验证器应用中的 6 位验证码。");
    assert_eq!(out["external_requests"], serde_json::json!([]));
    let shots = screenshots();
    for shot in [
        "admin-sla-form.png",
        "admin-sla-form-error.png",
        "admin-sla-diff.png",
        "admin-sla-form-en.png",
        "account-totp.png",
    ] {
        assert!(shots.join(shot).metadata().map(|m| m.len() > 5_000).unwrap_or(false), "screenshot {shot}");
    }
}
