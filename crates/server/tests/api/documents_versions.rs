//! Configuration documents as one resource by name: the values in force (defaults filled
//! in), any version, a diff between versions, and a rollback that is validated again and
//! recorded like an edit — over the API and on the console's forms, on both databases.

use crate::common;

use common::{each_backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The SLA policy in force with the high priority's first response set to `hours`, on
/// `calendar`.
async fn policy_with(app: &TestApp, hours: u32, calendar: &str) -> Value {
    let mut body = app.get("/api/v1/documents/sla_policy?effective=true").await.body["body"].clone();
    body["priorities"]["high"]["first_response"] = json!({"budget": {"working_hours": hours}, "calendar": calendar});
    body
}

async fn put(app: &TestApp, path: &str, expected: i64, body: Value) -> common::Answer {
    let edit = json!({"expected_version": expected, "body": body, "comment": "test"});
    app.as_role("admin", Method::PUT, path, Some(edit)).await
}

#[tokio::test]
async fn effective_values_versions_diff_and_rollback() {
    each_backend(|app| async move {
        // Nothing saved: the built-in defaults are in force, shown in full.
        let sla = app.get("/api/v1/documents/sla_policy?effective=true").await;
        assert_eq!((sla.status, sla.body["version"].as_i64()), (StatusCode::OK, Some(0)), "{}", sla.body);
        assert!(sla.body["body"]["priorities"]["urgent"]["first_response"]["budget"].is_object(), "{}", sla.body);
        // A saved `{}` shows `{}` as saved and its defaults as in force.
        assert_eq!(put(&app, "/api/v1/admin/staffing", 0, json!({})).await.status, StatusCode::OK);
        let saved = app.get("/api/v1/admin/staffing").await.body["body"].clone();
        assert_eq!(saved, json!({}));
        let effective = app.get("/api/v1/admin/staffing?effective=true").await.body["body"].clone();
        assert_eq!(effective, json!({"departments": [], "agents": []}));
        assert_eq!(app.get("/api/v1/documents/staffing?effective=true").await.body["body"], effective);

        // Two versions of the SLA policy.
        let v1 = put(&app, "/api/v1/admin/sla-policy", 0, policy_with(&app, 12, "default").await).await;
        assert_eq!((v1.status, v1.body["version"].as_i64()), (StatusCode::OK, Some(1)), "{}", v1.body);
        let v2 = put(&app, "/api/v1/admin/sla-policy", 1, policy_with(&app, 8, "default").await).await;
        assert_eq!(v2.body["version"].as_i64(), Some(2), "{}", v2.body);
        let one = app.get("/api/v1/documents/sla_policy/versions/1").await;
        assert_eq!(one.body["body"]["priorities"]["high"]["first_response"]["budget"]["working_hours"], 12);
        assert_eq!(app.get("/api/v1/documents/sla_policy/versions/0").await.body["comment"], "built-in defaults");
        assert_eq!(app.get("/api/v1/documents/sla_policy/versions/9").await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/api/v1/documents/nothing/versions/1").await.status, StatusCode::NOT_FOUND);

        // The diff from v1 to the version in force: one line out, one in.
        let diff = app.get("/api/v1/documents/sla_policy/diff?from=1").await;
        assert_eq!(diff.status, StatusCode::OK, "{}", diff.body);
        assert_eq!((diff.body["from"].as_i64(), diff.body["to"].as_i64()), (Some(1), Some(2)));
        assert_eq!((diff.body["added"].as_u64(), diff.body["removed"].as_u64()), (Some(1), Some(1)), "{}", diff.body);
        let lines: Vec<&Value> = diff.body["hunks"][0]["lines"].as_array().unwrap().iter().collect();
        let of =
            |op: &str| lines.iter().find(|l| l["op"] == op).map(|l| l["text"].as_str().unwrap().trim().to_string());
        assert_eq!(of("removed").as_deref(), Some("\"working_hours\": 12"));
        assert_eq!(of("added").as_deref(), Some("\"working_hours\": 8"));
        assert!(lines.iter().any(|l| l["op"] == "same"), "context lines");
        let none = app.get("/api/v1/documents/sla_policy/diff?from=2&to=2").await;
        assert_eq!(none.body["hunks"], json!([]));

        // Rolling back saves v1's content as v3, recorded as a rollback by the admin.
        let back = json!({"version": 1, "expected_version": 2, "comment": "too tight"});
        let r = app.post("/api/v1/documents/sla_policy/rollback", back.clone()).await;
        assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(3)), "{}", r.body);
        assert_eq!(r.body["body"]["priorities"]["high"]["first_response"]["budget"]["working_hours"], 12);
        assert_eq!(r.body["comment"], "rollback to v1: too tight");
        assert_eq!(r.body["changed_by"], "admin");
        let history = app.store.document_history("sla_policy", 10).await.unwrap();
        assert_eq!(history.len(), 3);
        assert_eq!(
            (history[0].changed_by.as_str(), history[0].comment.as_str()),
            ("admin", "rollback to v1: too tight")
        );
        // The rollback is in force: the SLA configuration reads it.
        app.state.sla.refresh(app.state.read()).await.unwrap();
        assert_eq!(app.state.sla.get().policy_version, 3);
        // Based on a version no longer in force: refused.
        let stale = app.post("/api/v1/documents/sla_policy/rollback", back).await;
        assert_eq!((stale.status, stale.body["code"].as_str()), (StatusCode::CONFLICT, Some("stale_version")));
        // Supervisors may not roll back, nor read the SLA policy's versions.
        let sup = app
            .as_role(
                "supervisor",
                Method::POST,
                "/api/v1/documents/sla_policy/rollback",
                Some(json!({"version": 1, "expected_version": 3})),
            )
            .await;
        assert_eq!(sup.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.as_role("supervisor", Method::GET, "/api/v1/documents/sla_policy/diff", None).await.status,
            StatusCode::FORBIDDEN
        );
        // …but read the routing rules' (their working knowledge).
        let routing = app.as_role("supervisor", Method::GET, "/api/v1/documents/routing_rules/versions/0", None).await;
        assert_eq!(routing.status, StatusCode::OK, "{}", routing.body);
    })
    .await;
}

