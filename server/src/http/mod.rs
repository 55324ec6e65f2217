//! The HTTP surface: `/v1` API, static files, and the layers around them. Each API
//! handler carries its OpenAPI operation (`#[utoipa::path]`) and is registered with
//! `utoipa_axum::routes!`, so a route and its documentation are one registration;
//! [`openapi`] assembles the document.

mod access_log;
pub mod admin;
pub mod api;
pub mod body;
pub mod client;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod ratelimit;
pub mod serve;
mod static_files;
pub mod stream;

use crate::AppState;
use axum::http::{header, HeaderValue, Method};
use axum::middleware;
use axum::{Extension, Router};
use error::ApiError;
use openapi::{
    layer_answers, FORBIDDEN_ORIGIN, METHOD_NOT_ALLOWED, RATE_LIMITED, TIMEOUT, UNAUTHORIZED,
    UNAVAILABLE,
};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

// Set on each sub-router before its layers: a fallback set on the merged router would
// replace the layered one and bypass CORS preflights.
async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Ends a request that takes longer than `config.request_timeout` with a 408, so a client
/// that trickles its body cannot hold a connection and a handler forever.
async fn time_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> Result<axum::response::Response, ApiError> {
    tokio::time::timeout(state.config.request_timeout, next.run(req))
        .await
        .map_err(|_| ApiError::Timeout)
}

/// The whole service as a router; tests call it without a socket.
pub fn app(state: AppState) -> Router {
    // Reads are public: any page may show the feed and counts.
    let public = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        // Last-Event-ID: an EventSource reconnecting to /v1/stream sends it.
        .allow_headers([
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([header::ETAG])
        .max_age(Duration::from_secs(86_400));
    // Writes: browsers may send them only from registered partner origins.
    let live = state.live.clone();
    let partners = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin
                .to_str()
                .is_ok_and(|o| live.partner_for_origin(o).is_some())
        }))
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    // Each group's documentation gets the answers of the layers put on it here.
    let mut doc = openapi::base();
    let (reads, reads_doc) = api::read_router().split_for_parts();
    let (writes, mut writes_doc) = api::write_router().split_for_parts();
    let (admin, mut admin_doc) = admin::router(state.clone()).split_for_parts();
    layer_answers(
        &mut writes_doc,
        &[FORBIDDEN_ORIGIN, RATE_LIMITED, UNAVAILABLE],
    );
    layer_answers(&mut admin_doc, &[UNAUTHORIZED, UNAVAILABLE]);
    for group in [reads_doc, writes_doc, admin_doc] {
        doc.merge(group);
    }
    layer_answers(&mut doc, &[METHOD_NOT_ALLOWED, TIMEOUT]);
    openapi::body_answers(&mut doc);
    // Each `Router::layer` call boxes the routes once more, and axum clones everything
    // under a box on every request: the layers go on as one stack each (outermost
    // first), which took several percent of the vote path's CPU off.
    let writes = writes
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(
            ServiceBuilder::new()
                // Outside the partner and rate checks, so their refusals are counted too.
                .layer(middleware::from_fn(crate::metrics::count_posts))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    client::limit_posts,
                ))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    client::require_partner,
                )),
        )
        .layer(partners);
    Router::new()
        .merge(
            reads
                .method_not_allowed_fallback(method_not_allowed)
                .layer(public),
        )
        .merge(writes)
        // No CORS layer: admin answers are for same-origin pages and other clients only.
        .merge(admin.method_not_allowed_fallback(method_not_allowed))
        .merge(static_files::router(&state.config))
        .layer(
            ServiceBuilder::new()
                // Outermost, yet after routing (layers of a Router wrap each route), so
                // both see the matched route and time everything inside.
                .layer(access_log::layer())
                .layer(middleware::from_fn(crate::metrics::track_requests))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    client::client_addr,
                ))
                .layer(middleware::from_fn_with_state(state.clone(), time_limit))
                // Bodies under ~1 KB (stats, votes) gain little from compression and
                // cost CPU.
                .layer(
                    CompressionLayer::new()
                        .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024))),
                )
                .layer(Extension(openapi::Document::new(&doc))),
        )
        .with_state(state)
}
