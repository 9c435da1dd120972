//! Typed configuration: defaults → TOML file → `LOOPDESK_*` environment variables
//! (`LOOPDESK_BIND`, `LOOPDESK_DATA`, `LOOPDESK_DATABASE_URL`, and `LOOPDESK_SECTION__KEY`
//! for nested keys such as `LOOPDESK_LIMITS__FEEDBACK_PER_MINUTE`).

pub mod channels;
pub mod proxy;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A secret whose `Debug` and `Display` never show it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Limits on what strangers can send.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Limits {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Public feedback submissions per client per minute (burst allowed up to the same).
    pub feedback_per_minute: u32,
    /// Public tracking look-ups per client per minute.
    pub track_per_minute: u32,
    /// Login attempts per client per minute.
    pub login_per_minute: u32,
    /// Consecutive failed sign-ins to one account name before it is locked.
    pub login_failures_before_lock: u32,
    /// How long the first lock lasts, in seconds; each further failure doubles it, up to
    /// an hour.
    pub login_lock_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 256 * 1024,
            feedback_per_minute: 10,
            track_per_minute: 20,
            login_per_minute: 10,
            login_failures_before_lock: 5,
            login_lock_seconds: 30,
        }
    }
}

/// When the triage engine picks up changes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct TriageSettings {
    /// Seconds between checks for rule or model versions saved by another node.
    pub reload_seconds: u64,
    /// Hours between automatic retrains of the category model when agents corrected
    /// categories since the last one; 0 turns automatic retraining off.
    pub retrain_hours: u64,
}

impl Default for TriageSettings {
    fn default() -> Self {
        TriageSettings { reload_seconds: 30, retrain_hours: 24 }
    }
}

/// Staff sign-in: the optional TOTP second factor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct AuthSettings {
    /// Admins must use a TOTP second factor: an admin without one is sent to enrol before
    /// anything else (the console) or refused with 403 `totp_enrolment_required` (the API).
    pub totp_required_for_admins: bool,
    /// The name authenticator apps show for the account (the `issuer` of the otpauth URI).
    pub totp_issuer: String,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { totp_required_for_admins: false, totp_issuer: "Loopdesk".into() }
    }
}

/// Everything `loopdesk serve` needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Config {
    /// Address the API and web UI listen on.
    pub bind: SocketAddr,
    /// Data directory (SQLite database, attachments).
    pub data: PathBuf,
    /// `postgres://…` to run on PostgreSQL; SQLite in `data` when absent.
    pub database_url: Option<Secret>,
    /// Separate listener for `/metrics`; served on the main listener when absent.
    pub metrics_bind: Option<SocketAddr>,
    /// Older spelling of `proxy.hops = 1`: one reverse proxy of ours in front.
    pub trust_proxy: bool,
    /// Reverse proxies in front: which `X-Forwarded-For` entries are believed, TLS.
    pub proxy: proxy::ProxyConfig,
    /// Hours a login session lasts.
    pub session_hours: i64,
    /// Size and rate limits.
    pub limits: Limits,
    /// Routing, acknowledgement and survey settings.
    pub workflow: crate::workflow::config::WorkflowConfig,
    /// Rule reloads and retraining.
    pub triage: TriageSettings,
    /// E-mail, WeChat, webhooks and notifications.
    pub channels: channels::ChannelsConfig,
    /// The background job worker.
    pub jobs: crate::jobs::JobsConfig,
    /// Live updates of open console pages.
    pub live: crate::live::LiveConfig,
    /// Staff sign-in: the TOTP second factor.
    pub auth: AuthSettings,
    /// Daily backups written by the server itself (SQLite).
    pub backup: BackupSettings,
    /// The daily anonymisation of finished tickets.
    pub retention: RetentionSettings,
}

/// `[retention]`: the floor under the retention policy and how the daily run works.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RetentionSettings {
    /// Run the daily anonymisation on this node's job worker (the cluster runs it once).
    pub enabled: bool,
    /// No period in the policy document may be shorter (seed 003: two years).
    pub floor_days: u32,
    /// Tickets per transaction: small enough that intake never waits long for the writer.
    pub chunk: usize,
    /// After each chunk the daily job pauses this many times as long as the chunk took,
    /// leaving the writer (and the CPU) to intake: 1.0 takes at most half of either.
    pub pause_ratio: f64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            enabled: true,
            floor_days: loopdesk_core::retention::DEFAULT_KEEP_DAYS,
            chunk: 50,
            pause_ratio: 1.0,
        }
    }
}

/// `[backup]`: the server writes a backup of the embedded database every day and keeps the
/// newest few (the same archive `loopdesk backup` writes).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct BackupSettings {
    /// Directory the daily archives go to; none: no scheduled backups.
    pub dir: Option<PathBuf>,
    /// Daily archives kept; older ones are deleted once a new one is complete.
    pub keep: usize,
    /// Time of day the backup starts, `HH:MM` in the reports' zone (the SLA policy's).
    pub at: String,
}

