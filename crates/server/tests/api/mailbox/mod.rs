//! The loopback mail system of scripts/setup-mail.sh, seen from tests: ports from
//! LOOPDESK_TEST_MAIL, IMAP APPEND and FETCH with the password every mailbox has.

#![allow(dead_code)]

use futures::TryStreamExt;
use loopdesk_app::config::channels::{ImapConfig, Security, SmtpConfig};
use loopdesk_app::config::Secret;
use std::time::Duration;
use tokio::net::TcpStream;

pub const DOMAIN: &str = "loopdesk.test";
pub const PASSWORD: &str = "loopdesk";

/// (SMTP port, IMAP port), or `None` with a message saying the test is skipped.
pub fn ports(test: &str) -> Option<(u16, u16)> {
    let raw = std::env::var("LOOPDESK_TEST_MAIL").ok().filter(|v| !v.is_empty());
    let parsed = raw.as_deref().and_then(|v| {
        let (s, i) = v.split_once(',')?;
        Some((s.trim().parse().ok()?, i.trim().parse().ok()?))
    });
    if parsed.is_none() {
        crate::common::skip(&format!(
            "{test}: LOOPDESK_TEST_MAIL is not set (run scripts/setup-mail.sh; scripts/test does)"
        ));
    }
    parsed
}

/// A mailbox name no other test or run uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}

pub fn smtp(port: u16, from_user: &str) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        from: format!("客服中心 <{from_user}@{DOMAIN}>"),
        reply_to: None,
        pool_size: 8,
        ..SmtpConfig::default()
    }
}

pub fn imap(port: u16, user: &str) -> ImapConfig {
    ImapConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: user.into(),
        password: Secret::new(PASSWORD),
        mailbox: "INBOX".into(),
        poll_secs: 3600,
        ca_file: None,
    }
}

async fn session(port: u16, user: &str) -> async_imap::Session<TcpStream> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).await.expect("IMAP connect");
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.expect("greeting");
    client.login(user, PASSWORD).await.map_err(|(e, _)| e).expect("IMAP login")
}

/// Puts a raw message into `user`'s INBOX.
pub async fn append(port: u16, user: &str, raw: &[u8]) {
    let mut s = session(port, user).await;
    s.append("INBOX", None, None, raw).await.expect("APPEND");
    s.logout().await.ok();
}

/// Every message in `user`'s INBOX, raw.
pub async fn fetch_all(port: u16, user: &str) -> Vec<Vec<u8>> {
    let mut s = session(port, user).await;
    let mailbox = s.select("INBOX").await.expect("SELECT");
    if mailbox.exists == 0 {
        s.logout().await.ok();
        return Vec::new();
    }
    let out: Vec<Vec<u8>> = s
        .fetch("1:*", "BODY.PEEK[]")
        .await
        .expect("FETCH")
        .try_filter_map(|f| async move { Ok(f.body().map(<[u8]>::to_vec)) })
        .try_collect()
        .await
        .expect("FETCH stream");
    s.logout().await.ok();
    out
}

/// Waits (bounded) until `user`'s INBOX holds at least `n` messages; Postfix delivers
/// asynchronously. Returns what is there at the end.
pub async fn wait_for(port: u16, user: &str, n: usize, limit: Duration) -> Vec<Vec<u8>> {
    let start = std::time::Instant::now();
    loop {
        let all = fetch_all(port, user).await;
        if all.len() >= n || start.elapsed() > limit {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The TLS side of scripts/setup-mail.sh, from LOOPDESK_TEST_MAIL_TLS.
pub struct TlsPorts {
    /// SMTP submission that requires STARTTLS.
    pub starttls: u16,
    /// SMTP with TLS from the first byte.
    pub smtps: u16,
    pub imaps: u16,
    /// The private CA that signs the servers' certificate.
    pub ca: std::path::PathBuf,
    /// An unrelated CA in the same directory (signs nothing we talk to).
    pub other_ca: std::path::PathBuf,
}

/// The TLS ports and CA file, or `None` with a message saying the test is skipped.
pub fn tls_ports(test: &str) -> Option<TlsPorts> {
    let raw = std::env::var("LOOPDESK_TEST_MAIL_TLS").ok().filter(|v| !v.is_empty());
    let parsed = raw.as_deref().and_then(|v| {
        let mut it = v.splitn(4, ',');
        let starttls = it.next()?.trim().parse().ok()?;
        let smtps = it.next()?.trim().parse().ok()?;
        let imaps = it.next()?.trim().parse().ok()?;
        let ca = std::path::PathBuf::from(it.next()?.trim());
        let other_ca = ca.with_file_name("other-ca.pem");
        Some(TlsPorts { starttls, smtps, imaps, ca, other_ca })
    });
    if parsed.is_none() {
        crate::common::skip(&format!(
            "{test}: LOOPDESK_TEST_MAIL_TLS is not set (run scripts/setup-mail.sh; scripts/test does)"
        ));
    }
    parsed
}
