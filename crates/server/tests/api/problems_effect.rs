//! The effect of a fix and recurrence after "verified" (issue 17) over HTTP on every
//! backend, with the manual clock: reports of one cluster arrive over two weeks, the
//! problem made from the cluster is fixed, fewer arrive in the two weeks after, and the
//! effect gives those weeks and −70 %; once verified, reports that keep coming reopen it
//! once, with one staff alert.

use crate::common::{t0, TestApp};
use chrono::Duration;
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use loopdesk_store::JobState;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const REPORT: &str = "扫地机器人X20升级固件2.3后一直连不上WiFi，App里显示设备离线";

/// `n` reports from new customers at the clock's now; returns their clusters.
async fn reports(app: &TestApp, n: usize, next: &mut usize) -> Vec<i64> {
    let mut clusters = Vec::new();
    for _ in 0..n {
        *next += 1;
        let t = app.submit(json!({"content": REPORT, "customer": {"phone": format!("1370000{:04}", *next)}})).await;
        clusters.push(t["cluster_id"].as_i64().unwrap());
    }
    app.run_due_jobs().await;
    clusters
}

async fn recurred_alerts(app: &TestApp) -> usize {
    let mut n = 0;
    for state in [JobState::Pending, JobState::Done, JobState::Failed] {
        let jobs = app.store.jobs_of_kind("notify.staff", state, 1000).await.unwrap();
        n += jobs.iter().filter(|j| j.key.as_deref().is_some_and(|k| k.starts_with("problem.recurred:"))).count();
    }
    n
}

