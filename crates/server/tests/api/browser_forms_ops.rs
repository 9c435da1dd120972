//! The staffing and robots forms in a real headless Chromium (`tests/browser/forms_ops.mjs`),
//! in Chinese: people and departments chosen by name and saved, refused leave and a
//! refused robot address shown at their fields with the input kept, robot secrets never in
//! the page. Screenshots: `admin-staffing-form.png`, `admin-staffing-form-error.png`,
//! `admin-robots-form.png`, `admin-robots-form-error.png` in `target/screenshots`.

use crate::browser::{ready, run_script, screenshots};
use crate::common::{self, TestApp};
use loopdesk_app::Config;
use loopdesk_store::Backend;
use serde_json::json;

#[tokio::test]
async fn an_admin_edits_staffing_and_robots_in_forms() {
    if let Err(why) = ready() {
        common::skip(&format!("operations forms browser test: {why}"));
        return;
    }
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let out = run_script(&app, "forms_ops.mjs", &[]).await;

    // Staffing: departments listed by name, saved as v1 with the names chosen shown again.
    assert_eq!(out["staffing_title"], "部门值班与处理人", "{out}");
    assert_eq!(out["staffing_department_options"], json!(["售后服务部", "技术支持部"]), "{out}");
    assert_eq!(out["staffing_flash"], "已保存为新版本。", "{out}");
    assert!(out["staffing_version"].as_str().unwrap().ends_with("v1"), "{out}");
    assert_eq!(out["staffing_supervisor"], "supervisor 用户 (supervisor)");
    assert_eq!(out["staffing_agent"], "agent 用户 (agent)");
    assert_eq!(out["staffing_leave"], "2026-12-24 09:00 ~ 2026-12-26 18:00");
    let staffing = app.store.document_history("staffing", 5).await.unwrap();
    assert_eq!(staffing.len(), 1, "the refused post saved nothing");
    assert_eq!(staffing[0].comment, "年底排班");
    assert_eq!(staffing[0].body["agents"][0]["user_id"], json!(app.user_ids["agent"]));
    assert_eq!(staffing[0].body["agents"][0]["skills"], json!(["退款", "物流"]));
    assert_eq!(staffing[0].body["departments"][0]["department_id"], json!(app.departments[1].0));
    assert_eq!(staffing[0].body["departments"][0]["calendar"], "default", "a new row starts on the default calendar");
    // The refused leave.
    assert!(out["leave_error"].as_str().unwrap().starts_with("“2026-12-26 ~ 2026-12-20”不是有效的请假时段"), "{out}");
    assert_eq!(
        (out["leave_invalid"].as_str(), out["leave_described"].as_str()),
        (Some("true"), Some("a0-leave-error"))
    );
    assert_eq!(
        (out["leave_kept"].as_str(), out["skills_kept"].as_str()),
        (Some("2026-12-26 ~ 2026-12-20"), Some("退款, 物流"))
    );

    // Robots: saved, the secrets stored but not in the page.
    assert_eq!(out["robots_title"], "告警发往哪里");
    assert_eq!(out["robots_flash"], "已保存为新版本。", "{out}");
    assert!(out["robots_version"].as_str().unwrap().ends_with("v1"), "{out}");
    assert_eq!((out["robots_name"].as_str(), out["robots_url_shown"].as_str()), (Some("值班群"), Some("")));
    assert_eq!(out["robots_url_placeholder"], "已保存，留空则不变");
    assert_eq!(out["robots_secret_placeholder"], "已保存，留空则不变");
    assert_eq!((out["robots_ticked"].as_bool(), out["secret_in_page"].as_bool()), (Some(true), Some(false)));
    assert_eq!(out["robots_user"], "agent 用户 (agent)");
    let robots = app.store.document_history("robots", 5).await.unwrap();
    assert_eq!(robots.len(), 1, "the refused post saved nothing");
    let body = &robots[0].body;
    assert_eq!(body["robots"][0]["webhook_url"], "https://oapi.dingtalk.com/robot/send?access_token=BROWSERTOKEN");
    assert_eq!(body["robots"][0]["secret"], "SECbrowser");
    assert_eq!(body["robots"][0]["alerts"], json!(["new_urgent", "sla_breach"]));
    assert_eq!(body["user_emails"][app.user_ids["agent"].to_string()], "agent@example.com");
    // The refused address.
    assert_eq!(out["url_error"], "地址须以 https:// 或 http:// 开头。", "{out}");
    assert_eq!(out["url_invalid"], "true");
    assert_eq!(
        (out["url_kept"].as_str(), out["email_kept"].as_str()),
        (Some("oapi.dingtalk.com/robot"), Some("agent@example.com"))
    );
    assert_eq!(out["external_requests"], json!([]));
    let shots = screenshots();
    for shot in [
        "admin-staffing-form.png",
        "admin-staffing-form-error.png",
        "admin-robots-form.png",
        "admin-robots-form-error.png",
    ] {
        assert!(shots.join(shot).metadata().map(|m| m.len() > 5_000).unwrap_or(false), "screenshot {shot}");
    }
}
