//! The portal's branding and the channel documents edited in forms on the admin's document
//! page, on both databases: each form shows the values in force, saves a new version,
//! keeps what it does not show, never prints a stored secret, keeps a stored secret when
//! its field is left blank, and keeps what was typed on a refusal with the message at
//! the field. The portal's new name and colour show on the portal and in its style sheet.

use crate::common::{each_backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn csrf(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[at..at + 32].to_string()
}

fn admin_zh(app: &TestApp) -> String {
    format!("{}; loopdesk_lang=zh-CN", app.cookies["admin"])
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app.http.get(format!("{}{path}", app.base)).header("cookie", admin_zh(app)).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// Posts a form as the admin (Chinese), without following the redirect.
async fn form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp =
        http.post(format!("{}{path}", app.base)).header("cookie", admin_zh(app)).form(pairs).send().await.unwrap();
    let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (resp.status(), location, resp.text().await.unwrap())
}

/// The message of `id`'s refusal, checking the field points at it.
fn refused(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no field {id}:\n{html}"));
    let tag = &html[html[..at].rfind('<').unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    assert!(tag.contains("aria-invalid=\"true\""), "{id} is not marked invalid: {tag}");
    assert!(tag.contains(&format!("{id}-error")), "{id} is not described by its message: {tag}");
    let at = html.find(&format!("id=\"{id}-error\">")).unwrap_or_else(|| panic!("no message for {id}:\n{html}"));
    html[at..].split_once('>').unwrap().1.split('<').next().unwrap().to_string()
}

/// The raw saved body of `name` (secrets in clear), as the server keeps it.
async fn saved(app: &TestApp, name: &str) -> Value {
    app.state.read().document(name).await.unwrap().expect("saved").body
}

#[tokio::test]
async fn the_portal_form_brands_the_portal_and_keeps_a_refused_colour() {
    each_backend(|app| async move {
        let doc = "/console/admin/documents/portal";
        let (status, html) = page(&app, doc).await;
        assert_eq!(status, StatusCode::OK);
        // The values in force: the built-in colour and promise.
        assert!(html.contains("id=\"portal-form\""), "{html}");
        assert!(html.contains("type=\"color\" class=\"colour\" value=\"#1d5fbf\""), "{html}");
        assert!(html.contains("id=\"portal-form-branding-accent-builtin\" checked"), "{html}");
        assert!(html.contains("name=\"unsatisfied.contact_within_working_hours\""), "{html}");
        assert!(html.contains("value=\"8\""), "{html}");
        assert!(html.contains("主色") && html.contains("公司名称"), "Chinese labels");
        let token = csrf(&html);
        let path = "/console/admin/documents/portal/form";

        // A colour white text cannot be read on: refused at the field, input kept, 422.
        let typed = [
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("branding.company", "海川电器"),
            ("branding.accent", "#ffcc00"),
            ("unsatisfied.contact_within_working_hours", "12"),
            ("comment", "品牌"),
        ];
        let (status, _, html) = form(&app, path, &typed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused(&html, "portal-form-branding-accent").contains("4.5:1"), "{html}");
        for kept in ["value=\"海川电器\"", "value=\"#ffcc00\"", "value=\"12\"", "value=\"品牌\""] {
            assert!(html.contains(kept), "{kept} not kept:\n{html}");
        }
        assert_eq!(app.get("/api/v1/documents/portal").await.body["version"], 0, "nothing saved");

        // A readable colour saves version 1; the portal and its style sheet show it.
        let mut ok = typed;
        ok[3] = ("branding.accent", "#0B5394");
        let (status, location, _) = form(&app, path, &ok).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/console/admin/documents/portal?ok=saved"));
        let v1 = app.get("/api/v1/documents/portal").await.body;
        assert_eq!(v1["version"], 1);
        assert_eq!(v1["comment"], "品牌");
        assert_eq!(
            v1["body"],
            json!({"branding": {"company": "海川电器", "accent": "#0b5394"},
                   "unsatisfied": {"contact_within_working_hours": 12}})
        );
        let portal = app.http.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(portal.contains("<span id=\"company\">海川电器</span>"), "{portal}");
        assert!(portal.contains("/brand/style.css?v=1"), "{portal}");
        let css = app.http.get(format!("{}/brand/style.css?v=1", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(css.contains("--accent: #0b5394"), "{css}");

        // The form shows what is in force now; ticking the built-in colour removes it.
        let (_, html) = page(&app, doc).await;
        assert!(html.contains("value=\"#0b5394\"") && html.contains("value=\"海川电器\""), "{html}");
        let token = csrf(&html);
        let builtin = [
            ("_csrf", token.as_str()),
            ("version", "1"),
            ("branding.company", "海川电器"),
            ("branding.accent", "#0b5394"),
            ("branding.accent_builtin", "on"),
            ("unsatisfied.contact_within_working_hours", "12"),
        ];
        assert_eq!(form(&app, path, &builtin).await.0, StatusCode::SEE_OTHER);
        assert!(app.get("/api/v1/documents/portal").await.body["body"]["branding"].get("accent").is_none());
    })
    .await;
}

#[tokio::test]
async fn a_webhook_source_is_created_its_secret_never_shown_kept_when_blank_and_rotated() {
    each_backend(|app| async move {
        let doc = "/console/admin/documents/channel:shop-app";
        let path = "/console/admin/documents/channel:shop-app/form";
        // The admin page opens a source by its name; a name that cannot be one is refused.
        let (_, html) = page(&app, "/console/admin").await;
        assert!(html.contains("id=\"webhook-source-form\""), "{html}");
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let open = |source: &'static str| {
            let req = http.get(format!("{}/console/admin/webhook-source", app.base)).query(&[("source", source)]);
            req.header("cookie", admin_zh(&app)).send()
        };
        let to = open("shop-app").await.unwrap();
        let location = to.headers()["location"].to_str().unwrap().to_string();
        assert_eq!((to.status(), location.replace("%3A", ":").as_str()), (StatusCode::SEE_OTHER, doc));
        let bad = open("shop app!").await.unwrap();
        assert!(bad.headers()["location"].to_str().unwrap().starts_with("/console/admin?error="), "{bad:?}");
        // Not configured: an empty form that creates it.
        let (status, html) = page(&app, doc).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"webhook-form\"") && html.contains("id=\"webhook-new\""), "{html}");
        let token = csrf(&html);
        let first = "first-secret-0123456789";
        let mut typed = vec![
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("secret", first),
            ("tolerance_secs", "120"),
            ("channel", "sms"),
            ("mapping.text", "data/content"),
            ("mapping.contact_phone", "/user/phone"),
        ];
        // A pointer without its slash: refused there, the rest kept.
        let (status, _, html) = form(&app, path, &typed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused(&html, "channel-form-mapping-text").contains("/data/content"), "{html}");
        assert!(html.contains("value=\"data/content\"") && html.contains("value=\"/user/phone\""), "{html}");
        assert!(html.contains("<option value=\"sms\" selected>"), "{html}");
        typed[5] = ("mapping.text", "/data/content");
        let (status, _, html) = form(&app, path, &typed).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let body = saved(&app, "channel:shop-app").await;
        assert_eq!(body["secret"], first);
        assert_eq!((body["tolerance_secs"].as_i64(), body["channel"].as_str()), (Some(120), Some("sms")));
        assert_eq!(body["mapping"], json!({"text": "/data/content", "contact_phone": "/user/phone"}));

        // The page never prints it; it says one is saved and offers the rotation.
        let (_, html) = page(&app, doc).await;
        assert!(!html.contains(first), "the secret is in the page");
        assert!(html.contains("id=\"channel-form-secret-stored\"") && html.contains("name=\"rotate\""), "{html}");
        assert!(html.contains("value=\"/data/content\""), "{html}");

        // Blank keeps the stored secret.
        let token = csrf(&html);
        let kept = [
            ("_csrf", token.as_str()),
            ("version", "1"),
            ("secret", ""),
            ("tolerance_secs", "300"),
            ("channel", "sms"),
            ("mapping.text", "/data/content"),
        ];
        assert_eq!(form(&app, path, &kept).await.0, StatusCode::SEE_OTHER);
        let body = saved(&app, "channel:shop-app").await;
        assert_eq!((body["secret"].as_str(), body["tolerance_secs"].as_i64()), (Some(first), Some(300)));
        assert!(body["mapping"].get("contact_phone").is_none(), "a cleared pointer is removed");

        // Rotate: the new one in force, the old one still accepted; neither printed.
        let second = "second-secret-9876543210";
        let mut rotate = kept.to_vec();
        rotate[1] = ("version", "2");
        rotate.push(("rotate", "on"));
        let (status, _, html) = form(&app, path, &rotate).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "rotating needs the new secret");
        assert!(!refused(&html, "channel-form-secret").is_empty());
        rotate[2] = ("secret", second);
        assert_eq!(form(&app, path, &rotate).await.0, StatusCode::SEE_OTHER);
        let body = saved(&app, "channel:shop-app").await;
        assert_eq!((body["secret"].as_str(), body["previous_secret"].as_str()), (Some(second), Some(first)));
        let (_, html) = page(&app, doc).await;
        assert!(!html.contains(first) && !html.contains(second), "a secret is in the page");
        assert_eq!(app.get("/api/v1/documents/channel:shop-app").await.body["version"], 3);
    })
    .await;
}

