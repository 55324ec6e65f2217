//! `GET /v1/stream`: live counters as Server-Sent Events, against a real server on port 0.
//! On PostgreSQL (`scripts/with-postgres.sh`) also two instances on one database.

mod common;

use common::{post, token, Options, TestServer};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const A: &str = "casm-global-partnership";
const B: &str = "mercury-free-gold-processing-toolkit";
const C: &str = "mercury-in-asm-gold-global-review";

/// What a stream sent: a `counts` event, or a heartbeat comment.
#[derive(Debug)]
enum Sse {
    Counts { id: String, data: Value },
    Comment,
}

/// An open stream, read chunk by chunk.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(server: &TestServer, ids: &str, last_event_id: Option<&str>) -> Stream {
        let mut req = reqwest::Client::new().get(server.url(&format!("/v1/stream?ids={ids}")));
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id);
        }
        let response = req.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next message, or `None` when none comes within `wait` (or the stream ended).
    async fn next(&mut self, wait: Duration) -> Option<Sse> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let message: String = self.buffer.drain(..end + 2).collect();
                return Some(parse(&message));
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .ok()??;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next `counts` event within `wait`, skipping heartbeats.
    async fn counts(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = Instant::now() + wait;
        loop {
            match self
                .next(deadline.saturating_duration_since(Instant::now()))
                .await?
            {
                Sse::Counts { id, data } => return Some((id, data)),
                Sse::Comment => continue,
            }
        }
    }
}

fn parse(message: &str) -> Sse {
    if message.starts_with(':') {
        return Sse::Comment;
    }
    let mut lines = message.lines().filter(|l| !l.is_empty());
    assert_eq!(lines.next(), Some("event: counts"), "{message}");
    let id = lines
        .next()
        .unwrap()
        .strip_prefix("id: ")
        .unwrap()
        .to_owned();
    let data = lines.next().unwrap().strip_prefix("data: ").unwrap();
    assert_eq!(lines.next(), None, "one data line: {message}");
    Sse::Counts {
        id,
        data: serde_json::from_str(data).unwrap(),
    }
}