fn kinds(p: &Value) -> Vec<String> {
    p["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_fix_is_measured_week_by_week_and_a_verified_problem_that_recurs_reopens_once() {
    for backend in TestDatabase::backends() {
        let mut config = Config::default();
        config.limits.feedback_per_minute = 1000;
        config.session_hours = 24 * 90;
        let app = TestApp::start(backend, config).await;
        let mut next = 0;
        // The fix lands two weeks after t0 (Monday 09:30 Shanghai): 4 reports in the first
        // week before it, 6 in the second.
        let fix = t0() + Duration::days(14);
        app.clock.set(t0() + Duration::hours(1));
        let mut clusters = reports(&app, 4, &mut next).await;
        app.clock.set(t0() + Duration::days(8));
        clusters.extend(reports(&app, 6, &mut next).await);
        assert!(clusters.iter().all(|c| *c == clusters[0]), "{backend:?}: one cluster {clusters:?}");

        app.clock.set(fix - Duration::days(1));
        let body = json!({"title": "X20 WiFi 断连", "description": "固件 2.3", "cluster_id": clusters[0]});
        let created = app.as_role("supervisor", Method::POST, "/api/v1/problems", Some(body)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let pid = created.body["id"].as_i64().unwrap();
        let effect = format!("/api/v1/problems/{pid}/effect");
        let r = app.as_role("agent", Method::GET, &effect, None).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (StatusCode::CONFLICT, Some("problem_not_fixed")),
            "{}",
            r.body
        );
        let tr = format!("/api/v1/problems/{pid}/transition");
        for state in ["cause_known", "fix_in_progress"] {
            let r = app.as_role("supervisor", Method::POST, &tr, Some(json!({"state": state, "reason": "x"}))).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        app.clock.set(fix);
        let r = app.as_role("supervisor", Method::POST, &tr, Some(json!({"state": "fixed", "reason": "2.3.1"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        // After: 2 in the first week, 1 in the second; one more in the week still running.
        app.clock.set(fix + Duration::days(2));
        reports(&app, 2, &mut next).await;
        app.clock.set(fix + Duration::days(9));
        reports(&app, 1, &mut next).await;
        app.clock.set(fix + Duration::days(14));
        reports(&app, 1, &mut next).await;
        let verified = fix + Duration::days(14) + Duration::hours(1);
        app.clock.set(verified);
        let e = app.as_role("agent", Method::GET, &effect, None).await;
        assert_eq!(e.status, StatusCode::OK, "{}", e.body);
        let counts: Vec<i64> =
            e.body["counts"].as_array().unwrap().iter().map(|w| w["count"].as_i64().unwrap()).collect();
        let weeks: Vec<i64> =
            e.body["counts"].as_array().unwrap().iter().map(|w| w["week"].as_i64().unwrap()).collect();
        assert_eq!((counts, weeks), (vec![4, 6, 2, 1], vec![-2, -1, 0, 1]), "{backend:?}: {}", e.body);
        assert_eq!((e.body["weeks"].as_i64(), e.body["matching"].as_str()), (Some(2), Some("cluster")));
        assert_eq!((e.body["mean_before"].as_f64(), e.body["mean_after"].as_f64()), (Some(5.0), Some(1.5)));
        let pct = e.body["change_pct"].as_f64().unwrap();
        assert!((pct + 70.0).abs() < 1e-9, "{pct}");
        assert_eq!(e.body["fixed_at"], "2026-11-16T01:30:00Z");

        // The console's problem page draws the weeks and lists them in a table.
        let page = app.as_role("agent", Method::GET, &format!("/console/problems/{pid}"), None).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.body.as_str().unwrap_or_default();
        assert!(html.contains("<svg") && html.contains("role=\"img\""), "{html}");
        assert!(html.contains("-70.0%"), "{html}");
        // Only this table: the page's shortcuts help has rows too.
        let table =
            html.split("id=\"problem-weeks\"").nth(1).unwrap_or_default().split("</table>").next().unwrap_or_default();
        let cells: Vec<&str> = table.split("<tr><td>").skip(1).map(|r| r.rsplit("<td>").next().unwrap_or("")).collect();
        let counts: Vec<&str> = cells.iter().map(|c| c.split('<').next().unwrap_or("")).collect();
        assert_eq!(counts, ["4", "6", "2", "1"], "{table}");

        // Verified, with its own rule: 3 reports within 5 days.
        let edit = format!("/api/v1/problems/{pid}");
        let r = app
            .as_role("supervisor", Method::POST, &edit, Some(json!({"recurrence": {"tickets": 3, "days": 0}})))
            .await;
        assert_eq!(r.body["field"], "recurrence.days", "{}", r.body);
        let r = app
            .as_role("supervisor", Method::POST, &edit, Some(json!({"recurrence": {"tickets": 3, "days": 5}})))
            .await;
        assert_eq!(r.body["recurrence"]["days"], 5, "{}", r.body);
        let r = app
            .as_role("supervisor", Method::POST, &tr, Some(json!({"state": "verified", "reason": "两周无新增"})))
            .await;
        assert_eq!(r.body["state"], "verified", "{}", r.body);

        // Two within the window: not yet. Then a third: back to investigating, once.
        app.clock.set(verified + Duration::days(1));
        reports(&app, 2, &mut next).await;
        app.clock.set(verified + Duration::days(1) + Duration::hours(2));
        app.run_due_jobs().await;
        let p = app.get(&edit).await.body;
        assert_eq!(p["state"], "verified", "{backend:?}: {:?}", kinds(&p));
        assert_eq!(recurred_alerts(&app).await, 0);
        app.clock.set(verified + Duration::days(3));
        reports(&app, 1, &mut next).await;
        app.clock.set(verified + Duration::days(3) + Duration::hours(1));
        app.run_due_jobs().await;
        let p = app.get(&edit).await.body;
        assert_eq!(p["state"], "investigating", "{backend:?}: {:?}", kinds(&p));
        let recurred: Vec<&Value> =
            p["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "recurred").collect();
        assert_eq!(recurred.len(), 1);
        assert_eq!(recurred[0]["data"]["count"], 3, "{}", recurred[0]);
        assert!(recurred[0]["actor_id"].is_null());
        assert_eq!(recurred_alerts(&app).await, 1);
        // More reports: no second reopening, no second alert.
        app.clock.set(verified + Duration::days(4));
        reports(&app, 2, &mut next).await;
        app.clock.set(verified + Duration::days(5));
        app.run_due_jobs().await;
        let p = app.get(&edit).await.body;
        assert_eq!(kinds(&p).iter().filter(|k| *k == "recurred").count(), 1, "{backend:?}");
        assert_eq!(recurred_alerts(&app).await, 1);
    }
}
