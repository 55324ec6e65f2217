//! `GET /v1/stream?ids=…`: live counters as Server-Sent Events.
//!
//! A stream first sends a snapshot (one `counts` event with the counters of every
//! requested id), then, whenever a round of changes is published in [`crate::live`] (a
//! committed writer batch, a refresh from the database, a new catalogue), one event with
//! the counters of its ids that changed. Each event's id is `<epoch>-<seq>`: the process's
//! random epoch and the round it is current at, so a client that reconnects with
//! `Last-Event-ID` gets exactly what changed since, and one whose id is another process's
//! gets a snapshot. Between events a comment line is sent every heartbeat, so proxies and
//! clients can tell a quiet stream from a dead one.
//!
//! An idle stream is a sleeping future in its connection's task: no task, no timer wheel
//! entry beyond its heartbeat, no buffer of events (the memory figure is in the README).
//! Streams count toward `--max-connections`, at most `--max-streams-per-client` per
//! [`ClientKey`], and all end at once on shutdown so the drain does not wait for them.

use super::client::ClientAddr;
use super::error::ApiError;
use super::extract::Params;
use super::ratelimit::ClientKey;
use crate::live::Live;
use crate::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use bytes::Bytes;
use casm_model::wire::{ErrorBody, ResourceStats, Stats};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The open streams: how many each client holds, and the signal that ends them all.
pub struct Streams {
    per_client: Mutex<HashMap<ClientKey, usize>>,
    max_per_client: usize,
    heartbeat: Duration,
    stop: CancellationToken,
}

impl Streams {
    /// At most `max_per_client` streams per client, each sending a comment after
    /// `heartbeat` without an event.
    pub fn new(max_per_client: usize, heartbeat: Duration) -> Self {
        Streams {
            per_client: Mutex::new(HashMap::new()),
            max_per_client: max_per_client.max(1),
            heartbeat: heartbeat.max(Duration::from_millis(100)),
            stop: CancellationToken::new(),
        }
    }

    /// Ends every open stream, and refuses none later (the server is stopping: a stream
    /// opened now ends at once).
    pub fn close(&self) {
        self.stop.cancel();
    }

    /// Takes one of `key`'s stream slots, or `None` when it holds its most.
    fn take(self: &Arc<Self>, key: ClientKey) -> Option<Slot> {
        let mut map = self.per_client.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(key).or_insert(0);
        if *n >= self.max_per_client {
            return None;
        }
        *n += 1;
        crate::metrics::stream_opened();
        Some(Slot {
            streams: self.clone(),
            key,
        })
    }
}

/// One client's stream slot, given back when the stream ends (its body is dropped).
struct Slot {
    streams: Arc<Streams>,
    key: ClientKey,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self
            .streams
            .per_client
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
        crate::metrics::stream_closed();
    }
}

/// Where a stream starts: a snapshot, or after the round a reconnecting client last saw.
fn resume_point(headers: &HeaderMap, epoch: u64) -> Option<u64> {
    let id = headers.get("last-event-id")?.to_str().ok()?;
    let (e, seq) = id.trim().split_once('-')?;
    (e.parse::<u64>().ok()? == epoch)
        .then(|| seq.parse::<u64>().ok())
        .flatten()
}

/// One `counts` event: its id, then the counters as a [`Stats`] on one `data:` line
/// (JSON escapes newlines inside strings, so it is always one line).
fn counts_event(
    epoch: u64,
    seq: u64,
    counters: std::collections::BTreeMap<String, casm_model::Counters>,
) -> Bytes {
    let stats = Stats {
        resources: counters
            .into_iter()
            .map(|(id, counters)| {
                (
                    id,
                    ResourceStats {
                        counters,
                        partners: None,
                    },
                )
            })
            .collect(),
    };
    let json = serde_json::to_string(&stats).unwrap_or_default();
    Bytes::from(format!(
        "event: counts\nid: {epoch}-{seq}\ndata: {json}\n\n"
    ))
}

/// Changes within this time of a stream's last look are sent together. Every round of
/// changes wakes every stream (each then checks its own ids), so under a stream of votes
/// a stream looks a few times a second rather than once per writer batch: 5,000 streams
/// and 800 batches a second would otherwise be 4 million wake-ups a second.
const COALESCE: Duration = Duration::from_millis(200);

/// A heartbeat: an SSE comment, which clients ignore.
const HEARTBEAT: &[u8] = b":\n\n";

/// What a stream keeps between its events.
struct Open {
    live: Arc<Live>,
    ids: Vec<String>,
    /// The round the last event (or the resume point) was current at.
    sent: u64,
    wake: watch::Receiver<u64>,
    stop: CancellationToken,
    heartbeat: Duration,
    next_beat: Instant,
    /// When the stream last looked for changes.
    last_look: Instant,
    /// The first event (snapshot or changes since the resume point), sent at once.
    first: Option<Bytes>,
    _slot: Slot,
}

