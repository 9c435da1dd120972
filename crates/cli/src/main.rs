//! `loopdesk`: the single binary. Thin: parses the command line, loads the configuration
//! and calls into the library crates.

mod backup;
mod bench;
mod demo;
mod report;
mod retention;
mod rollup;
mod triage;
mod users;

/// mimalloc: faster for the server's many small cross-thread allocations, and it returns
/// freed memory, where glibc's per-thread arenas kept growing under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v3's `mi_option_arena_eager_commit` (its place in `mi_option_t`).
#[cfg(target_os = "linux")]
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// On Linux mimalloc commits each arena whole when it reserves it, which keeps about
/// 30 MiB more resident than the server uses. The option must be set before the first
/// allocation, and the Rust runtime allocates before `main`; a constructor runs earlier.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static LAZY_ARENAS: extern "C" fn() = lazy_arenas;

#[cfg(target_os = "linux")]
extern "C" fn lazy_arenas() {
    // SAFETY: sets a plain option value, before any thread or allocation exists.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) }
}

use anyhow::Context;
use clap::{Parser, Subcommand};
use loopdesk_app::{App, Clock, Config, Secret, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "loopdesk", version, about = "Loopdesk — closed-loop customer feedback center")]
struct Cli {
    /// Configuration file (default: ./loopdesk.toml if present).
    #[arg(long, global = true, env = "LOOPDESK_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory (SQLite database, attachments).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (creates the data directory and the first admin on first start).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080, or LOOPDESK_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// On an empty database, load 2,000 demo tickets (and demo staff) before serving.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Fill the database with realistic demo tickets.
    Demo {
        #[arg(long, default_value_t = 2000)]
        tickets: usize,
        #[arg(long, default_value_t = 20261124)]
        seed: u64,
    },
    /// Manage staff users.
    User {
        #[command(subcommand)]
        command: users::UserCommand,
    },
    /// Print an example configuration file.
    Config,
    /// Text triage tools.
    Triage {
        #[command(subcommand)]
        command: triage::TriageCommand,
    },
    /// Rebuild the queue counts and dashboard rollups from the tickets.
    Rollup {
        #[command(subcommand)]
        command: rollup::RollupCommand,
    },
    /// A report (summary, trend, breakdown, channels, agents) as JSON, CSV or Excel.
    Report(Box<report::ReportArgs>),
    /// Benchmarks that print the figures the issues name.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Write a consistent backup of the embedded database (attachments included) to one
    /// archive, safely while the server runs. PostgreSQL: use pg_dump (see the README).
    Backup {
        /// The archive to write (`.tar.zst`); never overwritten.
        #[arg(long)]
        to: PathBuf,
    },
    /// Retention: anonymise finished tickets whose period has passed.
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Restore a backup into an empty data directory, verifying every byte first.
    Restore {
        /// The archive `loopdesk backup` wrote.
        #[arg(long)]
        from: PathBuf,
    },
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = Config::load(cli.config.as_deref()).context("reading the configuration")?;
    if let Some(data) = &cli.data {
        config.data = data.clone();
    }
    Ok(config)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOOPDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn serve(mut config: Config, bind: Option<SocketAddr>, with_demo: bool) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        config.bind = bind;
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let server = loopdesk_server::Server::build(config, clock.clone()).await?;
    let app = &server.state.app;
    if let Some((user, password)) = loopdesk_app::accounts::bootstrap_admin(app).await? {
        println!("First start: created the administrator account.");
        println!("  username: {user}");
        println!("  password: {password}");
        println!("  (shown once; sign in and keep it safe)");
    }
    if with_demo && app.read().count_by_state(&Default::default()).await?.total == 0 {
        let options = demo::DemoOptions { tickets: 2000, seed: 20261124 };
        let report = demo::run(app.store(), options, clock.now()).await?;
        rollup::backfill_sla(app.store()).await?;
        println!("{report}");
    }
    if loopdesk_app::portal::links::configured(&app.config).is_none() {
        tracing::warn!("{}", loopdesk_app::portal::links::NO_PUBLIC_URL);
    }
    if let Some(schedule) = backup::Schedule::from_config(&app.config)? {
        tokio::spawn(backup::run_daily(schedule, (*app.config).clone(), app.clone()));
    }
    let addr = server.local_addr()?;
    println!("Loopdesk is listening on http://{addr}  (API: http://{addr}/api/v1, docs: /api/v1/openapi.json)");
    tracing::info!(%addr, backend = ?app.read().backend(), "listening");
    server.serve(shutdown_signal()).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let cli = Cli::parse();
    let config = load_config(&cli)?;
    match cli.command {
        Command::Serve { bind, demo } => serve(config, bind, demo).await,
        Command::Migrate => {
            App::open(config, Arc::new(SystemClock)).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Demo { tickets, seed } => {
            // Imported open tickets get their SLA timers in the import's transaction.
            let app = App::open(config, Arc::new(SystemClock)).await?;
            let report = demo::run(app.store(), demo::DemoOptions { tickets, seed }, chrono::Utc::now()).await?;
            // The demo writes finished timelines: record the SLA results their clocks reached.
            rollup::backfill_sla(app.store()).await?;
            println!("{report}");
            Ok(())
        }
        Command::User { command } => users::run(command, &config).await,
        Command::Config => {
            print!("{}", Config::example_toml());
            Ok(())
        }
        Command::Triage { command } => triage::run(command, &config).await,
        Command::Rollup { command } => rollup::run(command, &config).await,
        Command::Report(args) => report::run(*args, &config).await,
        Command::Bench { command } => bench::run(command, config).await,
        Command::Backup { to } => backup::backup(&config, &to).await,
        Command::Restore { from } => backup::restore(&config, &from).await,
        Command::Retention { command } => retention::run(command, config).await,
    }
}

/// The database URL from a flag, if given, overriding the configuration.
pub fn with_database(mut config: Config, url: Option<String>) -> Config {
    if let Some(url) = url {
        config.database_url = Some(Secret::new(url));
    }
    config
}
