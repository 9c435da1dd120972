//! The forms for the operations documents — staffing, robots, report schedules, spike
//! rules — and the admin's add-user form, over HTTP on both databases: each form shows the
//! values in force with names, saves a new version, and a refused post comes back (422)
//! with what was typed and the message at its field. Robot secrets never reach the page
//! and a blank secret keeps the saved one.

use crate::common::{each_backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn csrf(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[at..at + 32].to_string()
}

fn cookie(app: &TestApp) -> String {
    format!("{}; loopdesk_lang=zh-CN", app.cookies["admin"])
}

async fn page(app: &TestApp, path: &str) -> String {
    let resp = app.http.get(format!("{}{path}", app.base)).header("cookie", cookie(app)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.unwrap()
}

/// Posts `pairs`: (status, location, body).
async fn post(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = http.post(format!("{}{path}", app.base)).header("cookie", cookie(app)).form(pairs).send().await.unwrap();
    let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (resp.status(), location, resp.text().await.unwrap())
}

/// The message at field `id`, which is marked invalid and described by it.
fn refused(html: &str, id: &str) -> String {
    let marker = format!("aria-invalid=\"true\" aria-describedby=\"{id}-error\"");
    assert!(html.contains(&marker), "{id} is not marked invalid:\n{html}");
    let at = html.find(&format!("id=\"{id}-error\">")).unwrap_or_else(|| panic!("no message for {id}:\n{html}"));
    html[at..].split_once('>').unwrap().1.split('<').next().unwrap().to_string()
}

async fn saved(app: &TestApp, name: &str) -> (i64, Value) {
    let doc = app.get(&format!("/api/v1/documents/{name}")).await.body;
    (doc["version"].as_i64().unwrap_or(0), doc["body"].clone())
}

/// Saves through a document's form and expects the redirect back with `ok=saved`.
async fn save(app: &TestApp, name: &str, pairs: &[(&str, &str)]) {
    let (status, location, body) = post(app, &format!("/console/admin/documents/{name}/form"), pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/console/admin/documents/{name}?ok=saved"));
}

#[tokio::test]
async fn the_staffing_form_shows_names_saves_and_keeps_refused_leave() {
    each_backend(|app| async move {
        let html = page(&app, "/console/admin/documents/staffing").await;
        assert!(html.contains("id=\"staffing-form\""), "{html}");
        assert!(html.contains(">技术支持部</option>") && html.contains(">agent 用户 (agent)</option>"), "names shown");
        let token = csrf(&html);
        let (d1, d2) = (app.departments[0].0.to_string(), app.departments[1].0.to_string());
        let (agent, boss) = (app.user_ids["agent"].to_string(), app.user_ids["supervisor"].to_string());
        let mut pairs = vec![
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("dcount", "0"),
            ("d0.department", d2.as_str()),
            ("d0.calendar", "default"),
            ("d0.supervisor", boss.as_str()),
            ("acount", "0"),
            ("a0.user", agent.as_str()),
            ("a0.department", d1.as_str()),
            ("a0.skills", "退款，物流"),
            ("a0.calendar", ""),
            ("a0.leave", "2026-12-24 09:00 ~ 2026-12-26 18:00"),
            ("comment", "排班"),
        ];
        save(&app, "staffing", &pairs).await;
        let (version, body) = saved(&app, "staffing").await;
        assert_eq!(version, 1);
        assert_eq!(body["departments"][0]["supervisor_id"], json!(app.user_ids["supervisor"]));
        assert_eq!(body["agents"][0]["skills"], json!(["退款", "物流"]));
        assert_eq!(body["agents"][0]["leave"][0]["from"], "2026-12-24T01:00:00Z", "Shanghai time");
        assert_eq!(app.get("/api/v1/documents/staffing").await.body["comment"], "排班");
        // Shown again by name, leave in the reader's zone.
        let html = page(&app, "/console/admin/documents/staffing").await;
        assert!(html.contains("2026-12-24 09:00 ~ 2026-12-26 18:00</textarea>"), "{html}");
        assert!(html.contains(&format!("<option value=\"{boss}\" selected>supervisor 用户 (supervisor)</option>")));

        // Leave that ends before it starts: refused at its field, everything typed kept.
        pairs.retain(|(k, _)| !["version", "dcount", "acount", "a0.leave"].contains(k));
        pairs.extend([("version", "1"), ("dcount", "1"), ("acount", "1"), ("a0.leave", "2026-12-26 ~ 2026-12-20")]);
        let (status, _, html) = post(&app, "/console/admin/documents/staffing/form", &pairs).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused(&html, "a0-leave").contains("2026-12-26 ~ 2026-12-20"), "{html}");
        assert!(html.contains(">2026-12-26 ~ 2026-12-20</textarea>") && html.contains("value=\"退款，物流\""));
        assert_eq!(saved(&app, "staffing").await.0, 1, "nothing saved");
    })
    .await;
}

#[tokio::test]
async fn the_robots_form_never_shows_secrets_and_keeps_them_when_left_blank() {
    each_backend(|app| async move {
        let html = page(&app, "/console/admin/documents/robots").await;
        assert!(html.contains("id=\"robots-form\""));
        let token = csrf(&html);
        let (d1, agent) = (app.departments[0].0.to_string(), app.user_ids["agent"].to_string());
        let url = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123";
        save(
            &app,
            "robots",
            &[
                ("_csrf", &token),
                ("version", "0"),
                ("bcount", "0"),
                ("b0.name", "值班群"),
                ("b0.kind", "dingtalk"),
                ("b0.format", "text"),
                ("b0.url", url),
                ("b0.secret", "SECabc"),
                ("b0.alert.sla_breach", "on"),
                ("b0.alert.new_urgent", "on"),
                ("ucount", "0"),
                ("u0.user", &agent),
                ("u0.email", "agent@example.com"),
                ("ecount", "0"),
                ("e0.department", &d1),
                ("e0.email", "support@example.com"),
            ],
        )
        .await;
        let stored = app.store.document_history("robots", 1).await.unwrap().remove(0);
        assert_eq!(stored.version, 1);
        assert_eq!(stored.body["robots"][0]["webhook_url"], url);
        assert_eq!(stored.body["robots"][0]["secret"], "SECabc");
        assert_eq!(stored.body["robots"][0]["alerts"], json!(["new_urgent", "sla_breach"]));
        assert_eq!(stored.body["user_emails"], json!({agent.clone(): "agent@example.com"}));
        assert_eq!(stored.body["department_emails"], json!({d1.clone(): "support@example.com"}));

        // The page has names, never the secrets.
        let html = page(&app, "/console/admin/documents/robots").await;
        assert!(!html.contains("TOKEN123") && !html.contains("SECabc"), "secrets leaked:\n{html}");
        assert!(html.contains(&format!("<option value=\"{agent}\" selected>agent 用户 (agent)</option>")));
        assert!(html.contains("placeholder=\"已保存，留空则不变\""));
        // Renamed with the secrets left blank: both kept.
        let token = csrf(&html);
        let renamed = [
            ("_csrf", token.as_str()),
            ("version", "1"),
            ("bcount", "1"),
            ("b0.name", "夜班群"),
            ("b0.kind", "dingtalk"),
            ("b0.format", "markdown"),
            ("b0.url", ""),
            ("b0.secret", ""),
            ("ucount", "1"),
            ("u0.user", &agent),
            ("u0.email", "agent@example.com"),
            ("ecount", "1"),
            ("e0.department", &d1),
            ("e0.remove", "on"),
            ("e0.email", "support@example.com"),
        ];
        save(&app, "robots", &renamed).await;
        let stored = app.store.document_history("robots", 1).await.unwrap().remove(0);
        assert_eq!((stored.version, stored.body["robots"][0]["name"].as_str()), (2, Some("夜班群")));
        assert_eq!(stored.body["robots"][0]["webhook_url"], url);
        assert_eq!(stored.body["robots"][0]["secret"], "SECabc");
        assert_eq!(stored.body["robots"][0]["alerts"], json!([]), "none ticked: every alert");
        assert_eq!(stored.body["department_emails"], json!({}), "removed");

        // A bad address and a bad mailbox: refused at their fields, typed values kept.
        let mut bad = renamed.to_vec();
        bad.retain(|(k, _)| !["version", "b0.url", "u0.email"].contains(k));
        bad.extend([("version", "2"), ("b0.url", "ftp://example.com/x"), ("u0.email", "agent@")]);
        let (status, _, html) = post(&app, "/console/admin/documents/robots/form", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused(&html, "b0-url"), "地址须以 https:// 或 http:// 开头。");
        assert!(!refused(&html, "u0-email").is_empty());
        assert!(html.contains("value=\"ftp://example.com/x\"") && html.contains("value=\"夜班群\""), "{html}");
        assert_eq!(app.store.document_history("robots", 5).await.unwrap().len(), 2, "nothing saved");
    })
    .await;
}

#[tokio::test]
async fn the_schedule_and_spike_forms_show_defaults_save_and_refuse_at_the_field() {
    each_backend(|app| async move {
        // Spike rules: the built-in values are shown while nothing is saved.
        let html = page(&app, "/console/admin/documents/spike_rules").await;
        assert!(html.contains("name=\"window_hours\" id=\"window_hours\""), "{html}");
        assert!(html.contains("value=\"3.5\""), "the default spread is shown");
        let token = csrf(&html);
        let mut spikes = vec![
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("window_hours", "2"),
            ("weeks", "6"),
            ("sigmas", "4"),
            ("min_count", "5"),
            ("tcount", "0"),
            ("t0.dimension", "category"),
            ("t0.value", "payment"),
            ("t0.count", "10"),
        ];
        save(&app, "spike_rules", &spikes).await;
        let (version, body) = saved(&app, "spike_rules").await;
        assert_eq!(version, 1);
        assert_eq!(body["thresholds"], json!([{"dimension": "category", "value": "payment", "count": 10}]));
        assert_eq!((body["window_hours"].as_i64(), body["sigmas"].as_f64()), (Some(2), Some(4.0)));
        spikes.retain(|(k, _)| !["version", "weeks"].contains(k));
        spikes.extend([("version", "1"), ("weeks", "1")]);
        let (status, _, html) = post(&app, "/console/admin/documents/spike_rules/form", &spikes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused(&html, "weeks"), "请输入 2 到 26 之间的整数。");
        assert!(html.contains("value=\"payment\""));

        // Report schedules: none by default; one added, then a bad time refused.
        let html = page(&app, "/console/admin/documents/report_schedules").await;
        assert!(html.contains("id=\"schedules-form\"") && html.contains("name=\"s0.name\""), "{html}");
        let mut schedule = vec![
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("scount", "0"),
            ("s0.name", "weekly-cs"),
            ("s0.every", "week"),
            ("s0.working_day", "1"),
            ("s0.at", "09:30"),
            ("s0.language", "zh-CN"),
            ("s0.emails", "boss@example.com\ncs@example.com"),
            ("s0.robots", "on"),
        ];
        save(&app, "report_schedules", &schedule).await;
        let (version, body) = saved(&app, "report_schedules").await;
        assert_eq!(version, 1);
        assert_eq!(body["summaries"][0]["emails"], json!(["boss@example.com", "cs@example.com"]));
        assert_eq!(
            (body["summaries"][0]["every"].as_str(), body["summaries"][0]["at"].as_str()),
            (Some("week"), Some("09:30"))
        );
        schedule.retain(|(k, _)| !["version", "scount", "s0.at"].contains(k));
        schedule.extend([("version", "1"), ("scount", "1"), ("s0.at", "9点半")]);
        let (status, _, html) = post(&app, "/console/admin/documents/report_schedules/form", &schedule).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused(&html, "s0-at"), "请按 09:00 的格式填写时间。");
        assert!(html.contains("value=\"9点半\"") && html.contains("boss@example.com\ncs@example.com</textarea>"));
        assert_eq!(saved(&app, "report_schedules").await.0, 1);
    })
    .await;
}

#[tokio::test]
async fn the_add_user_form_keeps_what_was_typed_but_the_password() {
    each_backend(|app| async move {
        let token = csrf(&page(&app, "/console/admin").await);
        let d2 = app.departments[1].0.to_string();
        let typed = |username: &'static str, password: &'static str| {
            vec![
                ("_csrf".to_string(), token.clone()),
                ("username".into(), username.into()),
                ("display_name".into(), "韩梅梅".into()),
                ("role".into(), "supervisor".into()),
                ("department_id".into(), d2.clone()),
                ("password".into(), password.into()),
            ]
        };
        let send = |pairs: Vec<(String, String)>| {
            let app = &app;
            async move {
                let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                post(app, "/console/admin/users", &refs).await
            }
        };
        // A login already taken.
        let (status, _, html) = send(typed("agent", "a-long-password-1")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert_eq!(refused(&html, "new-username"), "该用户名已被使用，请换一个。");
        assert!(html.contains("value=\"agent\"") && html.contains("value=\"韩梅梅\""), "{html}");
        assert!(html.contains("<option value=\"supervisor\" selected>"));
        assert!(html.contains(&format!("<option value=\"{d2}\" selected>售后服务部</option>")));
        assert!(!html.contains("a-long-password-1"), "the password is never sent back");
        assert!(html.contains("id=\"add-user\" open"));
        // Too short a password.
        let (status, _, html) = send(typed("hanmeimei", "short")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused(&html, "new-password"), "密码至少 10 个字符。");
        assert!(html.contains("value=\"hanmeimei\"") && !html.contains("value=\"short\""));
        assert!(app.store.users().await.unwrap().iter().all(|u| u.username != "hanmeimei"), "nobody added");
        // Accepted.
        let (status, location, _) = send(typed("hanmeimei", "a-long-password-1")).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/console/admin?ok=done"));
        assert!(app.store.users().await.unwrap().iter().any(|u| u.username == "hanmeimei"));
    })
    .await;
}
