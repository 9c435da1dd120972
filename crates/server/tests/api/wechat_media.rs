//! WeChat pictures: an image message is answered at once (passive reply with the tracking
//! number) and the picture is downloaded in the background through WeChat's API, played
//! here by a local HTTP server: `cgi-bin/token` (called once, the token cached) and
//! `cgi-bin/media/get`, which first answers an error code (the job is retried with backoff)
//! and then the picture, stored as an attachment of the ticket and downloadable by staff.

use crate::common;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::{each_backend, TestApp};
use loopdesk_app::Clock;
use loopdesk_channels::wechat::signature;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "loopdesk-token";
const APP_ID: &str = "wx5823bf96d3bd56c7";
const SECRET: &str = "0123456789abcdef0123456789abcdef";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

/// (path, query) of one call.
type Call = (String, HashMap<String, String>);

#[derive(Clone, Default)]
struct FakeWechat {
    /// (path, query) of every call.
    calls: Arc<Mutex<Vec<Call>>>,
    /// media/get answers this many errors before the picture.
    failures_left: Arc<Mutex<u32>>,
}

async fn token(State(f): State<FakeWechat>, Query(q): Query<HashMap<String, String>>) -> Response {
    f.calls.lock().unwrap().push(("token".into(), q.clone()));
    if q.get("appid").map(String::as_str) != Some(APP_ID) || q.get("secret").map(String::as_str) != Some(SECRET) {
        return axum::Json(json!({"errcode": 40125, "errmsg": "invalid appsecret"})).into_response();
    }
    axum::Json(json!({"access_token": "ACCESS_TOKEN_1", "expires_in": 7200})).into_response()
}

async fn media(State(f): State<FakeWechat>, Query(q): Query<HashMap<String, String>>) -> Response {
    f.calls.lock().unwrap().push(("media".into(), q.clone()));
    if q.get("access_token").map(String::as_str) != Some("ACCESS_TOKEN_1") {
        return axum::Json(json!({"errcode": 40001, "errmsg": "invalid credential"})).into_response();
    }
    {
        let mut left = f.failures_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return ([(header::CONTENT_TYPE, "text/plain")], r#"{"errcode":-1,"errmsg":"system error"}"#)
                .into_response();
        }
    }
    if q.get("media_id").map(String::as_str) == Some("MEDIA_ID_HUGE") {
        // 11 MiB streamed without a Content-Length: the limit must hold while reading.
        let chunks = futures::stream::iter((0..11).map(|_| Ok::<_, std::io::Error>(vec![0u8; 1 << 20])));
        return ([(header::CONTENT_TYPE, "image/jpeg")], axum::body::Body::from_stream(chunks)).into_response();
    }
    if q.get("media_id").map(String::as_str) != Some("MEDIA_ID_42") {
        return axum::Json(json!({"errcode": 40007, "errmsg": "invalid media_id"})).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"MEDIA_ID_42.jpg\""),
        ],
        PNG,
    )
        .into_response()
}

async fn fake_wechat() -> (String, FakeWechat) {
    let fake = FakeWechat::default();
    *fake.failures_left.lock().unwrap() = 1;
    let app = axum::Router::new()
        .route("/cgi-bin/token", get(token))
        .route("/cgi-bin/media/get", get(media))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{addr}"), fake)
}

fn image_xml(openid: &str, msg_id: u64, at: i64) -> String {
    image_xml_of(openid, msg_id, at, "MEDIA_ID_42")
}

fn image_xml_of(openid: &str, msg_id: u64, at: i64, media_id: &str) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_1b2c3d4e5f6a]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>\
         <CreateTime>{at}</CreateTime><MsgType><![CDATA[image]]></MsgType>\
         <PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz/abc/0]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>\
         <MsgId>{msg_id}</MsgId></xml>"
    )
}

