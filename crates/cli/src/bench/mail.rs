//! Channel benchmarks: raw messages parsed per second over the SpamAssassin corpus, e-mails
//! taken in per second from a real IMAP mailbox into tickets, and notifications delivered
//! per second to a real SMTP server (scripts/setup-mail.sh provides both on loopback).

use anyhow::Context;
use loopdesk_app::config::channels::{ImapConfig, Security, SmtpConfig};
use loopdesk_app::inbound::imap;
use loopdesk_app::outbound::{outbox, EmailPayload};
use loopdesk_app::App;
use loopdesk_app::SystemClock;
use loopdesk_app::{Config, Secret};
use loopdesk_channels::email::{parse_email, EmailPolicy, OutboundEmail};
use loopdesk_store::NewDelivery;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Every `*.txt` file under `root`'s sub-folders.
fn corpus(root: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut files = Vec::new();
    for folder in std::fs::read_dir(root).with_context(|| format!("reading {}", root.display()))?.flatten() {
        if folder.path().is_dir() {
            for entry in std::fs::read_dir(folder.path())?.flatten() {
                if entry.path().extension().is_some_and(|e| e == "txt") {
                    files.push(entry.path());
                }
            }
        }
    }
    files.sort();
    files.iter().map(|p| std::fs::read(p).map_err(Into::into)).collect()
}

/// `bench mail-parse`: one core, every message of the corpus, several rounds.
pub fn parse(dir: PathBuf, rounds: usize) -> anyhow::Result<()> {
    let messages = corpus(&dir)?;
    anyhow::ensure!(!messages.is_empty(), "no messages under {}; run scripts/fetch-spamassassin.sh", dir.display());
    let policy = EmailPolicy::default();
    let (mut ok, mut refused) = (0usize, 0usize);
    let start = Instant::now();
    for _ in 0..rounds.max(1) {
        for raw in &messages {
            match std::panic::catch_unwind(|| parse_email(raw, &policy)) {
                Ok(Ok(_)) => ok += 1,
                Ok(Err(_)) => refused += 1,
                Err(_) => anyhow::bail!("the parser panicked"),
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let total = ok + refused;
    println!("mail-parse: {} messages x {} rounds on one core", messages.len(), rounds.max(1));
    println!(
        "  parsed {total} in {secs:.2} s = {:.0} messages/s; {ok} ok, {refused} quarantined, 0 panics",
        total as f64 / secs
    );
    Ok(())
}

fn mail_ports() -> (u16, u16) {
    let env = std::env::var("LOOPDESK_TEST_MAIL").unwrap_or_default();
    let parsed = env.split_once(',').and_then(|(s, i)| Some((s.trim().parse().ok()?, i.trim().parse().ok()?)));
    parsed.unwrap_or((2525, 1143))
}

async fn app(data: &Path, smtp_port: u16) -> anyhow::Result<App> {
    let mut config = Config { bind: "127.0.0.1:0".parse()?, data: data.to_path_buf(), ..Config::default() };
    config.channels.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: smtp_port,
        security: Security::None,
        from: "Bench <bench@loopdesk.test>".into(),
        pool_size: 16,
        ..SmtpConfig::default()
    });
    config.channels.outbox_concurrency = 32;
    Ok(App::open(config, Arc::new(SystemClock)).await?)
}

fn sample(i: usize, to: &str) -> Vec<u8> {
    format!(
        "From: Customer {i} <customer{i}@example.com>\r\nTo: <{to}>\r\nSubject: 第{i}号订单的洗衣机漏水\r\n\
         Message-ID: <bench.{i}.{}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         您好，我在贵店购买的洗衣机（订单 {i}）从昨天开始漏水，地面全湿了，请尽快安排维修。\r\n",
        rand::random::<u32>()
    )
    .into_bytes()
}

/// `bench mail-ingest`: APPENDs `messages` to a fresh mailbox (not timed), then times one
/// poll taking them all in as tickets.
pub async fn ingest(messages: usize) -> anyhow::Result<()> {
    let (smtp_port, imap_port) = mail_ports();
    let dir = tempfile::tempdir()?;
    let app = app(dir.path(), smtp_port).await?;
    let user = format!("bench-in-{:08x}", rand::random::<u32>());
    let tcp =
        tokio::net::TcpStream::connect(("127.0.0.1", imap_port)).await.context("IMAP; run scripts/setup-mail.sh")?;
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await?;
    let mut session = client.login(&user, "loopdesk").await.map_err(|(e, _)| e)?;
    for i in 0..messages {
        session.append("INBOX", None, None, sample(i, &format!("{user}@loopdesk.test"))).await?;
    }
    session.logout().await?;
    let cfg = ImapConfig {
        host: "127.0.0.1".into(),
        port: imap_port,
        security: Security::None,
        username: user,
        password: Secret::new("loopdesk"),
        mailbox: "INBOX".into(),
        poll_secs: 3600,
        ..ImapConfig::default()
    };
    let start = Instant::now();
    let report = imap::poll_once(&app, &cfg).await?;
    let secs = start.elapsed().as_secs_f64();
    println!("mail-ingest: {messages} e-mails from IMAP into tickets (SQLite, triage, acknowledgement queued)");
    println!("  {report:?}");
    println!("  {secs:.2} s = {:.0} e-mails/s", report.opened as f64 / secs);
    Ok(())
}

/// `bench notify`: queues `count` e-mail notifications and times delivering them all to
/// the SMTP server.
pub async fn notify(count: usize) -> anyhow::Result<()> {
    let (smtp_port, imap_port) = mail_ports();
    let dir = tempfile::tempdir()?;
    let app = app(dir.path(), smtp_port).await?;
    let to = format!("bench-out-{:08x}@loopdesk.test", rand::random::<u32>());
    let now = chrono::Utc::now();
    let list: Vec<NewDelivery> = (0..count)
        .map(|i| {
            let email = OutboundEmail {
                from: "客服中心 <bench@loopdesk.test>".into(),
                to: to.clone(),
                reply_to: None,
                subject: format!("【示例】已收到您的反馈（编号 FB-{i}）"),
                text: "我们已收到您的反馈，并已启动处理流程。".repeat(5),
                html: Some("<p>我们已收到您的反馈，并已启动处理流程。</p>".repeat(5)),
                message_id: app.outbound.issuer.issue_random(loopdesk_core::TicketId(i as i64 + 1)),
                in_reply_to: None,
                references: Vec::new(),
                ticket: loopdesk_core::TicketId(i as i64 + 1),
                automatic: true,
                date: now,
                attachments: Vec::new(),
            };
            NewDelivery {
                key: format!("bench:{i}"),
                ticket_id: None,
                transport: "email".into(),
                kind: "acknowledgement".into(),
                target: to.clone(),
                payload: serde_json::to_value(EmailPayload { email }).unwrap_or_default(),
                failed: None,
            }
        })
        .collect();
    app.store().add_deliveries(&list, now).await?;
    let start = Instant::now();
    let sent = outbox::drain(&app).await?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "notify: {count} notifications to Postfix on 127.0.0.1:{smtp_port} (SQLite outbox, claimed before and recorded after each send)"
    );
    println!("  {:?}", app.read().delivery_counts().await?);
    println!("  {sent} delivered in {secs:.2} s = {:.0} notifications/s", sent as f64 / secs);
    let _ = imap_port;
    Ok(())
}