impl Default for BackupSettings {
    fn default() -> Self {
        BackupSettings { dir: None, keep: 7, at: "03:00".into() }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("data"),
            database_url: None,
            metrics_bind: None,
            trust_proxy: false,
            proxy: proxy::ProxyConfig::default(),
            session_hours: 12,
            limits: Limits::default(),
            workflow: Default::default(),
            triage: TriageSettings::default(),
            channels: Default::default(),
            jobs: crate::jobs::JobsConfig::default(),
            live: crate::live::LiveConfig::default(),
            auth: AuthSettings::default(),
            backup: BackupSettings::default(),
            retention: RetentionSettings::default(),
        }
    }
}

impl Config {
    /// Loads defaults, then `file` (or `loopdesk.toml` if present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None => fig = fig.merge(Toml::file("loopdesk.toml")),
        }
        fig.merge(Env::prefixed("LOOPDESK_").split("__").ignore(&["config"])).extract().map_err(Box::new)
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.expose().is_empty() => url.expose().to_string(),
            _ => format!("sqlite://{}", self.data.join("loopdesk.db").display()),
        }
    }

    /// The proxies in effect (`trust_proxy = true` counts as one hop).
    pub fn proxies(&self) -> proxy::ProxyConfig {
        let mut p = self.proxy.clone();
        if self.trust_proxy && p.hops == 0 {
            p.hops = 1;
        }
        p
    }

    /// Whether browsers reach the site over HTTPS (through a TLS proxy, or a public URL
    /// that says so): session cookies are then `Secure`.
    pub fn served_over_tls(&self) -> bool {
        self.proxy.tls || crate::portal::links::configured(self).is_some_and(|u| u.starts_with("https://"))
    }

    /// An example configuration file with every key and its default.
    pub fn example_toml() -> String {
        let mut out = String::from("# loopdesk.toml — every key is optional; LOOPDESK_* variables override.\n");
        out.push_str("bind = \"127.0.0.1:8080\"\ndata = \"data\"\n# database_url = \"postgres://postgres@127.0.0.1:5432/loopdesk\"\n");
        out.push_str("# metrics_bind = \"127.0.0.1:9090\"\ntrust_proxy = false\nsession_hours = 12\n");
        out.push_str(
            "\n[proxy]\n# reverse proxies in front that append to X-Forwarded-For (0: the peer is the client)\nhops = 0\n\
             # or their addresses / CIDR ranges, e.g. [\"10.0.0.0/8\"] (takes precedence over hops)\ntrusted = []\n\
             # the proxy serves HTTPS: session cookies get Secure\ntls = false\n\n[limits]\n",
        );
        let l = Limits::default();
        out.push_str(&format!(
            "max_body_bytes = {}\nfeedback_per_minute = {}\ntrack_per_minute = {}\nlogin_per_minute = {}\n\
             login_failures_before_lock = {}\nlogin_lock_seconds = {}\n",
            l.max_body_bytes,
            l.feedback_per_minute,
            l.track_per_minute,
            l.login_per_minute,
            l.login_failures_before_lock,
            l.login_lock_seconds
        ));
        let w = crate::workflow::config::WorkflowConfig::default();
        out.push_str(&format!(
            "\n[workflow]\nack_timeout_minutes = {}\nsurvey_delay_minutes = {}\nsurvey_window_hours = {}\n\
             # survey_secret = \"…\"  (generated and kept in the database when absent)\n\
             # the address customers reach the portal at, for survey and status links (warned about when absent)\n\
             # public_url = \"https://support.example.com\"\n",
            w.ack_timeout_minutes, w.survey_delay_minutes, w.survey_window_hours
        ));
        let t = TriageSettings::default();
        out.push_str(&format!(
            "\n[triage]\nreload_seconds = {}\nretrain_hours = {}\n",
            t.reload_seconds, t.retrain_hours
        ));
        let l = crate::live::LiveConfig::default();
        out.push_str(&format!(
            "\n[live]\npoll_ms = {}\nmax_streams_per_user = {}\nkeep_alive_seconds = {}\nmax_stream_seconds = {}\n",
            l.poll_ms, l.max_streams_per_user, l.keep_alive_seconds, l.max_stream_seconds
        ));
        let a = AuthSettings::default();
        out.push_str(&format!(
            "\n[auth]\n# admins must sign in with a TOTP code (those without one are sent to enrol)\n\
             totp_required_for_admins = {}\ntotp_issuer = \"{}\"\n",
            a.totp_required_for_admins, a.totp_issuer
        ));
        let b = BackupSettings::default();
        out.push_str(&format!(
            "\n[backup]\n# a directory turns on daily backups of the embedded database (SQLite)\n\
             # dir = \"/var/backups/loopdesk\"\nkeep = {}\nat = \"{}\"\n",
            b.keep, b.at
        ));
        let r = RetentionSettings::default();
        out.push_str(&format!(
            "\n[retention]\n# finished tickets lose their personal data when the policy document says (daily)\n\
             enabled = {}\n# no period in the policy may be shorter\nfloor_days = {}\nchunk = {}\n\
             # after each chunk the daily job pauses this many times as long as the chunk took\n\
             pause_ratio = {:.1}\n",
            r.enabled, r.floor_days, r.chunk, r.pause_ratio
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_to_the_defaults() {
        let parsed: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(&Config::example_toml()))
            .extract()
            .unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn secrets_do_not_print() {
        let c = Config { database_url: Some(Secret::new("postgres://u:pw@h/db")), ..Config::default() };
        assert!(!format!("{c:?}").contains("pw"));
    }
}
