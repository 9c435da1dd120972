//! Signed inbound webhooks: signature, replay window, mapping, dedupe keys; and signing
//! outbound deliveries. The expected signature was computed with Python's hmac module.

use chrono::TimeZone;
use loopdesk_channels::webhook::{
    sign, sign_request, FieldMapping, WebhookError, WebhookSource, SIGNATURE_HEADER, TIMESTAMP_HEADER,
};
use loopdesk_core::Timestamp;

const SECRET: &str = "whsec_app_2026";
const TS: &str = "1795507200";
const BODY: &str = r#"{"event":"feedback.created","data":{"id":98765,"content":"App 闪退，无法登录","user":{"name":"王五","mobile":"+86 138-0013-8000","email":"Wang.Wu@Example.CN"},"created_at":"2026-11-24T07:59:00+08:00"}}"#;
const SIGNATURE: &str = "v1=1c27f8ce28a2cd2eba194a4f3651cf9c27c09cdaeee8a20cd98738b6c1ca8b7c";

fn now() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 1, 0).unwrap()
}

fn source() -> WebhookSource {
    serde_json::from_value(serde_json::json!({
        "name": "app",
        "secret": SECRET,
        "mapping": {
            "text": "/data/content",
            "contact_name": "/data/user/name",
            "contact_phone": "/data/user/mobile",
            "contact_email": "/data/user/email",
            "external_id": "/data/id",
            "received_at": "/data/created_at"
        }
    }))
    .unwrap()
}

fn headers<'a>(ts: &'a str, sig: &'a str) -> impl Fn(&str) -> Option<&'a str> {
    move |name: &str| {
        if name.eq_ignore_ascii_case(TIMESTAMP_HEADER) {
            Some(ts)
        } else if name.eq_ignore_ascii_case(SIGNATURE_HEADER) {
            Some(sig)
        } else {
            None
        }
    }
}

#[test]
fn signature_matches_the_independent_computation() {
    assert_eq!(sign(SECRET, TS, BODY.as_bytes()), SIGNATURE);
}

#[test]
fn a_signed_delivery_is_mapped_to_an_intake_record() {
    let record = source().accept(headers(TS, SIGNATURE), BODY.as_bytes(), now()).unwrap();
    assert_eq!(record.source, "app");
    assert_eq!(record.external_id.as_deref(), Some("98765"));
    assert_eq!(record.dedupe_key, "app:98765");
    assert_eq!(record.text, "App 闪退，无法登录");
    assert_eq!(record.contact_name.as_deref(), Some("王五"));
    assert_eq!(record.contact_phone.unwrap().as_str(), "+8613800138000");
    assert_eq!(record.contact_email.unwrap().as_str(), "Wang.Wu@example.cn");
    assert_eq!(record.received_at.unwrap().to_rfc3339(), "2026-11-23T23:59:00+00:00");
}

#[test]
fn bad_signatures_are_unauthorized() {
    let tampered = BODY.replace("98765", "98766");
    let err = source().accept(headers(TS, SIGNATURE), tampered.as_bytes(), now()).unwrap_err();
    assert_eq!(err, WebhookError::BadSignature);
    assert!(err.is_unauthorized());
    let wrong_key = sign("other", TS, BODY.as_bytes());
    assert_eq!(source().accept(headers(TS, &wrong_key), BODY.as_bytes(), now()), Err(WebhookError::BadSignature));
    let missing = |_: &str| None;
    assert!(source().accept(missing, BODY.as_bytes(), now()).unwrap_err().is_unauthorized());
}

#[test]
fn replays_outside_the_window_are_refused() {
    let later = now() + chrono::Duration::minutes(6);
    let err = source().accept(headers(TS, SIGNATURE), BODY.as_bytes(), later).unwrap_err();
    assert_eq!(err, WebhookError::StaleTimestamp);
    assert!(err.is_unauthorized());
    assert_eq!(source().accept(headers("soon", SIGNATURE), BODY.as_bytes(), now()), Err(WebhookError::StaleTimestamp));
}

#[test]
fn the_previous_secret_works_during_rotation() {
    let rotated = WebhookSource { secret: "whsec_new".into(), previous_secret: Some(SECRET.into()), ..source() };
    assert!(rotated.accept(headers(TS, SIGNATURE), BODY.as_bytes(), now()).is_ok());
    let both = format!("{}, {SIGNATURE}", sign("unrelated", TS, BODY.as_bytes()));
    assert!(source().accept(headers(TS, &both), BODY.as_bytes(), now()).is_ok());
}

#[test]
fn mapping_errors_name_the_field() {
    let body = r#"{"data":{"id":1,"content":"","user":{}}}"#;
    let sig = sign(SECRET, TS, body.as_bytes());
    let err = source().accept(headers(TS, &sig), body.as_bytes(), now()).unwrap_err();
    assert!(matches!(err, WebhookError::InvalidField { field: "text", .. }), "{err}");
    let body = r#"{"data":{"content":"hi"}}"#;
    let sig = sign(SECRET, TS, body.as_bytes());
    let err = source().accept(headers(TS, &sig), body.as_bytes(), now()).unwrap_err();
    assert!(matches!(err, WebhookError::MissingField { field: "external_id", .. }), "{err}");
    let body = "not json";
    let sig = sign(SECRET, TS, body.as_bytes());
    let err = source().accept(headers(TS, &sig), body.as_bytes(), now()).unwrap_err();
    assert!(matches!(err, WebhookError::BadJson(_)));
    assert!(!err.is_unauthorized());
}

#[test]
fn without_an_external_id_the_body_digest_dedupes() {
    let mapping = FieldMapping {
        text: "/text".into(),
        subject: None,
        contact_name: None,
        contact_phone: None,
        contact_email: None,
        external_id: None,
        received_at: Some("/ts".into()),
    };
    let src = WebhookSource { mapping, ..source() };
    let body = r#"{"text":"短信反馈：快递三天未到","ts":1795507140000}"#.as_bytes();
    let sig = sign(SECRET, TS, body);
    let a = src.accept(headers(TS, &sig), body, now()).unwrap();
    let b = src.accept(headers(TS, &sig), body, now()).unwrap();
    assert_eq!(a.dedupe_key, b.dedupe_key);
    assert!(a.dedupe_key.starts_with("app:sha256:"));
    assert_eq!(a.received_at.unwrap().timestamp(), 1795507140);
}

#[test]
fn outbound_deliveries_verify_with_the_inbound_scheme() {
    let req = sign_request(SECRET, "https://sms.example.cn/send", BODY.as_bytes().to_vec(), now());
    assert_eq!(req.header("X-Loopdesk-Timestamp"), Some("1795507260"));
    let sig = req.header("x-loopdesk-signature").unwrap();
    assert_eq!(sig, sign(SECRET, "1795507260", BODY.as_bytes()));
    assert!(source().accept(|n| req.header(n), &req.body, now()).is_ok());
    assert_eq!(req.header("Content-Type"), Some("application/json; charset=utf-8"));
}
