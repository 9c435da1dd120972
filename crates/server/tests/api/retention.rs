//! Retention (issue 20) over HTTP on every backend: tickets that ended three years before
//! the run lose every personal value — contact fields, the same values inside their texts
//! and replies, ID numbers, file names and bytes, outbox addresses, search words — while
//! tickets under a legal hold (on the ticket or on the customer) and tickets inside their
//! period keep theirs; every report figure is the same before and after; and the values are
//! gone from the database itself (SQLite: the bytes of the database file and its log;
//! PostgreSQL: every row of every table).

use crate::common::{self, TestApp};
use chrono::Duration;
use loopdesk_app::Clock as _;
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::Backend;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const BOUNDARY: &str = "----loopdesk-retention-boundary-3Kf9";

/// One customer's seeded personal values, each unique to them.
struct Person {
    name: String,
    phone: String,
    email: String,
    id_number: String,
    /// Inside the attached file's bytes.
    file_marker: String,
}

impl Person {
    fn new(i: usize) -> Person {
        // Names a reader would never meet elsewhere in the database.
        let given = ["甲乙", "丙丁", "戊己", "庚辛", "壬癸", "子丑", "寅卯", "辰巳", "午未", "申酉", "戌亥", "乾坤"];
        Person {
            name: format!("欧阳{}", given[i]),
            phone: format!("1390000{:04}", 4100 + i),
            email: format!("secret{i}.person@example.org"),
            id_number: format!("11010519800110{:03}X", 100 + i),
            file_marker: format!("PRIVATE-FILE-{i:03}-MARKER"),
        }
    }

    fn values(&self) -> [String; 5] {
        [self.name.clone(), self.phone.clone(), self.email.clone(), self.id_number.clone(), self.file_marker.clone()]
    }
}

fn multipart(feedback: &Value, file: (&str, &[u8])) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"feedback\"\r\nContent-Type: application/json\r\n\r\n{feedback}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"{}\"\r\nContent-Type: image/png\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Submits one person's feedback with a photo, and returns the ticket id.
async fn submit(app: &TestApp, p: &Person) -> i64 {
    let feedback = json!({
        "subject": format!("{}的扫地机器人", p.name),
        "content": format!("我是{}，电话{}，身份证{}。扫地机器人X20充电后只能用十分钟，请尽快处理。", p.name, p.phone, p.id_number),
        "customer": {"name": p.name, "phone": p.phone, "email": p.email},
        "product": {"product": "扫地机器人", "model": "X20", "order_no": format!("DD{}", p.phone)},
    });
    let bytes = [PNG, p.file_marker.as_bytes()].concat();
    let file_name = format!("{}-发票.png", p.name);
    let resp = app
        .http
        .post(format!("{}/api/v1/feedback", app.base))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&feedback, (&file_name, &bytes)))
        .send()
        .await
        .unwrap();
    let a = common::answer(resp).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    a.body["id"].as_i64().unwrap()
}

/// Takes a ticket from new to closed, with a reply and a note that repeat the customer's
/// values (as agents do).
async fn close(app: &TestApp, id: i64, p: &Person) {
    let agent = app.user_ids["agent"];
    let dept = app.departments[0].0;
    let steps = [
        ("supervisor", "assign", json!({"department_id": dept, "assignee_id": agent})),
        ("agent", "acknowledge", json!({})),
        ("agent", "note", json!({"body": format!("已电话联系{}（{}），邮箱 {}", p.name, p.phone, p.email)})),
        ("agent", "reply", json!({"body": format!("{}您好，我们已为您安排更换电池。", p.name)})),
        ("agent", "resolve", json!({"kind": "solved", "summary": format!("已为{}更换电池", p.name)})),
        ("agent", "close", json!({})),
    ];
    for (role, action, body) in steps {
        app.clock.advance(Duration::minutes(3));
        let a = app.as_role(role, Method::POST, &format!("/api/v1/tickets/{id}/{action}"), Some(body)).await;
        assert_eq!(a.status, StatusCode::OK, "{action}: {}", a.body);
    }
}

fn urlencode(s: &str) -> String {
    s.replace(':', "%3A").replace('+', "%2B")
}

