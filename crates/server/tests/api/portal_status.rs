//! The customer's side of the portal (issue 18, item 7): the signed, bookmarkable status
//! link (an altered one is refused as HTML and as JSON), the follow-up box (lands on the
//! timeline, moves the ticket as the lifecycle says, size- and rate-limited, keeps the text
//! on a refusal), the configured public address in survey and status links, the branding
//! document (validated: #RRGGBB with AA contrast, logos served by this server) and the
//! unsatisfied survey answer that says what happens next.

use crate::common::{self, feedback, TestApp};
use loopdesk_app::workflow::config::WorkflowConfig;
use loopdesk_app::Config;
use loopdesk_core::TicketId;
use loopdesk_store::testing::TestDatabase;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PUBLIC: &str = "https://support.example.com";

async fn each_backend_public<F, Fut>(public_url: &str, test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in TestDatabase::backends() {
        let workflow = WorkflowConfig { public_url: public_url.into(), ..WorkflowConfig::default() };
        test(TestApp::start(backend, Config { workflow, ..Config::default() }).await).await;
    }
}

/// `application/x-www-form-urlencoded` of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// A portal page: status and HTML.
async fn page(app: &TestApp, method: Method, path: &str, body: Option<String>, lang: &str) -> (StatusCode, String) {
    let mut req = app.http.request(method, format!("{}{path}", app.base)).header("accept-language", lang);
    if let Some(b) = body {
        req = req.header("content-type", "application/x-www-form-urlencoded").body(b);
    }
    let resp = req.send().await.expect("request");
    (resp.status(), resp.text().await.unwrap_or_default())
}

/// The status token of ticket `id`, as the server signs it.
async fn token_of(app: &TestApp, id: i64) -> String {
    let t = app.state.read().ticket(TicketId(id)).await.unwrap();
    let path = loopdesk_app::portal::links::status_path(&app.state, &t).await.unwrap();
    path.trim_start_matches("/status/").to_string()
}

/// The text between `start` (exclusive) and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("{start} not in {html}")) + start.len();
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

