//! Operations: `/metrics` after some traffic, `/healthz` and `/readyz`, and
//! POST rate limits per IPv4 address and IPv6 /64 behind a trusted proxy.

mod common;

use casm_feed::store::Store;
use common::{client, raw_client, token, Options, TestServer};
use serde_json::json;

const ID: &str = "casm-global-partnership";

async fn admin_token(server: &TestServer, name: &str, partner: Option<&str>) -> String {
    let store = Store::connect(&server.database).await.unwrap();
    let token = store.create_token(name, partner).await.unwrap();
    store.close().await;
    token
}

/// The sum of the samples of `name` whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(series, _)| {
            series
                .strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('{'))
                && labels
                    .iter()
                    .all(|(k, v)| series.contains(&format!("{k}=\"{v}\"")))
        })
        .filter_map(|(_, value)| value.parse::<f64>().ok())
        .sum()
}

async fn scrape(server: &TestServer, token: &str) -> String {
    let resp = raw_client()
        .get(server.url("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    resp.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_and_writes_by_route_and_outcome() {
    let server = TestServer::start_with(Options {
        vote_cap: 1,
        ..Options::default()
    })
    .await;
    let staff = admin_token(&server, "prometheus", None).await;
    let partner = admin_token(&server, "p", Some("test-partner")).await;
    let http = client();
    for _ in 0..3 {
        let resp = http.get(server.url("/v1/feed.json")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    let resp = http
        .get(server.url(&format!("/v1/resources/{ID}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http.get(server.url("/no/such/page")).send().await.unwrap();
    assert_eq!(resp.status(), 404);

    let vote = |visitor: usize| json!({"visitor": token(visitor), "helpful": true});
    let url = server.url(&format!("/v1/resources/{ID}/vote"));
    let vote_status = |visitor: usize| {
        let request = http.post(&url).json(&vote(visitor));
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(vote_status(1).await, 200);
    assert_eq!(vote_status(1).await, 200);
    // The cap of one vote per network and day is spent.
    assert_eq!(vote_status(2).await, 429);
    let resp = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let stranger = reqwest::Client::new()
        .post(&url)
        .header("origin", "http://stranger.test")
        .json(&vote(3))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 403);
    let bot = http
        .post(server.url("/v1/events"))
        .header("user-agent", "Googlebot/2.1")
        .json(&json!({"type": "view", "resource": ID, "visitor": token(4)}))
        .send()
        .await
        .unwrap();
    assert_eq!(bot.status(), 202);

    // Staff only.
    let resp = raw_client()
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = raw_client()
        .get(server.url("/metrics"))
        .bearer_auth(&partner)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    let text = scrape(&server, &staff).await;
    let requests = "casm_http_requests_total";
    let feed = [
        ("method", "GET"),
        ("route", "/v1/feed.json"),
        ("status", "200"),
    ];
    assert!(sample(&text, requests, &feed) >= 3.0, "{text}");
    let resource = [("route", "/v1/resources/{id}"), ("status", "200")];
    assert!(sample(&text, requests, &resource) >= 1.0, "{text}");
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert!(sample(&text, requests, &unmatched) >= 1.0, "{text}");
    // Routes are patterns: no id and no raw path in any label.
    assert!(!text.contains(&format!("/v1/resources/{ID}\"")), "{text}");
    assert!(!text.contains("/no/such/page"), "{text}");
    let latency = [("route", "/v1/feed.json")];
    assert!(sample(&text, "casm_http_request_duration_seconds_count", &latency) >= 3.0);
    assert!(text.contains("casm_http_request_duration_seconds_bucket{"));

    for outcome in ["counted", "duplicate", "vote_cap", "invalid", "not_partner"] {
        let n = sample(&text, "casm_votes_total", &[("outcome", outcome)]);
        assert!(n >= 1.0, "votes {outcome}: {text}");
    }
    assert!(sample(&text, "casm_events_total", &[("outcome", "bot")]) >= 1.0);
    assert!(sample(&text, "casm_writer_batch_size_count", &[]) >= 3.0);
    assert!(sample(&text, "casm_writer_commit_duration_seconds_count", &[]) >= 3.0);
    assert!(text.contains("casm_http_connections_open"));
}

#[tokio::test]
async fn forwarded_clients_are_limited_per_ipv4_address_and_ipv6_64() {
    let server = TestServer::start_with(Options {
        post_rate: 1,
        post_burst: 2,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    })
    .await;
    let http = client();
    let mut n = 0;
    let mut post_from = |forwarded: Option<&'static str>| {
        n += 1;
        let mut req = http
            .post(server.url("/v1/events"))
            .json(&json!({"type": "view", "resource": ID, "visitor": token(n)}));
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        req.send()
    };
    // Three addresses in one /64 share its budget of two.
    assert_eq!(
        post_from(Some("2001:db8:1:2::1")).await.unwrap().status(),
        202
    );
    assert_eq!(
        post_from(Some("2001:db8:1:2::2")).await.unwrap().status(),
        202
    );
    let refused = post_from(Some("2001:db8:1:2:ffff::3")).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(
        refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another /64 has its own.
    assert_eq!(
        post_from(Some("2001:db8:1:3::1")).await.unwrap().status(),
        202
    );
    // IPv4: per address.
    assert_eq!(post_from(Some("203.0.113.1")).await.unwrap().status(), 202);
    assert_eq!(post_from(Some("203.0.113.1")).await.unwrap().status(), 202);
    assert_eq!(post_from(Some("203.0.113.1")).await.unwrap().status(), 429);
    assert_eq!(post_from(Some("203.0.113.2")).await.unwrap().status(), 202);
    // The proxy's own requests are its own client.
    assert_eq!(post_from(None).await.unwrap().status(), 202);

    let staff = admin_token(&server, "prometheus", None).await;
    let text = scrape(&server, &staff).await;
    assert!(sample(&text, "casm_events_total", &[("outcome", "rate_limited")]) >= 2.0);
}

#[tokio::test]
async fn healthz_and_readyz_answer_while_the_database_does() {
    let server = TestServer::start().await;
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(server.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.headers()["cache-control"], "no-store");
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}