/// Every report's figures over the whole test period.
async fn reports(app: &TestApp) -> Vec<Value> {
    let from = (common::t0() - Duration::days(1)).to_rfc3339();
    let to = (common::t0() + Duration::days(365 * 4)).to_rfc3339();
    let mut out = Vec::new();
    for (name, extra) in [
        ("summary", ""),
        ("trend", "&grain=month"),
        ("breakdown", "&dimension=category"),
        ("breakdown", "&dimension=channel"),
        ("channels", ""),
        ("agents", ""),
    ] {
        let path = format!("/api/v1/reports/{name}?from={}&to={}{extra}", urlencode(&from), urlencode(&to));
        let a = app.as_role("supervisor", Method::GET, &path, None).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
        let mut body = a.body;
        // When the report was made is not a figure.
        if let Some(o) = body.as_object_mut() {
            o.remove("generated_at");
        }
        out.push(body);
    }
    out
}

/// Every byte the database keeps: the SQLite file and its log, or every PostgreSQL row.
async fn database_contents(app: &TestApp) -> Vec<u8> {
    match app.store.backend() {
        Backend::Sqlite => {
            let url = app.state.config.database_url.as_ref().unwrap().expose().to_string();
            let path = url.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
            let mut all = Vec::new();
            for suffix in ["", "-wal", "-journal"] {
                if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
                    all.extend(bytes);
                }
            }
            assert!(all.len() > 100_000, "read the database file at {path}");
            all
        }
        Backend::Postgres => app.store.dump_all_rows().await.unwrap().into_bytes(),
    }
}

fn find(haystack: &[u8], needle: &str) -> bool {
    let hex: String = needle.bytes().map(|b| format!("{b:02x}")).collect();
    let contains = |n: &[u8]| haystack.windows(n.len()).any(|w| w == n);
    contains(needle.as_bytes()) || contains(hex.as_bytes())
}

/// The text around the first place `needle` is, to say where a leak is.
fn around(haystack: &[u8], needle: &str) -> String {
    let at = haystack.windows(needle.len()).position(|w| w == needle.as_bytes()).unwrap_or(0);
    String::from_utf8_lossy(&haystack[at.saturating_sub(300)..(at + 300).min(haystack.len())]).into_owned()
}

