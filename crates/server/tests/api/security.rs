//! Regression tests for the holes found from outside (issue 13), with the exact inputs of
//! the report: open redirects and 500s through `back`, rate limits bypassed with
//! `X-Forwarded-For`, the per-account login limit, login timing, phone numbers in two
//! forms, channel secrets shown in clear, WeChat plaintext in safe mode, `Secure` cookies.

use crate::common;

use common::{each_backend, feedback, TestApp, PASSWORD};
use loopdesk_app::{Clock, Config};
use loopdesk_store::testing::TestDatabase;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

fn header(r: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// `raw` as sent by curl: the query string exactly as in the report.
async fn get_raw(app: &TestApp, path_and_query: &str) -> reqwest::Response {
    client().get(format!("{}{path_and_query}", app.base)).send().await.unwrap()
}

async fn login_form(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    client()
        .post(format!("{}/console/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn finding_1_2_back_never_leaves_the_site_nor_breaks_the_answer() {
    each_backend(|app| async move {
        for (query, status) in [
            ("/lang/en?back=/%09/evil.example", StatusCode::SEE_OTHER),
            ("/lang/en?back=/%0A", StatusCode::SEE_OTHER),
            ("/lang/en?back=/%0D%0ASet-Cookie:%20x=1", StatusCode::SEE_OTHER),
            ("/lang/en?back=%09//evil.example", StatusCode::SEE_OTHER),
            ("/lang/en?back=/%5C/evil.example", StatusCode::SEE_OTHER),
            ("/lang/zh-CN?back=//evil.example", StatusCode::SEE_OTHER),
        ] {
            let r = get_raw(&app, query).await;
            assert_eq!(r.status(), status, "{query}");
            assert_eq!(header(&r, LOCATION), "/", "{query}");
        }
        // A local target still works, and text in it is percent-encoded.
        let r = get_raw(&app, "/lang/en?back=/track%3Fq%3D%E5%B7%A5%E5%8D%95").await;
        assert_eq!(header(&r, LOCATION), "/track?q=%E5%B7%A5%E5%8D%95");

        // The console sign-in: the page keeps no hostile target, and the POST neither
        // redirects away nor fails after the session was made.
        let page = get_raw(&app, "/console/login?back=/%09/evil.example").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("name=\"back\" value=\"/console\""));
        for back in ["/\t/evil.example", "/\n", "/\r\n/evil.example", "//evil.example"] {
            let r = login_form(&app, &[("username", "agent"), ("password", PASSWORD), ("back", back)]).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{back:?}");
            assert_eq!(header(&r, LOCATION), "/console", "{back:?}");
            assert!(header(&r, SET_COOKIE).starts_with("loopdesk_session="), "{back:?}");
        }
    })
    .await;
}

async fn api_login(app: &TestApp, user: &str, password: &str, forwarded_for: Option<&str>) -> StatusCode {
    let mut req =
        client().post(format!("{}/api/v1/auth/login", app.base)).json(&json!({"username": user, "password": password}));
    if let Some(xff) = forwarded_for {
        req = req.header("x-forwarded-for", xff);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn finding_3_a_forged_forwarded_for_does_not_escape_the_address_limit() {
    for backend in TestDatabase::backends() {
        // The setting of the report: LOOPDESK_TRUST_PROXY=true (one proxy in front).
        let app = TestApp::start(backend, Config { trust_proxy: true, ..Config::default() }).await;
        let limit = Config::default().limits.login_per_minute as usize;
        let mut statuses = Vec::new();
        // 50 wrong passwords (different names, so only the address limit can answer 429),
        // each claiming another client address on the left of X-Forwarded-For.
        for i in 0..50 {
            let xff = format!("198.51.100.{i}, 203.0.113.7");
            statuses.push(api_login(&app, &format!("nobody{i}"), "wrong password!", Some(&xff)).await);
        }
        assert!(statuses[..limit].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
        assert!(statuses[limit..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
        // The address the proxy appended is another client: not limited.
        assert_eq!(api_login(&app, "nobody", "wrong password!", Some("203.0.113.8")).await, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn finding_3_an_account_is_locked_after_failures_with_backoff_and_audit() {
    each_backend(|app| async move {
        let before = Config::default().limits.login_failures_before_lock as usize;
        for i in 0..before {
            // Spread out, so the per-address limit never answers first.
            app.clock.advance(chrono::Duration::seconds(7));
            let status = api_login(&app, "agent", "wrong password!", None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        // Locked: even the right password waits, and the answer says how long.
        let r = client()
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "agent", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header(&r, reqwest::header::RETRY_AFTER), "30");
        // An unknown name is locked the same way (a lock says nothing about who exists).
        for _ in 0..before {
            app.clock.advance(chrono::Duration::seconds(7));
            assert_eq!(api_login(&app, "ghost", "wrong password!", None).await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(api_login(&app, "ghost", "wrong password!", None).await, StatusCode::TOO_MANY_REQUESTS);
        // After the lock, one more failure locks for twice as long.
        assert_eq!(api_login(&app, "agent", "wrong password!", None).await, StatusCode::UNAUTHORIZED);
        app.clock.advance(chrono::Duration::seconds(31));
        assert_eq!(api_login(&app, "agent", PASSWORD, None).await, StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(chrono::Duration::seconds(30));
        assert_eq!(api_login(&app, "agent", PASSWORD, None).await, StatusCode::OK);
        // A success clears the count.
        assert_eq!(api_login(&app, "agent", "wrong password!", None).await, StatusCode::UNAUTHORIZED);
        assert_eq!(api_login(&app, "agent", PASSWORD, None).await, StatusCode::OK);
        // Each lock is audited on the account.
        let audit = app.get(&format!("/api/v1/users/{}/audit", app.user_ids["agent"])).await;
        let locks: Vec<&Value> =
            audit.body.as_array().unwrap().iter().filter(|r| r["action"] == "login_locked").collect();
        assert_eq!(locks.len(), 2, "{}", audit.body);
        assert_eq!(locks[0]["changed_by"], "system");
        assert!(locks.iter().any(|r| r["detail"]["failures"] == 5));
        // Failures a day apart (sessions have expired by then) are not consecutive: the count starts again.
        for _ in 0..before - 1 {
            assert_eq!(api_login(&app, "agent", "wrong password!", None).await, StatusCode::UNAUTHORIZED);
        }
        app.clock.advance(chrono::Duration::hours(25));
        assert_eq!(api_login(&app, "agent", "wrong password!", None).await, StatusCode::UNAUTHORIZED);
        assert_eq!(api_login(&app, "agent", PASSWORD, None).await, StatusCode::OK);
    })
    .await;
}

async fn timed_login(app: &TestApp, user: &str) -> Duration {
    let started = Instant::now();
    let status = api_login(app, user, "wrong password!", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    started.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test]
async fn finding_4_unknown_users_cost_the_same_as_known_ones() {
    let app = TestApp::start(loopdesk_store::Backend::Sqlite, Config::default()).await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    // Interleaved, different names each time (no lock), the address limit reset by time.
    for i in 0..8 {
        app.clock.advance(chrono::Duration::minutes(1));
        let user = ["admin", "supervisor", "agent", "agent2", "viewer"][i % 5];
        known.push(timed_login(&app, user).await);
        unknown.push(timed_login(&app, &format!("nobody-{i}")).await);
    }
    let (k, u) = (median(known), median(unknown));
    // Before the fix an unknown name took about twice as long (a fresh hash, then a check).
    assert!(u.as_secs_f64() < k.as_secs_f64() * 1.5 + 0.010, "unknown {u:?} vs known {k:?}");
}

#[tokio::test]
async fn finding_5_a_phone_written_either_way_is_one_number() {
    each_backend(|app| async move {
        let mut numbers = Vec::new();
        for phone in ["13966667777", "+8613966667777"] {
            let mut body = feedback("热水器打不着火", phone);
            body["customer"]["email"] = Value::Null;
            numbers.push(app.submit(body).await["tracking_no"].as_str().unwrap().to_string());
        }
        for no in &numbers {
            for given in ["+8613966667777", "13966667777", "0086 139-6666-7777", "139 6666 7777"] {
                let q = form_urlencoded::Serializer::new(String::new()).append_pair("phone", given).finish();
                let a = app.raw(Method::GET, &format!("/api/v1/track/{no}?{q}"), None, None).await;
                assert_eq!(a.status, StatusCode::OK, "{no} with {given}: {}", a.body);
            }
        }
    })
    .await;
}

async fn put_doc(app: &TestApp, path: &str, body: Value) -> common::Answer {
    let current = app.get(path).await;
    let version = current.body["version"].as_i64().unwrap_or(0);
    app.as_role("admin", Method::PUT, path, Some(json!({"expected_version": version, "body": body}))).await
}

#[tokio::test]
async fn finding_6_channel_secrets_are_write_only() {
    each_backend(|app| async move {
        let path = "/api/v1/admin/channels/wechat";
        let aes = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        let doc = json!({"token": "tok-secret", "app_id": "wx5823bf96d3bd56c7", "encoding_aes_key": aes, "app_secret": "app-secret-1"});
        let saved = put_doc(&app, path, doc).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        for shown in [saved.body.clone(), app.get(path).await.body, app.get(&format!("{path}/history")).await.body] {
            let text = shown.to_string();
            assert!(!text.contains("tok-secret") && !text.contains(aes) && !text.contains("app-secret-1"), "{text}");
        }
        let shown = app.get(path).await.body;
        assert_eq!(shown["body"]["token"], "********");
        assert_eq!(shown["body"]["app_id"], "wx5823bf96d3bd56c7");
        // Written back as shown (or with the secret left out): the secrets are kept.
        let mut back = shown["body"].clone();
        back.as_object_mut().unwrap().remove("app_secret");
        let again = put_doc(&app, path, back).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        let stored = app.store.reader().document("channel:wechat").await.unwrap().unwrap().body;
        assert_eq!(stored["token"], "tok-secret");
        assert_eq!(stored["encoding_aes_key"], aes);
        assert_eq!(stored["app_secret"], "app-secret-1");
        // A new value replaces.
        let mut new = shown["body"].clone();
        new["token"] = json!("tok-2");
        assert_eq!(put_doc(&app, path, new).await.status, StatusCode::OK);
        let stored = app.store.reader().document("channel:wechat").await.unwrap().unwrap().body;
        assert_eq!(stored["token"], "tok-2");
        assert_eq!(stored["app_secret"], "app-secret-1");
    })
    .await;
}

fn sha1_hex(parts: &[&str]) -> String {
    loopdesk_channels::wechat::signature(parts)
}

#[tokio::test]
async fn finding_6_wechat_safe_mode_refuses_plaintext_unless_compatible() {
    each_backend(|app| async move {
        let path = "/api/v1/admin/channels/wechat";
        let aes = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        let doc = json!({"token": "tok", "app_id": "wx5823bf96d3bd56c7", "encoding_aes_key": aes});
        assert_eq!(put_doc(&app, path, doc.clone()).await.status, StatusCode::OK);
        let ts = app.clock.now().timestamp().to_string();
        let sig = sha1_hex(&["tok", &ts, "n1"]);
        let xml = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-user-1]]></FromUserName>\
                   <CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[热水器坏了]]></Content>\
                   <MsgId>42</MsgId></xml>";
        let send = || {
            client()
                .post(format!("{}/api/v1/inbound/wechat?signature={sig}&timestamp={ts}&nonce=n1&openid=o-user-1", app.base))
                .body(xml)
                .send()
        };
        let refused = send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(refused.text().await.unwrap().contains("safe mode"));
        let mut compatible = doc.clone();
        compatible["compatible_mode"] = json!(true);
        assert_eq!(put_doc(&app, path, compatible).await.status, StatusCode::OK);
        assert_eq!(send().await.unwrap().status(), StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn session_cookies_are_secure_behind_a_tls_proxy() {
    let mut config = Config::default();
    config.proxy.tls = true;
    let app = TestApp::start(loopdesk_store::Backend::Sqlite, config).await;
    let r = login_form(&app, &[("username", "agent"), ("password", PASSWORD)]).await;
    let cookie = header(&r, SET_COOKIE);
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    let r = client()
        .post(format!("{}/api/v1/auth/logout", app.base))
        .header(COOKIE, cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert!(header(&r, SET_COOKIE).contains("; Secure"));
    // Plain HTTP without a TLS proxy: no Secure (the browser would drop the cookie).
    let plain = TestApp::start(loopdesk_store::Backend::Sqlite, Config::default()).await;
    let r = login_form(&plain, &[("username", "agent"), ("password", PASSWORD)]).await;
    assert!(!header(&r, SET_COOKIE).contains("Secure"));
}
