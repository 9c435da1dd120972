//! `loopdesk bench …`: benchmarks that start a real `loopdesk serve` child process and load
//! it over HTTP from this process, printing the figures the issues name.

mod child;
mod exports;
mod intake;
mod mail;
mod mix;
mod pages;
mod queue;
mod reports;
mod stats;
mod timers;

use clap::Subcommand;
use loopdesk_app::Config;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Intake throughput and latency (durable 201s) at several client counts.
    Intake {
        /// Comma-separated concurrent client counts.
        #[arg(long, default_value = "1,8,32")]
        clients: String,
        /// Seconds measured per client count (after a 1 s warm-up).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Run on a fresh database on this PostgreSQL server instead of SQLite.
        #[arg(long)]
        postgres: Option<String>,
        /// What the clients send: a realistic mix, or four fixed texts (every ticket joins
        /// one of four growing clusters).
        #[arg(long, value_enum, default_value = "realistic")]
        mix: mix::MixKind,
        /// Also print the server's time per stage of an intake.
        #[arg(long)]
        breakdown: bool,
        /// Follow every Nth acknowledged ticket until its route lands (0: none).
        #[arg(long, default_value_t = 200)]
        lag_every: u64,
    },
    /// Queue, counts and ticket-page latency and server memory on an existing database
    /// (fill it first with `loopdesk demo --tickets 1000000`).
    Queue {
        /// Requests per query shape.
        #[arg(long, default_value_t = 30)]
        requests: usize,
        /// PostgreSQL URL of an existing database (default: SQLite in --data).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Reports: month summary, 12-month daily trend, breakdowns, xlsx, the console page, on
    /// an existing database (fill it first with `loopdesk demo --tickets 1000000`).
    Reports {
        /// Requests per report (0: the exports alone).
        #[arg(long, default_value_t = 20)]
        requests: usize,
        /// PostgreSQL URL of an existing database (default: SQLite in --data).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Console and portal pages: server latency, page weight, external references, on an
    /// existing database (fill it first with `loopdesk demo --tickets 1000000`).
    Pages {
        /// Requests per page.
        #[arg(long, default_value_t = 30)]
        requests: usize,
        /// PostgreSQL URL of an existing database (default: SQLite in --data).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Raw e-mails parsed per second (one core) over the SpamAssassin corpus.
    MailParse {
        /// The corpus folder (scripts/fetch-spamassassin.sh prints it).
        #[arg(long, env = "LOOPDESK_SPAMASSASSIN_DIR")]
        corpus: std::path::PathBuf,
        /// Passes over the corpus.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// E-mails taken in per second from IMAP into tickets (ports from LOOPDESK_TEST_MAIL).
    MailIngest {
        #[arg(long, default_value_t = 2000)]
        messages: usize,
    },
    /// Notifications delivered per second to the SMTP server (ports from LOOPDESK_TEST_MAIL).
    Notify {
        #[arg(long, default_value_t = 3000)]
        count: usize,
    },
    /// Timers: working-day arithmetic, find and claim of due jobs among many pending, idle CPU.
    Timers {
        #[arg(long, default_value_t = 1_000_000)]
        jobs: usize,
        #[arg(long, default_value_t = 300)]
        wakeups: usize,
        #[arg(long, default_value_t = 10)]
        idle_seconds: u64,
        /// An EMPTY database to fill (e.g. a fresh PostgreSQL one); default: a temporary SQLite file.
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub async fn run(command: BenchCommand, config: Config) -> anyhow::Result<()> {
    match command {
        BenchCommand::Intake { clients, seconds, postgres, mix, breakdown, lag_every } => {
            let clients: Vec<usize> = clients.split(',').map(|c| c.trim().parse()).collect::<Result<_, _>>()?;
            intake::run(intake::Options { clients, seconds, postgres, mix, breakdown, lag_every }).await
        }
        BenchCommand::Queue { requests, database_url } => {
            queue::run(crate::with_database(config, database_url), requests).await
        }
        BenchCommand::Reports { requests, database_url } => {
            reports::run(crate::with_database(config, database_url), requests).await
        }
        BenchCommand::Pages { requests, database_url } => {
            pages::run(crate::with_database(config, database_url), requests).await
        }
        BenchCommand::MailParse { corpus, rounds } => mail::parse(corpus, rounds),
        BenchCommand::MailIngest { messages } => mail::ingest(messages).await,
        BenchCommand::Notify { count } => mail::notify(count).await,
        BenchCommand::Timers { jobs, wakeups, idle_seconds, database_url } => {
            timers::run(jobs, wakeups, idle_seconds, database_url).await
        }
    }
}
