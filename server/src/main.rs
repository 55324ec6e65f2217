//! `casm-feed`: serve the feed, import and export the catalogue.

use anyhow::Context;
use casm_feed::config::Cidr;
use casm_feed::counts::CountRow;
use casm_feed::feed::utc_timestamp;
use casm_feed::series::{self, SeriesParams};
use casm_feed::store::FeedbackFilter;
use casm_feed::store::{parse_catalogue, Backend, Partner, Store, COUNTER_COLUMNS};
use casm_feed::{visitor::VisitorKey, AppState, Config};
use casm_model::{validate, Catalogue, FeedbackStatus};
use clap::{Parser, Subcommand};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

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
        /// Helpful votes one network (IPv4 /24, IPv6 /48) may add to one resource per UTC
        /// day (0: no cap).
        #[arg(long, env = "CASM_VOTE_CAP", default_value_t = 50)]
        vote_cap: u32,
        /// A visitor's views of a resource count once per this many seconds.
        #[arg(long, env = "CASM_VIEW_WINDOW_SECS", default_value_t = 1800)]
        view_window_secs: u64,
        /// Count events from headless browsers (for test harnesses; bots never count).
        #[arg(long, env = "CASM_COUNT_HEADLESS")]
        count_headless: bool,
        /// Reverse proxies (address or CIDR, comma-separated) whose X-Forwarded-For is
        /// believed; from anyone else the header is ignored.
        #[arg(long, env = "CASM_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxy: Vec<Cidr>,
        /// Longest time a request may take, body included, in seconds.
        #[arg(long, env = "CASM_REQUEST_TIMEOUT_SECS", default_value_t = 10)]
        request_timeout_secs: u64,
        /// Seconds between re-reading counts from the database, for several instances on
        /// one PostgreSQL (default: 0 = never on SQLite, 2 on PostgreSQL).
        #[arg(long, env = "CASM_REFRESH_SECS")]
        refresh_secs: Option<u64>,
        /// POST each new feedback message, once stored, to this http:// URL as JSON
        /// (`{"event": "feedback", ...}`), retrying up to 5 times.
        #[arg(long = "webhook", value_name = "URL", env = "CASM_WEBHOOK_URL")]
        webhook_url: Option<String>,
        /// Seconds between checks of the catalogue version in the database, so a
        /// `casm-feed import` (or another instance's console) is served without a restart
        /// (0: never; the admin API's own changes are served at once).
        #[arg(long, env = "CASM_CATALOGUE_REFRESH_SECS", default_value_t = 5)]
        catalogue_refresh_secs: u64,
        /// Seconds a connection has to send each request's complete headers, counted
        /// from when it is ready for the request (accepted, or the last response sent).
        #[arg(long, env = "CASM_HEADER_TIMEOUT_SECS", default_value_t = 10)]
        header_timeout_secs: u64,
        /// Seconds a kept-alive connection may wait for its next request before it is
        /// closed (the header timeout also bounds this wait).
        #[arg(long, env = "CASM_IDLE_TIMEOUT_SECS", default_value_t = 5)]
        idle_timeout_secs: u64,
        /// Most connections open at once; more are answered 503 and closed. Keep it
        /// under the open-file limit (`ulimit -n`).
        #[arg(long, env = "CASM_MAX_CONNECTIONS", default_value_t = 4096)]
        max_connections: usize,
    },
    /// Manage the partner sites allowed to send votes and events.
    Partner {
        #[command(subcommand)]
        command: PartnerCommand,
    },
    /// Manage the tokens of the CASM team's console and API (`/v1/admin/*`).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print counts per partner and resource; with --csv, one counter per UTC day as
    /// `GET /v1/admin/export.csv` sends it.
    Stats {
        /// Print the series as CSV (`day,<group>,<metric>`), the same file the admin
        /// export gives.
        #[arg(long)]
        csv: bool,
        /// First day, YYYY-MM-DD (UTC; default: 30 days ending on --to).
        #[arg(long, requires = "csv")]
        from: Option<String>,
        /// Last day, inclusive (default: today, UTC). At most 366 days in all.
        #[arg(long, requires = "csv")]
        to: Option<String>,
        /// The counter: helpful_votes, page_views (default), pages_emailed,
        /// metacard_views, attachments_downloaded or videos_downloaded.
        #[arg(long, requires = "csv")]
        metric: Option<String>,
        /// One series per partner or per resource.
        #[arg(long, requires = "csv", value_parser = ["partner", "resource"])]
        by: Option<String>,
        /// Only this resource's numbers.
        #[arg(long, requires = "csv")]
        resource: Option<String>,
        /// Only this partner's numbers.
        #[arg(long, requires = "csv")]
        partner: Option<String>,
    },
    /// Print "Submit your comments" messages for moderation, newest first.
    Feedback {
        /// Only this resource's messages.
        #[arg(long)]
        resource: Option<String>,
        /// Only messages with this status: new, handled or archived.
        #[arg(long, value_parser = parse_status)]
        status: Option<FeedbackStatus>,
    },
    /// Validate FILE and add or replace its resources, all or nothing, as the file gives
    /// them (versions included). A running service picks the change up within its
    /// catalogue refresh interval. Retired resources stay retired.
    Import { file: PathBuf },
    /// Write the catalogue in the import format to standard output, retired resources
    /// included (listed on standard error: retirement is not part of the file).
    Export,
    /// Write a consistent copy of the SQLite database to FILE while the service runs
    /// (`VACUUM INTO`); never overwrites. On PostgreSQL use `pg_dump -Fc`.
    Backup { file: PathBuf },
}