#[tokio::test]
async fn wechat_and_the_gateway_are_configured_in_forms() {
    each_backend(|app| async move {
        let (_, html) = page(&app, "/console/admin/documents/channel:wechat").await;
        assert!(html.contains("id=\"wechat-form\"") && html.contains("id=\"wechat-new\""), "{html}");
        assert!(html.contains("name=\"max_skew_secs\"") && html.contains("value=\"300\""), "the default shows");
        let token = csrf(&html);
        let path = "/console/admin/documents/channel:wechat/form";
        let aes = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        let typed = [
            ("_csrf", token.as_str()),
            ("version", "0"),
            ("app_id", "wx5823bf96d3bd56c7"),
            ("token", "wechat-token-1"),
            ("encoding_aes_key", "too-short"),
            ("max_skew_secs", "300"),
        ];
        let (status, _, html) = form(&app, path, &typed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!refused(&html, "channel-form-encoding-aes-key").is_empty());
        assert!(html.contains("value=\"wx5823bf96d3bd56c7\""), "{html}");
        let mut ok = typed;
        ok[4] = ("encoding_aes_key", aes);
        assert_eq!(form(&app, path, &ok).await.0, StatusCode::SEE_OTHER);
        let body = saved(&app, "channel:wechat").await;
        assert_eq!((body["token"].as_str(), body["encoding_aes_key"].as_str()), (Some("wechat-token-1"), Some(aes)));
        let (_, html) = page(&app, "/console/admin/documents/channel:wechat").await;
        assert!(!html.contains("wechat-token-1") && !html.contains(aes), "a secret is in the page");
        // Blank secrets keep; the key's remove box removes it.
        let token = csrf(&html);
        let again = [
            ("_csrf", token.as_str()),
            ("version", "1"),
            ("app_id", "wx5823bf96d3bd56c7"),
            ("max_skew_secs", "60"),
            ("encoding_aes_key.clear", "on"),
        ];
        assert_eq!(form(&app, "/console/admin/documents/channel:wechat/form", &again).await.0, StatusCode::SEE_OTHER);
        let body = saved(&app, "channel:wechat").await;
        assert_eq!((body["token"].as_str(), body["max_skew_secs"].as_i64()), (Some("wechat-token-1"), Some(60)));
        assert!(body["encoding_aes_key"].is_null());

        // The gateway: an address that is not http(s) is refused at its field.
        let (_, html) = page(&app, "/console/admin/documents/channel:outbound").await;
        let token = csrf(&html);
        let path = "/console/admin/documents/channel:outbound/form";
        let mut typed =
            [("_csrf", token.as_str()), ("version", "0"), ("url", "gateway.local/send"), ("secret", "gw-secret")];
        let (status, _, html) = form(&app, path, &typed).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused(&html, "channel-form-url").contains("https://"), "{html}");
        assert!(html.contains("value=\"gateway.local/send\""));
        typed[2] = ("url", "https://gateway.local/send");
        assert_eq!(form(&app, path, &typed).await.0, StatusCode::SEE_OTHER);
        assert_eq!(
            saved(&app, "channel:outbound").await,
            json!({"url": "https://gateway.local/send", "secret": "gw-secret"})
        );
        let (_, html) = page(&app, "/console/admin/documents/channel:outbound").await;
        assert!(!html.contains("gw-secret") && html.contains("value=\"https://gateway.local/send\""), "{html}");
    })
    .await;
}

