//! Delivery status notifications as Postfix writes them: `postfix-delivered.eml` and
//! `postfix-failed.eml` were captured from the test mail system (scripts/setup-mail.sh:
//! a delivery to Dovecot, and a `nosuch…` mailbox), `postfix-delayed.eml` follows
//! Postfix's delay warning (bounce(8) templates) for a remote server that does not answer.

use chrono::{TimeZone, Utc};
use loopdesk_channels::email::{parse_delivery_report, parse_email, Automated, DsnAction, EmailPolicy};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/dsn/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_success_report_says_delivered_with_the_envelope_id_and_arrival() {
    let r = parse_delivery_report(&fixture("postfix-delivered.eml")).expect("a DSN");
    assert_eq!(r.envelope_id.as_deref(), Some("46"));
    assert_eq!(r.arrival, Utc.with_ymd_and_hms(2026, 12, 7, 17, 15, 14).single());
    let rcpt = r.decisive().expect("a recipient");
    assert_eq!(rcpt.action, DsnAction::Delivered);
    assert_eq!(rcpt.status.as_deref(), Some("2.0.0"));
    assert_eq!(rcpt.recipient.as_deref(), Some("dsnprobe-cust@loopdesk.test"));
    let diag = rcpt.diagnostic.as_deref().unwrap_or_default();
    assert!(diag.starts_with("250 2.0.0 <dsnprobe-cust@loopdesk.test> ") && diag.ends_with(" Saved"), "{diag}");
}

#[test]
fn a_bounce_says_failed_with_the_status_and_reason() {
    let r = parse_delivery_report(&fixture("postfix-failed.eml")).expect("a DSN");
    assert_eq!(r.envelope_id.as_deref(), Some("45"));
    let rcpt = r.decisive().expect("a recipient");
    assert_eq!(rcpt.action, DsnAction::Failed);
    assert_eq!(rcpt.status.as_deref(), Some("5.1.1"));
    assert_eq!(rcpt.diagnostic.as_deref(), Some("mailbox unavailable: no such user here"));
    assert_eq!(rcpt.recipient.as_deref(), Some("nosuch-42@loopdesk.test"));
}

#[test]
fn a_delay_warning_says_delayed_with_the_last_attempt() {
    let r = parse_delivery_report(&fixture("postfix-delayed.eml")).expect("a DSN");
    assert_eq!(r.envelope_id.as_deref(), Some("d9.0a1b2c3d4e5f"));
    let rcpt = r.decisive().expect("a recipient");
    assert_eq!(rcpt.action, DsnAction::Delayed);
    assert_eq!(rcpt.status.as_deref(), Some("4.4.1"));
    assert_eq!(rcpt.last_attempt, Utc.with_ymd_and_hms(2026, 12, 7, 21, 15, 0).single());
    assert_eq!(
        rcpt.diagnostic.as_deref(),
        Some("connect to mx.example.org[203.0.113.9]:25: Connection timed out"),
        "the folded line is joined"
    );
}

#[test]
fn reports_are_still_recognised_as_bounces_and_other_mail_is_not_a_report() {
    for name in ["postfix-delivered.eml", "postfix-failed.eml", "postfix-delayed.eml"] {
        let mail = parse_email(&fixture(name), &EmailPolicy::default()).expect("parses");
        assert!(
            matches!(mail.automated, Some(Automated::Bounce) | Some(Automated::AutoReply)),
            "{name}: {:?}",
            mail.automated
        );
    }
    let plain = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
    assert_eq!(parse_delivery_report(plain), None);
    let receipt = b"From: a@example.com\r\nContent-Type: multipart/report; report-type=disposition-notification; \
boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nread\r\n--b--\r\n";
    assert_eq!(parse_delivery_report(receipt), None, "a read receipt is no delivery report");
}