/// The ids in a `counts` event's `resources`, sorted.
fn ids(data: &Value) -> Vec<String> {
    let mut ids: Vec<String> = data["resources"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    ids.sort();
    ids
}

async fn vote(server: &TestServer, id: &str, visitor: usize) {
    let r = post(
        server,
        &format!("/v1/resources/{id}/vote"),
        json!({"visitor": token(visitor), "helpful": true}),
    )
    .await;
    assert_eq!(r.status(), 200);
}

const SOON: Duration = Duration::from_secs(2);

#[tokio::test]
async fn snapshot_on_connect_then_only_changes_of_the_requested_ids() {
    let server = TestServer::start().await;
    let mut stream = Stream::open(&server, &format!("{A},{B},no-such-id"), None).await;
    let (first_id, snapshot) = stream.counts(SOON).await.expect("a snapshot at once");
    let mut expected = vec![A.to_owned(), B.to_owned()];
    expected.sort();
    assert_eq!(ids(&snapshot), expected, "requested and known ids only");
    // The same counters /v1/stats gives: one wire type.
    let stats = common::stats(&server, A).await;
    assert_eq!(snapshot["resources"][A], stats);
    let before = stats["helpful_votes"].as_u64().unwrap();

    // A vote on a resource nobody asked for sends nothing to this stream…
    vote(&server, C, 1).await;
    // …and one on A sends A's new counters, and only A's.
    vote(&server, A, 2).await;
    let (id, event) = stream.counts(SOON).await.expect("the vote pushed");
    assert_eq!(ids(&event), vec![A.to_owned()]);
    assert_eq!(event["resources"][A]["helpful_votes"], before + 1);
    assert_ne!(id, first_id);
    let (epoch, seq) = id.split_once('-').unwrap();
    assert_eq!(first_id.split_once('-').unwrap().0, epoch);
    assert!(seq.parse::<u64>().unwrap() > 0);
}

#[tokio::test]
async fn last_event_id_resumes_with_what_changed_since_and_a_foreign_id_gets_a_snapshot() {
    let server = TestServer::start_with(Options {
        stream_heartbeat: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let both = format!("{A},{B}");
    let mut stream = Stream::open(&server, &both, None).await;
    let (seen, _) = stream.counts(SOON).await.unwrap();
    drop(stream);

    // Missed while disconnected: one vote on B.
    vote(&server, B, 1).await;
    let mut resumed = Stream::open(&server, &both, Some(&seen)).await;
    let (now, event) = resumed.counts(SOON).await.unwrap();
    assert_eq!(ids(&event), vec![B.to_owned()], "only what changed since");
    drop(resumed);

    // Up to date already: nothing but heartbeats.
    let mut current = Stream::open(&server, &both, Some(&now)).await;
    assert!(matches!(current.next(SOON).await, Some(Sse::Comment)));
    assert!(current.counts(Duration::from_millis(700)).await.is_none());
    drop(current);

    // Another process's id (an earlier run, another instance), or a number this process
    // never reached: a snapshot.
    let epoch = now.split_once('-').unwrap().0;
    for foreign in [
        "12345-1".to_owned(),
        format!("{epoch}-999999"),
        "junk".into(),
    ] {
        let mut s = Stream::open(&server, &both, Some(&foreign)).await;
        let (_, snapshot) = s.counts(SOON).await.unwrap();
        assert_eq!(ids(&snapshot).len(), 2, "snapshot for {foreign}");
    }
}

#[tokio::test]
async fn heartbeats_keep_a_quiet_stream_alive_past_the_idle_timeout() {
    let server = TestServer::start_with(Options {
        stream_heartbeat: Duration::from_millis(400),
        idle_timeout: Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    let mut stream = Stream::open(&server, A, None).await;
    stream.counts(SOON).await.unwrap();
    let started = Instant::now();
    assert!(matches!(stream.next(SOON).await, Some(Sse::Comment)));
    assert!(started.elapsed() < Duration::from_secs(1));
    // Longer than the idle timeout with no request: the stream is still served.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    vote(&server, A, 1).await;
    let (_, event) = stream.counts(SOON).await.expect("still open");
    assert_eq!(ids(&event), vec![A.to_owned()]);
}

#[tokio::test]
async fn a_client_over_its_stream_cap_gets_429_with_the_json_error() {
    let server = TestServer::start_with(Options {
        max_streams_per_client: 2,
        ..Options::default()
    })
    .await;
    let first = Stream::open(&server, A, None).await;
    let _second = Stream::open(&server, A, None).await;
    let refused = reqwest::get(server.url(&format!("/v1/stream?ids={A}")))
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_streams");
    // Closing one gives its slot back.
    drop(first);
    let deadline = Instant::now() + SOON;
    loop {
        let r = reqwest::get(server.url(&format!("/v1/stream?ids={A}")))
            .await
            .unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the slot came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn bad_ids_get_the_json_400_of_stats() {
    let server = TestServer::start().await;
    let many = (0..101)
        .map(|i| format!("r{i}"))
        .collect::<Vec<_>>()
        .join(",");
    for query in ["", "?ids=", "?ids=%20%20", &format!("?ids={many}")] {
        let r = reqwest::get(server.url(&format!("/v1/stream{query}")))
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{query}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request");
        assert_eq!(body["error"]["field"], "ids");
    }
}

#[tokio::test]
async fn partner_pages_read_the_stream_cross_origin() {
    let server = TestServer::start().await;
    let r = reqwest::Client::new()
        .get(server.url(&format!("/v1/stream?ids={A}")))
        .header("origin", "https://any-partner.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, server.url("/v1/stream?ids=a"))
        .header("origin", "https://any-partner.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "last-event-id")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("last-event-id"), "{allowed}");
}

#[tokio::test]
async fn shutdown_ends_open_streams_at_once() {
    let mut server = TestServer::start().await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        let mut s = Stream::open(&server, A, None).await;
        s.counts(SOON).await.unwrap();
        streams.push(s);
    }
    let started = Instant::now();
    server.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "stopping took {:?}",
        started.elapsed()
    );
    for mut s in streams {
        assert!(s.next(SOON).await.is_none(), "the stream ended");
    }
}

/// Two instances on one PostgreSQL: a vote on A reaches a stream on B within B's refresh.
#[tokio::test]
async fn a_vote_on_one_instance_is_pushed_by_another_on_the_same_postgres() {
    if std::env::var("CASM_TEST_POSTGRES").map_or(true, |v| v.is_empty()) {
        eprintln!("skipped: needs PostgreSQL (scripts/with-postgres.sh)");
        return;
    }
    let refresh = Duration::from_millis(500);
    let one = TestServer::start_with(Options {
        refresh: Some(refresh),
        ..Options::default()
    })
    .await;
    let two = one
        .another(Options {
            refresh: Some(refresh),
            ..Options::default()
        })
        .await;
    let mut stream = Stream::open(&two, A, None).await;
    let (_, snapshot) = stream.counts(SOON).await.unwrap();
    let before = snapshot["resources"][A]["helpful_votes"].as_u64().unwrap();
    let voted = Instant::now();
    vote(&one, A, 1).await;
    let (_, event) = stream
        .counts(refresh + SOON)
        .await
        .expect("pushed by the other instance");
    assert_eq!(event["resources"][A]["helpful_votes"], before + 1);
    assert!(voted.elapsed() < refresh + Duration::from_secs(1));
}

/// The popularity score of a stats entry (README "Counting rules").
fn score(c: &Value) -> u64 {
    let n = |k: &str| c[k].as_u64().unwrap();
    n("page_views")
        + 20 * n("helpful_votes")
        + 5 * (n("attachments_downloaded") + n("videos_downloaded") + n("pages_emailed"))
        + n("metacard_views")
}

#[tokio::test]
async fn a_rank_that_moves_is_pushed_to_streams_of_the_resource_overtaken() {
    let server = TestServer::start().await;
    let every: Vec<String> = common::demo_catalogue()
        .resources
        .iter()
        .map(|r| r.id.clone())
        .collect();
    let all: Value = reqwest::get(server.url(&format!("/v1/stats?ids={}", every.join(","))))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ranked: Vec<(u64, String, u64)> = all["resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, c)| (c["popularity_rank"].as_u64().unwrap(), id.clone(), score(c)))
        .collect();
    ranked.sort();
    // Two neighbours in the order, the one behind the closest to the one ahead.
    let (ahead, behind, votes) = ranked
        .windows(2)
        .map(|w| (w[0].1.clone(), w[1].1.clone(), (w[0].2 - w[1].2) / 20 + 1))
        .min_by_key(|(_, _, votes)| *votes)
        .unwrap();
    assert!(
        votes <= 20,
        "a pair close enough to overtake ({votes} votes)"
    );
    let mut stream = Stream::open(&server, &ahead, None).await;
    let (_, snapshot) = stream.counts(SOON).await.unwrap();
    let rank = snapshot["resources"][&ahead]["popularity_rank"]
        .as_u64()
        .unwrap();
    for visitor in 0..votes as usize {
        vote(&server, &behind, 100 + visitor).await;
    }
    // Nobody voted on `ahead`, yet its rank moved: that is news for its stream.
    let deadline = Instant::now() + SOON;
    loop {
        let (_, event) = stream
            .counts(deadline.saturating_duration_since(Instant::now()))
            .await
            .expect("the new rank pushed");
        assert_eq!(ids(&event), vec![ahead.clone()]);
        if event["resources"][&ahead]["popularity_rank"].as_u64() == Some(rank + 1) {
            break;
        }
    }
}