/// The dark squares of an SVG QR code (`M{x} {y}h{w}v{h}H{x}V{y}`) decoded back to text.
fn decode_qr(svg: &str) -> String {
    let attr = |name: &str| svg.split(&format!("{name}=\"")).nth(1).and_then(|r| r.split('"').next()).unwrap();
    let size: usize = attr("width").parse().unwrap();
    let mut pixels = vec![255u8; size * size];
    for rect in attr(" d").split('M').filter(|r| !r.is_empty()) {
        let n: Vec<usize> =
            rect.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).map(|n| n.parse().unwrap()).collect();
        for row in n[1]..n[1] + n[3] {
            pixels[row * size + n[0]..row * size + n[0] + n[2]].fill(0);
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| pixels[y * size + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn the_two_step_set_up_draws_its_link_as_a_qr_code() {
    let app = TestApp::start(loopdesk_store::Backend::Sqlite, loopdesk_app::Config::default()).await;
    let (_, html) = page(&app, "/console/account").await;
    assert!(!html.contains("id=\"totp-qr\""), "no code before the set-up starts");
    let token = csrf(&html);
    assert_eq!(form(&app, "/console/account/totp/begin", &[("_csrf", &token)]).await.0, StatusCode::SEE_OTHER);
    let (_, html) = page(&app, "/console/account").await;
    let at = html.find("id=\"totp-qr\"").unwrap_or_else(|| panic!("no QR code:\n{html}"));
    let svg = &html[at..];
    let svg = &svg[svg.find("<svg").unwrap()..svg.find("</svg>").unwrap() + 6];
    assert!(html.contains("aria-label=\"用验证器应用扫描此二维码\""));
    // The link is kept beside it as text, and the code reads back as that link.
    let href = html.split("id=\"totp-uri\"").next().unwrap().rsplit("href=\"").next().unwrap();
    let uri = href.split('"').next().unwrap().replace("&amp;", "&").replace("&#38;", "&");
    assert!(uri.starts_with("otpauth://totp/") && html.contains(">otpauth://totp/"), "{uri}");
    assert_eq!(decode_qr(svg), uri);
}