#[tokio::test]
async fn a_rollback_is_validated_against_what_is_in_force_now() {
    each_backend(|app| async move {
        // A night calendar, an SLA version that counts on it, then neither.
        let mut cals = app.get("/api/v1/documents/calendars?effective=true").await.body["body"].clone();
        let mut night = cals["calendars"][0].clone();
        night["name"] = json!("night");
        cals["calendars"].as_array_mut().unwrap().push(night);
        assert_eq!(put(&app, "/api/v1/admin/calendars", 0, cals.clone()).await.status, StatusCode::OK);
        assert_eq!(
            put(&app, "/api/v1/admin/sla-policy", 0, policy_with(&app, 12, "night").await).await.status,
            StatusCode::OK
        );
        assert_eq!(
            put(&app, "/api/v1/admin/sla-policy", 1, policy_with(&app, 12, "default").await).await.status,
            StatusCode::OK
        );
        cals["calendars"].as_array_mut().unwrap().pop();
        let removed = put(&app, "/api/v1/admin/calendars", 1, cals).await;
        assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);

        let r = app.post("/api/v1/documents/sla_policy/rollback", json!({"version": 1, "expected_version": 2})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!((r.body["code"].as_str(), r.body["field"].as_str()), (Some("rollback_invalid"), Some("version")));
        assert!(r.body["message"].as_str().unwrap().contains("night"), "{}", r.body);
        assert_eq!(app.store.document_history("sla_policy", 10).await.unwrap().len(), 2, "nothing saved");
        // Back to the built-in defaults is a rollback too.
        let r = app.post("/api/v1/documents/sla_policy/rollback", json!({"version": 0, "expected_version": 2})).await;
        assert_eq!((r.status, r.body["comment"].as_str()), (StatusCode::OK, Some("rollback to v0")), "{}", r.body);
    })
    .await;
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[at..at + 32].to_string()
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp =
        app.http.get(format!("{}{path}", app.base)).header("cookie", &app.cookies["admin"]).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = http
        .post(format!("{}{path}", app.base))
        .header("cookie", &app.cookies["admin"])
        .form(pairs)
        .send()
        .await
        .unwrap();
    let location = resp.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (resp.status(), location, resp.text().await.unwrap())
}

