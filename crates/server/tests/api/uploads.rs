//! Files from the public web form and the customer portal: `multipart/form-data` on
//! `POST /api/v1/feedback` and on the portal's forms, checked like e-mail attachments
//! (size limit, type recognised from the bytes), with clear JSON errors (413/415 naming the
//! field) and nothing stored when a submission is refused; listed and downloadable for
//! staff, and listed on the customer's status page. SQLite and PostgreSQL.

use crate::common;

use common::{each_backend, TestApp};
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
const BOUNDARY: &str = "----loopdesk-test-boundary-7MA4YWxkTrZu0gW";

/// A part: (field name, file name when a file, content type, bytes).
type Part<'a> = (&'a str, Option<&'a str>, &'a str, &'a [u8]);

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, ctype, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: {ctype}\r\n\r\n")
                    .as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(app: &TestApp, path: &str, parts: &[Part<'_>]) -> common::Answer {
    post_multipart_with(app, path, parts, &[]).await
}

async fn post_multipart_with(
    app: &TestApp,
    path: &str,
    parts: &[Part<'_>],
    headers: &[(&str, &str)],
) -> common::Answer {
    let mut req = app
        .http
        .post(format!("{}{path}", app.base))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    common::answer(req.body(multipart(parts)).send().await.unwrap()).await
}

fn feedback_json(phone: &str) -> Vec<u8> {
    json!({
        "subject": "扫地机器人不充电",
        "content": "扫地机器人放在充电座上不充电，照片和发票见附件。",
        "customer": { "name": "王芳", "phone": phone },
        "product": { "model": "X20", "order_no": "DD20261101009" },
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn the_public_endpoint_takes_files_and_refuses_bad_ones_cleanly() {
    each_backend(|app| async move {
        let json = feedback_json("13800138001");
        // An executable among good files: 415 naming it, nothing stored, no ticket.
        let r = post_multipart(
            &app,
            "/api/v1/feedback",
            &[
                ("feedback", None, "application/json", &json),
                ("attachment", Some("photo.png"), "image/png", PNG),
                ("attachment", Some("invoice.jpg"), "image/jpeg", EXE),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
        assert_eq!(r.body["code"], "file_type");
        assert_eq!(r.body["field"], "attachments[1]");
        assert!(r.body["message"].as_str().unwrap().contains("invoice.jpg"), "{}", r.body);
        // Over the size limit (10 MB per file): 413 naming it.
        let big = [PNG, &vec![0u8; 10 * 1024 * 1024]].concat();
        let r = post_multipart(
            &app,
            "/api/v1/feedback",
            &[("feedback", None, "application/json", &json), ("attachment", Some("huge.png"), "image/png", &big)],
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
        assert_eq!(
            (r.body["code"].as_str(), r.body["field"].as_str()),
            (Some("file_too_large"), Some("attachments[0]"))
        );
        // Good files but invalid feedback (no text): 422, and the files stored for it are gone.
        let empty = json!({"content": "", "customer": {"phone": "13800138001"}}).to_string().into_bytes();
        let r = post_multipart(
            &app,
            "/api/v1/feedback",
            &[("feedback", None, "application/json", &empty), ("attachment", Some("photo.png"), "image/png", PNG)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(app.store.attachment_count().await.unwrap(), 0, "nothing partial stored");
        assert_eq!(app.get("/api/v1/tickets").await.body["items"].as_array().map(Vec::len), Some(0));

        // A good submission: a ticket with both files, typed from their bytes.
        let r = post_multipart(
            &app,
            "/api/v1/feedback",
            &[
                ("feedback", None, "application/json", &json),
                ("attachment", Some("photo.png"), "application/octet-stream", PNG),
                ("attachment", Some("../../发票.pdf"), "application/pdf", PDF),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(r.body["tracking_no"].as_str().unwrap().starts_with("FB-"));
        let id = r.body["id"].as_i64().unwrap();
        let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        let list = t["ticket"]["attachments"].as_array().cloned().unwrap_or_default();
        let names: Vec<&str> = list.iter().filter_map(|a| a["name"].as_str()).collect();
        assert_eq!(names, ["photo.png", "发票.pdf"], "{t}");
        assert_eq!(list[0]["content_type"], "image/png");
        assert_eq!(list[1]["size"], PDF.len());
        assert_eq!(app.store.attachment_count().await.unwrap(), 2);

        // Staff with access download it; without a session, no.
        let location = list[1]["location"].as_str().unwrap();
        let url = format!("{}{location}", app.base);
        let ok = app.http.get(&url).header("cookie", &app.cookies["supervisor"]).send().await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.bytes().await.unwrap().as_ref(), PDF);
        assert_eq!(app.http.get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        // The staff ticket page lists them.
        let page = app
            .http
            .get(format!("{}/console/tickets/{id}", app.base))
            .header("cookie", &app.cookies["admin"])
            .send()
            .await;
        let html = page.unwrap().text().await.unwrap();
        assert!(html.contains("photo.png") && html.contains(location), "the ticket page lists the files");

        // JSON submissions work as before.
        let plain: Value = app.submit(common::feedback("充电座指示灯不亮", "13800138002")).await;
        assert!(plain["id"].as_i64().is_some());
    })
    .await;
}

#[tokio::test]
async fn the_portal_takes_files_on_submission_and_when_information_is_asked() {
    each_backend(|app| async move {
        // The portal form with a file that is not accepted: the form again, saying why; nothing kept.
        let fields = |extra: &[Part<'static>]| {
            let mut v: Vec<Part<'static>> = vec![
                ("name", None, "", "赵敏".as_bytes()),
                ("contact", None, "", b"13900139000"),
                ("content", None, "", "洗碗机显示 E4 故障代码，无法启动。".as_bytes()),
                ("website", None, "", b""),
            ];
            v.extend_from_slice(extra);
            v
        };
        let r = post_multipart(&app, "/submit", &fields(&[("attachment", Some("setup.exe"), "image/png", EXE)])).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let html = r.body.as_str().unwrap_or_default().to_string();
        assert!(html.contains("setup.exe") && html.contains("feedback-form"), "{html}");
        assert_eq!(app.store.attachment_count().await.unwrap(), 0);

        // With a photo (and an empty second file input): the thank-you page and a ticket with the photo.
        let r = post_multipart(
            &app,
            "/submit",
            &fields(&[
                ("attachment", Some("e4.png"), "image/png", PNG),
                ("attachment", Some(""), "application/octet-stream", b""),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let html = r.body.as_str().unwrap().to_string();
        let start = html.find("FB-").expect("tracking number on the page");
        let tracking: String = html[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let page = app.get("/api/v1/tickets").await.body;
        let id = page["items"][0]["id"].as_i64().unwrap();
        let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        assert_eq!(t["ticket"]["attachments"][0]["name"], "e4.png", "{t}");
        assert_eq!(t["ticket"]["channel"], "web");

        // The agent asks for the invoice; the customer sends it from the status page.
        let dept = app.departments[0].0;
        let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
        app.post(&p("assign"), json!({"department_id": dept, "assignee_id": app.user_ids["agent"]})).await;
        app.as_role("agent", reqwest::Method::POST, &p("acknowledge"), Some(json!({}))).await;
        let ask = app
            .as_role("agent", reqwest::Method::POST, &p("request-info"), Some(json!({"message": "请上传发票"})))
            .await;
        assert_eq!(ask.body["ticket"]["state"], "awaiting_customer", "{}", ask.body);
        let who: [Part<'_>; 2] =
            [("tracking_no", None, "", tracking.as_bytes()), ("contact", None, "", b"13900139000")];
        let bad = post_multipart(
            &app,
            "/track/info",
            &[who[0], who[1], ("body", None, "", "发票".as_bytes()), ("attachment", Some("a.jpg"), "image/jpeg", EXE)],
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(app.store.attachment_count().await.unwrap(), 1, "nothing kept from the refused form");
        let ok = post_multipart(
            &app,
            "/track/info",
            &[
                who[0],
                who[1],
                ("body", None, "", "发票见附件".as_bytes()),
                ("attachment", Some("发票.pdf"), "application/pdf", PDF),
            ],
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK);
        let html = ok.body.as_str().unwrap().to_string();
        assert!(html.contains("id=\"files\"") && html.contains("发票.pdf") && html.contains("e4.png"), "{html}");
        let t = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        assert_eq!(t["ticket"]["state"], "in_progress", "{t}");
        // Staff see both files on the ticket page.
        let page =
            app.http.get(format!("{}/console/tickets/{id}", app.base)).header("cookie", &app.cookies["agent"]).send();
        let page = page.await.unwrap().text().await.unwrap();
        assert!(page.contains("发票.pdf") && page.contains("e4.png"));

        // The customer downloads their file with number + contact; a wrong contact gets nothing.
        let d = app.get(&format!("/api/v1/tickets/{id}/deliveries")).await.body;
        let pdf = d["attachments"].as_array().unwrap().iter().find(|a| a["name"] == "发票.pdf").unwrap()["id"].as_i64();
        let form = |contact: &str| format!("tracking_no={tracking}&contact={contact}&id={}", pdf.unwrap());
        let get = |body: String| {
            app.http
                .post(format!("{}/track/file", app.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        let mine = get(form("13900139000")).await.unwrap();
        assert_eq!(mine.status(), StatusCode::OK);
        assert_eq!(mine.bytes().await.unwrap().as_ref(), PDF);
        assert_eq!(get(form("13900139001")).await.unwrap().status(), StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn a_repeated_or_rate_limited_upload_keeps_no_new_file() {
    for backend in TestDatabase::backends() {
        let mut c = Config::default();
        c.limits.feedback_per_minute = 2;
        let app = TestApp::start(backend, c).await;
        let json = feedback_json("13800138005");
        let parts: [Part<'_>; 2] =
            [("feedback", None, "application/json", &json), ("attachment", Some("photo.png"), "image/png", PNG)];
        let key = [("idempotency-key", "upload-1")];
        let first = post_multipart_with(&app, "/api/v1/feedback", &parts, &key).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert_eq!(app.store.attachment_count().await.unwrap(), 1);
        // The same request again: the first ticket, its one file, no second copy.
        let again = post_multipart_with(&app, "/api/v1/feedback", &parts, &key).await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        assert_eq!(again.body["id"], first.body["id"]);
        assert!(again.headers.contains_key("idempotent-replayed"));
        assert_eq!(app.store.attachment_count().await.unwrap(), 1);
        // Over the per-minute limit: refused before any file is kept.
        let limited = post_multipart(&app, "/api/v1/feedback", &parts).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
        assert_eq!(app.store.attachment_count().await.unwrap(), 1);
    }
}
