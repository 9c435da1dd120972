//! The report rollups on SQLite and (with LOOPDESK_TEST_POSTGRES_URL) PostgreSQL: what the
//! store sums and filters equals the core's computation over the tickets as they are now,
//! after changes that move tickets between rows and after a rebuild.

use chrono::Duration;
use loopdesk_core::event::{decide, Command};
use loopdesk_core::report::fact::hour_of;
use loopdesk_core::report::{self, Dimension, Filter, Measure, Rows};
use loopdesk_core::sla::TargetKind;
use loopdesk_core::ticket::{OutcomeKind, Rating};
use loopdesk_core::{
    Actor, Channel, Customer, CustomerTier, DepartmentId, Outcome, Priority, Satisfaction, Ticket, UserId,
};
use loopdesk_store::{Buckets, IntakeRequest, Store};

mod report_common;
use report_common::{check_between, t0, ResultHook};

/// Sixteen tickets worked to different ends, and six status look-ups with what each contributes.
async fn seed(store: &Store) -> (Vec<Ticket>, Vec<report::Fact>) {
    let solved = Outcome {
        kind: OutcomeKind::Solved,
        summary: "已更换".into(),
        unresolved: None,
        reason: None,
        alternative: None,
    };
    let agent = Actor::User { id: UserId(7), name: "agent".into() };
    let mut ids = Vec::new();
    for i in 0..16i64 {
        let tier = CustomerTier::ALL[i as usize % 3];
        let customer = Customer { name: Some("陈晨".into()), tier, ..Customer::default() };
        let recorded = t0() + Duration::minutes(i * 50);
        let channel = [Channel::Web, Channel::Email, Channel::Phone, Channel::Wechat][i as usize % 4];
        let mut t =
            Ticket::draft(channel, format!("反馈 {i}"), customer, recorded - Duration::minutes(i * 4), recorded);
        t.priority = Priority::ALL[i as usize % 4];
        t.product.product = Some(["洗衣机", "X1"][i as usize % 2].into());
        ids.push(store.intake(IntakeRequest::new(t, Actor::Customer)).await.unwrap().ticket.id);
    }
    for (n, id) in ids.iter().enumerate() {
        let mut steps = vec![
            Command::Assign {
                department_id: Some(DepartmentId(1 + n as i64 % 2)),
                assignee_id: Some(UserId(7 + n as i64 % 3)),
                reason: None,
            },
            Command::Acknowledge,
            Command::Recategorize {
                category: Some(["payment", "logistics"][n % 2].into()),
                subtags: vec!["外观".into()],
            },
        ];
        if n % 2 == 0 {
            steps.push(Command::Reply { body: "已收到".into(), files: Vec::new() });
        }
        if n % 4 != 3 {
            steps.push(Command::Resolve { outcome: solved.clone() });
            steps.push(Command::SendSurvey { expires_at: t0() + Duration::days(20) });
            let rating = [Rating::Satisfied, Rating::Neutral, Rating::Unsatisfied][n % 3];
            let answered_at = t0() + Duration::hours(40 + n as i64);
            let satisfaction = Satisfaction { rating, score: Some(1 + n as u8 % 5), comment: None, answered_at };
            steps.push(Command::AnswerSurvey { satisfaction });
        }
        for (i, cmd) in steps.into_iter().enumerate() {
            let at = t0() + Duration::hours(n as i64 * 3 + i as i64);
            store.change(*id, |t| Ok(vec![decide(t, cmd.clone(), agent.clone(), at)?])).await.unwrap();
        }
    }
    let tickets = store.tickets_by_id(&ids).await.unwrap();
    // Customers look five tickets up by tracking number, the first one twice.
    let mut lookups = Vec::new();
    for (n, t) in tickets.iter().take(5).chain(tickets.first()).enumerate() {
        let at = t0() + Duration::hours(7 + 11 * n as i64);
        store.record_tracking_lookup(t, at).await.unwrap();
        let (hour, key, counts) = report::fact::lookup(t, at);
        lookups.push(report::Fact { hour, key, counts });
    }
    (tickets, lookups)
}

async fn check(store: &Store, tickets: &[Ticket], lookups: &[report::Fact]) {
    // A period early in the history reads its opening backlog as the hours before it
    // summed; a late one as the all-time backlog less its own hours and those after it:
    // both must give the core's figures.
    for (a, b) in [(2, 20), (2, 60), (40, 60)] {
        check_between(store, tickets, lookups, hour_of(t0()) + a, hour_of(t0()) + b).await;
    }
}

/// Every figure of `rows` across priorities, for each SLA target.
fn figures_of(rows: &Rows) -> Vec<Option<f64>> {
    let f = report::figures(rows);
    let targets = TargetKind::ALL.iter().map(|t| Some(*t)).chain([None]);
    targets.flat_map(|t| Measure::ALL.iter().map(move |m| (*m, t))).map(|(m, t)| f.value(m, None, t)).collect()
}

