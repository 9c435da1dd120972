//! Staff robot payloads and signatures, checked against each vendor's documented format.
//! Expected signatures were computed independently with Python's hmac/base64/urllib.

use chrono::TimeZone;
use loopdesk_channels::robots::{
    build, dingtalk_sign, feishu_sign, Alert, DingtalkFormat, FeishuFormat, Link, Mentions, Robot, RobotError,
    Severity, WecomFormat,
};
use loopdesk_core::Timestamp;
use serde_json::json;

const DING_SECRET: &str = "SECf3c2a9e1d0b4c7a8e5f6d3c2b1a0987654321fedcba9876543210fedcba98";
/// base64(HMAC-SHA256(secret, "1795507200000\n" + secret)), from Python.
const DING_SIGN: &str = "SXTELBSjkOoPuvgblL3DptD7g0KCJbdsvGOUMIVwS+8=";
const DING_SIGN_URL: &str = "SXTELBSjkOoPuvgblL3DptD7g0KCJbdsvGOUMIVwS%2B8%3D";
const FEISHU_SECRET: &str = "qW3eR5tY7uI9oP1aS2dF";
/// base64(HMAC-SHA256(key = "1795507200\n" + secret, message = "")), from Python.
const FEISHU_SIGN: &str = "771jF9qleq0hbfmyb01AuS74jbwRNCM8TgStTfLQHgY=";

fn now() -> Timestamp {
    chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap()
}

fn alert() -> Alert {
    Alert {
        title: "新紧急工单".into(),
        severity: Severity::Critical,
        fields: vec![("编号".into(), "FB-2611-7K3Q9".into()), ("问题".into(), "空调冒烟".into())],
        link: Some(Link { label: "查看工单".into(), url: "https://desk.example.cn/t/42".into() }),
        mentions: Mentions { mobiles: vec!["13800001111".into()], user_ids: vec![], all: false },
    }
}

#[test]
fn signatures_match_independent_vectors() {
    assert_eq!(dingtalk_sign(DING_SECRET, 1_795_507_200_000), DING_SIGN);
    assert_eq!(feishu_sign(FEISHU_SECRET, 1_795_507_200), FEISHU_SIGN);
}

#[test]
fn wecom_text_and_markdown() {
    let url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx";
    let robot = Robot::Wecom { webhook_url: url.into(), format: WecomFormat::Text };
    let req = build(&robot, &alert(), now()).unwrap();
    assert_eq!(req.url, url);
    assert_eq!(req.header("content-type"), Some("application/json; charset=utf-8"));
    assert_eq!(
        req.body_json().unwrap(),
        json!({
            "msgtype": "text",
            "text": {
                "content": "【紧急】新紧急工单\n编号：FB-2611-7K3Q9\n问题：空调冒烟\n查看工单：https://desk.example.cn/t/42",
                "mentioned_list": [],
                "mentioned_mobile_list": ["13800001111"],
            }
        })
    );
    let robot = Robot::Wecom { webhook_url: url.into(), format: WecomFormat::Markdown };
    let body = build(&robot, &alert(), now()).unwrap().body_json().unwrap();
    assert_eq!(
        body,
        json!({
            "msgtype": "markdown",
            "markdown": {
                "content": "**<font color=\"warning\">【紧急】</font>新紧急工单**\n> 编号：FB-2611-7K3Q9\n> 问题：空调冒烟\n\n[查看工单](https://desk.example.cn/t/42)"
            }
        })
    );
}

#[test]
fn dingtalk_signed_markdown() {
    let robot = Robot::Dingtalk {
        webhook_url: "https://oapi.dingtalk.com/robot/send?access_token=abc123".into(),
        secret: Some(DING_SECRET.into()),
        format: DingtalkFormat::Markdown,
    };
    let req = build(&robot, &alert(), now()).unwrap();
    assert_eq!(
        req.url,
        format!(
            "https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1795507200000&sign={DING_SIGN_URL}"
        )
    );
    assert_eq!(
        req.body_json().unwrap(),
        json!({
            "msgtype": "markdown",
            "markdown": {
                "title": "【紧急】新紧急工单",
                "text": "#### 【紧急】新紧急工单\n> 编号：FB-2611-7K3Q9\n> 问题：空调冒烟\n\n[查看工单](https://desk.example.cn/t/42)\n @13800001111",
            },
            "at": { "atMobiles": ["13800001111"], "atUserIds": [], "isAtAll": false },
        })
    );
}