fn kinds(detail: &Value) -> Vec<String> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_status_link_is_signed_bookmarkable_and_refused_when_altered() {
    each_backend_public(PUBLIC, |app| async move {
        // Submitted on the portal: the thanks page gives the link on the public address.
        let body =
            form(&[("contact", "13800138000"), ("subject", "扫地机器人"), ("content", "充不进电，指示灯一直闪红灯。")]);
        let (status, html) = page(&app, Method::POST, "/submit", Some(body), "zh-CN").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let shown = between(&html, "id=\"status-url\">", "<");
        assert!(shown.starts_with(&format!("{PUBLIC}/status/FB-")), "{shown}");
        let token = shown.rsplit('/').next().unwrap().to_string();

        // Opened later without anything typed: the customer's own words and the stage.
        let (status, html) = page(&app, Method::GET, &format!("/status/{token}"), None, "zh-CN").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("充不进电，指示灯一直闪红灯。"), "own message shown");
        assert!(html.contains("id=\"stages\"") && html.contains("aria-current=\"step\""), "{html}");
        assert!(between(&html, "aria-current=\"step\">", "</li>").contains("已提交"), "{html}");
        let api = app.raw(Method::GET, &format!("/api/v1/status/{token}"), None, None).await;
        assert_eq!((api.status, api.body["stage"].as_str()), (StatusCode::OK, Some("submitted")), "{}", api.body);

        // The acknowledgement carries the same link.
        let id = loopdesk_core::TrackingNo::parse(token.split('.').next().unwrap()).unwrap().ticket_id().0;
        let sent = app.store.ticket_deliveries(TicketId(id)).await.unwrap();
        let ack = sent.iter().find(|d| d.kind == "acknowledgement").expect("acknowledgement");
        let text = ack.payload["email"]["text"].as_str().or(ack.payload["body"]["text"].as_str()).unwrap_or("");
        assert!(text.contains(&format!("{PUBLIC}/status/{token}")), "{text}");

        // Altered in any part (signature, number), or made up: refused like an unknown one.
        let (number, sig) = token.split_once('.').unwrap();
        let flipped = format!("{number}.{}{}", &sig[..sig.len() - 1], if sig.ends_with('0') { '1' } else { '0' });
        let other = loopdesk_core::TrackingNo::new(TicketId(id + 1), common::t0());
        for bad in [flipped, format!("{}.{sig}", other.as_str()), number.to_string(), "x".repeat(300)] {
            let (status, html) = page(&app, Method::GET, &format!("/status/{bad}"), None, "en").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
            assert!(html.contains("<html") && !html.contains("充不进电"), "an HTML error page");
            let api = app.raw(Method::GET, &format!("/api/v1/status/{bad}"), None, None).await;
            assert_eq!(
                (api.status, api.body["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{}",
                api.body
            );
            let post =
                page(&app, Method::POST, &format!("/status/{bad}/message"), Some(form(&[("body", "hi")])), "en").await;
            assert_eq!(post.0, StatusCode::NOT_FOUND);
        }
        let detail = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        assert!(!kinds(&detail).contains(&"noted".to_string()), "nothing written through an altered link");
    })
    .await;
}

#[tokio::test]
async fn follow_up_messages_land_on_the_timeline_within_limits() {
    each_backend_public(PUBLIC, |app| async move {
        let id = app.submit(feedback("洗衣机脱水时噪音很大", "13900139000")).await["id"].as_i64().unwrap();
        let token = token_of(&app, id).await;
        let post = |text: String| {
            let app = &app;
            let token = token.clone();
            async move {
                page(app, Method::POST, &format!("/status/{token}/message"), Some(form(&[("body", &text)])), "en").await
            }
        };

        // On an open ticket: the customer's message, for the agent; the state stays.
        let (status, html) = post("The noise started after the last update.".into()).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("The noise started after the last update.") && html.contains("class=\"mine\""), "{html}");
        let detail = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        let note = detail["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "noted").expect("note").clone();
        assert_eq!(note["actor"]["type"], "customer", "{note}");
        assert_eq!(detail["ticket"]["state"], "new");

        // Too long or empty: refused at the box, the typed text kept.
        let long = "长".repeat(5001);
        let (status, html) = post(long.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("id=\"follow-up-error\"") && html.contains("aria-invalid=\"true\"") && html.contains(&long)
        );
        assert!(html.contains("at most 5000 characters"), "{html}");
        let (status, html) = post("   ".into()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Please write a message"));

        // A few a minute per ticket (five by default): the sixth waits, its text kept.
        for i in 2..=5 {
            assert_eq!(post(format!("message {i}")).await.0, StatusCode::OK);
        }
        let (status, html) = post("one too many".into()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(html.contains("wait a minute") && html.contains("one too many"), "{html}");
        app.clock.advance(chrono::Duration::seconds(61));
        assert_eq!(post("one too many".into()).await.0, StatusCode::OK);

        // Asked for information: the message answers it and the agent's turn comes again.
        let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
        app.post(&p("assign"), json!({"department_id": app.departments[0].0, "assignee_id": app.user_ids["agent"]}))
            .await;
        app.as_role("agent", Method::POST, &p("acknowledge"), Some(json!({}))).await;
        app.as_role("agent", Method::POST, &p("request-info"), Some(json!({"message": "请提供购买日期"}))).await;
        let answer = app
            .raw(
                Method::POST,
                &format!("/api/v1/status/{token}/messages"),
                None,
                Some(json!({"body": "2026年10月1日购买"})),
            )
            .await;
        assert_eq!(
            (answer.status, answer.body["state"].as_str()),
            (StatusCode::OK, Some("in_progress")),
            "{}",
            answer.body
        );

        // Resolved, then the customer writes again: the ticket reopens.
        let r = app
            .as_role("agent", Method::POST, &p("resolve"), Some(json!({"kind": "solved", "summary": "已更换电机"})))
            .await;
        assert_eq!(r.body["ticket"]["state"], "resolved", "{}", r.body);
        app.clock.advance(chrono::Duration::seconds(61));
        let (status, html) = post("Still noisy after the repair.".into()).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let detail = app.get(&format!("/api/v1/tickets/{id}")).await.body;
        assert_eq!(detail["ticket"]["state"], "reopened", "{}", detail["ticket"]);
        let k = kinds(&detail);
        assert_eq!(&k[k.len() - 2..], ["reopened", "noted"], "{k:?}");
    })
    .await;
}

#[tokio::test]
async fn survey_and_status_links_use_the_public_address() {
    each_backend_public("https://help.example.cn/", |app| async move {
        let id = app.submit(feedback("净水器漏水", "13700137000")).await["id"].as_i64().unwrap();
        let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
        app.post(&p("assign"), json!({"department_id": app.departments[0].0, "assignee_id": app.user_ids["agent"]}))
            .await;
        app.as_role("agent", Method::POST, &p("acknowledge"), Some(json!({}))).await;
        app.as_role("agent", Method::POST, &p("resolve"), Some(json!({"kind": "solved", "summary": "已更换滤芯"})))
            .await;
        app.run_due_jobs().await;
        let survey = app.get(&p("survey")).await;
        let url = survey.body["survey_url"].as_str().unwrap_or_default();
        assert!(url.starts_with("https://help.example.cn/survey/"), "{}", survey.body);
        let token = token_of(&app, id).await;
        let sent = app.store.ticket_deliveries(TicketId(id)).await.unwrap();
        let html: Vec<&str> = sent.iter().filter_map(|d| d.payload["email"]["html"].as_str()).collect();
        assert!(html.iter().any(|h| h.contains(&format!("https://help.example.cn/status/{token}"))), "{html:?}");
        let ready = app.raw(Method::GET, "/readyz", None, None).await;
        assert_eq!(ready.body["details"]["public_url"]["configured"], true, "{}", ready.body);
    })
    .await;
    // Not configured: operators are warned; pages show the reader's own host, e-mails no
    // status link at all.
    common::each_backend(|app| async move {
        let ready = app.raw(Method::GET, "/readyz", None, None).await;
        assert_eq!(ready.body["details"]["public_url"]["configured"], false, "{}", ready.body);
        assert!(ready.body["details"]["public_url"]["warning"].as_str().unwrap().contains("public_url"));
        let body = form(&[("contact", "13600136000"), ("content", "空调不制冷")]);
        let (_, html) = page(&app, Method::POST, "/submit", Some(body), "en").await;
        let shown = between(&html, "id=\"status-url\">", "<");
        assert!(shown.starts_with(&format!("{}/status/FB-", app.base)), "{shown}");
        let id = loopdesk_core::TrackingNo::parse(shown.rsplit('/').next().unwrap().split('.').next().unwrap())
            .unwrap()
            .ticket_id();
        let sent = app.store.ticket_deliveries(id).await.unwrap();
        assert!(sent.iter().all(|d| !d.payload.to_string().contains("/status/")), "no link to an unknown address");
    })
    .await;
}

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

#[tokio::test]
async fn branding_is_validated_and_shown_on_the_portal_and_in_emails() {
    each_backend_public(PUBLIC, |app| async move {
        let put = |body: Value| {
            let app = &app;
            async move {
                let version = app.get("/api/v1/admin/portal").await.body["version"].as_i64().unwrap();
                let edit = json!({"expected_version": version, "body": body, "comment": "branding"});
                app.as_role("admin", Method::PUT, "/api/v1/admin/portal", Some(edit)).await
            }
        };
        let refused = [
            (json!({"branding": {"accent": "blue"}}), "body.branding.accent"),
            (json!({"branding": {"accent": "#ffcc00"}}), "body.branding.accent"),
            (json!({"branding": {"logo": "https://cdn.example.com/logo.png"}}), "body.branding.logo"),
            (json!({"branding": {"logo": "data:image/svg+xml;base64,PHN2Zz4="}}), "body.branding.logo"),
            (
                json!({"unsatisfied": {"contact_within_working_hours": 0}}),
                "body.unsatisfied.contact_within_working_hours",
            ),
        ];
        for (body, field) in refused {
            let a = put(body.clone()).await;
            assert_eq!(
                (a.status, a.body["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{body}: {}",
                a.body
            );
        }
        assert!(app.get("/api/v1/admin/portal").await.body["body"]["branding"]["accent"].is_null(), "nothing saved");
        // Only an admin edits it.
        let agent = app.as_role("agent", Method::GET, "/api/v1/admin/portal", None).await;
        assert_eq!(agent.status, StatusCode::FORBIDDEN);

        let ok = put(json!({"branding": {"company": "海川电器", "accent": "#0b5394",
            "logo": format!("data:image/png;base64,{PNG}")}}))
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let (_, html) = page(&app, Method::GET, "/", None, "zh-CN").await;
        assert!(
            html.contains("海川电器") && html.contains("/brand/style.css?v=1") && html.contains("/brand/logo?v=1"),
            "{html}"
        );
        let css = app.http.get(format!("{}/brand/style.css?v=1", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(css.contains("--accent: #0b5394"), "{css}");
        let logo = app.http.get(format!("{}/brand/logo?v=1", app.base)).send().await.unwrap();
        assert_eq!(logo.headers()["content-type"], "image/png");
        assert!(logo.bytes().await.unwrap().starts_with(b"\x89PNG"));

        // Customer e-mails carry the name, the colour and the logo from this server.
        let id = app.submit(feedback("热水器不出热水", "13500135000")).await["id"].as_i64().unwrap();
        let sent = app.store.ticket_deliveries(TicketId(id)).await.unwrap();
        let mail = &sent.iter().find(|d| d.kind == "acknowledgement").unwrap().payload["email"];
        assert!(mail["subject"].as_str().unwrap().contains("海川电器"), "{mail}");
        let html = mail["html"].as_str().unwrap();
        assert!(html.contains("#0b5394") && html.contains(&format!("{PUBLIC}/brand/logo?v=1")), "{html}");
    })
    .await;
}

#[tokio::test]
async fn an_unsatisfied_answer_says_what_happens_next() {
    each_backend_public(PUBLIC, |app| async move {
        let id = app.submit(feedback("冰箱不制冷", "13400134000")).await["id"].as_i64().unwrap();
        let p = |a: &str| format!("/api/v1/tickets/{id}/{a}");
        app.post(&p("assign"), json!({"department_id": app.departments[0].0, "assignee_id": app.user_ids["agent"]}))
            .await;
        app.as_role("agent", Method::POST, &p("acknowledge"), Some(json!({}))).await;
        app.as_role("agent", Method::POST, &p("resolve"), Some(json!({"kind": "solved", "summary": "已补充制冷剂"})))
            .await;
        app.run_due_jobs().await;
        let survey = app.get(&p("survey")).await.body;
        let token = survey["survey_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
        let (status, html) = page(&app, Method::GET, &format!("/survey/{token}"), None, "en").await;
        assert_eq!(status, StatusCode::OK);
        // Large named choices instead of small radio buttons and a drop-down.
        assert!(
            html.contains("<fieldset class=\"choices\"") && html.contains("<legend>") && !html.contains("<select"),
            "{html}"
        );
        let body = form(&[("rating", "unsatisfied"), ("score", "2"), ("comment", "还是不制冷")]);
        let (status, html) = page(&app, Method::POST, &format!("/survey/{token}"), Some(body), "en").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let next = between(&html, "id=\"next-steps\"", "</section>");
        assert!(next.contains("supervisor") && next.contains("within 8 working hours"), "{next}");
        assert!(html.contains(&format!("/status/{}", token_of(&app, id).await)), "a way to the status page");
        // The status page says it too, in Chinese.
        let (_, zh) = page(&app, Method::GET, &format!("/status/{}", token_of(&app, id).await), None, "zh-CN").await;
        assert!(between(&zh, "id=\"next-steps\"", "</section>").contains("8 个工作小时内"), "{zh}");
        assert_eq!(app.get(&format!("/api/v1/tickets/{id}")).await.body["ticket"]["state"], "reopened");
    })
    .await;
}
