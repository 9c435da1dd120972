//! Spikes on every backend: eight weeks of seasonal background reports of one category,
//! recorded through the store's intake, raise nothing when the sweep judges every window of
//! the last week; a replayed burst on top is found within one window, recorded once however
//! often its windows are judged, alerts staff once, and is listed at `GET /api/v1/spikes`.

use crate::common::{each_backend, t0, TestApp};
use chrono::Duration;
use loopdesk_app::spikes::sweep::sweep;
use loopdesk_core::report::fact::{hour_of, hour_start};
use loopdesk_core::report::seasonal::{background, WEEK};
use loopdesk_core::report::spike_rules::SpikeRules;
use loopdesk_core::{Actor, Channel, Customer, Ticket};
use loopdesk_store::{IntakeRequest, JobState};
use reqwest::{Method, StatusCode};

/// Records `per_hour[i]` payment reports in hour `start + i`, many intakes at once.
async fn record(app: &TestApp, start: i64, per_hour: &[i64]) {
    let mut set = tokio::task::JoinSet::new();
    for (i, n) in per_hour.iter().enumerate() {
        for k in 0..*n {
            let at = hour_start(start + i as i64) + Duration::minutes(1 + k * 50 / n.max(&1));
            let mut t = Ticket::draft(Channel::Web, "付款失败，扣款了但订单未支付".into(), Customer::default(), at, at);
            t.category = Some("payment".into());
            let store = app.store.clone();
            set.spawn(async move { store.intake(IntakeRequest::new(t, Actor::Customer)).await.map(|_| ()) });
            if set.len() >= 64 {
                set.join_next().await.expect("a task").expect("joined").expect("intake");
            }
        }
    }
    while let Some(r) = set.join_next().await {
        r.expect("joined").expect("intake");
    }
}

#[tokio::test]
async fn a_burst_on_eight_weeks_of_seasonal_background_is_found_within_one_window_and_alerted_once() {
    each_backend(|app| async move {
        let rules = SpikeRules::default();
        // Nine weeks ending two days before the clock, starting on a week boundary of the data.
        let start = hour_of(t0()) - 9 * WEEK - 48;
        let quiet = background(7);
        record(&app, start, &quiet).await;
        // The background alone: every window of the last week judged, nothing raised.
        for end in start + 8 * WEEK + 1..=start + 9 * WEEK {
            let raised = sweep(&app.state, &rules, end).await.expect("sweep");
            assert!(raised.is_empty(), "background raised {raised:?} at hour {}", end - start);
        }
        assert!(app.store.spikes(hour_start(start), t0() + Duration::days(1), 100).await.unwrap().is_empty());

        // Replayed: 24 extra reports over three hours of a Wednesday morning of the last week.
        let burst_at = start + 8 * WEEK + 2 * 24 + 10;
        record(&app, burst_at, &[8, 8, 8]).await;
        let mut found = Vec::new();
        for end in burst_at + 1..=burst_at + rules.window_hours as i64 {
            found.extend(sweep(&app.state, &rules, end).await.expect("sweep"));
        }
        assert_eq!(found.len(), 1, "one spike for one burst: {found:?}");
        let spike = &found[0];
        assert_eq!(
            (spike.dimension.as_str(), spike.value.as_str(), spike.reason.as_str()),
            ("category", "payment", "unusual")
        );
        assert!(spike.observed >= 16 && spike.baseline < spike.observed as f64, "{spike:?}");
        assert!(spike.window_end <= hour_start(burst_at + rules.window_hours as i64), "found within one window");
        assert_eq!(spike.sample_ticket_ids.len(), 5);

        // Judged again (a re-run, another node): nothing recorded twice, one alert owed.
        for end in burst_at..=burst_at + 2 * rules.window_hours as i64 {
            assert!(sweep(&app.state, &rules, end).await.unwrap().is_empty());
        }
        let alerts: Vec<_> = app
            .store
            .jobs_of_kind("notify.staff", JobState::Pending, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.key.as_deref().is_some_and(|k| k.starts_with("spike:")))
            .collect();
        assert_eq!(alerts.len(), 1, "one alert: {alerts:?}");
        assert_eq!(alerts[0].payload["alert"], "spike");

        // Listed for supervisors, refused to agents.
        let from = (hour_start(start)).to_rfc3339().replace('+', "%2B");
        let listed = app.as_role("supervisor", Method::GET, &format!("/api/v1/spikes?from={from}"), None).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let list = listed.body.as_array().expect("a list");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["value"], "payment");
        assert_eq!(list[0]["sample_ticket_ids"].as_array().map(Vec::len), Some(5));
        let refused = app.as_role("agent", Method::GET, "/api/v1/spikes", None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(refused.body["code"].is_string() && refused.body["message"].is_string());
        let bad = app.as_role("supervisor", Method::GET, "/api/v1/spikes?since=1", None).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    })
    .await;
}
