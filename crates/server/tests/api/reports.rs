//! Reports over HTTP on every backend: figures checked against the tickets the test
//! creates, the comparisons, breakdowns, access, errors, and the CSV and Excel downloads.

use crate::common::{each_backend, feedback, t0, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::io::Read;

/// A summary figure (all priorities, no target).
fn figure(summary: &Value, measure: &str) -> Value {
    let rows = summary["rows"].as_array().expect("rows");
    let row = rows.iter().find(|r| r["measure"] == measure && r["priority"].is_null() && r["target"].is_null());
    row.unwrap_or_else(|| panic!("no {measure} in {summary}"))["value"].clone()
}

async fn download(app: &TestApp, path: &str) -> (StatusCode, String, Vec<u8>) {
    let cookie = app.cookies["supervisor"].clone();
    let resp = app.http.get(format!("{}{path}", app.base)).header("cookie", cookie).send().await.unwrap();
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, content_type, resp.bytes().await.unwrap().to_vec())
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    let mut out = String::new();
    archive.by_name(name).expect(name).read_to_string(&mut out).unwrap();
    out
}

#[tokio::test]
async fn reports_count_the_tickets_compare_periods_and_download_as_csv_and_xlsx() {
    each_backend(|app| async move {
        let mut ids = Vec::new();
        for (text, phone) in [
            ("扫地机器人充电后只能用十分钟", "13800138000"),
            ("付款后订单没有更新", "13900139000"),
            ("客服电话打不通", "13700137000"),
        ] {
            ids.push(app.submit(feedback(text, phone)).await["id"].as_i64().unwrap());
            app.clock.advance(chrono::Duration::minutes(10));
        }
        app.run_due_jobs().await;
        // One ticket is worked to the end: assigned, replied 20 minutes after it came in, resolved.
        let agent = app.user_ids["agent"];
        let dept = app.departments[0].0;
        let path = |action: &str| format!("/api/v1/tickets/{}/{action}", ids[0]);
        let steps = [
            ("supervisor", "assign", json!({"department_id": dept, "assignee_id": agent})),
            ("agent", "acknowledge", json!({})),
            ("agent", "reply", json!({"body": "您好，我们已收到。"})),
            ("agent", "resolve", json!({"kind": "solved", "summary": "已更换电池。"})),
        ];
        for (role, action, body) in steps {
            let a = app.as_role(role, Method::POST, &path(action), Some(body)).await;
            assert_eq!(a.status, StatusCode::OK, "{action}: {}", a.body);
        }
        app.run_due_jobs().await;
        let first = app.store.ticket(loopdesk_core::TicketId(ids[0])).await.unwrap();
        let wait_ms = (first.first_response_at.unwrap() - first.received_at).num_milliseconds();

        let start = t0().date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let (from, to) = (start.to_rfc3339(), (start + chrono::Duration::days(1)).to_rfc3339());
        let q = |name: &str, extra: &str| {
            format!("/api/v1/reports/{name}?from={}&to={}{extra}", urlencode(&from), urlencode(&to))
        };
        let summary = app.as_role("supervisor", Method::GET, &q("summary", ""), None).await;
        assert_eq!(summary.status, StatusCode::OK, "{}", summary.body);
        assert_eq!(summary.body["kind"], "summary");
        assert_eq!(figure(&summary.body, "volume"), json!(3.0));
        assert_eq!(figure(&summary.body, "resolved"), json!(1.0));
        assert_eq!(figure(&summary.body, "first_responses"), json!(1.0));
        assert_eq!(figure(&summary.body, "first_response_mean_ms"), json!(wait_ms as f64));
        assert_eq!(figure(&summary.body, "backlog"), json!(2.0), "two tickets still open");
        assert_eq!(figure(&summary.body, "intake_timeliness"), json!(1.0), "web forms are recorded at once");
        // Nothing happened the day before: the previous period is zero, the change is +3.
        let volume =
            summary.body["rows"].as_array().unwrap().iter().find(|r| r["measure"] == "volume").unwrap().clone();
        assert_eq!((volume["previous"].clone(), volume["change"].clone()), (json!(0.0), json!(3.0)));
        assert!(volume["year_ago"] == json!(0.0));

        // The trend's buckets add up to the summary.
        let trend = app.as_role("supervisor", Method::GET, &q("trend", "&grain=hour"), None).await;
        assert_eq!(trend.status, StatusCode::OK, "{}", trend.body);
        let buckets = trend.body["buckets"].as_array().unwrap();
        assert_eq!(buckets.len(), 24);
        let total: f64 = buckets.iter().filter_map(|b| b["values"][0].as_f64()).sum();
        assert_eq!(total, 3.0);

        // A breakdown by product and channel crossed, and a filter.
        let table = app.as_role("supervisor", Method::GET, &q("breakdown", "&dimension=product,channel"), None).await;
        assert_eq!(table.status, StatusCode::OK, "{}", table.body);
        assert_eq!(table.body["rows"][0]["keys"], json!(["扫地机器人", "web"]));
        assert_eq!(table.body["rows"][0]["values"][0], json!(3.0));
        let agents = app.as_role("supervisor", Method::GET, &q("agents", ""), None).await;
        let agent_key = agent.to_string();
        let assigned =
            agents.body["rows"].as_array().unwrap().iter().find(|r| r["keys"][0] == agent_key.as_str()).cloned();
        assert_eq!(assigned.expect("the agent's row")["values"][2], json!(1.0), "one resolved");
        let filtered = app.as_role("supervisor", Method::GET, &q("summary", &format!("&agent={agent}")), None).await;
        assert_eq!(figure(&filtered.body, "volume"), json!(1.0));

        // Errors name the parameter; agents may not read reports.
        let bad = app.as_role("supervisor", Method::GET, &q("breakdown", "&dimension=colour"), None).await;
        assert_eq!((bad.status, bad.body["field"].clone()), (StatusCode::BAD_REQUEST, json!("dimension")));
        let bad = app.as_role("supervisor", Method::GET, &q("trend", "&grain=fortnight"), None).await;
        assert_eq!((bad.status, bad.body["field"].clone()), (StatusCode::BAD_REQUEST, json!("grain")));
        let path = format!("/api/v1/reports/summary?from={}&to={}", urlencode(&to), urlencode(&from));
        let bad = app.as_role("supervisor", Method::GET, &path, None).await;
        assert_eq!((bad.status, bad.body["field"].clone()), (StatusCode::BAD_REQUEST, json!("to")));
        let missing = app.as_role("supervisor", Method::GET, "/api/v1/reports/everything", None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let agent_call = app.as_role("agent", Method::GET, &q("summary", ""), None).await;
        assert_eq!(agent_call.status, StatusCode::FORBIDDEN);

        // CSV: byte-order mark, header, one row per product × channel, Chinese intact.
        let (status, content_type, bytes) =
            download(&app, &q("breakdown", "&dimension=product,channel&format=csv")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let text = std::str::from_utf8(bytes.strip_prefix("\u{feff}".as_bytes()).expect("a BOM")).unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("product,channel,volume,"), "{}", lines[0]);
        assert!(lines[1].starts_with("扫地机器人,web,3,"), "{}", lines[1]);

        // Excel: a ZIP with the header frozen, an autofilter, the Chinese text and real numbers.
        let (status, content_type, bytes) = download(&app, &q("breakdown", "&dimension=product&format=xlsx")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(bytes.starts_with(b"PK\x03\x04"), "ZIP magic");
        let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("ySplit=\"1\""), "frozen header: {sheet}");
        assert!(sheet.contains("<autoFilter ref=\"A1:"), "autofilter: {sheet}");
        assert!(sheet.contains("<c r=\"B2\" s=\"") && sheet.contains("<v>3</v>"), "volume is a number: {sheet}");
        assert_eq!(sheet.matches("<row ").count(), 2, "header and one product");
        assert!(unzip(&bytes, "xl/sharedStrings.xml").contains("扫地机器人"));
        let (_, _, trend_xlsx) = download(&app, &q("trend", "&grain=day&format=xlsx")).await;
        assert!(unzip(&trend_xlsx, "xl/styles.xml").contains("yyyy-mm-dd hh:mm"), "dates are dates");

        console_page(&app, agent).await;
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

async fn page(app: &TestApp, role: &str, path: &str, lang: &str) -> (StatusCode, String) {
    let resp = app
        .http
        .get(format!("{}{path}", app.base))
        .header("cookie", app.cookies[role].clone())
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// The console's reports page in both languages: figures, charts readable without
/// JavaScript, a drill-down into the queue that lists the tickets counted, downloads.
async fn console_page(app: &TestApp, agent: i64) {
    let day = t0().format("%Y-%m-%d").to_string();
    let path = format!("/console/reports?from={day}&to={day}&grain=hour&dimension=agent");
    let (status, zh) = page(app, "supervisor", &path, "zh-CN").await;
    assert_eq!(status, StatusCode::OK, "{zh}");
    assert!(zh.contains("统计报表") && zh.contains("反馈量") && zh.contains("按时完成率"), "{zh}");
    let volume = zh.split("id=\"sum-volume\"").nth(1).expect("volume line");
    assert!(volume.contains("<td class=\"v\">3</td>"), "{volume}");
    assert!(
        zh.contains("<title id=\"trend-volume-title\">") && zh.contains("<desc id=\"trend-volume-desc\">"),
        "charts say what they show"
    );
    assert!(zh.contains("<details><summary>数据表</summary>"), "numbers as a table");
    // Every chart is an image named by its title and description.
    for id in ["trend-satisfaction", "chart-on-time", "chart-category-channel", "chart-heatmap"] {
        assert!(zh.contains(&format!("role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"")), "{id}: {zh}");
    }
    assert!(zh.contains("按类型和渠道的数量") && zh.contains("按星期和小时的数量") && zh.contains("周一"), "{zh}");
    // The heatmap's table counts the day's three tickets.
    let heat = zh.split("<desc id=\"chart-heatmap-desc\">").nth(1).expect("heatmap");
    assert!(heat.contains("(3)") || heat.contains("(2)") || heat.contains("(1)"), "the busiest hour: {heat}");
    for id in ["download-summary-csv", "download-trend-xlsx", "download-breakdown-xlsx"] {
        assert!(zh.contains(&format!("id=\"{id}\"")), "{id}");
    }
    // The dashboard of the same day shows the same figures, formatted alike.
    let (_, dash) = page(app, "supervisor", "/console/dashboard?period=today", "zh-CN").await;
    let cell = |html: &str, marker: &str| -> String {
        let after = html.split(marker).nth(1).unwrap_or_else(|| panic!("{marker} in {html}"));
        after.split('<').next().unwrap_or_default().trim_start_matches('>').to_string()
    };
    for (kpi, line) in [
        ("kpi-volume", "sum-volume"),
        ("kpi-first-response", "sum-first_response_mean_ms"),
        ("kpi-follow-up", "sum-follow_up_rate"),
        ("kpi-intake", "sum-intake_timeliness"),
    ] {
        let on_dashboard = cell(&dash, &format!("id=\"{kpi}\""));
        let in_report = cell(zh.split(&format!("id=\"{line}\"")).nth(1).unwrap(), "<td class=\"v\"");
        assert_eq!(on_dashboard, in_report, "{kpi}");
    }
    assert!(dash.contains("id=\"dash-download-xlsx\""), "the dashboard downloads its summary");

    // A value the form never offers is refused, not replaced by the default.
    let (status, bad) =
        page(app, "supervisor", &format!("/console/reports?from={day}&to={day}&grain=fortnight"), "en").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("grain"), "the page names the field: {bad}");

    let (_, en) = page(app, "supervisor", &path, "en").await;
    assert!(en.contains("Reports") && en.contains("Volume") && en.contains("A year earlier"), "{en}");
    assert!(en.contains("Volume by category and channel") && en.contains("Volume by weekday and hour"), "{en}");
    assert!(en.contains(">Mon</text>"), "weekday names in English: {en}");

    // The agent's row links to the queue with the same period and assignee: one ticket.
    let marker = format!("assignee={agent}");
    let href = zh
        .split("href=\"")
        .filter_map(|x| x.split('"').next())
        .find(|h| h.starts_with("/console?") && h.contains(&marker))
        .unwrap_or_else(|| panic!("a drill-down link in {zh}"))
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let (status, queue) = page(app, "supervisor", &href, "zh-CN").await;
    assert_eq!(status, StatusCode::OK, "{href}: {queue}");
    assert_eq!(queue.matches("href=\"/console/tickets/").count(), 1, "{href}: {queue}");

    let (status, _) = page(app, "agent", &path, "zh-CN").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Self-service tracking use (issue 16 §4): each answered look-up by tracking number, on
/// the API or the portal's status page, counts once in the channels report under the
/// ticket's channel; a wrong contact counts nothing. The same count in JSON, CSV, Excel
/// and on the console's reports page.
#[tokio::test]
async fn tracking_lookups_count_per_channel_in_the_channels_report() {
    each_backend(|app| async move {
        let looked_up = app.submit(feedback("洗衣机漏水", "13800138000")).await;
        app.submit(feedback("付款后订单没有更新", "13900139000")).await;
        let tracking = looked_up["tracking_no"].as_str().expect("a tracking number").to_string();
        let track = |q: &str| format!("/api/v1/track/{tracking}?{q}");
        for q in ["phone=138-0013-8000", "email=zhang.wei@example.com"] {
            let a = app.raw(Method::GET, &track(q), None, None).await;
            assert_eq!(a.status, StatusCode::OK, "{q}: {}", a.body);
        }
        let wrong = app.raw(Method::GET, &track("phone=13700000000"), None, None).await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        // The portal's status page counts too.
        let form: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("tracking_no", tracking.as_str()), ("contact", "13800138000")])
            .finish();
        let portal = app
            .http
            .post(format!("{}/track", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(portal.status(), StatusCode::OK);

        let start = t0().date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let (from, to) = (start.to_rfc3339(), (start + chrono::Duration::days(1)).to_rfc3339());
        let q = format!("/api/v1/reports/channels?from={}&to={}", urlencode(&from), urlencode(&to));
        let report = app.as_role("supervisor", Method::GET, &q, None).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        let measures = report.body["measures"].as_array().expect("measures");
        let at = measures.iter().position(|m| m == "tracking_lookups").expect("the tracking use column");
        assert_eq!(report.body["rows"][0]["keys"], json!(["web"]));
        assert_eq!(report.body["rows"][0]["values"][0], json!(2.0), "two tickets by web");
        assert_eq!(report.body["rows"][0]["values"][at], json!(3.0), "three look-ups, the wrong contact not counted");
        assert_eq!(report.body["total"][at], json!(3.0));
        let summary = app.as_role("supervisor", Method::GET, &q.replace("/channels?", "/summary?"), None).await;
        assert_eq!(figure(&summary.body, "tracking_lookups"), json!(3.0), "one definition for every report");

        let (status, _, bytes) = download(&app, &format!("{q}&format=csv")).await;
        assert_eq!(status, StatusCode::OK);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines[0].ends_with(",tracking_lookups"), "{}", lines[0]);
        assert!(lines[1].starts_with("web,2,") && lines[1].ends_with(",3"), "{}", lines[1]);
        let (status, _, bytes) = download(&app, &format!("{q}&format=xlsx")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(unzip(&bytes, "xl/sharedStrings.xml").contains("tracking_lookups"));
        let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<v>3</v>"), "the count is a number: {sheet}");

        let day = t0().format("%Y-%m-%d").to_string();
        let (status, en) = page(&app, "supervisor", &format!("/console/reports?from={day}&to={day}"), "en").await;
        assert_eq!(status, StatusCode::OK, "{en}");
        let table = en.split("id=\"channels\"").nth(1).expect("the channel effectiveness table");
        let table = table.split("</table>").next().unwrap_or_default();
        assert!(table.contains("Status look-ups"), "{table}");
        let row = table.split("<tr>").find(|r| r.contains("<td>Web form</td>")).expect("the web row");
        let last = row.rsplit("<td>").next().unwrap_or_default();
        assert!(last.contains("\">3</a>"), "the last column counts three look-ups: {row}");
        assert!(en.contains("id=\"download-channels-xlsx\""), "the channels report downloads");
    })
    .await;
}
