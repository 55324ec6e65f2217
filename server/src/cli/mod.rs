//! The `casm-feed` command line: its arguments and one module per command. The binary
//! (`src/main.rs`) only parses and calls [`run`].
//!
//! # Layout
//! - [`serve`]: `serve`, the service itself.
//! - [`catalogue`]: `import`, `export` and `backup`.
//! - [`partner`]: `partner add|list|remove|token`, the sites allowed to send votes.
//! - [`admin`]: `admin token create|list|revoke`, the staff tokens.
//! - [`stats`]: `stats`, counts per partner, or one counter per day as CSV.
//! - [`feedback`]: `feedback`, the "Submit your comments" messages for moderation.
//!
//! Every boolean given by environment variable takes the usual spellings (see
//! [`boolish`]), so `CASM_COUNT_HEADLESS=1` works as the README says.

pub mod admin;
pub mod catalogue;
pub mod feedback;
pub mod partner;
pub mod serve;
pub mod stats;

use crate::store::Store;
use anyhow::Context;
use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand};

/// `casm-feed`'s arguments.
#[derive(Debug, Parser)]
#[command(name = "casm-feed", version, about = "The CASM shared feed service")]
pub struct Cli {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "CASM_DATABASE",
        default_value = "sqlite://data/casm.db",
        global = true
    )]
    pub database: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the feed, the API, the demo pages and the widget.
    Serve(serve::ServeArgs),
    /// Manage the partner sites allowed to send votes and events.
    Partner {
        #[command(subcommand)]
        command: partner::PartnerCommand,
    },
    /// Manage the tokens of the CASM team's console and API (`/v1/admin/*`).
    Admin {
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Print counts per partner and resource; with --csv, one counter per UTC day as
    /// `GET /v1/admin/export.csv` sends it.
    Stats(stats::StatsArgs),
    /// Print "Submit your comments" messages for moderation, newest first.
    Feedback(feedback::FeedbackArgs),
    /// Validate FILE and add or replace its resources, all or nothing, as the file gives
    /// them (versions included). A running service picks the change up within its
    /// catalogue refresh interval. Retired resources stay retired.
    Import { file: std::path::PathBuf },
    /// Write the catalogue in the import format to standard output, retired resources
    /// included (listed on standard error: retirement is not part of the file).
    Export,
    /// Write a consistent copy of the SQLite database to FILE while the service runs
    /// (`VACUUM INTO`); never overwrites. On PostgreSQL use `pg_dump -Fc`.
    Backup { file: std::path::PathBuf },
}

/// The value parser of every boolean flag that an environment variable may set: `1`,
/// `true`, `yes`, `on`, `y`, `t` and their opposites, in any case (clap's own default
/// takes only `true` and `false`).
pub fn boolish() -> BoolishValueParser {
    BoolishValueParser::new()
}

/// Logs to standard error, `casm_feed=info` unless `RUST_LOG` says otherwise; one JSON
/// object a line when `CASM_LOG_FORMAT=json` (for log collectors), text otherwise. Read
/// before the arguments, so that their errors are logged the same way.
pub fn init_logging() {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "casm_feed=info".into()),
        )
        .with_writer(std::io::stderr);
    match std::env::var("CASM_LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().flatten_event(true).init(),
        _ => logs.init(),
    }
}

/// Opens the database and runs the command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let store = Store::connect(&cli.database)
        .await
        .with_context(|| format!("opening {}", cli.database))?;
    match cli.command {
        Command::Serve(args) => serve::run(&store, args).await?,
        Command::Partner { command } => partner::run(&store, command).await?,
        Command::Admin { command } => admin::run(&store, command).await?,
        Command::Stats(args) => stats::run(&store, args).await?,
        Command::Feedback(args) => feedback::run(&store, args).await?,
        Command::Import { file } => catalogue::import(&store, &file).await?,
        Command::Export => catalogue::export(&store).await?,
        Command::Backup { file } => {
            store.backup(&file).await?;
            eprintln!("backed up {} to {}", cli.database, file.display());
        }
    }
    Ok(())
}
