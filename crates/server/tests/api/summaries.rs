//! Scheduled summaries through the real mail system (Postfix + Dovecot from
//! scripts/setup-mail.sh): an admin schedules a monthly summary for the first working day
//! at 09:00; at that minute on the manual clock it arrives in the mailbox once, in
//! Chinese, with the month's figures and a workbook that opens; running the sending again
//! (a retry, a second node) adds nothing. Both backends. Skips with a message when
//! LOOPDESK_TEST_MAIL is unset.

use crate::common::{feedback, TestApp};
use crate::mailbox;
use chrono::TimeZone;
use loopdesk_app::outbound::outbox;
use loopdesk_app::summaries::SendSummary;
use loopdesk_app::Config;
use loopdesk_store::testing::TestDatabase;
use mail_parser::{MessageParser, MimeHeaders};
use reqwest::Method;
use serde_json::json;
use std::io::Read;
use std::time::Duration;

fn shanghai(y: i32, m: u32, d: u32, h: u32) -> loopdesk_core::Timestamp {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().with_timezone(&chrono::Utc)
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    let mut out = String::new();
    archive.by_name(name).expect(name).read_to_string(&mut out).unwrap();
    out
}

async fn settle_outbox(app: &TestApp) {
    for _ in 0..20 {
        outbox::drain(&app.state).await.unwrap();
    }
}

#[tokio::test]
async fn a_monthly_summary_arrives_once_on_the_first_working_day_with_its_workbook() {
    let Some((smtp_port, imap_port)) = mailbox::ports("a_monthly_summary_arrives_once") else {
        return;
    };
    for backend in TestDatabase::backends() {
        let manager = mailbox::unique("manager");
        let mut config = Config::default();
        config.channels.smtp = Some(mailbox::smtp(smtp_port, &mailbox::unique("support")));
        let app = TestApp::start(backend, config).await;
        for (text, phone) in
            [("洗衣机漏水", "13800138000"), ("冰箱不制冷", "13900139000"), ("App 登录失败", "13700137000")]
        {
            app.submit(feedback(text, phone)).await;
        }

        // A schedule the form cannot mean is refused, naming the field.
        let bad = json!({"summaries": [{"name": "monthly", "every": "month", "at": "25:00"}]});
        let r = app
            .as_role(
                "admin",
                Method::PUT,
                "/api/v1/admin/report-schedules",
                Some(json!({"expected_version": 0, "body": bad})),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["field"], "body.summaries.at", "{}", r.body);

        let to = format!("{manager}@{}", mailbox::DOMAIN);
        let schedule = json!({"summaries": [{"name": "monthly", "every": "month", "working_day": 1, "at": "09:00",
            "language": "zh-CN", "emails": [to], "robots": false}]});
        let r = app
            .as_role(
                "admin",
                Method::PUT,
                "/api/v1/admin/report-schedules",
                Some(json!({"expected_version": 0, "body": schedule})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);

        // 1 December 2026 is a Tuesday and a working day: the November summary goes at 09:00.
        let due = shanghai(2026, 12, 1, 9);
        app.clock.set(due - chrono::Duration::minutes(1));
        app.run_due_jobs().await;
        settle_outbox(&app).await;
        assert!(mailbox::fetch_all(imap_port, &manager).await.is_empty(), "nothing before its minute");

        app.clock.set(due);
        app.run_due_jobs().await;
        settle_outbox(&app).await;
        let mails = mailbox::wait_for(imap_port, &manager, 1, Duration::from_secs(20)).await;
        assert_eq!(mails.len(), 1, "the summary arrives");

        // Sent again — a retried job, another node — it adds no second message.
        let november =
            SendSummary { schedule: "monthly".into(), from: shanghai(2026, 11, 1, 0), to: shanghai(2026, 12, 1, 0) };
        loopdesk_app::jobs::enqueue_now(&app.state, &november).await.unwrap();
        app.run_due_jobs().await;
        settle_outbox(&app).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(mailbox::fetch_all(imap_port, &manager).await.len(), 1, "sent exactly once");

        let msg = MessageParser::default().parse(&mails[0]).expect("a message");
        assert_eq!(msg.subject(), Some("客户反馈月报 2026年11月"));
        let text = msg.body_text(0).unwrap_or_default();
        assert!(text.contains("反馈量: 3"), "{text}");
        let workbook = msg
            .attachments()
            .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".xlsx")))
            .expect("the workbook is attached");
        let bytes = workbook.contents();
        assert!(unzip(bytes, "xl/workbook.xml").contains("summary"), "a workbook with the summary sheet");
        let strings = unzip(bytes, "xl/sharedStrings.xml");
        assert!(strings.contains("volume") && strings.contains("on_time_rate"), "{strings}");
    }
}
