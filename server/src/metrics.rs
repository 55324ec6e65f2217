//! Counters and histograms of the service, rendered in the Prometheus text format at
//! `/metrics` (see [`crate::http::admin`]).
//!
//! Recorded through the `metrics` facade, so any module counts with one call and no
//! handle to pass around; `metrics-exporter-prometheus` keeps them and renders them. Its
//! own HTTP listener is not used: `/metrics` is one of our routes, behind a staff token.
//!
//! Labels are few and bounded: routes are axum's matched route patterns (ids never reach
//! a label), unmatched paths are `unmatched`, methods outside the usual ones are `other`.

use crate::http::error::ErrorCode;
use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Requests answered, by `method`, `route` and `status`.
pub const HTTP_REQUESTS: &str = "casm_http_requests_total";
/// Time to the response's headers, by `method` and `route`.
pub const HTTP_DURATION: &str = "casm_http_request_duration_seconds";
/// Connections open now.
pub const CONNECTIONS_OPEN: &str = "casm_http_connections_open";
/// Connections refused because the connection cap was reached.
pub const CONNECTIONS_REFUSED: &str = "casm_http_connections_refused_total";
/// `/v1/stream` streams open now.
pub const STREAMS_OPEN: &str = "casm_streams_open";
/// Writes per committed batch.
pub const WRITER_BATCH: &str = "casm_writer_batch_size";
/// Time to commit one batch.
pub const WRITER_COMMIT: &str = "casm_writer_commit_duration_seconds";
/// Vote POSTs, by `outcome`.
pub const VOTES: &str = "casm_votes_total";
/// Event POSTs (views, downloads…), by `outcome`.
pub const EVENTS: &str = "casm_events_total";
/// Feedback POSTs, by `outcome`.
pub const FEEDBACK: &str = "casm_feedback_total";
/// Database errors, by `op`.
pub const DB_ERRORS: &str = "casm_db_errors_total";

/// Latency buckets, seconds: from a read served from memory to a slow commit.
const SECONDS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];
/// Batch-size buckets, up to the writer's most (512).
const SIZES: [f64; 10] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

/// How a POST ended, left in the response's extensions by its handler; refusals carry
/// their [`ErrorCode`] instead.
#[derive(Clone, Copy, Debug)]
pub struct Outcome(pub &'static str);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls return the same handle).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(WRITER_BATCH.into()), &SIZES));
        let recorder = match builder {
            Ok(builder) => builder.build_recorder(),
            // Only empty bucket lists fail, and ours are constants.
            Err(e) => unreachable!("metric buckets: {e}"),
        };
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

/// Keeps histograms from growing between scrapes (a scrape also does this).
pub async fn upkeep() {
    let handle = install();
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        handle.run_upkeep();
    }
}

/// The metrics in the Prometheus text format.
pub fn render() -> String {
    install().render()
}

fn describe() {
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered");
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time from request to response headers"
    );
    describe_gauge!(CONNECTIONS_OPEN, "HTTP connections open");
    describe_counter!(CONNECTIONS_REFUSED, "Connections refused at the cap");
    describe_gauge!(STREAMS_OPEN, "Live-count streams (/v1/stream) open");
    describe_histogram!(WRITER_BATCH, "Writes committed per batch");
    describe_histogram!(
        WRITER_COMMIT,
        metrics::Unit::Seconds,
        "Time to commit one batch"
    );
    describe_counter!(VOTES, "Vote requests by outcome");
    describe_counter!(EVENTS, "Event requests by outcome");
    describe_counter!(FEEDBACK, "Feedback requests by outcome");
    describe_counter!(DB_ERRORS, "Database errors by operation");
}

/// The `route` label of a request: its route pattern, or `unmatched`.
pub fn route_label<B>(req: &axum::http::Request<B>) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned())
}

/// The `method` label: the usual methods by name, anything else `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware (after routing, so the route is known): counts and times every request.
pub async fn track_requests(req: Request, next: Next) -> Response {
    let route = route_label(&req);
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    histogram!(HTTP_DURATION, "method" => method, "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status).increment(1);
    response
}

/// Middleware on the write routes: counts each vote, event and feedback POST by outcome:
/// the handler's [`Outcome`], or why it was refused (partner, rate, cap, validation…).
pub async fn count_posts(req: Request, next: Next) -> Response {
    let metric = match req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
    {
        _ if req.method() != Method::POST => None,
        Some("/v1/resources/{id}/vote") => Some(VOTES),
        Some("/v1/events") => Some(EVENTS),
        Some("/v1/resources/{id}/feedback") => Some(FEEDBACK),
        _ => None,
    };
    let response = next.run(req).await;
    if let Some(metric) = metric {
        let outcome = match (
            response.extensions().get::<Outcome>(),
            response.extensions().get::<ErrorCode>(),
        ) {
            (Some(&Outcome(outcome)), _) => outcome,
            (None, Some(&ErrorCode(code))) => refusal(code),
            (None, None) => "other",
        };
        counter!(metric, "outcome" => outcome).increment(1);
    }
    response
}

/// The outcome label of an error code.
fn refusal(code: &str) -> &'static str {
    match code {
        "rate_limited" => "rate_limited",
        "vote_limit" => "vote_cap",
        "forbidden_origin" => "not_partner",
        "bad_request" | "unprocessable" | "payload_too_large" | "unsupported_media_type" => {
            "invalid"
        }
        "not_found" => "unknown_resource",
        "gone" => "retired",
        "unavailable" => "error",
        "timeout" => "timeout",
        _ => "other",
    }
}

/// Counts one committed (or failed) writer batch.
pub fn writer_batch(size: usize, took: Duration) {
    histogram!(WRITER_BATCH).record(size as f64);
    histogram!(WRITER_COMMIT).record(took.as_secs_f64());
}

/// Counts one database error of operation `op`.
pub fn db_error(op: &'static str) {
    counter!(DB_ERRORS, "op" => op).increment(1);
}

/// A connection was accepted.
pub fn connection_opened() {
    gauge!(CONNECTIONS_OPEN).increment(1.0);
}

/// A connection closed.
pub fn connection_closed() {
    gauge!(CONNECTIONS_OPEN).decrement(1.0);
}

/// A `/v1/stream` stream opened.
pub fn stream_opened() {
    gauge!(STREAMS_OPEN).increment(1.0);
}

/// A `/v1/stream` stream ended.
pub fn stream_closed() {
    gauge!(STREAMS_OPEN).decrement(1.0);
}

/// A connection was refused at the cap.
pub fn connection_refused() {
    counter!(CONNECTIONS_REFUSED).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_have_few_labels() {
        assert_eq!(refusal("vote_limit"), "vote_cap");
        assert_eq!(refusal("forbidden_origin"), "not_partner");
        assert_eq!(refusal("payload_too_large"), "invalid");
        assert_eq!(refusal("something new"), "other");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
    }
}