#[tokio::test]
async fn the_console_edits_the_sla_policy_in_a_form_and_keeps_refused_input() {
    each_backend(|app| async move {
        let (status, html) = page(&app, "/console/admin/documents/sla_policy").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"sla-form\"") && html.contains("name=\"high.first_response.amount\""), "a form");
        let token = csrf(&html);
        let path = "/console/admin/documents/sla_policy/form";
        // Every field as shown, with high's first response changed.
        let mut pairs: Vec<(String, String)> = Vec::new();
        let policy = app.get("/api/v1/documents/sla_policy?effective=true").await.body["body"].clone();
        for p in ["urgent", "high", "medium", "low"] {
            for t in ["first_response", "result", "plan", "acknowledge", "approval"] {
                let target = &policy["priorities"][p][t];
                let (unit, amount) = target["budget"].as_object().unwrap().iter().next().unwrap();
                let unit = unit.trim_start_matches("working_").to_string();
                pairs.push((format!("{p}.{t}.amount"), amount.to_string()));
                pairs.push((format!("{p}.{t}.unit"), unit));
                pairs.push((format!("{p}.{t}.calendar"), target["calendar"].as_str().unwrap().to_string()));
            }
            pairs.push((format!("{p}.result_from"), policy["priorities"][p]["result_from"].as_str().unwrap().into()));
        }
        for k in ["staff_entered", "system"] {
            let target = &policy["intake"][k];
            let (unit, amount) = target["budget"].as_object().unwrap().iter().next().unwrap();
            pairs.push((format!("intake.{k}.amount"), amount.to_string()));
            pairs.push((format!("intake.{k}.unit"), unit.trim_start_matches("working_").to_string()));
            pairs.push((format!("intake.{k}.calendar"), target["calendar"].as_str().unwrap().to_string()));
        }
        pairs.push(("warn_percent".into(), "80".into()));
        pairs.push(("_csrf".into(), token.clone()));
        pairs.push(("version".into(), "0".into()));
        let set = |pairs: &mut Vec<(String, String)>, k: &str, v: &str| {
            pairs.retain(|(x, _)| x != k);
            pairs.push((k.to_string(), v.to_string()));
        };
        let as_refs = |pairs: &Vec<(String, String)>| pairs.clone();

        // A typo is refused at its field; everything typed stays.
        set(&mut pairs, "high.first_response.amount", "1o");
        set(&mut pairs, "low.result.amount", "15");
        let p = as_refs(&pairs);
        let refs: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (status, _, html) = form(&app, path, &refs).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("value=\"1o\" aria-invalid=\"true\" aria-describedby=\"high.first_response-error\""),
            "{html}"
        );
        assert!(html.contains(
            "name=\"low.result.amount\" id=\"low.result-amount\" inputmode=\"numeric\" class=\"tiny\" value=\"15\""
        ));
        assert!(app.store.document_history("sla_policy", 5).await.unwrap().is_empty(), "nothing saved");

        set(&mut pairs, "high.first_response.amount", "6");
        set(&mut pairs, "high.first_response.unit", "hours");
        let p = as_refs(&pairs);
        let refs: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let (status, location, _) = form(&app, path, &refs).await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/console/admin/documents/sla_policy?ok=saved")
        );
        let v1 = app.get("/api/v1/documents/sla_policy").await.body.clone();
        assert_eq!(v1["version"], 1);
        assert_eq!(v1["body"]["priorities"]["high"]["first_response"]["budget"], json!({"working_hours": 6}));
        assert_eq!(v1["body"]["priorities"]["low"]["result"]["budget"]["working_days"], 15);
        assert_eq!(v1["body"]["overrides"], policy["overrides"], "what the form does not show stays");

        // The version page shows the diff to v0 and rolls back after confirmation.
        let (status, html) = page(&app, "/console/admin/documents/sla_policy/versions/0").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("diff-line diff-add") && html.contains("diff-line diff-del"), "{html}");
        assert!(html.contains("id=\"rollback-confirm\""));
        let (status, location, _) = form(
            &app,
            "/console/admin/documents/sla_policy/rollback",
            &[("_csrf", &token), ("version", "0"), ("expected_version", "1")],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/console/admin/documents/sla_policy?ok=rolled_back")
        );
        assert_eq!(app.get("/api/v1/documents/sla_policy").await.body["comment"], "rollback to v0");

        // The JSON editor keeps a broken document as typed.
        let broken = "{\"warn_percent\": 80,, }";
        let (status, _, html) =
            form(&app, "/console/admin/documents/sla_policy", &[("_csrf", &token), ("version", "2"), ("body", broken)])
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains("{&quot;warn_percent&quot;: 80,, }") || html.contains("{&#34;warn_percent&#34;: 80,, }"),
            "{html}"
        );
        assert!(html.contains("id=\"document-body-error\""));
    })
    .await;
}

