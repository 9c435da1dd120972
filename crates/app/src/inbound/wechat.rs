//! The WeChat official account (公众号), configured by the `channel:wechat` document: a
//! follower's message opens a ticket, or joins the follower's open one, and the passive
//! reply carries the tracking number. The signature, decryption and XML are the codec's
//! (`loopdesk_channels::wechat`); the endpoint is the server's.

use super::messages::{append_customer_message, is_open};
use super::wechat_media::FetchMedia;
use crate::documents::channel::WechatDoc;
use crate::documents::{load, ChannelName, DocumentKind};
use crate::intake::{self, NewTicket};
use crate::keys::Key;
use crate::{App, AppError};
use loopdesk_channels::wechat::{EncodingAesKey, MessageBody, WechatAccount, WechatMessage};
use loopdesk_core::{Actor, Channel, Customer, Ticket, TicketId, Timestamp};
use loopdesk_store::{JobOp, KeyWrite, Owed};
use std::sync::Arc;

/// The account as configured; not found while WeChat is not configured.
pub async fn account(app: &App) -> Result<WechatAccount, AppError> {
    let doc: WechatDoc = load(app, &DocumentKind::Channel(ChannelName::wechat()))
        .await?
        .ok_or_else(|| AppError::NotFound("WeChat is not configured".into()))?;
    let aes_key = match doc.encoding_aes_key.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(EncodingAesKey::parse(k).map_err(|e| AppError::internal(e.to_string()))?),
        None => None,
    };
    Ok(WechatAccount {
        token: doc.token,
        app_id: doc.app_id,
        aes_key,
        max_skew_secs: doc.max_skew_secs,
        compatible_mode: doc.compatible_mode,
    })
}

fn words(msg: &WechatMessage) -> Option<String> {
    match &msg.body {
        MessageBody::Image { pic_url, .. } => Some(format!("[图片 / picture] {pic_url}")),
        _ => msg.text().map(str::to_string).filter(|t| !t.trim().is_empty()),
    }
}

/// Takes the message in; the passive reply's text, or `None` for events.
#[tracing::instrument(skip_all)]
pub async fn receive(app: &App, msg: &WechatMessage) -> Result<Option<String>, AppError> {
    let Some(text) = words(msg) else {
        return Ok(match &msg.body {
            MessageBody::Event { event, .. } if event == "subscribe" => {
                Some("感谢关注！直接发送消息即可提交反馈，我们会回复您反馈编号。".to_string())
            }
            _ => None,
        });
    };
    let now = app.now();
    let dedupe = Key::raw(msg.dedupe_key());
    let thread_key = Key::wechat_thread(&msg.from_user);
    // WeChat resends a message it got no answer for: answer the same way again.
    if let Some((ticket, _)) = app.read().channel_key(dedupe.as_str()).await? {
        let t = app.read().ticket(ticket).await?;
        return Ok(Some(received_text(&t)));
    }
    let seen = KeyWrite { key: dedupe.clone().into(), value: None };
    if let Some((ticket, _)) = app.read().channel_key(thread_key.as_str()).await? {
        let t = app.read().ticket(ticket).await?;
        if is_open(&t) {
            let owed =
                Owed { keys: vec![seen], jobs: picture(msg, t.id, now).into_iter().collect(), ..Owed::default() };
            let t = append_customer_message(app, t.id, &text, owed).await?;
            return Ok(Some(format!("已收到您的补充说明，反馈编号 {}。", t.tracking_no)));
        }
    }
    let customer = Customer { member_id: Some(format!("wechat:{}", msg.from_user)), ..Customer::default() };
    let mut new = NewTicket::new(Ticket::draft(Channel::Wechat, text, customer, now, now), Actor::Customer);
    new.idempotency = Some((dedupe, "wechat".into()));
    let message = msg.clone();
    new.extra = Some(Arc::new(move |t: &Ticket, _: &[loopdesk_core::Event]| Owed {
        keys: vec![seen.clone(), KeyWrite { key: thread_key.clone().into(), value: None }],
        jobs: picture(&message, t.id, now).into_iter().collect(),
        ..Owed::default()
    }));
    let t = intake::record(app, new).await?.ticket;
    Ok(Some(received_text(&t)))
}

/// A picture is fetched in the background (the passive reply cannot wait for WeChat's API).
fn picture(msg: &WechatMessage, ticket: TicketId, now: Timestamp) -> Option<JobOp> {
    match &msg.body {
        MessageBody::Image { media_id, msg_id, .. } => Some(crate::jobs::op(
            &FetchMedia { ticket_id: ticket, media_id: media_id.clone(), msg_id: msg_id.clone() },
            now,
        )),
        _ => None,
    }
}

fn received_text(t: &Ticket) -> String {
    format!("您的反馈已收到，反馈编号 {}。我们将在 48 小时内答复，查询进度请提供此编号。", t.tracking_no)
}
