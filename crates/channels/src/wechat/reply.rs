//! Passive replies: the XML returned in the HTTP response to a pushed message.

use super::message::WechatMessage;

/// The plaintext text reply to `to`: sender and receiver swapped.
pub(crate) fn text(to: &WechatMessage, content: &str, create_time: i64) -> String {
    let mut out = String::from("<xml>");
    cdata(&mut out, "ToUserName", &to.from_user);
    cdata(&mut out, "FromUserName", &to.to_user);
    number(&mut out, "CreateTime", create_time);
    cdata(&mut out, "MsgType", "text");
    cdata(&mut out, "Content", content);
    out.push_str("</xml>");
    out
}

/// The safe-mode envelope around an encrypted reply.
pub(crate) fn envelope(encrypted: &str, msg_signature: &str, timestamp: &str, nonce: &str) -> String {
    let mut out = String::from("<xml>");
    cdata(&mut out, "Encrypt", encrypted);
    cdata(&mut out, "MsgSignature", msg_signature);
    out.push_str("<TimeStamp>");
    out.push_str(timestamp);
    out.push_str("</TimeStamp>");
    cdata(&mut out, "Nonce", nonce);
    out.push_str("</xml>");
    out
}

fn number(out: &mut String, name: &str, value: i64) {
    out.push_str(&format!("<{name}>{value}</{name}>"));
}

/// Writes `<name><![CDATA[value]]></name>`. A `]]>` inside the value would end the
/// section early, so it is split across two sections.
fn cdata(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push_str("><![CDATA[");
    out.push_str(&value.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]></");
    out.push_str(name);
    out.push('>');
}
