//! WeChat official account, signed webhooks, staff robots and staff entry, against the
//! real server: real-format WeChat XML (plaintext and AES safe mode) with valid and
//! invalid signatures; webhook signature, replay and idempotency; robot payloads and
//! signatures checked by a local HTTP receiver; phone entry with the time the customer
//! gave it.

use crate::common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use common::{each_backend, TestApp};
use loopdesk_app::notify::{self, Recipients, StaffAlert};
use loopdesk_app::outbound::outbox;
use loopdesk_app::Clock;
use loopdesk_app::Config;
use loopdesk_channels::robots::{self, dingtalk_sign, feishu_sign};
use loopdesk_channels::webhook::{sign, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use loopdesk_channels::wechat::{signature, EncodingAesKey};
use loopdesk_store::Backend;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "loopdesk-token";
const APP_ID: &str = "wx5823bf96d3bd56c7";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

async fn put_doc(app: &TestApp, path: &str, body: Value) {
    let r = app.as_role("admin", reqwest::Method::PUT, path, Some(json!({"expected_version": 0, "body": body}))).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
}

fn text_xml(openid: &str, content: &str, msg_id: u64, at: i64) -> String {
    format!(
        "<xml><ToUserName><![CDATA[gh_1b2c3d4e5f6a]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>\
         <CreateTime>{at}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>\
         <MsgId>{msg_id}</MsgId></xml>"
    )
}

fn field(xml: &str, name: &str) -> String {
    let open = format!("<{name}><![CDATA[");
    let start = xml.find(&open).map(|i| i + open.len()).unwrap_or_else(|| panic!("no {name} in {xml}"));
    let end = xml[start..].find("]]>").unwrap() + start;
    xml[start..end].to_string()
}

#[tokio::test]
async fn wechat_plaintext_and_safe_mode() {
    each_backend(|app| async move {
        // Compatible mode: plaintext and encrypted messages both (safe mode refuses plaintext).
        let doc = json!({"token": TOKEN, "app_id": APP_ID, "encoding_aes_key": AES_KEY, "compatible_mode": true});
        put_doc(&app, "/api/v1/admin/channels/wechat", doc).await;
        let ts = app.clock.now().timestamp().to_string();
        let nonce = "1320562132";
        let sig = signature(&[TOKEN, &ts, nonce]);
        let base = format!("{}/api/v1/inbound/wechat", app.base);

        // URL verification.
        let ok = app.http.get(format!("{base}?signature={sig}&timestamp={ts}&nonce={nonce}&echostr=58373975")).send().await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.text().await.unwrap(), "58373975");
        let bad = app.http.get(format!("{base}?signature={}&timestamp={ts}&nonce={nonce}&echostr=1", "0".repeat(40))).send().await.unwrap();
        assert_eq!(bad.status(), 401);

        // Plaintext message: a ticket, and a passive reply with its tracking number.
        let openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
        let xml = text_xml(openid, "空调漏水，型号 KFR-35", 24563892451021233, app.clock.now().timestamp());
        let url = format!("{base}?signature={sig}&timestamp={ts}&nonce={nonce}&openid={openid}");
        let r = app.http.post(&url).body(xml.clone()).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let reply = r.text().await.unwrap();
        assert_eq!(field(&reply, "ToUserName"), openid);
        assert_eq!(field(&reply, "FromUserName"), "gh_1b2c3d4e5f6a");
        assert_eq!(field(&reply, "MsgType"), "text");
        let content = field(&reply, "Content");
        let start = content.find("FB-").unwrap();
        let tracking: String = content[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let page = app.get("/api/v1/tickets?channel=wechat").await.body;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["tracking_no"], tracking.as_str());
        let id = page["items"][0]["id"].as_i64().unwrap();

        // WeChat's retry of the same MsgId: same answer, no new ticket.
        let again = app.http.post(&url).body(xml).send().await.unwrap().text().await.unwrap();
        assert!(field(&again, "Content").contains(&tracking));
        // A bad signature: 401, nothing stored.
        let forged = format!("{base}?signature={}&timestamp={ts}&nonce={nonce}", "f".repeat(40));
        let r = app.http.post(&forged).body(text_xml(openid, "伪造", 1, app.clock.now().timestamp())).send().await.unwrap();
        assert_eq!(r.status(), 401);

        // Safe mode: the same follower's next message, encrypted, threads onto the ticket.
        let key = EncodingAesKey::parse(AES_KEY).unwrap();
        let inner = text_xml(openid, "补充：室外机也在滴水", 24563892451021234, app.clock.now().timestamp());
        let encrypted = key.encrypt(&inner, APP_ID, [7; 16]);
        let msg_sig = signature(&[TOKEN, &ts, nonce, &encrypted]);
        let body = format!("<xml><ToUserName><![CDATA[gh_1b2c3d4e5f6a]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>");
        let url = format!("{base}?signature={sig}&timestamp={ts}&nonce={nonce}&openid={openid}&encrypt_type=aes&msg_signature={msg_sig}");
        let r = app.http.post(&url).body(body.clone()).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let envelope = r.text().await.unwrap();
        let enc = field(&envelope, "Encrypt");
        let reply_nonce = field(&envelope, "Nonce");
        let reply_ts = envelope.split("<TimeStamp>").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert_eq!(field(&envelope, "MsgSignature"), signature(&[TOKEN, &reply_ts, &reply_nonce, &enc]));
        let plain = key.decrypt(&enc, APP_ID).unwrap();
        assert!(field(&plain, "Content").contains(&tracking), "{plain}");
        let detail = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        assert!(detail["timeline"].to_string().contains("室外机也在滴水"));
        assert_eq!(app.get("/api/v1/tickets?channel=wechat").await.body["items"].as_array().unwrap().len(), 1);
        // A wrong msg_signature in safe mode: 401.
        let bad = url.replace(&msg_sig, &"0".repeat(40));
        assert_eq!(app.http.post(&bad).body(body).send().await.unwrap().status(), 401);
    })
    .await;
}

