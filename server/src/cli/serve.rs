//! `serve`: the service, with everything it is configured with.

use super::boolish;
use super::catalogue::read_catalogue;
use super::partner::demo_partner;
use crate::config::Cidr;
use crate::store::{Backend, Store};
use crate::{visitor::VisitorKey, AppState, Config};
use anyhow::Context;
use clap::{ArgAction, Args};
use std::path::PathBuf;
use std::time::Duration;

/// The `serve` arguments; each can also come from the environment variable it names.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "CASM_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Load the shipped demo catalogue when the database is empty.
    #[arg(long, env = "CASM_DEMO", action = ArgAction::SetTrue, value_parser = boolish())]
    pub demo: bool,
    /// The demo catalogue file `--demo` loads.
    #[arg(long, default_value = "data/demo-catalogue.json")]
    pub demo_file: PathBuf,
    /// Base URL of absolute links in the feed (default: http://LISTEN-ADDRESS).
    #[arg(long, env = "CASM_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Folder served at /.
    #[arg(long, default_value = "www")]
    pub www: PathBuf,
    /// Folder served at /widget/ (the widget build).
    #[arg(long, default_value = "pkg")]
    pub pkg: PathBuf,
    /// Folder for the visitor-hash secret (when CASM_SECRET is not set).
    #[arg(long, env = "CASM_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// POSTs per second sustained per client address (0: no limit).
    #[arg(long, env = "CASM_POST_RATE", default_value_t = 20)]
    pub post_rate: u32,
    /// POSTs per client address allowed in a burst.
    #[arg(long, env = "CASM_POST_BURST", default_value_t = 200)]
    pub post_burst: u32,
    /// Helpful votes one network (IPv4 /24, IPv6 /48) may add to one resource per UTC
    /// day (0: no cap).
    #[arg(long, env = "CASM_VOTE_CAP", default_value_t = 50)]
    pub vote_cap: u32,
    /// A visitor's views of a resource count once per this many seconds.
    #[arg(long, env = "CASM_VIEW_WINDOW_SECS", default_value_t = 1800)]
    pub view_window_secs: u64,
    /// Count events from headless browsers (for test harnesses; bots never count).
    #[arg(long, env = "CASM_COUNT_HEADLESS", action = ArgAction::SetTrue, value_parser = boolish())]
    pub count_headless: bool,
    /// Reverse proxies (address or CIDR, comma-separated) whose X-Forwarded-For is
    /// believed; from anyone else the header is ignored.
    #[arg(long, env = "CASM_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxy: Vec<Cidr>,
    /// Longest time a request may take, body included, in seconds.
    #[arg(long, env = "CASM_REQUEST_TIMEOUT_SECS", default_value_t = 10)]
    pub request_timeout_secs: u64,
    /// Seconds between re-reading counts from the database, for several instances on
    /// one PostgreSQL (default: 0 = never on SQLite, 2 on PostgreSQL).
    #[arg(long, env = "CASM_REFRESH_SECS")]
    pub refresh_secs: Option<u64>,
    /// POST each new feedback message, once stored, to this http:// URL as JSON
    /// (`{"event": "feedback", ...}`), retrying up to 5 times.
    #[arg(long = "webhook", value_name = "URL", env = "CASM_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Seconds between checks of the catalogue version in the database, so a
    /// `casm-feed import` (or another instance's console) is served without a restart
    /// (0: never; the admin API's own changes are served at once).
    #[arg(long, env = "CASM_CATALOGUE_REFRESH_SECS", default_value_t = 5)]
    pub catalogue_refresh_secs: u64,
    /// Seconds a connection has to send each request's complete headers, counted
    /// from when it is ready for the request (accepted, or the last response sent).
    #[arg(long, env = "CASM_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait for its next request before it is
    /// closed (the header timeout also bounds this wait).
    #[arg(long, env = "CASM_IDLE_TIMEOUT_SECS", default_value_t = 5)]
    pub idle_timeout_secs: u64,
    /// Most connections open at once; more are answered 503 and closed. Keep it
    /// under the open-file limit (`ulimit -n`).
    #[arg(long, env = "CASM_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Seconds without an event after which a /v1/stream sends a comment line, so
    /// proxies and clients see the stream is alive.
    #[arg(long, env = "CASM_STREAM_HEARTBEAT_SECS", default_value_t = 15)]
    pub stream_heartbeat_secs: u64,
    /// Most /v1/stream streams one client (IPv4 address, IPv6 /64) may hold open;
    /// more get 429. Streams also count toward --max-connections.
    #[arg(long, env = "CASM_MAX_STREAMS_PER_CLIENT", default_value_t = 8)]
    pub max_streams_per_client: usize,
}

impl ServeArgs {
    /// The service's settings, once the listening address is known.
    pub fn config(&self, public_url: String, backend: Backend) -> Config {
        let mut config = Config::new(public_url);
        config.www_dir = self.www.clone();
        config.pkg_dir = self.pkg.clone();
        config.post_rate_per_second = self.post_rate;
        config.post_burst = self.post_burst;
        config.vote_cap = self.vote_cap;
        config.view_window = Duration::from_secs(self.view_window_secs);
        config.count_headless = self.count_headless;
        config.trusted_proxies = self.trusted_proxy.clone();
        config.request_timeout = Duration::from_secs(self.request_timeout_secs.max(1));
        config.webhook_url = self.webhook_url.clone().filter(|u| !u.trim().is_empty());
        let default_refresh = match backend {
            Backend::Sqlite => 0,
            Backend::Postgres => 2,
        };
        config.refresh = Some(self.refresh_secs.unwrap_or(default_refresh))
            .filter(|s| *s > 0)
            .map(Duration::from_secs);
        config.catalogue_refresh =
            Some(Duration::from_secs(self.catalogue_refresh_secs)).filter(|d| !d.is_zero());
        config.header_timeout = Duration::from_secs(self.header_timeout_secs.max(1));
        config.idle_timeout = Duration::from_secs(self.idle_timeout_secs.max(1));
        config.max_connections = self.max_connections.max(1);
        config.stream_heartbeat = Duration::from_secs(self.stream_heartbeat_secs.max(1));
        config.max_streams_per_client = self.max_streams_per_client.max(1);
        config
    }
}

/// Serves until SIGTERM or ctrl-c, then finishes in-flight requests and closes the store.
pub async fn run(store: &Store, args: ServeArgs) -> anyhow::Result<()> {
    if args.demo && store.is_empty().await? {
        let catalogue = read_catalogue(&args.demo_file)?;
        let n = store.import(&catalogue).await?;
        tracing::info!(
            "loaded {n} demo resources from {}",
            args.demo_file.display()
        );
    }
    if args.demo && store.partners().await?.is_empty() {
        store.add_partner(&demo_partner()).await?;
        tracing::info!("registered the loopback origins as partner casm-demo");
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let visitors = match std::env::var("CASM_SECRET") {
        Ok(secret) if !secret.is_empty() => VisitorKey::from_secret(secret.as_bytes()),
        _ => VisitorKey::load_or_create(&args.data_dir.join("visitor-secret"))
            .context("reading or creating the visitor secret")?,
    };
    let config = args.config(public_url.clone(), store.backend());
    let state = AppState::start(config, store.clone(), visitors).await?;
    // Tests and scripts read this line to learn the port.
    println!("listening on {public_url}");
    crate::run(listener, state, shutdown_signal()).await?;
    store.close().await;
    Ok(())
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
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
