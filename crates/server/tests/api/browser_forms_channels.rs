//! The portal's branding form and the two-step set-up's QR code in a real headless
//! Chromium (`tests/browser/forms_channels.mjs`), in Chinese: the admin sets the company's
//! name and colour (a colour too light for white text refused at its field, what was typed
//! kept), the portal on a phone shows them, and the account page draws the QR code beside
//! the key. Screenshots: `admin-portal-form.png`, `portal-branded-phone.png`,
//! `account-totp-qr.png` in `target/screenshots`.

use crate::browser::{ready, run_script, screenshots};
use crate::common::{self, TestApp};
use loopdesk_app::Config;
use loopdesk_store::Backend;

#[tokio::test]
async fn an_admin_brands_the_portal_in_a_form_and_sees_the_totp_qr_code() {
    if let Err(why) = ready() {
        common::skip(&format!("forms_channels browser test: {why}"));
        return;
    }
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let out = run_script(&app, "forms_channels.mjs", &[]).await;

    // The form showed the values in force: the built-in colour and promise.
    assert_eq!(out["form_title"], "门户品牌", "{out}");
    assert_eq!((out["accent_in_force"].as_str(), out["builtin_checked"].as_bool()), (Some("#1d5fbf"), Some(true)));
    assert_eq!(out["hours_in_force"], "8");
    assert_eq!(out["accent_label"], "主色");
    // The light colour was refused at its field, everything typed kept.
    let error = out["colour_error"].as_str().unwrap();
    assert!(error.starts_with("白色按钮文字在此颜色上的对比度只有") && error.contains("低于无障碍标准 4.5:1"), "{out}");
    assert_eq!(out["colour_invalid"], "true");
    assert!(out["colour_described"].as_str().unwrap().contains("portal-form-branding-accent-error"), "{out}");
    assert_eq!(
        (out["colour_kept"].as_str(), out["company_kept"].as_str(), out["comment_kept"].as_str()),
        (Some("#ffcc00"), Some("海川电器"), Some("门户品牌"))
    );
    assert_eq!(out["builtin_after_refusal"], false);
    assert_eq!(out["saved_flash"], "已保存为新版本。", "{out}");
    assert!(out["saved_heading"].as_str().unwrap().ends_with("v1"), "{out}");
    let saved = app.store.document_history("portal", 5).await.unwrap();
    assert_eq!(saved[0].body["branding"]["accent"], "#0b5394");
    assert_eq!(saved[0].comment, "门户品牌");

    assert_eq!(out["webhook_new"], "此渠道尚未配置；保存后即创建。", "{out}");
    assert_eq!(out["webhook_channel"], "app");

    // The portal on a phone: the name in its header, the colour on its button, no sideways scroll.
    assert_eq!(out["portal_company"], "海川电器", "{out}");
    assert_eq!(out["portal_button_colour"], "rgb(11, 83, 148)", "{out}");
    assert_eq!(out["portal_overflows"], false);

    // The QR code beside the key and the link.
    assert_eq!(out["qr_label"], "用验证器应用扫描此二维码");
    assert_eq!(out["qr_size"], serde_json::json!([200, 200]), "{out}");
    assert_eq!(out["qr_paths"], 1);
    let otpauth = out["otpauth"].as_str().unwrap();
    assert!(otpauth.starts_with("otpauth://totp/") && otpauth.contains(out["secret_text"].as_str().unwrap()), "{out}");
    assert_eq!(out["external_requests"], serde_json::json!([]));
    let shots = screenshots();
    for shot in ["admin-portal-form.png", "portal-branded-phone.png", "account-totp-qr.png"] {
        assert!(shots.join(shot).metadata().map(|m| m.len() > 5_000).unwrap_or(false), "screenshot {shot}");
    }
}