async fn attachments(app: &TestApp, ticket: i64) -> Vec<serde_json::Value> {
    let d = app.get(&format!("/api/v1/tickets/{ticket}/deliveries")).await.body;
    d["attachments"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn wechat_pictures_are_downloaded_in_the_background_with_retries() {
    each_backend(|app| async move {
        let (api, fake) = fake_wechat().await;
        let doc = json!({"token": TOKEN, "app_id": APP_ID, "app_secret": SECRET, "api_base": api});
        let r = app
            .as_role(
                "admin",
                reqwest::Method::PUT,
                "/api/v1/admin/channels/wechat",
                Some(json!({"expected_version": 0, "body": doc})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);

        let ts = app.clock.now().timestamp().to_string();
        let nonce = "1320562132";
        let sig = signature(&[TOKEN, &ts, nonce]);
        let openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
        let url =
            format!("{}/api/v1/inbound/wechat?signature={sig}&timestamp={ts}&nonce={nonce}&openid={openid}", app.base);
        let started = std::time::Instant::now();
        let r = app
            .http
            .post(&url)
            .body(image_xml(openid, 6054768590064713728, app.clock.now().timestamp()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let reply = r.text().await.unwrap();
        assert!(reply.contains("FB-"), "the passive reply carries the tracking number: {reply}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(fake.calls.lock().unwrap().is_empty(), "the reply does not wait for WeChat's API");

        let page = app.get("/api/v1/tickets?channel=wechat").await.body;
        let ticket = page["items"][0]["id"].as_i64().expect("a ticket");
        assert!(attachments(&app, ticket).await.is_empty());

        // First run: a token, then media/get answers an error code: retried later, nothing stored.
        app.run_due_jobs().await;
        let kinds: Vec<String> = fake.calls.lock().unwrap().iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(kinds, ["token", "media"]);
        assert!(attachments(&app, ticket).await.is_empty());
        let failed = app.store.jobs_of_kind("wechat.media", loopdesk_store::JobState::Pending, 10).await.unwrap();
        assert_eq!(failed.len(), 1, "the download is kept for a retry");
        assert!(failed[0].last_error.as_deref().unwrap_or_default().contains("errcode -1"), "{:?}", failed[0]);

        // Not due before its backoff.
        app.run_due_jobs().await;
        assert_eq!(fake.calls.lock().unwrap().len(), 2);

        // After the backoff: the cached token is reused and the picture is stored.
        app.clock.advance(chrono::Duration::seconds(31));
        app.run_due_jobs().await;
        let kinds: Vec<String> = fake.calls.lock().unwrap().iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(kinds, ["token", "media", "media"], "the access token is cached until it expires");
        let calls = fake.calls.lock().unwrap().clone();
        assert_eq!(calls[0].1["grant_type"], "client_credential");
        assert_eq!(calls[2].1["media_id"], "MEDIA_ID_42");
        let list = attachments(&app, ticket).await;
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0]["content_type"], "image/png", "typed from the bytes, not WeChat's header");
        let id = list[0]["id"].as_i64().unwrap();
        let bytes = app
            .http
            .get(format!("{}/api/v1/attachments/{id}", app.base))
            .header("cookie", &app.cookies["agent"])
            .send()
            .await
            .unwrap();
        assert_eq!(bytes.status(), 200);
        assert_eq!(bytes.bytes().await.unwrap().as_ref(), PNG);
        let detail = app.get(&format!("/api/v1/tickets/{ticket}")).await.body;
        assert!(detail.to_string().contains("WeChat picture saved"), "{detail}");

        // Done once: another run does not fetch again.
        app.clock.advance(chrono::Duration::hours(2));
        app.run_due_jobs().await;
        assert_eq!(fake.calls.lock().unwrap().iter().filter(|(k, _)| k == "media").count(), 2);

        // A picture over the size limit, sent without a length: not kept, said on the
        // ticket, not retried.
        let other = "oUpF8uMuAJO_M2pxb1Q9zNjWeS7p";
        let (ts, nonce) = (app.clock.now().timestamp().to_string(), "1320562133");
        let sig = signature(&[TOKEN, &ts, nonce]);
        let url =
            format!("{}/api/v1/inbound/wechat?signature={sig}&timestamp={ts}&nonce={nonce}&openid={other}", app.base);
        let xml = image_xml_of(other, 6054768590064713729, app.clock.now().timestamp(), "MEDIA_ID_HUGE");
        let r = app.http.post(&url).body(xml).send().await.unwrap();
        assert_eq!(r.status(), 200);
        app.run_due_jobs().await;
        let page = app.get("/api/v1/tickets?channel=wechat").await.body;
        let huge = page["items"].as_array().unwrap().iter().filter_map(|t| t["id"].as_i64()).find(|id| *id != ticket);
        let huge = huge.expect("a second ticket");
        assert!(attachments(&app, huge).await.is_empty());
        let detail = app.get(&format!("/api/v1/tickets/{huge}")).await.body;
        assert!(detail.to_string().contains("byte limit"), "{detail}");
        let pending = app.store.jobs_of_kind("wechat.media", loopdesk_store::JobState::Pending, 10).await.unwrap();
        assert!(pending.is_empty(), "{pending:?}");
    })
    .await;
}
