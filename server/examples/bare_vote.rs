//! The ceiling of `scripts/bench.sh`'s vote row: the vote route with nothing behind it.
//!
//! The same runtime (tokio's multi-thread, one worker a core), the same accept loop
//! (`casm_feed::http::serve`: hyper's HTTP/1 with our limits, `TCP_NODELAY`), the same
//! body extractor (`JsonBody<VoteRequest>`, so the same JSON parsing and checks) and the
//! same visitor-token check as `casm-feed serve`; then an atomic add instead of the
//! database, and a `VoteResponse`. No middleware (logs, metrics, rate limits, CORS): what
//! ours costs above this is the service itself, the write path included. (Being an
//! example, it is built with the dev-dependencies' features, e.g. tokio's "full".)
//!
//! `cargo run --profile server -p casm-feed --example bare_vote -- 127.0.0.1:0`
//! prints `listening on http://ADDR` once it accepts.

use axum::routing::post;
use axum::{Json, Router};
use casm_feed::http::body::JsonBody;
use casm_feed::http::error::ApiError;
use casm_feed::http::serve::{serve, Limits};
use casm_model::{validate, VoteRequest, VoteResponse};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;

async fn vote(
    axum::extract::State(votes): axum::extract::State<Arc<AtomicU64>>,
    axum::extract::Path(_id): axum::extract::Path<String>,
    JsonBody(req): JsonBody<VoteRequest>,
) -> Result<Json<VoteResponse>, ApiError> {
    validate::visitor_token("visitor", &req.visitor)?;
    let helpful_votes = votes.fetch_add(1, Ordering::Relaxed) + 1;
    Ok(Json(VoteResponse {
        helpful_votes,
        voted: req.helpful,
    }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let app = Router::new()
        .route("/v1/resources/{id}/vote", post(vote))
        .with_state(Arc::new(AtomicU64::new(0)));
    // `casm-feed serve`'s defaults (Config::new).
    let defaults = casm_feed::Config::new("http://127.0.0.1");
    let limits = Limits {
        header_timeout: defaults.header_timeout,
        idle_timeout: defaults.idle_timeout,
        max_connections: defaults.max_connections,
        drain_timeout: defaults.request_timeout,
    };
    serve(listener, app, limits, std::future::pending()).await;
    Ok(())
}
