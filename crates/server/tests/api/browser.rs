//! The portal and the console in a real headless Chromium (playwright-core, driven by
//! `tests/browser/e2e.mjs`) against the real server: a customer submits and gets a
//! tracking number; an agent finds it in the queue, replies and resolves it; the customer
//! tracks it and answers the survey; a supervisor sees it on the dashboard; an admin adds
//! a holiday and the ticket's due times move. Chinese and English are both used.
//! Screenshots land in `target/screenshots`.
//!
//! Needs `scripts/setup-browser.sh` (chromium + playwright-core); `scripts/test` runs it
//! and sets LOOPDESK_TEST_BROWSER=1. Without it this test says so and passes.

use crate::common;

use common::TestApp;
use loopdesk_app::Config;
use loopdesk_core::{State, TicketId, TrackingNo};
use loopdesk_store::Backend;
use serde_json::Value;
use std::path::PathBuf;

pub(crate) fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

pub(crate) fn ready() -> Result<(), String> {
    if std::env::var("LOOPDESK_TEST_BROWSER").as_deref() != Ok("1") {
        return Err("LOOPDESK_TEST_BROWSER is not 1 (run scripts/setup-browser.sh, or use scripts/test)".into());
    }
    if !workspace().join("tests/browser/node_modules/playwright-core").is_dir() {
        return Err("tests/browser/node_modules/playwright-core is missing".into());
    }
    Ok(())
}

/// Runs `tests/browser/{script}` in node against the test server with `env` added; returns
/// the JSON object the script printed last (it fails the test if the run failed). Each
/// browser walk is its own script, so walks of different features stay apart.
pub(crate) async fn run_script(app: &TestApp, script: &str, env: &[(&str, &str)]) -> Value {
    let shots = screenshots();
    std::fs::create_dir_all(&shots).unwrap();
    let mut command = tokio::process::Command::new("node");
    command
        .arg(workspace().join("tests/browser").join(script))
        .current_dir(workspace().join("tests/browser"))
        .env("BASE_URL", &app.base)
        .env("PASSWORD", common::PASSWORD)
        .env("SCREENSHOTS", &shots);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().await.expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stdout.lines().last().unwrap_or("");
    let out: Value = serde_json::from_str(last)
        .unwrap_or_else(|_| panic!("no result from the browser ({script})\n{stdout}\n{stderr}"));
    assert!(output.status.success() && out.get("error").is_none(), "browser run {script} failed: {out}\n{stderr}");
    out
}

/// Where the scripts put their screenshots and downloads.
pub(crate) fn screenshots() -> PathBuf {
    workspace().join("target/screenshots")
}

