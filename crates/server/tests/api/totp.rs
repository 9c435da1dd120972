//! The TOTP second factor for staff: enrolment, confirmation, sign-in with a code (replay
//! of a step refused, wrong codes counted), disabling, an admin's reset, and the switch
//! that requires it of admins — over the API and the console, on both databases.

use crate::common;

use common::{each_backend, TestApp, PASSWORD};
use loopdesk_app::accounts::totp::{code_at, step_of};
use loopdesk_app::{Clock, Config};
use loopdesk_store::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// RFC 4648 base32 (no padding) back to bytes.
fn base32(s: &str) -> Vec<u8> {
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes() {
        let v = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".iter().position(|x| *x == c).unwrap() as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn code(app: &TestApp, secret: &[u8], steps_ahead: i64) -> String {
    format!("{:06}", code_at(secret, (step_of(app.clock.now()) + steps_ahead) as u64))
}

async fn login(app: &TestApp, user: &str, password: &str, code: Option<&str>) -> common::Answer {
    let mut body = json!({"username": user, "password": password});
    if let Some(c) = code {
        body["code"] = json!(c);
    }
    app.raw(Method::POST, "/api/v1/auth/login", None, Some(body)).await
}

/// The sign-in limit is 10 a minute per address: each phase of a test starts a new minute.
fn next_minute(app: &TestApp) {
    app.clock.advance(chrono::Duration::seconds(61));
}

/// Enrols `role` and confirms it; returns the secret.
async fn enrol(app: &TestApp, role: &str) -> Vec<u8> {
    let e = app.as_role(role, Method::POST, "/api/v1/auth/totp/enrol", None).await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    let secret = base32(e.body["secret"].as_str().unwrap());
    let c = code(app, &secret, 0);
    let ok = app.as_role(role, Method::POST, "/api/v1/auth/totp/confirm", Some(json!({"code": c}))).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
    secret
}

async fn audit(app: &TestApp, role: &str) -> Vec<(String, String)> {
    let a = app.get(&format!("/api/v1/users/{}/audit", app.user_ids[role])).await;
    a.body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap().into(), r["changed_by"].as_str().unwrap().into()))
        .collect()
}