fn signed(secret: &str, ts: i64, body: &str) -> (String, String) {
    (ts.to_string(), sign(secret, &ts.to_string(), body.as_bytes()))
}

#[tokio::test]
async fn webhooks_check_signature_refuse_replays_and_dedupe_by_external_id() {
    each_backend(|app| async move {
        let secret = "app-secret-0123456789";
        let mapping = json!({"text": "/data/content", "contact_phone": "/user/phone", "external_id": "/data/id"});
        put_doc(&app, "/api/v1/admin/channels/app", json!({"secret": secret, "mapping": mapping, "channel": "app"}))
            .await;
        let url = format!("{}/api/v1/inbound/webhook/app", app.base);
        let body = json!({"data": {"id": "A-1001", "content": "App 闪退，无法登录"}, "user": {"phone": "13800138000"}})
            .to_string();
        let now = app.clock.now().timestamp();
        let send = |ts: String, sig: String, body: String| {
            app.http.post(&url).header(TIMESTAMP_HEADER, ts).header(SIGNATURE_HEADER, sig).body(body).send()
        };
        let count = || async { app.get("/api/v1/tickets?channel=app").await.body["items"].as_array().unwrap().len() };

        let (ts, _) = signed(secret, now, &body);
        let r = send(ts, sign("wrong-secret", &now.to_string(), body.as_bytes()), body.clone()).await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(count().await, 0, "nothing stored on a bad signature");
        let (ts, sig) = signed(secret, now - 3600, &body);
        assert_eq!(send(ts, sig, body.clone()).await.unwrap().status(), 401, "stale timestamp");

        let (ts, sig) = signed(secret, now, &body);
        let r = send(ts.clone(), sig.clone(), body.clone()).await.unwrap();
        assert_eq!(r.status(), 201);
        let first: Value = r.json().await.unwrap();
        let r = send(ts, sig, body.clone()).await.unwrap();
        assert_eq!(r.status(), 409, "the very same signed request again is a replay");

        // The source retries with a fresh signature: same external id, same ticket.
        let (ts, sig) = signed(secret, now + 1, &body);
        let r = send(ts, sig, body.clone()).await.unwrap();
        assert_eq!(r.status(), 200);
        let second: Value = r.json().await.unwrap();
        assert_eq!(second["id"], first["id"]);
        assert_eq!(second["replayed"], true);
        assert_eq!(count().await, 1);
    })
    .await;
}

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>);

async fn receiver(State(r): State<Received>, uri: Uri, headers: HeaderMap, body: Bytes) -> axum::Json<Value> {
    r.0.lock().unwrap().push((uri.to_string(), headers, body));
    axum::Json(json!({"errcode": 0, "errmsg": "ok", "code": 0}))
}