impl Open {
    /// Waits for the next chunk: an event with changes, a heartbeat, or `None` at shutdown.
    async fn next(&mut self) -> Option<Bytes> {
        if let Some(first) = self.first.take() {
            self.next_beat = Instant::now() + self.heartbeat;
            return Some(first);
        }
        loop {
            tokio::select! {
                biased;
                () = self.stop.cancelled() => return None,
                woke = self.wake.changed() => {
                    // The sender lives as long as `Live`, which outlives every stream.
                    if woke.is_err() {
                        return None;
                    }
                    let at = self.last_look + COALESCE;
                    if Instant::now() < at {
                        tokio::select! {
                            biased;
                            () = self.stop.cancelled() => return None,
                            () = tokio::time::sleep_until(at) => {}
                        }
                    }
                    self.last_look = Instant::now();
                    let changed = self.live.changed_since(&self.ids, Some(self.sent));
                    self.sent = changed.seq;
                    if changed.counters.is_empty() {
                        continue;
                    }
                    self.next_beat = Instant::now() + self.heartbeat;
                    return Some(counts_event(self.live.epoch(), changed.seq, changed.counters));
                }
                () = tokio::time::sleep_until(self.next_beat) => {
                    self.next_beat = Instant::now() + self.heartbeat;
                    return Some(Bytes::from_static(HEARTBEAT));
                }
            }
        }
    }
}

/// Live counters of up to 100 resources as Server-Sent Events.
#[utoipa::path(get, path = "/v1/stream", tag = "feed",
    params(
        ("ids" = String, Query, min_length = 1, pattern = "\\S",
            description = "Comma-separated resource ids, at most 100 (not only spaces); \
                unknown ids are ignored"),
        ("Last-Event-ID" = Option<String>, Header, nullable = false,
            description = "The id of the last event received (`<epoch>-<seq>`): only what \
                changed since is sent; an id of another process gets a snapshot"),
    ),
    responses(
        (status = 200, description = "An endless `text/event-stream`: `event: counts`, \
            `id: <epoch>-<seq>`, `data:` a `Stats` with the requested resources that changed \
            (all of them first, unless resuming); a `:` comment every heartbeat",
            content_type = "text/event-stream", body = String),
        (status = 400, description = "`bad_request`: no ids, or more than 100", body = ErrorBody),
        (status = 429, description = "`too_many_streams`: this client holds its most streams \
            (`--max-streams-per-client`)", body = ErrorBody,
            headers(("Retry-After" = u64))),
    ))]
pub(super) async fn stream(
    State(state): State<AppState>,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    Params(params): Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ids: Vec<String> = super::api::ids_param(&params)?
        .into_iter()
        .map(str::to_owned)
        .collect();
    let slot = state
        .streams
        .take(ClientKey::of(ip))
        .ok_or(ApiError::TooManyStreams)?;
    let live = state.live.clone();
    // Subscribed before the first read: a change published in between wakes the stream,
    // which then sends it (or nothing, if the first event already had it).
    let wake = live.subscribe();
    let epoch = live.epoch();
    let resume = resume_point(&headers, epoch);
    let mut first = live.changed_since(&ids, resume);
    if resume.is_some_and(|since| since > first.seq) {
        // A number this process never reached: not one of ours after all.
        first = live.changed_since(&ids, None);
    }
    let first_event = (resume.is_none() || !first.counters.is_empty())
        .then(|| counts_event(epoch, first.seq, first.counters));
    let open = Open {
        live,
        ids,
        sent: first.seq,
        wake,
        stop: state.streams.stop.clone(),
        heartbeat: state.streams.heartbeat,
        next_beat: Instant::now() + state.streams.heartbeat,
        last_look: Instant::now(),
        first: first_event,
        _slot: slot,
    };
    let chunks = futures_util::stream::unfold(open, |mut open| async move {
        let chunk = open.next().await?;
        Some((Ok::<_, Infallible>(chunk), open))
    });
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            // Proxies that buffer answers (nginx) would hold events back.
            (
                header::HeaderName::from_static("x-accel-buffering"),
                HeaderValue::from_static("no"),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_event_id_resumes_only_in_its_own_epoch() {
        let mut h = HeaderMap::new();
        assert_eq!(resume_point(&h, 7), None);
        h.insert("last-event-id", HeaderValue::from_static("7-12"));
        assert_eq!(resume_point(&h, 7), Some(12));
        assert_eq!(resume_point(&h, 8), None);
        h.insert("last-event-id", HeaderValue::from_static("7-x"));
        assert_eq!(resume_point(&h, 7), None);
        h.insert("last-event-id", HeaderValue::from_static("garbage"));
        assert_eq!(resume_point(&h, 7), None);
    }

    #[test]
    fn an_event_is_one_data_line() {
        let mut counters = std::collections::BTreeMap::new();
        counters.insert("a".to_owned(), casm_model::Counters::default());
        let event = counts_event(3, 4, counters);
        let text = std::str::from_utf8(&event).unwrap();
        assert!(text.starts_with("event: counts\nid: 3-4\ndata: {\"resources\":{\"a\":{"));
        assert!(text.ends_with("}\n\n"));
        assert_eq!(text.lines().count(), 4);
    }

    #[test]
    fn slots_are_capped_per_client_and_given_back() {
        let streams = Arc::new(Streams::new(2, Duration::from_secs(1)));
        let key = ClientKey::of("192.0.2.1".parse().unwrap());
        let a = streams.take(key).unwrap();
        let _b = streams.take(key).unwrap();
        assert!(streams.take(key).is_none());
        assert!(streams
            .take(ClientKey::of("192.0.2.2".parse().unwrap()))
            .is_some());
        drop(a);
        assert!(streams.take(key).is_some());
    }
}