#[tokio::test]
async fn enrol_confirm_sign_in_with_codes_and_disable() {
    each_backend(|app| async move {
        next_minute(&app);
        let state = app.as_role("agent", Method::GET, "/api/v1/auth/totp", None).await;
        assert_eq!(state.body, json!({"enabled": false, "pending": false, "required": false}));
        let e = app.as_role("agent", Method::POST, "/api/v1/auth/totp/enrol", None).await;
        let (secret_text, uri) =
            (e.body["secret"].as_str().unwrap().to_string(), e.body["otpauth_uri"].as_str().unwrap());
        assert_eq!(secret_text.len(), 32, "160 bits in base32");
        assert!(
            uri.starts_with(&format!("otpauth://totp/Loopdesk:agent?secret={secret_text}&issuer=Loopdesk")),
            "{uri}"
        );
        assert!(uri.contains("algorithm=SHA1&digits=6&period=30"));
        let secret = base32(&secret_text);
        // Pending: sign-in does not ask for codes yet.
        assert_eq!(login(&app, "agent", PASSWORD, None).await.status, StatusCode::OK);
        // A wrong code is named at its field; the right one turns it on.
        let wrong =
            app.as_role("agent", Method::POST, "/api/v1/auth/totp/confirm", Some(json!({"code": "000000"}))).await;
        let wrong_is_right = code(&app, &secret, 0) == "000000";
        if !wrong_is_right {
            assert_eq!(
                (wrong.status, wrong.body["code"].as_str(), wrong.body["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_totp"), Some("code"))
            );
        }
        let c = code(&app, &secret, 0);
        let ok = app.as_role("agent", Method::POST, "/api/v1/auth/totp/confirm", Some(json!({"code": c}))).await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.body);
        let state = app.as_role("agent", Method::GET, "/api/v1/auth/totp", None).await;
        assert_eq!(state.body, json!({"enabled": true, "pending": false, "required": false}));
        let again = app.as_role("agent", Method::POST, "/api/v1/auth/totp/enrol", None).await;
        assert_eq!((again.status, again.body["code"].as_str()), (StatusCode::CONFLICT, Some("totp_enabled")));
        // The secret is never shown again, and is stored sealed.
        let me = app.as_role("agent", Method::GET, "/api/v1/auth/me", None).await;
        assert!(!me.body.to_string().contains(&secret_text) && !state.body.to_string().contains(&secret_text));
        let stored = app.state.read().totp_state(loopdesk_core::UserId(app.user_ids["agent"])).await.unwrap();
        let sealed = stored.secret.unwrap();
        assert!(!sealed.contains(&secret_text) && !sealed.contains(&hex(&secret)), "{sealed}");

        next_minute(&app);
        // Password alone: the clear `totp_required` on field `code`.
        let no_code = login(&app, "agent", PASSWORD, None).await;
        assert_eq!(
            (no_code.status, no_code.body["code"].as_str(), no_code.body["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("totp_required"), Some("code")),
            "{}",
            no_code.body
        );
        // A wrong password is still just wrong credentials (a code reveals nothing).
        let bad = login(&app, "agent", "wrong password!", Some(&code(&app, &secret, 0))).await;
        assert_eq!(bad.body["code"], "bad_credentials");
        let c = code(&app, &secret, 0);
        let signed_in = login(&app, "agent", PASSWORD, Some(&c)).await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
        // The same code again within its step: refused (replay).
        let replay = login(&app, "agent", PASSWORD, Some(&c)).await;
        assert_eq!((replay.status, replay.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("bad_totp")));
        // The code of the step before (clock drift) is no longer accepted once a later one was.
        let earlier = login(&app, "agent", PASSWORD, Some(&code(&app, &secret, -1))).await;
        assert_eq!(earlier.body["code"], "bad_totp");
        // The next step's code works (the phone's clock a little ahead).
        let ahead = login(&app, "agent", PASSWORD, Some(&code(&app, &secret, 1))).await;
        assert_eq!(ahead.status, StatusCode::OK, "{}", ahead.body);

        // Wrong codes count as failed sign-ins: the account locks.
        for _ in 0..5 {
            next_minute(&app);
            let c = code(&app, &secret, 0);
            let wrong = if c == "123456" { "654321" } else { "123456" };
            login(&app, "agent", PASSWORD, Some(wrong)).await;
        }
        let locked = login(&app, "agent", PASSWORD, Some(&code(&app, &secret, 0))).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
        app.clock.advance(chrono::Duration::minutes(10));
        let again = login(&app, "agent", PASSWORD, Some(&code(&app, &secret, 0))).await;
        assert_eq!(again.status, StatusCode::OK, "unlocked after the wait: {}", again.body);

        // Turning it off needs the password and a code (the next step's: this one is used).
        let off = |body: Value| app.as_role("agent", Method::POST, "/api/v1/auth/totp/disable", Some(body));
        let no_pw = off(json!({"password": "not it", "code": code(&app, &secret, 1)})).await;
        assert_eq!((no_pw.status, no_pw.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")));
        let done = off(json!({"password": PASSWORD, "code": code(&app, &secret, 1)})).await;
        assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
        next_minute(&app);
        assert_eq!(login(&app, "agent", PASSWORD, None).await.status, StatusCode::OK);
        let actions: Vec<String> = audit(&app, "agent").await.into_iter().map(|a| a.0).collect();
        assert!(actions.contains(&"totp_enabled".into()) && actions.contains(&"totp_disabled".into()), "{actions:?}");
    })
    .await;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn admins_reset_a_lost_second_factor_and_may_be_required_to_use_one() {
    for backend in TestDatabase::backends() {
        let mut config = Config::default();
        config.auth.totp_required_for_admins = true;
        let app = TestApp::start(backend, config).await;
        next_minute(&app);
        // The admin signed in with a password only: sent to enrol, on the API and the console.
        let refused = app.get("/api/v1/admin/sla-policy").await;
        assert_eq!(
            (refused.status, refused.body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("totp_enrolment_required"))
        );
        assert_eq!(app.get("/api/v1/auth/totp").await.body["required"], true);
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let console =
            http.get(format!("{}/console", app.base)).header("cookie", &app.cookies["admin"]).send().await.unwrap();
        assert_eq!(console.status(), StatusCode::SEE_OTHER);
        assert_eq!(console.headers()["location"], "/console/account?error=totp_enrolment_required");
        let account = http
            .get(format!("{}/console/account", app.base))
            .header("cookie", &app.cookies["admin"])
            .send()
            .await
            .unwrap();
        let html = account.text().await.unwrap();
        assert!(html.contains("id=\"totp-required\"") && html.contains("id=\"totp-begin\""), "{html}");
        // Others are not held to it.
        assert_eq!(app.as_role("agent", Method::GET, "/api/v1/tickets", None).await.status, StatusCode::OK);

        let admin_secret = enrol(&app, "admin").await;
        assert_eq!(app.get("/api/v1/admin/sla-policy").await.status, StatusCode::OK);

        // The agent loses their phone; the admin resets it (audited under the admin's name).
        next_minute(&app);
        enrol(&app, "agent").await;
        let agent_id = app.user_ids["agent"];
        let by_agent = app
            .as_role("agent", Method::POST, &format!("/api/v1/users/{}/reset-totp", app.user_ids["admin"]), None)
            .await;
        assert_eq!(by_agent.status, StatusCode::FORBIDDEN);
        let own = app.post(&format!("/api/v1/users/{}/reset-totp", app.user_ids["admin"]), json!({})).await;
        assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
        let reset = app.post(&format!("/api/v1/users/{agent_id}/reset-totp"), json!({})).await;
        assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);
        assert!(audit(&app, "agent").await.contains(&("totp_reset".to_string(), "admin".to_string())));
        next_minute(&app);
        assert_eq!(login(&app, "agent", PASSWORD, None).await.status, StatusCode::OK);

        // The admin signs in on the console in two steps: password, then the code.
        let form =
            |pairs: Vec<(&'static str, String)>| http.post(format!("{}/console/login", app.base)).form(&pairs).send();
        let first = form(vec![("username", "admin".into()), ("password", PASSWORD.into())]).await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        let html = first.text().await.unwrap();
        assert!(html.contains("id=\"totp-code\"") && !html.contains(PASSWORD), "the password is not carried");
        let at = html.find("name=\"ticket\" value=\"").unwrap() + 21;
        let ticket = html[at..].split('"').next().unwrap().to_string();
        let c = code(&app, &admin_secret, 0);
        let wrong = if c == "111111" { "222222" } else { "111111" };
        let bad = form(vec![("ticket", ticket.clone()), ("code", wrong.into())]).await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
        assert!(bad.text().await.unwrap().contains("id=\"code-error\""));
        let good = form(vec![("ticket", ticket.clone()), ("code", c)]).await.unwrap();
        assert_eq!(good.status(), StatusCode::SEE_OTHER);
        assert!(good.headers()["set-cookie"].to_str().unwrap().starts_with("loopdesk_session="));
        // A ticket expires.
        app.clock.advance(chrono::Duration::minutes(6));
        let late = form(vec![("ticket", ticket), ("code", code(&app, &admin_secret, 0))]).await.unwrap();
        assert_eq!(late.status(), StatusCode::UNAUTHORIZED);
    }
}