#[test]
fn dingtalk_unsigned_text() {
    let robot = Robot::Dingtalk {
        webhook_url: "https://oapi.dingtalk.com/robot/send?access_token=abc123".into(),
        secret: None,
        format: DingtalkFormat::Text,
    };
    let req = build(&robot, &alert(), now()).unwrap();
    assert_eq!(req.url, "https://oapi.dingtalk.com/robot/send?access_token=abc123");
    let body = req.body_json().unwrap();
    assert_eq!(body["msgtype"], "text");
    assert_eq!(
        body["text"]["content"],
        "【紧急】新紧急工单\n编号：FB-2611-7K3Q9\n问题：空调冒烟\n查看工单：https://desk.example.cn/t/42 @13800001111"
    );
}

#[test]
fn feishu_signed_text_post_and_card() {
    let robot = |format| Robot::Feishu {
        webhook_url: "https://open.feishu.cn/open-apis/bot/v2/hook/xxxx".into(),
        secret: Some(FEISHU_SECRET.into()),
        format,
    };
    let mut a = alert();
    a.mentions = Mentions { all: true, ..Mentions::default() };
    let text = build(&robot(FeishuFormat::Text), &a, now()).unwrap();
    assert_eq!(
        text.body_json().unwrap(),
        json!({
            "timestamp": "1795507200",
            "sign": FEISHU_SIGN,
            "msg_type": "text",
            "content": { "text": "【紧急】新紧急工单\n编号：FB-2611-7K3Q9\n问题：空调冒烟\n查看工单：https://desk.example.cn/t/42 <at user_id=\"all\">所有人</at>" },
        })
    );
    let post = build(&robot(FeishuFormat::Post), &a, now()).unwrap().body_json().unwrap();
    assert_eq!(
        post["content"]["post"]["zh_cn"],
        json!({
            "title": "【紧急】新紧急工单",
            "content": [
                [{ "tag": "text", "text": "编号：FB-2611-7K3Q9" }],
                [{ "tag": "text", "text": "问题：空调冒烟" }],
                [{ "tag": "a", "text": "查看工单", "href": "https://desk.example.cn/t/42" }],
                [{ "tag": "at", "user_id": "all" }],
            ]
        })
    );
    assert_eq!(post["sign"], FEISHU_SIGN);
    let card = build(&robot(FeishuFormat::Interactive), &a, now()).unwrap().body_json().unwrap();
    assert_eq!(card["msg_type"], "interactive");
    assert_eq!(card["card"]["header"]["template"], "red");
    assert_eq!(card["card"]["header"]["title"]["content"], "【紧急】新紧急工单");
    assert_eq!(card["card"]["elements"][0]["text"]["content"], "**编号**：FB-2611-7K3Q9\n**问题**：空调冒烟");
    assert_eq!(card["card"]["elements"][1]["actions"][0]["url"], "https://desk.example.cn/t/42");
}

#[test]
fn generic_webhook_is_signed_like_outbound_webhooks() {
    let robot = Robot::Generic { url: "https://ops.example.cn/hook".into(), secret: Some("s3".into()) };
    let req = build(&robot, &alert(), now()).unwrap();
    let ts = req.header("X-Loopdesk-Timestamp").unwrap();
    assert_eq!(ts, "1795507200");
    assert_eq!(req.header("X-Loopdesk-Signature").unwrap(), loopdesk_channels::webhook::sign("s3", ts, &req.body));
    let body = req.body_json().unwrap();
    assert_eq!(body["event"], "loopdesk.alert");
    assert_eq!(body["severity"], "critical");
    assert_eq!(body["fields"][0], json!({ "label": "编号", "value": "FB-2611-7K3Q9" }));
}

#[test]
fn customer_text_cannot_mention_or_link() {
    let mut a = alert();
    a.fields[1].1 = "<@all> [点我](http://evil.example) <at user_id=\"all\"></at>\n# big".into();
    let robot = Robot::Wecom { webhook_url: "https://qyapi.weixin.qq.com/x".into(), format: WecomFormat::Markdown };
    let body = build(&robot, &a, now()).unwrap().body_json().unwrap();
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.contains("＜@all＞ ［点我］(http://evil.example) ＜at user_id=\"all\"＞＜/at＞ # big"),
        "{content}"
    );
    assert!(!content.contains("<@all>"));
}

#[test]
fn oversized_content_is_cut_to_the_vendor_limit() {
    let mut a = alert();
    a.fields.push(("描述".into(), "漏".repeat(3000)));
    let robot = Robot::Wecom { webhook_url: "https://qyapi.weixin.qq.com/x".into(), format: WecomFormat::Text };
    let body = build(&robot, &a, now()).unwrap().body_json().unwrap();
    let content = body["text"]["content"].as_str().unwrap();
    assert!(content.len() <= 2048 && content.ends_with('…'), "{}", content.len());
}

#[test]
fn bad_urls_are_refused() {
    let robot = Robot::Wecom { webhook_url: "ftp://x".into(), format: WecomFormat::Text };
    assert_eq!(build(&robot, &alert(), now()), Err(RobotError::BadUrl));
}
