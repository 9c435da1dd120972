//! The WeChat official-account protocol against real-format requests. Expected
//! signatures and ciphertexts were computed independently (Python hashlib and the
//! `cryptography` package) from WeChat's documented algorithm.

use chrono::TimeZone;
use loopdesk_channels::wechat::{signature, CallbackQuery, EncodingAesKey, MessageBody, WechatAccount, WechatError};
use loopdesk_core::Timestamp;

const TOKEN: &str = "loopdesk-token";
const APP_ID: &str = "wx5823bf96d3bd56c7";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const TIMESTAMP: &str = "1795507200";
const NONCE: &str = "1320562132";
/// sha1(sort(token, timestamp, nonce)), computed outside Rust.
const SIGNATURE: &str = "d39e81c480937ebc27e628a576827da358e88c5f";
/// The text message below, encrypted outside Rust with random = 00 01 … 0f.
const ENCRYPTED: &str = "IG+0eOkLdhYW9kHtuT3HYxzAdA+y2/LMkZ6hlwfrvTjOrkI3fb0C0dOoycv7SCw7aqyB9b9OFHiyhCf0zzbSuEVutG05yqBO8Ousl3TnSCam7od5G6qQDkVLOm5dss9gHwBMDB6aAelhsn9Nl2cPeKepvKdvpjDcGt47xzzn1OFFe+aIxgG/i7O/Zzlj9K/s60+1CJHoRr3FtYlSAGz655XubJHMEfmGRet8lrCBi0Ldux3PtjQ86McrKtOK2iyv4847ttWyI7eoTWjn3CF/N5CufHxIrKsM2ctu9G9J+JbanhGShhxOS943jhTawZRSTdJLr2nIPFELvEsvNZNVeVhCX5amBsB80e7wC9JV1FPzUH+jKJMb/XxhNJGdAj07XyM7KVPLeX03I58wnnuKL5qd6g+UAu1YyfDReFsPCHSpPrgpb17+EI7vYkCqIzVsgyyy5F5xummzUe+LynqO2A==";
const MSG_SIGNATURE: &str = "b891bd0df9f979b16855d4c22fddef274bd37ded";

const TEXT_XML: &str = "<xml><ToUserName><![CDATA[gh_1b2c3d4e5f6a]]></ToUserName>\
<FromUserName><![CDATA[oUpF8uMuAJO_M2pxb1Q9zNjWeS6o]]></FromUserName>\
<CreateTime>1795507190</CreateTime><MsgType><![CDATA[text]]></MsgType>\
<Content><![CDATA[空调漏水，型号 KFR-35]]></Content><MsgId>24563892451021233</MsgId></xml>";

fn now() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 30).unwrap()
}

fn account() -> WechatAccount {
    WechatAccount {
        token: TOKEN.into(),
        app_id: APP_ID.into(),
        aes_key: Some(EncodingAesKey::parse(AES_KEY).unwrap()),
        max_skew_secs: 300,
        compatible_mode: true,
    }
}

fn query() -> CallbackQuery {
    CallbackQuery {
        signature: Some(SIGNATURE.into()),
        timestamp: TIMESTAMP.into(),
        nonce: NONCE.into(),
        openid: Some("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".into()),
        ..CallbackQuery::default()
    }
}

#[test]
fn signature_matches_the_independent_computation() {
    assert_eq!(signature(&[TOKEN, TIMESTAMP, NONCE]), SIGNATURE);
    assert_eq!(signature(&[NONCE, TOKEN, TIMESTAMP]), SIGNATURE, "order does not matter");
}

#[test]
fn url_verification_echoes_only_with_a_valid_signature() {
    let q = CallbackQuery { echostr: Some("5837397520665436492".into()), ..query() };
    assert_eq!(account().verify_url(&q, now()).unwrap(), "5837397520665436492");
    let wrong = CallbackQuery { signature: Some("0".repeat(40)), ..q.clone() };
    assert_eq!(account().verify_url(&wrong, now()), Err(WechatError::BadSignature));
    let late = now() + chrono::Duration::minutes(10);
    assert_eq!(account().verify_url(&q, late), Err(WechatError::StaleTimestamp));
}

