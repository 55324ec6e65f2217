//! The HTTP surface: `/v1` API, static files, and the layers around them.

pub mod api;
pub mod body;
pub mod error;
pub mod ratelimit;
mod static_files;

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use error::ApiError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};

/// The whole service as a router; tests call it without a socket.
pub fn app(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::IF_NONE_MATCH])
        .expose_headers([header::ETAG, header::RETRY_AFTER])
        .max_age(Duration::from_secs(86_400));
    Router::new()
        .merge(api::router())
        .route_layer(middleware::from_fn_with_state(state.clone(), limit_posts))
        .merge(static_files::router(&state.config))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        // Bodies under ~1 KB (stats, votes) gain little from compression and cost CPU.
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024))),
        )
        .layer(cors)
        .with_state(state)
}

/// The client's address: the socket peer (tests that call the router directly have none).
fn client_addr(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

async fn limit_posts(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if req.method() == Method::POST {
        state
            .limiter
            .check(client_addr(&req))
            .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    }
    Ok(next.run(req).await)
}
