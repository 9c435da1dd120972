//! The console and portal pages over HTTP (no browser): languages, the portal's intake and
//! tracking, console login, CSRF, actions through forms, the dashboard and admin documents.
//! The same flows in a real browser are in `browser.rs`.

use crate::common;

use common::{feedback, TestApp};
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

pub(crate) struct Page {
    pub status: StatusCode,
    pub csp: String,
    pub location: String,
    pub set_cookie: String,
    pub body: String,
}

pub(crate) async fn get(app: &TestApp, path: &str, cookie: &str, lang: &str) -> Page {
    let r = client()
        .get(format!("{}{path}", app.base))
        .header(COOKIE, cookie)
        .header(ACCEPT_LANGUAGE, lang)
        .send()
        .await
        .unwrap();
    page(r).await
}

pub(crate) async fn post(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let r = client()
        .post(format!("{}{path}", app.base))
        .header(COOKIE, cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    page(r).await
}

async fn page(r: reqwest::Response) -> Page {
    let h =
        |n| r.headers().get(n).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).unwrap_or("").to_string();
    let (location, set_cookie, csp) = (h(LOCATION), h(SET_COOKIE), h(CONTENT_SECURITY_POLICY));
    Page { status: r.status(), location, set_cookie, csp, body: r.text().await.unwrap() }
}

pub(crate) fn csrf(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token") + 20;
    html[at..at + 32].to_string()
}

fn tracking_no(html: &str) -> String {
    let at = html.find("id=\"tracking-no\">").expect("tracking number shown") + 17;
    html[at..].split('<').next().unwrap().trim().to_string()
}

pub(crate) async fn start() -> TestApp {
    TestApp::start(TestDatabase::backends()[0], Config::default()).await
}

#[tokio::test]
async fn portal_speaks_the_browsers_language_and_the_switch_remembers() {
    let app = start().await;
    let zh = get(&app, "/", "", "zh-CN,zh;q=0.9").await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(zh.body.contains("lang=\"zh-CN\"") && zh.body.contains("提交反馈"), "{}", zh.body);
    assert!(zh.csp.starts_with("default-src 'self'"), "pages may load nothing from elsewhere: {}", zh.csp);
    let en = get(&app, "/", "", "en-US,en;q=0.9").await;
    assert!(en.body.contains("lang=\"en\"") && en.body.contains("Submit feedback"));
    let switch = get(&app, "/lang/en?back=/track", "", "zh-CN").await;
    assert_eq!(switch.location, "/track");
    assert!(switch.set_cookie.starts_with("loopdesk_lang=en"));
    let tracked = get(&app, "/track", "loopdesk_lang=en", "zh-CN").await;
    assert!(tracked.body.contains("Track your feedback"));
    let evil = get(&app, "/lang/en?back=//evil.example", "", "zh").await;
    assert_eq!(evil.location, "/");
    let css = get(&app, "/assets/app.css", "", "zh").await;
    assert!(css.body.contains("Noto Sans CJK SC"));
}

