//! The accept loop: hyper's HTTP/1 connections with the limits `axum::serve` lacks.
//!
//! - **Header timeout**: hyper's `header_read_timeout` closes a connection that has not
//!   sent a request's complete headers within the limit (a deadline, so a client sending a
//!   byte now and then gains nothing). hyper starts that timer whenever a connection is
//!   ready for a request, so it also bounds the wait between kept-alive requests.
//! - **Idle timeout**: a kept-alive connection with no request in flight for the limit is
//!   shut down gracefully (hyper closes it at once, as nothing is in flight). A request
//!   is in flight until its response body has been sent, so a long answer (a
//!   `/v1/stream`) is never idle.
//! - **Connection cap**: beyond it a connection gets a fixed `503` with `Connection:
//!   close` and the JSON error body, then is closed: the client learns it should retry,
//!   rather than seeing a reset or hanging in the kernel's backlog.
//! - **Graceful shutdown**: stop accepting, let requests in flight finish (idle
//!   connections close at once), for at most the drain time.

use super::error::ApiError;
use crate::metrics;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Refusals being written at once; beyond this a refused connection is just closed, so a
/// flood cannot turn refusals into the next unbounded resource.
const MAX_REFUSING: usize = 256;

/// How long a refusal may take to write and to read what the client already sent.
const REFUSAL_TIME: Duration = Duration::from_secs(1);

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// See [`crate::Config::header_timeout`].
    pub header_timeout: Duration,
    /// See [`crate::Config::idle_timeout`].
    pub idle_timeout: Duration,
    /// See [`crate::Config::max_connections`].
    pub max_connections: usize,
    /// Longest wait for requests in flight after `shutdown`; stragglers are then dropped.
    pub drain_timeout: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then drains the connections.
/// Each request carries `ConnectInfo<SocketAddr>`; sockets get `TCP_NODELAY`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    let tasks = TaskTracker::new();
    let stop = CancellationToken::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors (or a connection reset before it was
                    // accepted): wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // No Nagle: a small response on a kept-alive connection otherwise waits for the
        // client's delayed ACK (~40 ms), e.g. the Wasm after the loader on one connection.
        let _ = tcp.set_nodelay(true);
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                let (app, http, stop) = (app.clone(), http.clone(), stop.clone());
                tasks.spawn(async move {
                    metrics::connection_opened();
                    connection(tcp, peer, app, http, limits.idle_timeout, stop).await;
                    metrics::connection_closed();
                    drop(slot);
                });
            }
            Err(_) => {
                metrics::connection_refused();
                if let Ok(permit) = refusing.clone().try_acquire_owned() {
                    tasks.spawn(async move {
                        let _ = tokio::time::timeout(REFUSAL_TIME, refuse(tcp)).await;
                        drop(permit);
                    });
                }
            }
        }
    }
    // New connections now wait in the backlog and are reset when the listener closes.
    drop(listener);
    stop.cancel();
    tasks.close();
    if tokio::time::timeout(limits.drain_timeout, tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain time; closing them");
    }
}

/// Serves one connection until it closes, shutting it down gracefully when it has been
/// idle for `idle_timeout` or when `stop` is cancelled.
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    http: http1::Builder,
    idle_timeout: Duration,
    stop: CancellationToken,
) {
    let activity = Arc::new(Activity::new());
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let busy = activity.begin();
            let app = app.clone();
            async move {
                let response = app.oneshot(req).await;
                // Busy until the body is sent (or dropped), not only the headers.
                response.map(|r| r.map(|body| axum::body::Body::new(Tracked { body, _busy: busy })))
            }
        })
    };
    let conn = http.serve_connection(TokioIo::new(tcp), service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                // Header timeouts, resets and clients that go away end up here: normal.
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended");
                }
                return;
            }
            () = stop.cancelled(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            () = activity.idle_for(idle_timeout), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Answers a connection beyond the cap with a `503` and closes it.
async fn refuse(mut tcp: TcpStream) {
    let (status, body) = ApiError::Overloaded.status_and_body();
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         retry-after: 1\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    if tcp.write_all(head.as_bytes()).await.is_err() || tcp.write_all(&body).await.is_err() {
        return;
    }
    // Closing with unread request bytes makes the kernel send a reset, which can destroy
    // the answer before the client reads it: end our side, then read what it sent.
    let _ = tcp.shutdown().await;
    let mut sink = [0u8; 1024];
    while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// Whether a connection has a request in flight, and since when it has had none.
struct Activity {
    state: Mutex<(usize, Instant)>,
}

/// Marks a request in flight until dropped.
struct Busy(Arc<Activity>);

impl Activity {
    fn new() -> Self {
        Activity {
            state: Mutex::new((0, Instant::now())),
        }
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.lock().0 += 1;
        Busy(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, Instant)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Completes once no request has been in flight for `limit`.
    async fn idle_for(&self, limit: Duration) {
        loop {
            let (in_flight, since) = *self.lock();
            if in_flight > 0 {
                // Requests have their own time limit; look again later.
                tokio::time::sleep(limit).await;
                continue;
            }
            let deadline = since + limit;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A response body that keeps its connection marked busy until it ends or is dropped.
struct Tracked {
    body: axum::body::Body,
    _busy: Busy,
}

impl http_body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.0 -= 1;
        state.1 = Instant::now();
    }
}
