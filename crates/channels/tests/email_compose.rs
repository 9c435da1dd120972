//! Outbound messages: headers, alternatives, and a customer's reply threading back.

use chrono::TimeZone;
use loopdesk_channels::email::{
    compose, find_thread, parse_email, Automated, EmailPolicy, MessageIdIssuer, OutboundEmail, ThreadMatch,
};
use loopdesk_channels::templates::{vars, Lang, NotificationKind, TemplateSet};
use loopdesk_core::{TicketId, TrackingNo};

fn issuer() -> MessageIdIssuer {
    MessageIdIssuer::new("mail.loopdesk.test", b"thread-key")
}

fn acknowledgement() -> OutboundEmail {
    let rendered = TemplateSet::builtin()
        .render(
            NotificationKind::Acknowledgement,
            Lang::ZhCn,
            &vars([
                ("customer_name", "张三"),
                ("tracking_no", "FB-2611-7K3Q9"),
                ("company", "示例电器"),
                ("due", "2026-11-05 16:00"),
                ("first_response_hours", "48"),
            ]),
        )
        .unwrap();
    OutboundEmail {
        from: "示例电器客服 <support@loopdesk.test>".into(),
        to: "张三 <zhang.san@example.cn>".into(),
        reply_to: None,
        subject: rendered.subject,
        text: rendered.text,
        html: Some(rendered.html),
        message_id: issuer().issue(TicketId(42), 7),
        in_reply_to: Some("abc123@example.cn".into()),
        references: vec!["<abc123@example.cn>".into()],
        ticket: TicketId(42),
        automatic: true,
        date: chrono::Utc.with_ymd_and_hms(2026, 11, 3, 8, 6, 0).unwrap(),
        attachments: Vec::new(),
    }
}

#[test]
fn composed_message_carries_threading_headers_and_both_bodies() {
    let raw = compose(&acknowledgement()).unwrap().formatted();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("In-Reply-To: <abc123@example.cn>"), "{text}");
    assert!(text.contains("References: <abc123@example.cn>"), "{text}");
    assert!(text.contains("Auto-Submitted: auto-generated"), "{text}");
    assert!(text.contains("multipart/alternative"), "{text}");
    assert!(text.contains("Date: Tue, 03 Nov 2026 08:06:00 +0000"), "{text}");

    // Read back with the inbound parser: subject, bodies and our marker survive.
    let back = parse_email(&raw, &EmailPolicy::default()).unwrap();
    assert_eq!(back.subject, "【示例电器】已收到您的反馈（编号 FB-2611-7K3Q9）");
    assert_eq!(back.from.name.as_deref(), Some("示例电器客服"));
    assert!(back.text.contains("将于 2026-11-05 16:00 前"), "{}", back.text);
    assert_eq!(back.in_reply_to, vec!["abc123@example.cn"]);
    assert_eq!(back.automated, Some(Automated::OwnMessage), "a loop back to us is never answered");
}

#[test]
fn the_customer_reply_threads_onto_the_ticket() {
    let ours = acknowledgement().message_id;
    let bare = ours.trim_matches(['<', '>']);
    let reply = format!(
        "From: zhang.san@example.cn\r\nTo: support@loopdesk.test\r\nSubject: Re: 已收到\r\n\
         In-Reply-To: {ours}\r\nReferences: <abc123@example.cn> {ours}\r\n\r\n补充：照片见附件\r\n"
    );
    let mail = parse_email(reply.as_bytes(), &EmailPolicy::default()).unwrap();
    assert!(mail.may_answer());
    assert_eq!(
        find_thread(&mail, &issuer()),
        Some(ThreadMatch::Reply { ticket: TicketId(42), message_id: bare.to_string() })
    );
}

#[test]
fn a_tracking_number_in_the_subject_threads_when_headers_are_lost() {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 3, 8, 0, 0).unwrap();
    let t = TrackingNo::new(TicketId(42), at);
    let raw = format!("From: zhang.san@example.cn\r\nSubject: 关于 {t} 的补充\r\n\r\n还是漏水\r\n");
    let mail = parse_email(raw.as_bytes(), &EmailPolicy::default()).unwrap();
    let found = find_thread(&mail, &issuer()).unwrap();
    assert_eq!(found, ThreadMatch::TrackingNo(t));
    assert_eq!(found.ticket_id(), TicketId(42));
    let fresh = parse_email(b"From: a@example.com\r\nSubject: new\r\n\r\nx", &EmailPolicy::default()).unwrap();
    assert_eq!(find_thread(&fresh, &issuer()), None);
}

#[test]
fn bad_addresses_are_refused() {
    let mut email = acknowledgement();
    email.to = "not an address".into();
    assert!(compose(&email).is_err());
}