#[tokio::test]
async fn customer_agent_supervisor_admin_in_a_real_browser() {
    if let Err(why) = ready() {
        common::skip(&format!("browser end-to-end test: {why}"));
        return;
    }
    let mut config = Config::default();
    config.limits.feedback_per_minute = 100;
    let app = TestApp::start(Backend::Sqlite, config).await;
    // Wednesday of the test week (the clock starts Monday 2026-11-02, 09:30 in Shanghai).
    let out = run_script(&app, "e2e.mjs", &[("HOLIDAY", "2026-11-04")]).await;
    let shots = screenshots();

    // The customer got a valid tracking number and a first-response promise.
    let number = TrackingNo::parse(out["tracking_no"].as_str().unwrap()).expect("a valid tracking number");
    assert!(out["expected"].as_str().unwrap().starts_with("2026-"), "{out}");
    // The agent (English) resolved it; the customer (Chinese) saw it and was satisfied.
    assert_eq!(out["agent_state"], "Resolved");
    assert_eq!(out["customer_state"], "已处理");
    assert!(out["public_timeline"].as_str().unwrap().contains(number.as_str()), "the reply used the template");
    assert_eq!(out["after_survey_state"], "已关闭");
    let t = app.store.ticket(TicketId(number.ticket_id().0)).await.unwrap();
    assert_eq!(t.state, State::Closed);
    assert_eq!(t.satisfaction.as_ref().map(|s| s.score), Some(Some(5)));
    assert_eq!(
        t.attachments.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["dock.png"],
        "uploaded on the portal"
    );
    assert!(out["portal_files"].as_str().unwrap_or_default().contains("dock.png"), "{out}");
    assert!(t.first_response_at.is_some() && t.resolved_at.is_some());
    // The supervisor's dashboard (Chinese) counts both tickets, the resolution and the answer;
    // the admin's (English) the same tickets.
    assert_eq!(out["dashboard_title"], "数据看板");
    assert_eq!(out["kpi_volume"], "2");
    assert_eq!(out["kpi_resolved"], "1");
    assert_eq!(out["kpi_satisfaction"], "100.0%");
    assert_eq!(out["dashboard_title_en"], "Dashboard");
    assert_eq!(out["kpi_volume_en"], "2", "the English dashboard counts the same: {out}");
    // The shipped holiday schedule ends 2026-12-31: the admin is warned on the dashboard
    // (59 days ahead on the test's clock), the supervisor is not.
    let warning = out["schedule_warning_en"].as_str().unwrap_or_default();
    assert!(warning.contains("2026-12-31") && warning.contains("provisional"), "{out}");
    assert_eq!(out["schedule_warnings_supervisor"], 0, "{out}");
    // The reports page in both languages counts the same tickets; a breakdown number opens
    // the queue filtered to as many tickets; the downloads are a CSV for Excel and an xlsx.
    assert_eq!(out["reports_title"], "统计报表");
    assert_eq!(out["reports_title_en"], "Reports");
    assert_eq!(out["reports_volume"], "2", "{out}");
    assert!(out["drill_url"].as_str().unwrap_or_default().contains("/console?"), "{out}");
    let drilled: u64 = out["drill_count"].as_str().and_then(|c| c.parse().ok()).expect("a count");
    assert_eq!(out["drill_rows"].as_u64(), Some(drilled), "{out}");
    let csv = std::fs::read(shots.join("breakdown.csv")).unwrap();
    let text = std::str::from_utf8(csv.strip_prefix("\u{feff}".as_bytes()).expect("a BOM")).unwrap();
    assert!(text.split("\r\n").filter(|l| !l.is_empty()).count() >= 2, "header and rows: {text}");
    let xlsx = std::fs::read(shots.join("breakdown.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04") && xlsx.len() > 1_000, "an xlsx (ZIP) file");
    // Its charts are images with titles, in both languages.
    assert!(out["reports_charts"].as_u64().unwrap_or(0) >= 6, "{out}");
    assert_eq!(out["heatmap_title"], "按星期和小时的数量");
    assert_eq!(out["heatmap_title_en"], "Volume by weekday and hour");
    assert_eq!(out["stacked_title"], "按类型和渠道的数量");
    // The drilled-down queue downloads with as many rows, Chinese intact.
    let csv = std::fs::read(shots.join("queue.csv")).unwrap();
    let text = std::str::from_utf8(csv.strip_prefix("\u{feff}".as_bytes()).expect("a BOM")).unwrap();
    assert_eq!(text.split("\r\n").filter(|l| !l.is_empty()).count() as u64, drilled + 1, "{text}");
    let sheet = |file: &str| {
        let xlsx = std::fs::read(shots.join(file)).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("an xlsx (ZIP) file");
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        sheet
    };
    let drilled_sheet = sheet("queue.xlsx");
    assert_eq!(drilled_sheet.matches("<row ").count() as u64, drilled + 1, "{drilled_sheet}");
    // The agent's search for a Chinese word downloads that ticket, its Chinese text intact.
    let found = sheet("queue-search.xlsx");
    assert_eq!(found.matches("<row ").count(), 2, "{found}");
    assert!(found.contains("充电"), "a Chinese cell: {found}");
    // The admin's holiday is a new audited version, and the open ticket's due times moved.
    let history = app.store.document_history("calendars", 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].changed_by, "admin");
    assert!(out["calendar_history"].as_str().unwrap().contains("2026-11-04"));
    assert_ne!(out["due_before"], out["due_after"], "{out}");
    // The assigned, not yet accepted ticket counted down in amber in "breaching soon".
    assert!(out["breaching_due"].as_str().unwrap_or_default().ends_with(" left"), "{out}");
    assert_eq!(out["breaching_color"], "rgb(138, 75, 0)", "{out}");
    // The agent changed their own password; the wrong current one was named at its field.
    assert!(out["password_error"].as_str().unwrap_or_default().contains("current password is not right"), "{out}");
    assert_eq!(out["password_invalid"], "true", "{out}");
    assert!(out["password_flash"].as_str().unwrap_or_default().starts_with("Password changed"), "{out}");
    // Another user's message appeared on the open ticket page without a reload.
    assert_eq!(out["live_update"], true, "{out}");
    // Nothing was fetched from anywhere but the server.
    assert_eq!(out["external_requests"], serde_json::json!([]));
    for shot in [
        "portal-phone.png",
        "portal-thanks-phone.png",
        "portal-status-phone.png",
        "queue.png",
        "queue-breaching.png",
        "ticket.png",
        "dashboard.png",
        "dashboard-en.png",
        "reports-zh.png",
        "reports-en.png",
    ] {
        assert!(shots.join(shot).metadata().map(|m| m.len() > 5_000).unwrap_or(false), "screenshot {shot}");
    }
}
