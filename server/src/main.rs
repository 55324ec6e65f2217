//! `casm-feed`: serve the feed, import and export the catalogue.

use anyhow::Context;
use casm_feed::{store::Store, visitor::VisitorKey, AppState, Config};
use casm_model::{validate, Catalogue};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(version, about = "The CASM shared feed service")]
struct Cli {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "CASM_DATABASE",
        default_value = "sqlite://data/casm.db",
        global = true
    )]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the feed, the API, the demo pages and the widget.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, env = "CASM_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the shipped demo catalogue when the database is empty.
        #[arg(long)]
        demo: bool,
        /// The demo catalogue file `--demo` loads.
        #[arg(long, default_value = "data/demo-catalogue.json")]
        demo_file: PathBuf,
        /// Base URL of absolute links in the feed (default: http://LISTEN-ADDRESS).
        #[arg(long, env = "CASM_PUBLIC_URL")]
        public_url: Option<String>,
        /// Folder served at /.
        #[arg(long, default_value = "www")]
        www: PathBuf,
        /// Folder served at /widget/ (the widget build).
        #[arg(long, default_value = "pkg")]
        pkg: PathBuf,
        /// Folder for the visitor-hash secret (when CASM_SECRET is not set).
        #[arg(long, env = "CASM_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        /// POSTs per second sustained per client address (0: no limit).
        #[arg(long, env = "CASM_POST_RATE", default_value_t = 20)]
        post_rate: u32,
        /// POSTs per client address allowed in a burst.
        #[arg(long, env = "CASM_POST_BURST", default_value_t = 200)]
        post_burst: u32,
    },
    /// Validate FILE and add or replace its resources, all or nothing.
    Import { file: PathBuf },
    /// Write the catalogue in the import format to standard output.
    Export,
}

fn read_catalogue(path: &std::path::Path) -> anyhow::Result<Catalogue> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let de = &mut serde_json::Deserializer::from_slice(&text);
    let catalogue: Catalogue = serde_path_to_error::deserialize(de).map_err(|e| {
        anyhow::anyhow!("{}: invalid at {}: {}", path.display(), e.path(), e.inner())
    })?;
    validate::catalogue(&catalogue)
        .map_err(|e| anyhow::anyhow!("{}: invalid at {}", path.display(), e))?;
    Ok(catalogue)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "casm_feed=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let store = Store::connect(&cli.database)
        .await
        .with_context(|| format!("opening {}", cli.database))?;
    match cli.command {
        Command::Import { file } => {
            let catalogue = read_catalogue(&file)?;
            let n = store.import(&catalogue).await?;
            eprintln!("imported {n} resources from {}", file.display());
        }
        Command::Export => {
            let catalogue = store.export().await?;
            println!("{}", serde_json::to_string_pretty(&catalogue)?);
        }
        Command::Serve {
            listen,
            demo,
            demo_file,
            public_url,
            www,
            pkg,
            data_dir,
            post_rate,
            post_burst,
        } => {
            if demo && store.is_empty().await? {
                let catalogue = read_catalogue(&demo_file)?;
                let n = store.import(&catalogue).await?;
                tracing::info!("loaded {n} demo resources from {}", demo_file.display());
            }
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            let addr = listener.local_addr()?;
            let public_url = public_url.unwrap_or_else(|| format!("http://{addr}"));
            let visitors = match std::env::var("CASM_SECRET") {
                Ok(secret) if !secret.is_empty() => VisitorKey::from_secret(secret.as_bytes()),
                _ => VisitorKey::load_or_create(&data_dir.join("visitor-secret"))
                    .context("reading or creating the visitor secret")?,
            };
            let mut config = Config::new(public_url.clone());
            config.www_dir = www;
            config.pkg_dir = pkg;
            config.post_rate_per_second = post_rate;
            config.post_burst = post_burst;
            let state = AppState::start(config, store.clone(), visitors).await?;
            // Tests and scripts read this line to learn the port.
            println!("listening on {public_url}");
            casm_feed::run(listener, state, shutdown_signal()).await?;
            store.close().await;
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
