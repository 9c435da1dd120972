//! Parsing real-shaped messages: Chinese charsets, HTML-only bodies, attachments, broken
//! MIME, and arbitrary bytes.

use base64::Engine;
use loopdesk_channels::email::{parse_email, Automated, EmailPolicy, FileKind, ParseError};
use proptest::prelude::*;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn encode(enc: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
    enc.encode(text).0.into_owned()
}

fn gbk_message_with_attachment() -> Vec<u8> {
    let subject = format!("=?GBK?B?{}?=", b64(&encode(encoding_rs::GBK, "空调漏水投诉")));
    let name = format!("=?GBK?B?{}?=", b64(&encode(encoding_rs::GBK, "照片.png")));
    let body = b64(&encode(encoding_rs::GBK, "你好，我家的空调型号 KFR-35 一直漏水。\n订单号 20261103001。"));
    let png = b64(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRfake-image-data");
    let mut raw = format!(
        "From: =?GBK?B?{from}?= <zhang.san@example.cn>\r\n\
         To: support@loopdesk.test\r\n\
         Subject: {subject}\r\n\
         Message-ID: <abc123@example.cn>\r\n\
         Date: Tue, 3 Nov 2026 16:05:00 +0800\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n\
         --XX\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n\
         --XX\r\nContent-Type: image/png; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{png}\r\n--XX--\r\n",
        from = b64(&encode(encoding_rs::GBK, "张三")),
    )
    .into_bytes();
    raw.extend_from_slice(b"\r\n");
    raw
}

#[test]
fn gbk_message_with_attachment_is_decoded() {
    let mail = parse_email(&gbk_message_with_attachment(), &EmailPolicy::default()).unwrap();
    assert_eq!(mail.subject, "空调漏水投诉");
    assert_eq!(mail.from.addr, "zhang.san@example.cn");
    assert_eq!(mail.from.name.as_deref(), Some("张三"));
    assert!(mail.text.contains("空调型号 KFR-35 一直漏水"), "{}", mail.text);
    assert_eq!(mail.message_id.as_deref(), Some("abc123@example.cn"));
    assert_eq!(mail.date.unwrap().to_rfc3339(), "2026-11-03T08:05:00+00:00");
    assert_eq!(mail.attachments.len(), 1);
    let att = &mail.attachments[0];
    assert_eq!(att.name, "照片.png");
    assert_eq!(att.kind, FileKind::Png);
    assert_eq!(att.content_type, "image/png");
    assert_eq!(att.size, att.bytes.len());
    assert!(mail.may_answer());
}

#[test]
fn gb2312_gb18030_and_big5_bodies_and_quoted_printable_subjects() {
    for (label, enc, text) in [
        ("gb2312", encoding_rs::GBK, "产品质量问题，请尽快处理"),
        ("GB18030", encoding_rs::GB18030, "屏幕有坏点𠀀"),
        ("big5", encoding_rs::BIG5, "產品品質問題，請盡快處理"),
        ("utf-8", encoding_rs::UTF_8, "Ünïcödé 和中文"),
    ] {
        let qp: String = encode(enc, text).iter().map(|b| format!("={b:02X}")).collect();
        let mut raw = format!(
            "From: a@example.com\r\nSubject: =?{label}?Q?{qp}?=\r\n\
             Content-Type: text/plain; charset={label}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        )
        .into_bytes();
        raw.extend(encode(enc, text));
        let mail = parse_email(&raw, &EmailPolicy::default()).unwrap();
        assert_eq!(mail.subject, text, "{label}");
        assert_eq!(mail.text, text, "{label}");
    }
}

#[test]
fn raw_gbk_bytes_in_the_subject_are_recovered() {
    let mut raw = b"From: a@example.com\r\nSubject: ".to_vec();
    raw.extend(encode(encoding_rs::GBK, "退款申请"));
    raw.extend_from_slice(b"\r\n\r\nbody\r\n");
    let mail = parse_email(&raw, &EmailPolicy::default()).unwrap();
    assert_eq!(mail.subject, "退款申请");
}

#[test]
fn html_only_message_is_reduced_to_text() {
    let raw = "From: Li <li@example.com>\r\nSubject: hi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
        <html><head><style>p{color:red}</style></head><body><p>第一段 &amp; more</p>\
        <p>Second<br>line</p><script>alert(1)</script></body></html>";
    let mail = parse_email(raw.as_bytes(), &EmailPolicy::default()).unwrap();
    assert!(mail.text_from_html);
    assert!(mail.text.contains("第一段 & more"), "{:?}", mail.text);
    assert!(mail.text.contains("Second"), "{:?}", mail.text);
    assert!(!mail.text.contains("color"), "{:?}", mail.text);
    assert!(!mail.text.contains("alert"), "{:?}", mail.text);
    assert!(!mail.text.contains('<'), "{:?}", mail.text);
}

#[test]
fn a_disguised_executable_is_rejected_with_a_reason() {
    let exe = b64(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00");
    let raw = format!(
        "From: a@example.com\r\nSubject: invoice\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
         --b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"../../photo.jpg\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{exe}\r\n--b--\r\n"
    );
    let mail = parse_email(raw.as_bytes(), &EmailPolicy::default()).unwrap();
    assert!(mail.attachments.is_empty());
    let rejected = &mail.rejected_attachments[0];
    assert_eq!(rejected.name, "photo.jpg");
    assert_eq!(rejected.declared_type, "image/jpeg");
    assert!(rejected.reason.contains("application/x-executable"), "{rejected:?}");
}

#[test]
fn unparseable_messages_give_a_reason() {
    let policy = EmailPolicy::default();
    assert_eq!(parse_email(b"", &policy), Err(ParseError::Empty));
    assert_eq!(parse_email(b" \r\n", &policy), Err(ParseError::Empty));
    assert_eq!(parse_email(b"Subject: no sender\r\n\r\nbody", &policy), Err(ParseError::MissingFrom));
    let no_boundary = b"From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nbody";
    assert!(matches!(parse_email(no_boundary, &policy), Err(ParseError::BrokenMime(_))));
    let missing_parts = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\nno parts";
    assert!(matches!(parse_email(missing_parts, &policy), Err(ParseError::BrokenMime(_))));
    let small = EmailPolicy { max_message_bytes: 10, ..EmailPolicy::default() };
    assert!(matches!(parse_email(b"From: a@example.com\r\n\r\nhello", &small), Err(ParseError::TooLarge { .. })));
}

fn automated(headers: &str) -> Option<Automated> {
    let raw = format!("From: a@example.com\r\nSubject: x\r\n{headers}\r\nbody\r\n");
    parse_email(raw.as_bytes(), &EmailPolicy::default()).unwrap().automated
}

#[test]
fn automated_mail_is_recognised() {
    assert_eq!(automated("Auto-Submitted: auto-replied\r\n"), Some(Automated::AutoReply));
    assert_eq!(automated("Auto-Submitted: no\r\n"), None);
    assert_eq!(automated("X-Autoreply: yes\r\n"), Some(Automated::AutoReply));
    assert_eq!(automated("Precedence: bulk\r\n"), Some(Automated::Bulk));
    assert_eq!(automated("Precedence: list\r\n"), Some(Automated::MailingList));
    assert_eq!(automated("List-Id: <dev.lists.example.com>\r\n"), Some(Automated::MailingList));
    assert_eq!(automated("Return-Path: <>\r\n"), Some(Automated::Bounce));
    assert_eq!(automated("X-Loopdesk-Ticket: 12\r\n"), Some(Automated::OwnMessage));
    assert_eq!(automated(""), None);
}

#[test]
fn auto_reply_subjects_and_daemon_senders_are_recognised() {
    let parse = |from: &str, subject: &str| {
        let raw = format!("From: {from}\r\nSubject: {subject}\r\n\r\nbody\r\n");
        parse_email(raw.as_bytes(), &EmailPolicy::default()).unwrap().automated
    };
    assert_eq!(parse("a@example.com", "自动回复: 我正在休假"), Some(Automated::AutoReply));
    assert_eq!(parse("a@example.com", "Automatic reply: hi"), Some(Automated::AutoReply));
    assert_eq!(parse("MAILER-DAEMON@mx.example.com", "hi"), Some(Automated::Bounce));
    assert_eq!(parse("a@example.com", "Undelivered Mail Returned to Sender"), Some(Automated::Bounce));
    assert_eq!(parse("noreply@shop.example.com", "订单"), Some(Automated::NoReplySender));
    assert_eq!(parse("a@example.com", "关于自动回复功能的建议"), None);
}

#[test]
fn delivery_status_reports_are_bounces() {
    let raw = "From: postmaster@mx.example.com\r\nSubject: x\r\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n\
        --r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n\
        --r\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n--r--\r\n";
    let mail = parse_email(raw.as_bytes(), &EmailPolicy::default()).unwrap();
    assert_eq!(mail.automated, Some(Automated::Bounce));
    assert!(!mail.may_answer());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_email(&raw, &EmailPolicy::default());
    }

    #[test]
    fn mangled_real_messages_never_panic(
        cut in 0usize..2000,
        flips in proptest::collection::vec((0usize..2000, any::<u8>()), 0..16),
    ) {
        let mut raw = gbk_message_with_attachment();
        for (pos, byte) in flips {
            let len = raw.len();
            raw[pos % len] = byte;
        }
        raw.truncate(cut.max(1));
        let _ = parse_email(&raw, &EmailPolicy::default());
    }
}

#[test]
fn undeclared_8bit_gbk_bodies_are_recovered() {
    let mut raw = b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\n".to_vec();
    raw.extend(encode(encoding_rs::GBK, "洗衣机噪音很大，请派人检修。"));
    let mail = parse_email(&raw, &EmailPolicy::default()).unwrap();
    assert_eq!(mail.text, "洗衣机噪音很大，请派人检修。");
}

#[test]
fn rfc2231_gbk_file_names_are_decoded() {
    let name: String = encode(encoding_rs::GBK, "发票.pdf").iter().map(|b| format!("%{b:02X}")).collect();
    let raw = format!(
        "From: a@example.com\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=GBK''{name}\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        b64(b"%PDF-1.4\n%fake")
    );
    let mail = parse_email(raw.as_bytes(), &EmailPolicy::default()).unwrap();
    assert_eq!(mail.attachments[0].name, "发票.pdf");
    assert_eq!(mail.attachments[0].kind, FileKind::Pdf);
}