/// Reads through the day rollups (whole days) give what the hour rollups alone give: the
/// same figures for any filter and the same trend by day and week, SLA results included.
async fn days_equal_hours(store: &Store, zone: chrono_tz::Tz) {
    let spans = [(-19, 9 * 24 + 3), (2, 60), (-24 * 3, 24 * 12), (5, 9)];
    for (a, b) in spans {
        let (from, to) = (t0() + Duration::hours(a), t0() + Duration::hours(b));
        for filter in [Filter::default(), Filter { department: Some(DepartmentId(2)), ..Filter::default() }] {
            let hours = store.report_rows(from, to, &filter, &[], Buckets::Hours).await.unwrap();
            for buckets in [Buckets::Days(zone), Buckets::Period] {
                let days = store.report_rows(from, to, &filter, &[], buckets).await.unwrap();
                assert_eq!(figures_of(&days), figures_of(&hours), "{a}..{b} {filter:?} {buckets:?}");
            }
            let days = store.report_rows(from, to, &filter, &[], Buckets::Days(zone)).await.unwrap();
            let period = report::Period::new(from, to).unwrap();
            let previous = report::Rows::default();
            for grain in [report::Grain::Day, report::Grain::Week] {
                let bounds = period.boundaries(grain, zone).unwrap();
                assert_eq!(
                    report::trend(&days, &bounds, &previous, &bounds),
                    report::trend(&hours, &bounds, &previous, &bounds),
                    "{a}..{b} {grain}"
                );
            }
            let by_dept =
                store.report_rows(from, to, &filter, &[Dimension::Department], Buckets::Period).await.unwrap();
            let dims = [Dimension::Department];
            let hours_by_dept = store.report_rows(from, to, &filter, &dims, Buckets::Hours).await.unwrap();
            let measures = Measure::ALL.to_vec();
            assert_eq!(
                report::breakdown(&by_dept, &dims, &measures),
                report::breakdown(&hours_by_dept, &dims, &measures)
            );
        }
    }
}

#[tokio::test]
async fn day_rollups_give_what_the_hour_rollups_give_in_any_zone() {
    loopdesk_store::testing::each_backend_with(std::sync::Arc::new(ResultHook), |store, _| async move {
        assert_eq!(store.report_zone(), loopdesk_store::DEFAULT_DAY_ZONE);
        let (tickets, _) = seed(&store).await;
        days_equal_hours(&store, chrono_tz::Asia::Shanghai).await;
        // Another zone: the days are cut again from the hour rows, and kept as tickets change.
        store.use_report_zone(chrono_tz::America::New_York).await.unwrap();
        days_equal_hours(&store, chrono_tz::America::New_York).await;
        let agent = Actor::User { id: UserId(7), name: "agent".into() };
        let at = t0() + Duration::hours(70);
        let outcome = Outcome {
            kind: OutcomeKind::Solved,
            summary: "已退款".into(),
            unresolved: None,
            reason: None,
            alternative: None,
        };
        let cmd = Command::Resolve { outcome };
        let resolved = store.change(tickets[15].id, |t| Ok(vec![decide(t, cmd.clone(), agent.clone(), at)?])).await;
        assert!(resolved.is_ok(), "{resolved:?}");
        days_equal_hours(&store, chrono_tz::America::New_York).await;
        // Days of another zone than the rollups' are read from the hours, right all the same.
        days_equal_hours(&store, chrono_tz::Asia::Shanghai).await;
        store.rebuild_dashboard().await.unwrap();
        days_equal_hours(&store, chrono_tz::America::New_York).await;
    })
    .await;
}

#[tokio::test]
async fn report_rollups_equal_the_core_over_the_tickets_after_changes_and_rebuild() {
    loopdesk_store::testing::each_backend_with(std::sync::Arc::new(ResultHook), |store, _| async move {
        let (tickets, lookups) = seed(&store).await;
        let all = store
            .report_rows(t0() - Duration::days(1), t0() + Duration::days(9), &Filter::default(), &[], Buckets::Period)
            .await
            .unwrap();
        let f = report::figures(&all);
        assert_eq!(f.value(Measure::Volume, None, None), Some(16.0));
        assert_eq!(f.value(Measure::TrackingLookups, None, None), Some(6.0));
        assert!(f.value(Measure::Resolved, None, None).unwrap() >= 12.0);
        check(&store, &tickets, &lookups).await;

        // One definition: the dashboard's on-time rate per priority is the report's.
        let dash = store.dashboard(t0() - Duration::days(1), t0() + Duration::days(9)).await.unwrap();
        for p in &dash.per_priority {
            assert_eq!(p.on_time_rate(), f.value(Measure::OnTimeRate, p.priority, None), "{:?}", p.priority);
        }
        assert_eq!(Some(dash.total as f64), f.value(Measure::Volume, None, None));
        assert_eq!(f.value(Measure::OnTimeRate, Some(Priority::Urgent), None), Some(0.0));

        store.rebuild_dashboard().await.unwrap();
        check(&store, &tickets, &lookups).await;
        let rebuilt = store
            .report_rows(t0() - Duration::days(1), t0() + Duration::days(9), &Filter::default(), &[], Buckets::Period)
            .await
            .unwrap();
        assert_eq!(report::figures(&rebuilt), f, "a rebuild gives the same figures");
    })
    .await;
}