#[tokio::test]
async fn routing_calendar_and_template_forms_save_new_versions() {
    each_backend(|app| async move {
        let (_, html) = page(&app, "/console/admin/documents/routing_rules").await;
        let token = csrf(&html);
        let d = app.departments[1].0.to_string();
        let (status, location, body) = form(
            &app,
            "/console/admin/documents/routing_rules/form",
            &[
                ("_csrf", &token),
                ("version", "0"),
                ("count", "0"),
                ("r0.name", "物流问题"),
                ("r0.department", &d),
                ("r0.categories", "logistics，payment"),
                ("r0.priority.high", "on"),
                ("r0.channel.wechat", "on"),
                ("r0.skills", "退款"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.ends_with("ok=saved"));
        let rules = app.get("/api/v1/documents/routing_rules").await.body["body"].clone();
        assert_eq!(rules["rules"][0]["when"]["categories"], json!(["logistics", "payment"]));
        assert_eq!(rules["rules"][0]["departments"], json!([app.departments[1].0]));
        assert_eq!(rules["rules"][0]["when"]["priorities"], json!(["high"]));
        // A rule without a department is refused at that row.
        let (status, _, html) = form(
            &app,
            "/console/admin/documents/routing_rules/form",
            &[
                ("_csrf", &token),
                ("version", "1"),
                ("count", "1"),
                ("r0.name", "物流问题"),
                ("r0.department", &d),
                ("r1.name", "新规则"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"r1-error\"") && html.contains("value=\"新规则\""), "{html}");

        // Saturday mornings become working hours; a bad range is named at its day.
        let (_, html) = page(&app, "/console/admin/documents/calendars").await;
        assert!(html.contains("id=\"week-grid\"") && html.contains("name=\"week.mon\""));
        let cal = |sat: &'static str| {
            vec![
                ("_csrf", token.clone()),
                ("version", "0".into()),
                ("calendar", "default".into()),
                ("time_zone", "Asia/Shanghai".into()),
                ("week.mon", "09:00-18:00".into()),
                ("week.tue", "09:00-18:00".into()),
                ("week.wed", "09:00-18:00".into()),
                ("week.thu", "09:00-18:00".into()),
                ("week.fri", "09:00-18:00".into()),
                ("week.sat", sat.to_string()),
                ("week.sun", "".into()),
                ("workday_hours", "09:00-18:00".into()),
                ("holiday_rule", "cn".into()),
            ]
        };
        let bad = cal("9-12");
        let refs: Vec<(&str, &str)> = bad.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let (status, _, html) = form(&app, "/console/admin/documents/calendars/form", &refs).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"week-sat-error\"") && html.contains("value=\"9-12\""), "{html}");
        let good = cal("09:00-12:00");
        let refs: Vec<(&str, &str)> = good.iter().map(|(a, b)| (*a, b.as_str())).collect();
        let (status, _, body) = form(&app, "/console/admin/documents/calendars/form", &refs).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let cals = app.get("/api/v1/documents/calendars").await.body["body"].clone();
        let default = cals["calendars"].as_array().unwrap().iter().find(|c| c["name"] == "default").unwrap().clone();
        assert_eq!(default["week"]["sat"], json!(["09:00-12:00"]));
        let shipped = loopdesk_core::calendar::CalendarSpec::china("default").days.len();
        assert_eq!(default["days"].as_array().unwrap().len(), shipped, "the imported schedule stays");

        // Templates: both languages previewed before saving, then saved.
        let (_, html) = page(&app, "/console/admin/documents/templates?kind=acknowledgement").await;
        assert!(html.contains("id=\"preview-zh\"") && html.contains("id=\"preview-en\""));
        let fields = |zh: &'static str| {
            vec![
                ("_csrf", token.as_str()),
                ("version", "0"),
                ("kind", "acknowledgement"),
                ("zh.subject", "已收到：{{tracking_no}}"),
                ("zh.text", zh),
                ("zh.html", "<p>{{customer_name}}</p>"),
                ("en.subject", "Received: {{tracking_no}}"),
                ("en.text", "Dear {{customer_name}}, thanks."),
                ("en.html", "<p>{{customer_name}}</p>"),
            ]
        };
        let mut preview = fields("{{customer_name}}您好，我们已收到。");
        preview.push(("op", "preview"));
        let (status, _, html) = form(&app, "/console/admin/documents/templates/form", &preview).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("张伟您好，我们已收到。") && html.contains("Dear Alex Chen, thanks."), "{html}");
        assert!(app.store.document_history("templates", 5).await.unwrap().is_empty(), "a preview saves nothing");
        let (status, _, html) = form(&app, "/console/admin/documents/templates/form", &fields("{{nobody}}您好")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"zh-text-error\"") && html.contains("{{nobody}}您好"), "{html}");
        let (status, _, _) =
            form(&app, "/console/admin/documents/templates/form", &fields("{{customer_name}}您好。")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let set = app.get("/api/v1/documents/templates").await.body["body"].clone();
        let zh = set["template"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "acknowledgement" && t["lang"] == "zh-CN")
            .unwrap()
            .clone();
        assert_eq!(zh["text"], "{{customer_name}}您好。");
    })
    .await;
}
