//! `loopdesk report NAME --from … --to … --format json|csv|xlsx`: a report computed by the
//! same use case as `GET /api/v1/reports/{name}`, for an operator on the server machine
//! (who has the database, so reads as an administrator), written to a file or stdout.

use anyhow::Context;
use clap::Args;
use loopdesk_app::sheet::{self, Format};
use loopdesk_app::{App, Config, SystemClock};
use loopdesk_core::access::Role;
use loopdesk_core::report::ReportName;
use loopdesk_core::{Principal, Timestamp, UserId};
use loopdesk_server::routes::reports::{names, ReportParams};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct ReportArgs {
    /// summary, trend, breakdown, channels or agents.
    name: String,
    /// Start of the period (RFC 3339); with --to. Default: this month.
    #[arg(long)]
    from: Option<Timestamp>,
    /// End of the period (RFC 3339, exclusive).
    #[arg(long)]
    to: Option<Timestamp>,
    /// json (default), csv or xlsx.
    #[arg(long)]
    format: Option<String>,
    /// Trend buckets: hour, day, week, month.
    #[arg(long)]
    grain: Option<String>,
    /// Breakdown dimension(s), e.g. `category` or `category,channel`.
    #[arg(long)]
    dimension: Option<String>,
    #[arg(long)]
    channel: Option<String>,
    #[arg(long)]
    category: Option<String>,
    #[arg(long)]
    subtag: Option<String>,
    #[arg(long)]
    product: Option<String>,
    #[arg(long)]
    department: Option<i64>,
    #[arg(long)]
    agent: Option<i64>,
    #[arg(long)]
    priority: Option<String>,
    #[arg(long)]
    tier: Option<String>,
    /// Write to this file instead of stdout (needed for xlsx on a terminal).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

pub async fn run(args: ReportArgs, config: &Config) -> anyhow::Result<()> {
    let name = ReportName::parse(&args.name)
        .with_context(|| format!("no report {:?}; reports are {}", args.name, ReportName::names()))?;
    let app = App::open(config.clone(), Arc::new(SystemClock)).await?;
    let params = ReportParams {
        from: args.from,
        to: args.to,
        grain: args.grain,
        dimension: args.dimension,
        channel: args.channel,
        category: args.category,
        subtag: args.subtag,
        product: args.product,
        department: args.department,
        agent: args.agent,
        priority: args.priority,
        tier: args.tier,
        format: args.format,
    };
    let (req, format) = params.request(name, &app, app.clock.now()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let operator = Principal {
        user_id: UserId(0),
        name: "cli".into(),
        role: Role::Admin,
        department_id: None,
        intake_only: false,
    };
    let report = loopdesk_app::reports::run(&app, &operator, req).await?;
    let bytes = match format {
        Format::Json => serde_json::to_vec_pretty(&report)?,
        Format::Csv | Format::Xlsx => {
            let names = names(&app).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let s = sheet::sheet(&report, &names);
            if format == Format::Csv {
                sheet::to_csv(&s).into_bytes()
            } else {
                sheet::to_xlsx(&s)?
            }
        }
    };
    match args.output {
        Some(path) => std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    app.store().close().await;
    Ok(())
}