fn parse_status(s: &str) -> Result<FeedbackStatus, String> {
    FeedbackStatus::parse(s).ok_or_else(|| "must be new, handled or archived".to_owned())
}

fn read_catalogue(path: &std::path::Path) -> anyhow::Result<Catalogue> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse_catalogue(&text).map_err(|e| match e.path.as_str() {
        "" => anyhow::anyhow!("{}: {}", path.display(), e.message),
        _ => anyhow::anyhow!("{}: invalid at {}", path.display(), e),
    })
}

#[derive(Subcommand)]
enum PartnerCommand {
    /// Add a partner, or replace its name and origins.
    Add {
        /// Short key recorded with its votes and events, e.g. `minesafe-ghana`.
        key: String,
        #[arg(long)]
        name: String,
        /// An origin its pages are served from, e.g. https://www.example.org; `:*` as the
        /// port allows any port. Repeat for several.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
    },
    /// List partners and their origins.
    List,
    /// Remove a partner: its pages can no longer send votes or events; its counts stay.
    Remove { key: String },
    /// A read-only token for one partner's own numbers.
    Token {
        #[command(subcommand)]
        command: PartnerTokenCommand,
    },
}

#[derive(Subcommand)]
enum PartnerTokenCommand {
    /// Print a new token (once) that reads only partner KEY's numbers; it is named
    /// `partner-KEY` (revoke it with `admin token revoke partner-KEY`) and replaces the
    /// partner's previous one.
    Create { key: String },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Staff tokens (all of `/v1/admin/*`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new staff token named NAME, once: only its hash is stored. Replaces a
    /// token of that name.
    Create { name: String },
    /// List the tokens: name, scope, creation time (never the tokens).
    List,
    /// Revoke the token named NAME.
    Revoke { name: String },
}

/// The partner `serve --demo` registers so the demo pages and local test sites can vote.
fn demo_partner() -> Partner {
    Partner {
        key: "casm-demo".into(),
        name: "CASM demo pages (loopback)".into(),
        origins: vec![
            "http://127.0.0.1:*".into(),
            "http://localhost:*".into(),
            "http://[::1]:*".into(),
        ],
    }
}

/// Checks an origin pattern: `scheme://host` with an optional `:port` or `:*`, nothing else.
fn check_origin(origin: &str) -> anyhow::Result<()> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("origin '{origin}' must start with http:// or https://"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.[]:".contains(&b));
    let port_ok = port.is_none_or(|p| p == "*" || (!p.is_empty() && p.parse::<u16>().is_ok()));
    if host_ok && port_ok {
        Ok(())
    } else {
        anyhow::bail!("origin '{origin}' must be scheme://host[:port|:*] with no path")
    }
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
        Command::Partner { command } => match command {
            PartnerCommand::Add { key, name, origins } => {
                validate::slug("key", &key).map_err(|e| anyhow::anyhow!("{e}"))?;
                for origin in &origins {
                    check_origin(origin)?;
                }
                let origins = origins
                    .iter()
                    .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                    .collect();
                store
                    .add_partner(&Partner {
                        key: key.clone(),
                        name,
                        origins,
                    })
                    .await?;
                eprintln!("partner {key} saved");
            }
            PartnerCommand::List => {
                for p in store.partners().await? {
                    println!("{}\t{}\t{}", p.key, p.name, p.origins.join(" "));
                }
            }
            PartnerCommand::Remove { key } => {
                if !store.remove_partner(&key).await? {
                    anyhow::bail!("no partner has key '{key}'");
                }
                eprintln!("partner {key} removed");
            }
            PartnerCommand::Token {
                command: PartnerTokenCommand::Create { key },
            } => {
                if !store.partners().await?.iter().any(|p| p.key == key) {
                    anyhow::bail!("no partner has key '{key}'");
                }
                let name = format!("partner-{key}");
                println!("{}", store.create_token(&name, Some(&key)).await?);
                eprintln!("token {name} made: it reads only {key}'s numbers; it is shown once");
            }
        },
        Command::Admin {
            command: AdminCommand::Token { command },
        } => match command {
            TokenCommand::Create { name } => {
                validate::slug("name", &name).map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("{}", store.create_token(&name, None).await?);
                eprintln!("staff token {name} made; it is shown once, keep it safe");
            }
            TokenCommand::List => {
                println!("name\tscope\tcreated");
                for t in store.tokens().await? {
                    let scope = t
                        .info
                        .partner
                        .map_or("staff".into(), |p| format!("partner {p}"));
                    println!("{}\t{scope}\t{}", t.info.name, t.info.created_at);
                }
            }
            TokenCommand::Revoke { name } => {
                if !store.revoke_token(&name).await? {
                    anyhow::bail!("no token is named '{name}'");
                }
                eprintln!("token {name} revoked");
            }
        },
        Command::Stats {
            csv: true,
            from,
            to,
            metric,
            by,
            resource,
            partner,
        } => {
            let params = SeriesParams {
                from,
                to,
                metric,
                by,
                resource,
                partner,
            };
            let titles: HashMap<String, String> = store
                .load_catalogue()
                .await?
                .into_iter()
                .map(|r| (r.id, r.title))
                .collect();
            let query = params
                .series(casm_feed::writer::utc_day(), |id| titles.contains_key(id))
                .map_err(|e| anyhow::anyhow!("--{e}"))?;
            let export = series::export(&store, &query, |id| titles.get(id).cloned()).await?;
            print!("{}", export.csv);
        }
        Command::Stats { csv: false, .. } => {
            let counts = store.load_counts().await?;
            let mut rows: Vec<(&String, &String, &CountRow)> = counts
                .by_partner
                .iter()
                .flat_map(|(resource, partners)| {
                    partners
                        .iter()
                        .map(move |(partner, row)| (partner, resource, row))
                })
                .collect();
            rows.sort();
            let header = ["partner", "resource"]
                .iter()
                .copied()
                .chain(COUNTER_COLUMNS)
                .collect::<Vec<_>>();
            println!("{}", header.join("\t"));
            for (partner, resource, row) in rows {
                let numbers: Vec<String> = row.iter().map(u64::to_string).collect();
                println!("{partner}\t{resource}\t{}", numbers.join("\t"));
            }
        }
        Command::Feedback { resource, status } => {
            println!("id\tcreated\tstatus\tresource\tpartner\tcontact\ttext");
            for f in store.feedback(&FeedbackFilter { status, resource }).await? {
                // One line per message: tabs and newlines inside the text are shown escaped.
                let clean = |s: &str| {
                    s.replace('\\', "\\\\")
                        .replace('\t', "\\t")
                        .replace('\n', "\\n")
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    f.id,
                    utc_timestamp(f.created_at),
                    f.status.name(),
                    f.resource,
                    f.partner,
                    clean(f.contact.as_deref().unwrap_or("")),
                    clean(&f.text)
                );
            }
        }
        Command::Export => {
            let catalogue = store.export().await?;
            println!("{}", serde_json::to_string_pretty(&catalogue)?);
            let retired = store.retired().await?;
            if !retired.is_empty() {
                eprintln!(
                    "exported {} resources; {} of them retired (importing this file into \
                     another database serves them): {}",
                    catalogue.resources.len(),
                    retired.len(),
                    retired.join(", ")
                );
            }
        }
        Command::Backup { file } => {
            store.backup(&file).await?;
            eprintln!("backed up {} to {}", cli.database, file.display());
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
            vote_cap,
            view_window_secs,
            count_headless,
            trusted_proxy,
            request_timeout_secs,
            refresh_secs,
            webhook_url,
            catalogue_refresh_secs,
            header_timeout_secs,
            idle_timeout_secs,
            max_connections,
        } => {
            if demo && store.is_empty().await? {
                let catalogue = read_catalogue(&demo_file)?;
                let n = store.import(&catalogue).await?;
                tracing::info!("loaded {n} demo resources from {}", demo_file.display());
            }
            if demo && store.partners().await?.is_empty() {
                store.add_partner(&demo_partner()).await?;
                tracing::info!("registered the loopback origins as partner casm-demo");
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
            config.vote_cap = vote_cap;
            config.view_window = Duration::from_secs(view_window_secs);
            config.count_headless = count_headless;
            config.trusted_proxies = trusted_proxy;
            config.request_timeout = Duration::from_secs(request_timeout_secs.max(1));
            config.webhook_url = webhook_url.filter(|u| !u.trim().is_empty());
            let default_refresh = match store.backend() {
                Backend::Sqlite => 0,
                Backend::Postgres => 2,
            };
            config.refresh = Some(refresh_secs.unwrap_or(default_refresh))
                .filter(|s| *s > 0)
                .map(Duration::from_secs);
            config.catalogue_refresh =
                Some(Duration::from_secs(catalogue_refresh_secs)).filter(|d| !d.is_zero());
            config.header_timeout = Duration::from_secs(header_timeout_secs.max(1));
            config.idle_timeout = Duration::from_secs(idle_timeout_secs.max(1));
            config.max_connections = max_connections.max(1);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(check_origin("https://www.example.org").is_ok());
        assert!(check_origin("http://127.0.0.1:*").is_ok());
        assert!(check_origin("http://localhost:8080").is_ok());
        assert!(check_origin("https://example.org/path").is_err());
        assert!(check_origin("ftp://example.org").is_err());
    }
}