#[tokio::test]
async fn staff_alerts_reach_wecom_dingtalk_and_feishu_signed_as_each_expects() {
    let received = Received::default();
    let router = axum::Router::new().fallback(receiver).with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });

    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let robots_doc = json!({
        "robots": [
            {"name": "wecom", "kind": "wecom", "webhook_url": format!("{at}/cgi-bin/webhook/send?key=K1"), "alerts": ["sla_breach"]},
            {"name": "ding", "kind": "dingtalk", "webhook_url": format!("{at}/robot/send?access_token=T1"), "secret": "SECdingsecret"},
            {"name": "feishu", "kind": "feishu", "webhook_url": format!("{at}/open-apis/bot/v2/hook/H1"), "secret": "feishusecret"},
            {"name": "other", "kind": "wecom", "webhook_url": format!("{at}/never"), "alerts": ["spike"]},
        ],
        "user_emails": {},
    });
    put_doc(&app, "/api/v1/admin/robots", robots_doc.clone()).await;
    let t = app.submit(common::feedback("冰箱不制冷，已经三天了", "13900001111")).await;
    let notice = notify::StaffNotice {
        ticket_id: t["id"].as_i64().map(loopdesk_core::TicketId),
        alert: StaffAlert::SlaBreach,
        to: Recipients::default(),
        text: "首次响应已超时".into(),
    };
    let key = loopdesk_app::Key::raw("notify:test:sla_breach:1");
    notice.send(&app.state, &key).await.unwrap();
    notice.send(&app.state, &key).await.unwrap();
    // The server's own worker may hold some of them: wait (bounded) until all have settled.
    for _ in 0..200 {
        outbox::drain(&app.state).await.unwrap();
        let list = app.store.ticket_deliveries(loopdesk_core::TicketId(t["id"].as_i64().unwrap())).await.unwrap();
        if list.iter().filter(|d| d.transport == "http").all(|d| d.state == loopdesk_store::DeliveryState::Sent) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let got = received.0.lock().unwrap().clone();
    assert_eq!(
        got.len(),
        3,
        "three robots take sla_breach, each once: {:?}",
        got.iter().map(|g| &g.0).collect::<Vec<_>>()
    );
    let now = app.clock.now().timestamp();
    let alert = notify::alert_card(
        app.state.config.channels.public_url.as_deref(),
        &notice,
        Some(&app.store.ticket(loopdesk_core::TicketId(t["id"].as_i64().unwrap())).await.unwrap()),
    );
    let doc: loopdesk_app::documents::channel::RobotsDoc = serde_json::from_value(robots_doc).unwrap();
    for (uri, headers, body) in &got {
        let name = if uri.starts_with("/cgi-bin") {
            "wecom"
        } else if uri.starts_with("/robot") {
            "ding"
        } else {
            "feishu"
        };
        let entry = doc.robots.iter().find(|r| r.name == name).unwrap();
        let expected = robots::build(&entry.robot, &alert, app.clock.now()).unwrap();
        assert_eq!(body.as_ref(), expected.body.as_slice(), "{name} body");
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
        let json: Value = serde_json::from_slice(body).unwrap();
        match name {
            "wecom" => assert_eq!(json["msgtype"], "markdown"),
            "ding" => {
                let ms = now * 1000;
                assert!(uri.contains(&format!("timestamp={ms}")), "{uri}");
                let sign = uri.split("sign=").nth(1).unwrap();
                let decoded = percent_decode(sign);
                assert_eq!(decoded, dingtalk_sign("SECdingsecret", ms));
                assert_eq!(json["msgtype"], "markdown");
            }
            _ => {
                assert_eq!(json["timestamp"], now.to_string());
                assert_eq!(json["sign"], feishu_sign("feishusecret", now));
                assert_eq!(json["msg_type"], "interactive");
            }
        }
        assert!(headers.get("idempotency-key").is_some());
    }
    let d = app.get(&format!("/api/v1/tickets/{}", t["id"])).await.body;
    let robots: Vec<&Value> = d["deliveries"].as_array().unwrap().iter().filter(|x| x["transport"] == "http").collect();
    assert_eq!(robots.len(), 3);
    assert!(robots.iter().all(|x| x["state"] == "sent" && x["attempts"] == 1), "{robots:?}");
    // Without SMTP the acknowledgement waits for a retry, visible on the ticket.
    let ack = d["deliveries"].as_array().unwrap().iter().find(|x| x["kind"] == "acknowledgement").unwrap().clone();
    assert_eq!((ack["state"].as_str(), ack["last_error"].as_str()), (Some("queued"), Some("SMTP is not configured")));
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn staff_entry_records_the_channel_and_when_the_customer_gave_it() {
    let app = TestApp::start(Backend::Sqlite, Config::default()).await;
    let given = app.clock.now() - chrono::Duration::minutes(25);
    for channel in ["phone", "store", "walk_in"] {
        let mut body = common::feedback("门店反映：洗碗机洗不干净", "13700001234");
        body["channel"] = json!(channel);
        body["received_at"] = json!(given);
        let r = app.as_role("agent", reqwest::Method::POST, "/api/v1/feedback", Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["channel"], channel);
        let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(r.body["received_at"].clone()).unwrap();
        assert_eq!(at, given);
        assert_eq!(r.body["recorded_at"], json!(app.clock.now()));
    }
}