#[test]
fn plaintext_text_message_is_opened_and_answered() {
    let inbound = account().open(&query(), TEXT_XML.as_bytes(), now()).unwrap();
    assert!(!inbound.encrypted);
    let m = &inbound.message;
    assert_eq!(m.from_user, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    assert_eq!(m.to_user, "gh_1b2c3d4e5f6a");
    assert_eq!(m.create_time, 1795507190);
    assert_eq!(m.text(), Some("空调漏水，型号 KFR-35"));
    assert_eq!(m.dedupe_key(), "wechat:msg:24563892451021233");

    let reply = account().reply_text(&inbound, "已收到，编号 FB-2611-7K3Q9", now(), "n1").unwrap();
    assert_eq!(
        reply,
        "<xml><ToUserName><![CDATA[oUpF8uMuAJO_M2pxb1Q9zNjWeS6o]]></ToUserName>\
<FromUserName><![CDATA[gh_1b2c3d4e5f6a]]></FromUserName><CreateTime>1795507230</CreateTime>\
<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[已收到，编号 FB-2611-7K3Q9]]></Content></xml>"
    );
}

#[test]
fn plaintext_with_a_wrong_signature_is_refused() {
    let q = CallbackQuery { signature: Some(signature(&["other-token", TIMESTAMP, NONCE])), ..query() };
    assert_eq!(account().open(&q, TEXT_XML.as_bytes(), now()), Err(WechatError::BadSignature));
}

fn safe_query() -> CallbackQuery {
    CallbackQuery { encrypt_type: Some("aes".into()), msg_signature: Some(MSG_SIGNATURE.into()), ..query() }
}

fn safe_body() -> String {
    format!("<xml><ToUserName><![CDATA[gh_1b2c3d4e5f6a]]></ToUserName><Encrypt><![CDATA[{ENCRYPTED}]]></Encrypt></xml>")
}

#[test]
fn safe_mode_message_is_decrypted_and_the_reply_encrypted() {
    let inbound = account().open(&safe_query(), safe_body().as_bytes(), now()).unwrap();
    assert!(inbound.encrypted);
    assert_eq!(inbound.message.text(), Some("空调漏水，型号 KFR-35"));

    let reply = account().reply_text(&inbound, "编号 FB-2611-7K3Q9", now(), "r4nd").unwrap();
    assert!(reply.starts_with("<xml><Encrypt><![CDATA["), "{reply}");
    assert!(reply.contains("<TimeStamp>1795507230</TimeStamp><Nonce><![CDATA[r4nd]]></Nonce></xml>"));
    let encrypt = between(&reply, "<Encrypt><![CDATA[", "]]>");
    let msg_signature = between(&reply, "<MsgSignature><![CDATA[", "]]>");
    assert_eq!(msg_signature, signature(&[TOKEN, "1795507230", "r4nd", encrypt]));
    let key = EncodingAesKey::parse(AES_KEY).unwrap();
    let inner = key.decrypt(encrypt, APP_ID).unwrap();
    assert!(inner.contains("<Content><![CDATA[编号 FB-2611-7K3Q9]]></Content>"), "{inner}");
    assert!(inner.contains("<ToUserName><![CDATA[oUpF8uMuAJO_M2pxb1Q9zNjWeS6o]]></ToUserName>"));
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s.find(start).unwrap() + start.len();
    let len = s[from..].find(end).unwrap();
    &s[from..from + len]
}

#[test]
fn safe_mode_with_a_wrong_msg_signature_or_app_id_is_refused() {
    let tampered = CallbackQuery { msg_signature: Some(SIGNATURE.into()), ..safe_query() };
    assert_eq!(account().open(&tampered, safe_body().as_bytes(), now()), Err(WechatError::BadSignature));
    let other_app = WechatAccount { app_id: "wx0000000000000000".into(), ..account() };
    assert_eq!(other_app.open(&safe_query(), safe_body().as_bytes(), now()), Err(WechatError::WrongAppId));
    let no_key = WechatAccount { aes_key: None, ..account() };
    assert_eq!(no_key.open(&safe_query(), safe_body().as_bytes(), now()), Err(WechatError::NoAesKey));
}

fn open_plain(xml: &str) -> Result<MessageBody, WechatError> {
    account().open(&query(), xml.as_bytes(), now()).map(|i| i.message.body)
}

#[test]
fn image_voice_and_event_messages_are_parsed() {
    let image = "<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>\
        <CreateTime>1795507190</CreateTime><MsgType><![CDATA[image]]></MsgType>\
        <PicUrl><![CDATA[http://mmbiz.qpic.cn/x.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>\
        <MsgId>111</MsgId></xml>";
    assert!(
        matches!(open_plain(image).unwrap(), MessageBody::Image { pic_url, .. } if pic_url == "http://mmbiz.qpic.cn/x.jpg")
    );
    let voice = "<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>\
        <CreateTime>1795507190</CreateTime><MsgType><![CDATA[voice]]></MsgType>\
        <MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>\
        <Recognition><![CDATA[屏幕不亮]]></Recognition><MsgId>112</MsgId></xml>";
    assert!(matches!(open_plain(voice).unwrap(), MessageBody::Voice { recognition: Some(r), .. } if r == "屏幕不亮"));
    let event = "<xml><ToUserName><![CDATA[gh_a]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>\
        <CreateTime>1795507190</CreateTime><MsgType><![CDATA[event]]></MsgType>\
        <Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[]]></EventKey></xml>";
    let inbound = account().open(&query(), event.as_bytes(), now()).unwrap();
    assert_eq!(inbound.message.body, MessageBody::Event { event: "subscribe".into(), event_key: None });
    assert_eq!(inbound.message.dedupe_key(), "wechat:o1:1795507190");
}

#[test]
fn malformed_or_hostile_xml_is_refused() {
    let doctype = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><Content>&e;</Content></xml>";
    assert!(matches!(open_plain(doctype), Err(WechatError::Xml(_))));
    assert!(open_plain("<xml><Content>").is_err());
    assert!(open_plain("not xml").is_err());
    let no_from = "<xml><ToUserName>a</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>\
        <Content>x</Content><MsgId>1</MsgId></xml>";
    assert_eq!(open_plain(no_from), Err(WechatError::MissingElement("FromUserName")));
}

#[test]
fn cdata_terminators_in_reply_content_are_split() {
    let inbound = account().open(&query(), TEXT_XML.as_bytes(), now()).unwrap();
    let reply = account().reply_text(&inbound, "a]]>b", now(), "n").unwrap();
    assert!(reply.contains("<Content><![CDATA[a]]]]><![CDATA[>b]]></Content>"), "{reply}");
}

#[test]
fn safe_mode_refuses_plaintext_and_compatible_mode_takes_it() {
    let xml = TEXT_XML;
    let safe = WechatAccount { compatible_mode: false, ..account() };
    assert_eq!(safe.open(&query(), xml.as_bytes(), now()), Err(WechatError::PlaintextRefused));
    let plaintext_mode = WechatAccount { aes_key: None, compatible_mode: false, ..account() };
    assert!(plaintext_mode.open(&query(), xml.as_bytes(), now()).is_ok());
    assert!(account().open(&query(), xml.as_bytes(), now()).is_ok());
    assert!(safe.open(&safe_query(), safe_body().as_bytes(), now()).is_ok());
}
