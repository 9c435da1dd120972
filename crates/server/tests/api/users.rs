//! User administration: editing name, role, department and skills, deactivation and
//! reactivation, password resets — validated, audited, admins only — over the API and the
//! admin screen, on SQLite and PostgreSQL.

use crate::common;

use common::{each_backend, TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn login(app: &TestApp, username: &str, password: &str) -> StatusCode {
    app.raw(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": username, "password": password})))
        .await
        .status
}

async fn audit_actions(app: &TestApp, id: i64) -> Vec<String> {
    let a = app.get(&format!("/api/v1/users/{id}/audit")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn admins_edit_users_with_validation_and_an_audit_trail() {
    each_backend(|app| async move {
        let agent = app.user_ids["agent"];
        let d2 = app.departments[1].0;
        let url = format!("/api/v1/users/{agent}");
        let edit = json!({"display_name": "李雷", "department_id": d2, "skills": ["退款", "english", "退款"]});
        let a = app.post(&url, edit).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["display_name"], "李雷");
        assert_eq!(a.body["department_id"], d2);
        assert_eq!(a.body["skills"], json!(["退款", "english"]));
        // The skills are in the staffing document, as a new version by the admin.
        let staffing = app.get("/api/v1/admin/staffing").await;
        assert_eq!(staffing.status, StatusCode::OK, "{}", staffing.body);
        let body = if staffing.body["body"].is_object() { &staffing.body["body"] } else { &staffing.body };
        let profile = body["agents"].as_array().unwrap().iter().find(|p| p["user_id"] == agent).unwrap().clone();
        assert_eq!(profile["skills"], json!(["退款", "english"]));
        assert_eq!(profile["department_id"], d2);
        // Role change, then nothing to change: one audit row per real change.
        let a = app.post(&url, json!({"role": "supervisor"})).await;
        assert_eq!(a.body["role"], "supervisor", "{}", a.body);
        app.post(&url, json!({"role": "supervisor"})).await;
        let rows = app.get(&format!("/api/v1/users/{agent}/audit")).await.body;
        let rows = rows.as_array().unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["updated", "skills", "updated"]);
        assert_eq!(rows[0]["detail"]["role"], json!(["agent", "supervisor"]));
        assert_eq!(rows[2]["detail"]["display_name"], json!(["agent 用户", "李雷"]));
        assert!(rows.iter().all(|r| r["changed_by"] == "admin"));

        // Validation, field by field.
        for (body, field) in [
            (json!({"display_name": "  "}), "display_name"),
            (json!({"department_id": 999_999}), "department_id"),
            (json!({"skills": ["x".repeat(65)]}), "skills"),
            (json!({"department_id": null, "skills": ["退款"]}), "skills"),
        ] {
            let a = app.post(&url, body.clone()).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", a.body);
            assert_eq!(a.body["field"], field, "{body}");
        }
        let a = app.post(&url, json!({"role": "wizard"})).await;
        assert!(a.status.is_client_error(), "{}", a.body);
        let a = app.post("/api/v1/users/999999", json!({"display_name": "x"})).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        // An admin cannot lock themselves out.
        let me = app.user_ids["admin"];
        let a = app.post(&format!("/api/v1/users/{me}"), json!({"role": "viewer"})).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        let a = app.post(&format!("/api/v1/users/{me}/deactivate"), json!({})).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        // Only admins.
        let a = app.as_role("supervisor", Method::POST, &url, Some(json!({"display_name": "x"}))).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        let a = app.as_role("supervisor", Method::GET, &format!("/api/v1/users/{agent}/audit"), None).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn deactivation_and_password_resets_end_sessions() {
    each_backend(|app| async move {
        let agent = app.user_ids["agent"];
        let mine = app.as_role("agent", Method::GET, "/api/v1/tickets", None).await;
        assert_eq!(mine.status, StatusCode::OK);
        let a = app.post(&format!("/api/v1/users/{agent}/deactivate"), json!({})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["active"], false);
        // The session is gone and signing in is refused.
        let gone = app.as_role("agent", Method::GET, "/api/v1/tickets", None).await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
        assert_ne!(login(&app, "agent", PASSWORD).await, StatusCode::OK);
        let a = app.post(&format!("/api/v1/users/{agent}/reactivate"), json!({})).await;
        assert_eq!(a.body["active"], true, "{}", a.body);
        assert_eq!(login(&app, "agent", PASSWORD).await, StatusCode::OK);

        // A reset password is answered once; the old one and the old sessions stop working.
        let viewer = app.user_ids["viewer"];
        let a = app.post(&format!("/api/v1/users/{viewer}/reset-password"), json!({})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let pw = a.body["password"].as_str().unwrap().to_string();
        assert!(pw.len() >= 10);
        assert_eq!(app.as_role("viewer", Method::GET, "/api/v1/tickets", None).await.status, StatusCode::UNAUTHORIZED);
        assert_ne!(login(&app, "viewer", PASSWORD).await, StatusCode::OK);
        assert_eq!(login(&app, "viewer", &pw).await, StatusCode::OK);
        let me = app.user_ids["admin"];
        let a = app.post(&format!("/api/v1/users/{me}/reset-password"), json!({})).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);

        assert_eq!(audit_actions(&app, agent).await, ["reactivated", "deactivated"]);
        let rows = app.get(&format!("/api/v1/users/{viewer}/audit")).await.body;
        assert_eq!(rows[0]["action"], "password_reset");
        assert!(!rows.to_string().contains(&pw), "the password is never in the audit");
        // Creating a user is audited too.
        let new = json!({"username": "hanmeimei", "display_name": "韩梅梅", "role": "agent", "password": "a-long-password-1"});
        let created = app.post("/api/v1/users", new).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_i64().unwrap();
        assert_eq!(audit_actions(&app, id).await, ["created"]);
    })
    .await;
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token") + 20;
    html[at..at + 32].to_string()
}

#[tokio::test]
async fn the_admin_screen_edits_users_in_both_languages() {
    each_backend(|app| async move {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let agent = app.user_ids["agent"];
        let page = |role: &'static str, lang: &'static str| {
            let (http, app) = (http.clone(), &app);
            async move {
                let r = http
                    .get(format!("{}/console/admin/users/{agent}", app.base))
                    .header("cookie", &app.cookies[role])
                    .header("accept-language", lang)
                    .send()
                    .await
                    .unwrap();
                (r.status(), r.text().await.unwrap())
            }
        };
        let (status, zh) = page("admin", "zh-CN").await;
        assert_eq!(status, StatusCode::OK);
        assert!(zh.contains("编辑用户") && zh.contains("重置密码") && zh.contains("用户变更记录"), "{zh}");
        let (_, en) = page("admin", "en-US").await;
        assert!(en.contains("Edit user") && en.contains("Reset password"), "{en}");
        let (status, _) = page("supervisor", "en-US").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let post = |path: String, form: Vec<(&'static str, String)>| {
            let (http, app) = (http.clone(), &app);
            async move {
                let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
                let r = http
                    .post(format!("{}{path}", app.base))
                    .header("cookie", &app.cookies["admin"])
                    .header("accept-language", "en-US")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
                (r.status(), location, r.text().await.unwrap())
            }
        };
        let token = csrf(&en);
        let d1 = app.departments[0].0.to_string();
        let form = vec![
            ("_csrf", token.clone()),
            ("display_name", "Li Lei".to_string()),
            ("role", "agent".to_string()),
            ("department_id", d1),
            ("skills", "退款，english, 安装".to_string()),
        ];
        let (status, location, _) = post(format!("/console/admin/users/{agent}"), form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.unwrap().ends_with("ok=done"));
        let u: Value = app.get(&format!("/api/v1/users/{agent}/audit")).await.body;
        assert_eq!(u[0]["action"], "skills", "{u}");
        let (_, en) = page("admin", "en-US").await;
        assert!(en.contains("value=\"Li Lei\"") && en.contains("退款, english, 安装"), "{en}");
        // A bad value comes back as a flash on the same page.
        let form = vec![("_csrf", token.clone()), ("display_name", String::new()), ("role", "agent".into())];
        let (_, location, _) = post(format!("/console/admin/users/{agent}"), form).await;
        assert!(location.unwrap().contains("error="), "an error flash");
        // The reset password is on this response only.
        let (status, _, html) =
            post(format!("/console/admin/users/{agent}/reset-password"), vec![("_csrf", token.clone())]).await;
        assert_eq!(status, StatusCode::OK);
        let at = html.find("id=\"new-password\">").expect("the new password is shown") + 18;
        let pw = &html[at..html[at..].find('<').unwrap() + at];
        assert_eq!(login(&app, "agent", pw).await, StatusCode::OK);
        let (_, again) = page("admin", "en-US").await;
        assert!(!again.contains(pw), "shown once");
        let (_, location, _) =
            post(format!("/console/admin/users/{agent}/deactivate"), vec![("_csrf", token.clone())]).await;
        assert!(location.unwrap().ends_with("ok=done"));
        let (_, en) = page("admin", "en-US").await;
        assert!(en.contains("id=\"inactive\"") && en.contains("user-reactivate"), "deactivated");
        // Without the CSRF token nothing changes.
        let (_, location, _) = post(format!("/console/admin/users/{agent}/reactivate"), vec![]).await;
        assert!(location.unwrap().contains("error=csrf"));
    })
    .await;
}

/// A staff member changes their own password: each refusal names its field, the old
/// password stops working, the other sessions end and this one goes on, audited.
#[tokio::test]
async fn a_user_changes_their_own_password() {
    each_backend(|app| async move {
        let change = |body: Value| app.as_role("agent", Method::POST, "/api/v1/auth/password", Some(body));
        // A second session of the same person (another browser).
        let other = app
            .raw(Method::POST, "/api/v1/auth/login", None, Some(json!({"username": "agent", "password": PASSWORD})))
            .await;
        assert_eq!(other.status, StatusCode::OK);
        let other = other.headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();

        let wrong = change(json!({"current": "not my password", "new": "新的密码 long enough"})).await;
        assert_eq!((wrong.status, wrong.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("current")));
        let short = change(json!({"current": PASSWORD, "new": "short"})).await;
        assert_eq!((short.status, short.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("new")));
        let same = change(json!({"current": PASSWORD, "new": PASSWORD})).await;
        assert_eq!((same.status, same.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("new")));
        assert!(same.body["message"].as_str().unwrap_or_default().contains("differ"), "{}", same.body);
        assert_eq!(login(&app, "agent", PASSWORD).await, StatusCode::OK, "nothing changed yet");

        // Every attempt counts against the address's sign-in limit (10 a minute): wait one.
        app.clock.advance(chrono::Duration::seconds(61));
        let done = change(json!({"current": PASSWORD, "new": "新的密码 long enough"})).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
        assert_eq!(login(&app, "agent", PASSWORD).await, StatusCode::UNAUTHORIZED);
        assert_eq!(login(&app, "agent", "新的密码 long enough").await, StatusCode::OK);
        let this = app.raw(Method::GET, "/api/v1/auth/me", Some(&app.cookies["agent"]), None).await;
        assert_eq!(this.status, StatusCode::OK, "this session goes on");
        let ended = app.raw(Method::GET, "/api/v1/auth/me", Some(&other), None).await;
        assert_eq!(ended.status, StatusCode::UNAUTHORIZED, "the other session ended");
        assert!(audit_actions(&app, app.user_ids["agent"]).await.contains(&"password_changed".to_string()));
    })
    .await;
}
