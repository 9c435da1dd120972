//! The SMTP client: a small pool of lettre connections that sends each message with
//! delivery status notifications requested (RFC 3461) when the server offers the `DSN`
//! extension: `MAIL FROM:<support mailbox> RET=HDRS ENVID=<tagged delivery id>` and
//! `RCPT TO:<customer> NOTIFY=SUCCESS,FAILURE,DELAY`. The reports come back to the
//! envelope sender — the mailbox the IMAP poller reads — and tell whether the message
//! reached the customer's mailbox, not only the first server. lettre's pooled transport
//! sends no such parameters, so the transaction is driven on its connection here.

use crate::config::channels::{Security, SmtpConfig};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter, RcptParameter};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// An idle connection older than this is closed rather than reused (servers drop idle
/// clients after a minute or more).
const MAX_IDLE: Duration = Duration::from_secs(60);

/// The SMTP client, pooled; cheap to clone.
#[derive(Clone)]
pub struct Smtp {
    inner: Arc<Inner>,
    /// `host:port`, for messages.
    pub(super) server: String,
    pub(super) ca_file: Option<std::path::PathBuf>,
}

struct Inner {
    host: String,
    port: u16,
    security: Security,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Connections at most, sending or idle.
    permits: Semaphore,
    idle: Mutex<Vec<Pooled>>,
    pool_size: usize,
}

struct Pooled {
    conn: AsyncSmtpConnection,
    /// The server announced `DSN` on this connection.
    dsn: bool,
    since: Instant,
}

/// Why the SMTP client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSetupError {
    #[error(transparent)]
    Ca(#[from] super::tls::TlsSetupError),
    #[error("SMTP TLS parameters: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the addresses are not ASCII and the server does not support SMTPUTF8")]
    NoSmtpUtf8,
    #[error("the message is not ASCII and the server does not support 8BITMIME")]
    No8BitMime,
}

impl SendError {
    /// Sending it again will fail the same way.
    pub fn is_permanent(&self) -> bool {
        match self {
            SendError::Smtp(e) => e.is_permanent(),
            SendError::NoSmtpUtf8 | SendError::No8BitMime => true,
        }
    }
}

/// What one send asks of the receiving side.
pub struct Dsn<'a> {
    /// The `ENVID` the reports quote back.
    pub envelope_id: &'a str,
}

impl Smtp {
    /// A pooled client for the configured server. With `ca_file`, the server's certificate
    /// must be signed by that CA (the public roots are not used); without, by a public root.
    pub fn new(cfg: &SmtpConfig) -> Result<Smtp, SmtpSetupError> {
        let tls = match cfg.security {
            Security::None => None,
            Security::Starttls | Security::Tls => {
                let mut params = TlsParameters::builder(cfg.host.clone());
                if let Some(path) = &cfg.ca_file {
                    let pem = super::tls::read_ca(path)?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| super::tls::TlsSetupError::Bad {
                        path: path.display().to_string(),
                        why: e.to_string(),
                    })?;
                    params = params.certificate_store(CertificateStore::None).add_root_certificate(cert);
                }
                Some(params.build()?)
            }
        };
        let credentials = match (&cfg.username, &cfg.password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.expose().to_string())),
            _ => None,
        };
        let pool_size = cfg.pool_size.max(1) as usize;
        Ok(Smtp {
            inner: Arc::new(Inner {
                host: cfg.host.clone(),
                port: cfg.port,
                security: cfg.security,
                tls,
                credentials,
                hello: ClientId::default(),
                permits: Semaphore::new(pool_size),
                idle: Mutex::new(Vec::new()),
                pool_size,
            }),
            server: format!("{}:{}", cfg.host, cfg.port),
            ca_file: cfg.ca_file.clone(),
        })
    }

    /// Sends `message` to `envelope`, asking for delivery reports when `dsn` is given and
    /// the server supports them. Returns whether they were asked for.
    pub async fn send(&self, envelope: &Envelope, message: &[u8], dsn: Option<Dsn<'_>>) -> Result<bool, SendError> {
        // A closed semaphore never happens (it is never closed); sending without a permit
        // would only exceed the pool size.
        let _permit = self.inner.permits.acquire().await.ok();
        let mut pooled = self.checkout().await?;
        let dsn = dsn.filter(|_| pooled.dsn);
        match transact(&mut pooled.conn, envelope, message, dsn.as_ref()).await {
            Ok(()) => {
                self.checkin(pooled);
                Ok(dsn.is_some())
            }
            Err(e) => {
                pooled.conn.abort().await;
                Err(e)
            }
        }
    }

    async fn checkout(&self) -> Result<Pooled, SendError> {
        loop {
            let next = self.inner.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
            let Some(mut p) = next else { break };
            if p.since.elapsed() < MAX_IDLE && p.conn.test_connected().await {
                return Ok(p);
            }
            p.conn.abort().await;
        }
        self.connect().await
    }

    fn checkin(&self, mut p: Pooled) {
        p.since = Instant::now();
        if let Ok(mut idle) = self.inner.idle.lock() {
            if idle.len() < self.inner.pool_size {
                idle.push(p);
            }
        }
    }

    async fn connect(&self) -> Result<Pooled, SendError> {
        let i = &self.inner;
        let wrapper = match i.security {
            Security::Tls => i.tls.clone(),
            _ => None,
        };
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            (i.host.as_str(), i.port),
            Some(Duration::from_secs(30)),
            &i.hello,
            wrapper,
            None,
        )
        .await?;
        if let (Security::Starttls, Some(tls)) = (i.security, &i.tls) {
            // Refuses a server that does not offer STARTTLS: never falls back to plain text.
            conn.starttls(tls.clone(), &i.hello).await?;
        }
        if let Some(credentials) = &i.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        // lettre keeps only the extensions it knows; ask again to see whether DSN is one.
        let ehlo = conn.command(Ehlo::new(i.hello.clone())).await?;
        let dsn = ehlo
            .message()
            .any(|line: &str| line.split_whitespace().next().is_some_and(|w: &str| w.eq_ignore_ascii_case("DSN")));
        Ok(Pooled { conn, dsn, since: Instant::now() })
    }
}

/// One mail transaction on `conn`.
async fn transact(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    message: &[u8],
    dsn: Option<&Dsn<'_>>,
) -> Result<(), SendError> {
    let info = conn.server_info().clone();
    let mut mail = Vec::new();
    let addresses_ascii = envelope.from().into_iter().chain(envelope.to()).all(|a| AsRef::<str>::as_ref(a).is_ascii());
    if !addresses_ascii {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            return Err(SendError::NoSmtpUtf8);
        }
        mail.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Err(SendError::No8BitMime);
        }
        mail.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let mut rcpt = Vec::new();
    if let Some(dsn) = dsn {
        // Headers only: the report needs our Message-ID, not the customer's copy again.
        mail.push(MailParameter::Other { keyword: "RET".into(), value: Some("HDRS".into()) });
        mail.push(MailParameter::Other { keyword: "ENVID".into(), value: Some(dsn.envelope_id.into()) });
        rcpt.push(RcptParameter::Other { keyword: "NOTIFY".into(), value: Some("SUCCESS,FAILURE,DELAY".into()) });
    }
    conn.command(Mail::new(envelope.from().cloned(), mail)).await?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), rcpt.clone())).await?;
    }
    conn.command(Data).await?;
    conn.message(message).await?;
    Ok(())
}
