//! Inbound message XML: `<xml><ToUserName>…</ToUserName>…</xml>`, one level of elements,
//! values in CDATA or plain text.

use super::WechatError;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeMap;

/// Largest message body read; WeChat's are a few kilobytes.
const MAX_XML_BYTES: usize = 64 * 1024;

/// A message or event pushed by WeChat on behalf of a follower.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatMessage {
    /// The account's original id (`gh_…`).
    pub to_user: String,
    /// The follower's OpenID: the same person across messages, used for threading.
    pub from_user: String,
    /// Unix seconds, as WeChat states it.
    pub create_time: i64,
    /// What the message carries.
    pub body: MessageBody,
}

/// What the message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageBody {
    /// A text message.
    Text {
        /// What the follower typed.
        content: String,
        /// WeChat's message id.
        msg_id: String,
    },
    /// A picture.
    Image {
        /// Where WeChat serves the picture.
        pic_url: String,
        /// Media id for downloading through the API.
        media_id: String,
        /// WeChat's message id.
        msg_id: String,
    },
    /// `recognition` is WeChat's speech-to-text, when enabled for the account.
    Voice {
        /// Media id for downloading through the API.
        media_id: String,
        /// Audio format, e.g. `amr`.
        format: String,
        /// Speech recognised by WeChat, if enabled.
        recognition: Option<String>,
        /// WeChat's message id.
        msg_id: String,
    },
    /// `subscribe`, `unsubscribe`, `SCAN`, `CLICK`, `VIEW`, `LOCATION`, …
    Event {
        /// The event name.
        event: String,
        /// The event's key (menu key, QR scene), if any.
        event_key: Option<String>,
    },
    /// Video, location, link and future types: the raw fields are kept.
    Other {
        /// The MsgType.
        msg_type: String,
        /// WeChat's message id, if any.
        msg_id: Option<String>,
        /// Every top-level element.
        fields: BTreeMap<String, String>,
    },
}

impl WechatMessage {
    /// A key identifying this message across WeChat's retries (it resends up to three
    /// times when we are slow): MsgId, or FromUserName + CreateTime for events, as
    /// WeChat recommends.
    pub fn dedupe_key(&self) -> String {
        let msg_id = match &self.body {
            MessageBody::Text { msg_id, .. }
            | MessageBody::Image { msg_id, .. }
            | MessageBody::Voice { msg_id, .. } => Some(msg_id.as_str()),
            MessageBody::Other { msg_id, .. } => msg_id.as_deref(),
            MessageBody::Event { .. } => None,
        };
        match msg_id {
            Some(id) if !id.is_empty() => format!("wechat:msg:{id}"),
            _ => format!("wechat:{}:{}", self.from_user, self.create_time),
        }
    }

    /// The words a ticket can be opened with: text, or recognised speech.
    pub fn text(&self) -> Option<&str> {
        match &self.body {
            MessageBody::Text { content, .. } => Some(content),
            MessageBody::Voice { recognition, .. } => recognition.as_deref(),
            _ => None,
        }
    }
}

/// Parses a plaintext message.
pub(crate) fn parse(xml: &str) -> Result<WechatMessage, WechatError> {
    let f = fields(xml)?;
    let get = |name: &'static str| f.get(name).cloned().ok_or(WechatError::MissingElement(name));
    let create_time =
        get("CreateTime")?.trim().parse().map_err(|_| WechatError::Xml("CreateTime is not a number".into()))?;
    let msg_type = get("MsgType")?;
    let body = match msg_type.as_str() {
        "text" => MessageBody::Text { content: get("Content")?, msg_id: get("MsgId")? },
        "image" => MessageBody::Image { pic_url: get("PicUrl")?, media_id: get("MediaId")?, msg_id: get("MsgId")? },
        "voice" => MessageBody::Voice {
            media_id: get("MediaId")?,
            format: get("Format")?,
            recognition: f.get("Recognition").filter(|r| !r.is_empty()).cloned(),
            msg_id: get("MsgId")?,
        },
        "event" => {
            MessageBody::Event { event: get("Event")?, event_key: f.get("EventKey").filter(|k| !k.is_empty()).cloned() }
        }
        _ => MessageBody::Other { msg_type, msg_id: f.get("MsgId").cloned(), fields: f.clone() },
    };
    Ok(WechatMessage { to_user: get("ToUserName")?, from_user: get("FromUserName")?, create_time, body })
}

/// The `Encrypt` element of a safe-mode body.
pub(crate) fn encrypted_part(xml: &str) -> Result<String, WechatError> {
    fields(xml)?.remove("Encrypt").ok_or(WechatError::MissingElement("Encrypt"))
}

/// The child elements of `<xml>` and their text. Nested elements are skipped; a DOCTYPE
/// is refused outright, so no entity tricks reach the parser.
fn fields(xml: &str) -> Result<BTreeMap<String, String>, WechatError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(WechatError::Xml("body too large".into()));
    }
    let bad = |e: &dyn std::fmt::Display| WechatError::Xml(e.to_string());
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut out = BTreeMap::new();
    let mut depth = 0usize;
    let mut current: Option<(String, String)> = None;
    loop {
        match reader.read_event().map_err(|e| bad(&e))? {
            Event::Start(e) => {
                depth += 1;
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if depth == 1 && name != "xml" {
                    return Err(WechatError::Xml(format!("root element is <{name}>")));
                }
                if depth == 2 {
                    current = Some((name, String::new()));
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    if let Some((name, value)) = current.take() {
                        out.entry(name).or_insert(value);
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Empty(e) if depth == 1 => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.entry(name).or_insert_with(String::new);
            }
            Event::Text(t) if depth == 2 => {
                if let Some((_, value)) = current.as_mut() {
                    value.push_str(&t.unescape().map_err(|e| bad(&e))?);
                }
            }
            Event::CData(c) if depth == 2 => {
                if let Some((_, value)) = current.as_mut() {
                    value.push_str(&String::from_utf8_lossy(&c.into_inner()));
                }
            }
            Event::DocType(_) => return Err(WechatError::Xml("DOCTYPE is not allowed".into())),
            Event::Eof => break,
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(WechatError::Xml("no <xml> element with fields".into()));
    }
    Ok(out)
}