#[tokio::test]
async fn customer_submits_tracks_and_adds_information() {
    let app = start().await;
    let form = [
        ("name", "李娜"),
        ("contact", "13912345678"),
        ("subject", "洗衣机漏水"),
        ("content", "新买的洗衣机第一次用就漏水，地板都湿了"),
        ("model", "WM-100"),
        ("order_no", "DD2026"),
    ];
    let done = post(&app, "/submit", "loopdesk_lang=zh-CN", &form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let number = tracking_no(&done.body);
    assert!(number.starts_with("FB-"), "{number}");
    assert!(done.body.contains("id=\"expected\">20"), "an expected first-response time is promised");
    // Honeypot: a bot's submission records nothing.
    let mut bot = form.to_vec();
    bot.push(("website", "http://spam.example"));
    let before = app.store.count_by_state(&Default::default()).await.unwrap().total;
    post(&app, "/submit", "", &bot).await;
    assert_eq!(app.store.count_by_state(&Default::default()).await.unwrap().total, before);
    // Missing text: the form comes back with a translated error.
    let bad = post(&app, "/submit", "loopdesk_lang=en", &[("contact", "13912345678"), ("content", " ")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Please describe what happened."), "{}", bad.body);
    // Tracking needs the right contact.
    let wrong = post(&app, "/track", "", &[("tracking_no", &number), ("contact", "13900000000")]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let status =
        post(&app, "/track", "loopdesk_lang=en", &[("tracking_no", &number), ("contact", "13912345678")]).await;
    assert_eq!(status.status, StatusCode::OK);
    assert!(status.body.contains("Feedback received") && status.body.contains("洗衣机漏水"));
}

pub(crate) async fn login(app: &TestApp, user: &str) -> String {
    let r =
        post(app, "/console/login", "", &[("username", user), ("password", common::PASSWORD), ("back", "/console")])
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.set_cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn agent_works_a_ticket_through_the_console() {
    let app = start().await;
    let created = app.submit(feedback("扫地机器人充电座不亮，无法充电", "13800138000")).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(get(&app, "/console", "", "zh").await.location, "/console/login?back=%2Fconsole");
    let bad = post(&app, "/console/login", "", &[("username", "agent"), ("password", "wrong password!")]).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let cookie = login(&app, "agent").await;
    let queue = get(&app, "/console?view=unassigned", &cookie, "zh").await;
    assert!(queue.body.contains(created["tracking_no"].as_str().unwrap()), "{}", queue.body);
    let token = csrf(&queue.body);
    let path = format!("/console/tickets/{id}");
    // Without the CSRF token nothing happens.
    let forged = post(&app, &format!("{path}/assign-me"), &cookie, &[]).await;
    assert!(forged.location.contains("error=csrf"), "{}", forged.location);
    let r = post(&app, &format!("{path}/assign-me"), &cookie, &[("_csrf", &token)]).await;
    assert!(r.location.contains("ok=done"), "{}", r.location);
    // Assigned and not yet accepted: the 15-minute acknowledge clock puts it in "breaching soon".
    let breaching = get(&app, "/console?view=breaching", &cookie, "zh").await;
    assert!(breaching.body.contains(created["tracking_no"].as_str().unwrap()), "{}", breaching.body);
    post(&app, &format!("{path}/acknowledge"), &cookie, &[("_csrf", &token)]).await;
    let reply = [("_csrf", token.as_str()), ("kind", "reply"), ("body", "您好，已安排工程师上门检查。")];
    assert!(post(&app, &format!("{path}/message"), &cookie, &reply).await.location.contains("ok=done"));
    let resolve = [("_csrf", token.as_str()), ("kind", "solved"), ("summary", "更换了充电座")];
    assert!(post(&app, &format!("{path}/resolve"), &cookie, &resolve).await.location.contains("ok=done"));
    let illegal = post(&app, &format!("{path}/request-info"), &cookie, &[("_csrf", &token), ("body", "x")]).await;
    assert!(illegal.location.contains("error=illegal_transition"), "{}", illegal.location);
    let page = get(&app, &illegal.location, &cookie, "en").await;
    assert!(page.body.contains("Resolved") && page.body.contains("已安排工程师上门检查"), "{}", page.body);
    assert!(page.body.contains("This action is not possible"), "the refused action is explained");
    let t = app.store.ticket(loopdesk_core::TicketId(id)).await.unwrap();
    assert_eq!(t.state, loopdesk_core::State::Resolved);
    // The viewer sees the ticket with the customer's phone masked.
    let viewer = login(&app, "viewer").await;
    let masked = get(&app, &path, &viewer, "zh").await;
    assert!(masked.body.contains("138****8000") && !masked.body.contains("13800138000"));
}

#[tokio::test]
async fn supervisor_dashboard_and_admin_documents() {
    // The dashboard's SQL aggregates and saved views run on both backends.
    for backend in TestDatabase::backends() {
        let app = TestApp::start(backend, Config::default()).await;
        dashboard_and_admin(app).await;
    }
}

async fn dashboard_and_admin(app: TestApp) {
    app.submit(feedback("空调不制冷", "13700137000")).await;
    let sup = login(&app, "supervisor").await;
    let saved = post(&app, "/console/views", &sup, &[("_csrf", "x"), ("name", "v"), ("query", "view=all")]).await;
    assert!(saved.location.contains("error=csrf"));
    let queue = get(&app, "/console?view=all&q=%E7%A9%BA%E8%B0%83", &sup, "zh").await;
    // The list downloads as CSV, with the page's filters, through the same session.
    let at = queue.body.find("id=\"export-csv\"").expect("a CSV download link");
    let href = queue.body[..at].rsplit("href=\"").next().unwrap().split('"').next().unwrap().replace("&amp;", "&");
    assert!(href.starts_with("/api/v1/tickets/export.csv?") && href.contains("q=%E7%A9%BA%E8%B0%83"), "{href}");
    let csv = get(&app, &href, &sup, "zh").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("空调不制冷") && csv.body.lines().count() == 2, "{}", csv.body);
    assert!(queue.body.contains("下载 CSV"));
    let token = csrf(&queue.body);
    let saved = post(
        &app,
        "/console/views",
        &sup,
        &[("_csrf", &token), ("name", "紧急"), ("query", "view=all&priority=urgent")],
    )
    .await;
    assert!(saved.location.contains("ok=done"), "{}", saved.location);
    let views = get(&app, "/console", &sup, "zh").await.body;
    assert!(views.contains("priority=urgent\" class=\"button\">紧急</a>"), "{views}");
    for period in ["week", "month"] {
        assert_eq!(get(&app, &format!("/console/dashboard?period={period}"), &sup, "en").await.status, StatusCode::OK);
    }
    assert_eq!(get(&app, "/console/team", &sup, "zh").await.status, StatusCode::OK);
    let dash = get(&app, "/console/dashboard?period=today", &sup, "zh").await;
    assert_eq!(dash.status, StatusCode::OK);
    assert!(dash.body.contains("id=\"kpi-volume\">1<"), "{}", dash.body);
    assert!(dash.body.contains("<svg class=\"chart\""));
    assert_eq!(get(&app, "/console/admin", &sup, "zh").await.status, StatusCode::FORBIDDEN);
    let agent = login(&app, "agent").await;
    assert_eq!(get(&app, "/console/dashboard", &agent, "zh").await.status, StatusCode::FORBIDDEN);
    let admin = login(&app, "admin").await;
    let doc = get(&app, "/console/admin/documents/reply_templates", &admin, "en").await;
    let token = csrf(&doc.body);
    let path = "/console/admin/documents/reply_templates";
    // A refusal keeps what was typed, with the message at the editor.
    let bad = post(&app, path, &admin, &[("_csrf", &token), ("version", "0"), ("body", "{\"templates\": 3}")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"document-body-error\"") && bad.body.contains(": 3}"), "{}", bad.body);
    let body = r#"{"templates":[{"name":"hi","title_zh":"问候","title_en":"Hello","text_zh":"您好 {{customer_name}}","text_en":"Hi {{customer_name}}"}]}"#;
    let ok =
        post(&app, path, &admin, &[("_csrf", &token), ("version", "0"), ("body", body), ("comment", "greeting")]).await;
    assert!(ok.location.contains("ok=saved"), "{}", ok.location);
    let stale = post(&app, path, &admin, &[("_csrf", &token), ("version", "0"), ("body", body)]).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale.body.contains("id=\"document-body-error\"") && stale.body.contains("已有人保存了更新的版本"),
        "{}",
        stale.body
    );
    let doc = get(&app, path, &admin, "en").await;
    assert!(doc.body.contains("greeting") && doc.body.contains(">admin<"), "history shows who and why");
}

#[tokio::test]
async fn a_member_changes_their_own_password_on_the_console_with_errors_at_their_fields() {
    for backend in TestDatabase::backends() {
        let app = TestApp::start(backend, Config::default()).await;
        let cookie = login(&app, "agent").await;
        let page = get(&app, "/console/account", &cookie, "zh").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("修改密码") && page.body.contains("id=\"nav-account\""), "{}", page.body);
        let token = csrf(&page.body);
        let new = "新的密码-correct horse";
        let change = |current: &'static str, new: &'static str, confirm: &'static str| {
            [("_csrf", token.clone()), ("current", current.into()), ("new", new.into()), ("confirm", confirm.into())]
        };
        let send = |form: [(&'static str, String); 4]| {
            let app = &app;
            let cookie = cookie.clone();
            async move {
                let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post(app, "/console/account/password", &cookie, &pairs).await
            }
        };
        // Each refusal stands next to its field, which is marked invalid; nothing is changed.
        let wrong = send(change("not my password", "新的密码-correct horse", "新的密码-correct horse")).await;
        assert_eq!(wrong.status, StatusCode::OK);
        assert!(wrong.body.contains("aria-describedby=\"current-error\"") && wrong.body.contains("当前密码不正确"));
        let mismatch = send(change(common::PASSWORD, "新的密码-correct horse", "新的密码-correct hors")).await;
        assert!(mismatch.body.contains("id=\"confirm-error\"") && mismatch.body.contains("两次输入的新密码不一致"));
        let short = send(change(common::PASSWORD, "short", "short")).await;
        assert!(short.body.contains("id=\"new-error\"") && short.body.contains("至少需要 10 个字符"), "{}", short.body);
        assert!(!short.body.contains("value=\"short\""), "passwords are never written back into the page");
        let same = send(change(common::PASSWORD, common::PASSWORD, common::PASSWORD)).await;
        assert!(same.body.contains("新密码不能与当前密码相同"), "{}", same.body);
        // Changed: this session goes on with a confirmation; the old password no longer signs in.
        let done = send(change(common::PASSWORD, "新的密码-correct horse", "新的密码-correct horse")).await;
        assert!(done.location.contains("ok=password_changed"), "{}", done.location);
        let shown = get(&app, &done.location, &cookie, "zh").await;
        assert!(shown.body.contains("密码已修改"), "{}", shown.body);
        // (Password changes count against the sign-in limit per address: a minute later.)
        app.clock.advance(chrono::Duration::minutes(2));
        let old = post(&app, "/console/login", "", &[("username", "agent"), ("password", common::PASSWORD)]).await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        let ok =
            post(&app, "/console/login", "", &[("username", "agent"), ("password", new), ("back", "/console")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    }
}

#[tokio::test]
async fn the_ticket_page_lists_the_customers_other_tickets() {
    let app = start().await;
    let first = app.submit(feedback("冰箱冷藏室不制冷，食物都坏了", "13800138000")).await;
    let second = app.submit(feedback("上次维修的发票还没有开给我", "13800138000")).await;
    let stranger = app.submit(feedback("洗衣机门打不开", "13900139000")).await;
    let cookie = login(&app, "agent").await;
    let page = get(&app, &format!("/console/tickets/{}", second["id"]), &cookie, "zh").await;
    let panel = page
        .body
        .split("id=\"customer-tickets\"")
        .nth(1)
        .expect("a customer panel")
        .split("</section>")
        .next()
        .unwrap();
    assert!(panel.contains("该客户的其他工单") && panel.contains(first["tracking_no"].as_str().unwrap()), "{panel}");
    assert!(!panel.contains(second["tracking_no"].as_str().unwrap()), "not the ticket itself");
    assert!(!panel.contains(stranger["tracking_no"].as_str().unwrap()), "not another customer's");
    let alone = get(&app, &format!("/console/tickets/{}", stranger["id"]), &cookie, "en").await;
    assert!(alone.body.contains("This is the customer&#39;s first ticket."), "{}", alone.body);
}