#[tokio::test]
async fn expired_tickets_lose_every_personal_value_while_held_and_recent_ones_keep_theirs() {
    for backend in TestDatabase::backends() {
        let mut config = Config::default();
        config.limits.feedback_per_minute = 1000;
        // Small chunks, so the run takes several transactions and job turns.
        config.retention.chunk = 3;
        // The test spans three years of the manual clock on one sign-in.
        config.session_hours = 24 * 365 * 4;
        let app = TestApp::start(backend, config).await;
        let people: Vec<Person> = (0..12).map(Person::new).collect();
        let mut ids = Vec::new();
        // 0..=7 end now; 8 stays open; 9 and 10 end now but are held (ticket, customer).
        for p in &people[..11] {
            ids.push(submit(&app, p).await);
        }
        app.run_due_jobs().await;
        for (i, p) in people[..11].iter().enumerate() {
            if i != 8 {
                close(&app, ids[i], p).await;
            }
        }
        app.run_due_jobs().await;
        let hold = app.post("/api/v1/legal-holds", json!({"ticket_id": ids[9], "reason": "诉讼证据保全"})).await;
        assert_eq!(hold.status, StatusCode::CREATED, "{}", hold.body);
        let by_customer = json!({"customer": format!("+86 {}", people[10].phone), "reason": "监管调查"});
        let hold2 = app.post("/api/v1/legal-holds", by_customer).await;
        assert_eq!(hold2.status, StatusCode::CREATED, "{}", hold2.body);
        assert_eq!(hold2.body["customer"], format!("+86{}", people[10].phone), "stored as the contact column holds it");
        // Holds are the admins': a bad one is refused naming the field.
        let bad = app.post("/api/v1/legal-holds", json!({"customer": "not a phone", "reason": "x"})).await;
        assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("customer")));
        let agent = app.as_role("agent", Method::GET, "/api/v1/legal-holds", None).await;
        assert_eq!(agent.status, StatusCode::FORBIDDEN);

        // Two and a half years later, ticket 11 arrives and ends: inside its period at the run.
        app.clock.advance(Duration::days(913));
        ids.push(submit(&app, &people[11]).await);
        app.run_due_jobs().await;
        close(&app, ids[11], &people[11]).await;
        app.run_due_jobs().await;
        let before = reports(&app).await;

        // A policy shorter than the configured floor is refused, naming the field.
        let short = app
            .as_role(
                "admin",
                Method::PUT,
                "/api/v1/admin/retention",
                Some(json!({"expected_version": 0, "comment": "一年", "body": {"keep_days": 365}})),
            )
            .await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", short.body);
        assert_eq!(short.body["field"], "body.keep_days", "{}", short.body);

        // Three years after the first tickets ended: a dry run counts, changes nothing.
        app.clock.advance(Duration::days(183));
        let now = app.clock.now();
        let dry = loopdesk_app::retention::run(&app.state, now, true, |_| {}).await.unwrap();
        assert_eq!((dry.counts.tickets, dry.held), (8, 2), "{dry:?}");
        assert_eq!(dry.counts.attachments, 8);
        let t0 = app.get(&format!("/api/v1/tickets/{}", ids[0])).await.body;
        assert_eq!(t0["ticket"]["customer"]["name"], people[0].name.as_str());

        // The daily job does it, chunk by chunk (started now by an admin; agents may not).
        let agent = app.as_role("agent", Method::POST, "/api/v1/retention/runs", None).await;
        assert_eq!(agent.status, StatusCode::FORBIDDEN);
        let started = app.as_role("admin", Method::POST, "/api/v1/retention/runs", None).await;
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
        app.run_due_jobs().await;
        let runs = app.get("/api/v1/retention/runs").await;
        assert_eq!(runs.status, StatusCode::OK, "{}", runs.body);
        let run = &runs.body[0];
        assert_eq!((run["tickets"].as_u64(), run["attachments"].as_u64()), (Some(8), Some(8)), "{run}");
        assert!(run["finished_at"].is_string(), "{run}");

        for (i, id) in ids.iter().enumerate() {
            let detail = app.get(&format!("/api/v1/tickets/{id}")).await;
            assert_eq!(detail.status, StatusCode::OK);
            let text = detail.body.to_string();
            let gone = i <= 7 && i != 8;
            for value in people[i].values().iter().take(4) {
                assert_eq!(!text.contains(value.as_str()), gone, "ticket {i}: {value} in {text}");
            }
            if gone {
                let t = &detail.body["ticket"];
                assert!(t["customer"]["phone"].is_null() && t["customer"]["email"].is_null(), "{t}");
                assert_eq!(t["state"], "closed");
                assert_eq!(t["category"], detail.body["ticket"]["category"]);
                assert!(text.contains("[姓名]") && text.contains("[身份证号]"), "masked, not erased: {text}");
                let stored = app.get(&format!("/api/v1/tickets/{id}/deliveries")).await;
                assert_eq!(stored.body["attachments"].as_array().map(Vec::len), Some(0), "{}", stored.body);
                let outbox = stored.body["deliveries"].to_string();
                assert!(!outbox.contains(&people[i].phone) && !outbox.contains(&people[i].email), "{outbox}");
            }
        }
        // Searching by an anonymised customer's phone finds nothing; a held one is found.
        let q = |phone: &str| format!("/api/v1/tickets?q={phone}");
        assert_eq!(app.get(&q(&people[0].phone)).await.body["items"].as_array().unwrap().len(), 0);
        assert_eq!(app.get(&q(&people[10].phone)).await.body["items"].as_array().unwrap().len(), 1);

        // Every report figure is what it was.
        assert_eq!(reports(&app).await, before);

        // A second run finds nothing more to do.
        let again = loopdesk_app::retention::run(&app.state, now, false, |_| {}).await.unwrap();
        assert_eq!(again.counts.tickets, 0, "{again:?}");

        // Nothing of the anonymised customers is left in the database.
        let bytes = database_contents(&app).await;
        for p in &people[..8] {
            for value in p.values() {
                assert!(
                    !find(&bytes, &value),
                    "{backend:?}: {value} is still in the database: {}",
                    around(&bytes, &value)
                );
            }
        }
        // The others' are (the scan would see them).
        for p in [&people[8], &people[9], &people[10], &people[11]] {
            assert!(find(&bytes, &p.phone), "{backend:?}: {} should be kept", p.phone);
        }

        // Releasing the hold lets the next run take the ticket; releasing twice conflicts.
        let id = hold.body["id"].as_i64().unwrap();
        let path = format!("/api/v1/legal-holds/{id}/release");
        let r = app.post(&path, json!({"reason": "诉讼结束"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.post(&path, json!({"reason": "again"})).await.status, StatusCode::CONFLICT);
        let last = loopdesk_app::retention::run(&app.state, now, false, |_| {}).await.unwrap();
        assert_eq!((last.counts.tickets, last.held), (1, 1), "{last:?}");
    }
}
