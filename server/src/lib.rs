//! The CASM feed service: serves the resource catalogue as a JSON Feed, keeps the
//! page-information counters, and records helpful votes for the embeddable widget.
//!
//! # Layout
//! - [`cli`]: the command line, one module per command (the binary only calls it).
//! - [`config`]: what `serve` is configured with.
//! - [`store`]: the database behind a small interface (SQLite by default, PostgreSQL by
//!   URL), numbered migrations, import and export.
//! - [`counts`]: the count types [`store`] loads and commits and [`live`] keeps: count
//!   rows in [`casm_model::Counter::MAINTAINED`] order, live counts, committed changes,
//!   partners. Both depend on it; `store` and `live` do not depend on each other.
//! - [`live`]: the in-memory copy every read is served from: the catalogue, live counts,
//!   popularity ranks, rendered feed pages with their ETags, and the change log the
//!   `/v1/stream` streams ([`http::stream`]) wake on.
//! - [`writer`]: the one task that writes votes and events, committing them in batches and
//!   answering each request only after its batch is durable.
//! - [`dates`]: Unix seconds, UTC day numbers, ISO dates and RFC 3339 timestamps
//!   (through the `time` crate).
//! - [`feed`]: renders resources as JSON Feed 1.1 items ([`casm_model::wire`] types, which
//!   every response body is built from), and bodies precompressed once.
//! - [`series`]: numbers over time: the parameters of the admin series, summary and CSV
//!   export (and `casm-feed stats --csv`), UTC day numbers as dates, the CSV form.
//! - [`visitor`]: the keyed hash that replaces visitor tokens before anything is stored.
//! - [`http`]: the axum router: `/v1` API, `/v1/admin` (tokens, moderation), static
//!   files, errors, rate limits, request logs, the accept loop with its connection
//!   limits and timeouts ([`http::serve`]), and `/v1/openapi.json` (`http::openapi`),
//!   generated from the handlers' `#[utoipa::path]` and casm-model's types.
//! - [`metrics`]: counters and histograms (requests, writer batches, votes and events by
//!   outcome, database errors), rendered at `/metrics` in the Prometheus text format.
//! - [`webhook`]: POSTs each stored feedback message to a configured URL, from a
//!   background task with retries; the visitor's request never waits for it.
//!
//! A request flows: router → handler → (read) [`live::Live`] in memory, or (write) a
//! [`store::Write`] sent to the writer task → batch committed → in-memory counts updated
//! → reply.

pub mod cli;
pub mod config;
pub mod counts;
pub mod dates;
pub mod feed;
pub mod http;
pub mod live;
pub mod metrics;
pub mod series;
pub mod store;
pub mod visitor;
pub mod webhook;
pub mod writer;

use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use config::Config;
pub use http::app;

/// Everything a handler needs. One `Arc`: each layer and handler clones the state, and
/// one atomic increment per clone (instead of one per field) is measurably cheaper on the
/// vote path.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    pub config: Arc<Config>,
    pub live: Arc<live::Live>,
    pub writer: writer::WriterHandle,
    pub visitors: Arc<visitor::VisitorKey>,
    pub limiter: Arc<http::ratelimit::RateLimiter>,
    /// The database, for the admin routes' reads (tokens, series, feedback); the public
    /// routes never read it.
    pub store: store::Store,
    /// Where new feedback is announced (disabled without `--webhook`).
    pub webhook: webhook::Webhook,
    /// The open `/v1/stream` streams: per-client caps, and their end at shutdown.
    pub streams: Arc<http::stream::Streams>,
}

impl AppState {
    /// Loads the catalogue and counts from `store` and starts the writer task on it.
    pub async fn start(
        config: Config,
        store: store::Store,
        visitors: visitor::VisitorKey,
    ) -> anyhow::Result<Self> {
        let webhook = match &config.webhook_url {
            Some(url) => webhook::Webhook::spawn(url, config.webhook_backoff)?,
            None => webhook::Webhook::disabled(),
        };
        let catalogue = store.live_catalogue().await?;
        let counts = store.load_counts().await?;
        let live = Arc::new(live::Live::with_catalogue(
            catalogue.version,
            catalogue.resources,
            catalogue.retired,
            counts,
            &config.public_url,
        ));
        let upkeep = writer::Upkeep {
            refresh: config.refresh,
            catalogue_refresh: config.catalogue_refresh,
        };
        let rules = store::Rules {
            vote_cap: config.vote_cap,
            view_window: config.view_window.as_secs() as i64,
        };
        let writer = writer::spawn(store.clone(), rules, live.clone(), upkeep).await?;
        let limiter = Arc::new(http::ratelimit::RateLimiter::new(
            config.post_rate_per_second,
            config.post_burst,
        ));
        limiter.spawn_sweeper();
        metrics::install();
        tokio::spawn(metrics::upkeep());
        let streams = Arc::new(http::stream::Streams::new(
            config.max_streams_per_client,
            config.stream_heartbeat,
        ));
        Ok(AppState(Arc::new(Shared {
            streams,
            config: Arc::new(config),
            live,
            writer,
            visitors: Arc::new(visitors),
            limiter,
            store,
            webhook,
        })))
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then drains: requests in
/// flight finish (for at most the request timeout), and every write already queued is
/// committed before this returns. Tests bind port 0 and pass the listener in.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = http::serve::Limits {
        header_timeout: state.config.header_timeout,
        idle_timeout: state.config.idle_timeout,
        max_connections: state.config.max_connections,
        // A request never takes longer than this; a second more for its answer to leave.
        drain_timeout: state.config.request_timeout + std::time::Duration::from_secs(1),
    };
    let writer = state.writer.clone();
    let streams = state.streams.clone();
    // Streams never end by themselves: ending them with the accept loop lets the drain
    // finish at once instead of waiting out its time.
    let shutdown = async move {
        shutdown.await;
        streams.close();
    };
    http::serve::serve(listener, app(state), limits, shutdown).await;
    writer.shutdown().await;
    Ok(())
}
