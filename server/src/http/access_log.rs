//! Request logs: one event per request under the target `casm_feed::access`, with the
//! method, the matched route (never the raw path: it may carry ids or a search), the
//! status and the latency. Never the client's address, a token or the user agent: those
//! identify people and are kept out of logs (votes store only keyed hashes of them).
//!
//! Logged at `debug`, so they are off with the default filter: at tens of thousands of
//! requests a second a line each would cost more than the request. Turn them on with
//! `RUST_LOG=casm_feed=info,casm_feed::access=debug`; `/metrics` has the aggregates.

use crate::metrics::{method_label, route_label};
use axum::extract::Request;
use axum::response::Response;
use std::time::Duration;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

/// The span of one request: `method` and `route` only, `status` and `latency_ms` filled
/// in by [`LogResponse`].
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &Request<B>) -> Span {
        let route = route_label(req);
        tracing::debug_span!(
            target: "casm_feed::access",
            "request",
            method = %method_label(req.method()),
            route = %route,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        )
    }
}

/// Writes the request's line once its response is ready.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        span.record("status", response.status().as_u16());
        span.record("latency_ms", latency.as_secs_f64() * 1000.0);
        // The line carries the span's fields: method, route, status, latency.
        tracing::debug!(target: "casm_feed::access", "response");
    }
}

/// The layer: spans and one line per request, nothing on request start or body chunks.
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse>
{
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(LogResponse)
}
