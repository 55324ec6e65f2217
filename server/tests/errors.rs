//! Every error status, as JSON, with nothing internal in it.

mod common;

use common::{post, token, Options, TestServer};
use serde_json::{json, Value};

const SOURCE: &str = "casm-global-partnership";

async fn assert_error(resp: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(resp.status(), status);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    for leak in ["sqlx", "panicked", "src/", "sqlite", "Error {"] {
        assert!(!message.contains(leak), "{message}");
    }
    body
}

#[tokio::test]
async fn every_error_is_json_with_the_right_status() {
    let server = TestServer::start().await;
    let client = common::client();
    let vote_url = server.url(&format!("/v1/resources/{SOURCE}/vote"));

    assert_error(
        reqwest::get(server.url("/v1/nothing-here")).await.unwrap(),
        404,
        "not_found",
    )
    .await;
    assert_error(
        post(
            &server,
            "/v1/resources/unknown/vote",
            json!({"visitor": token(1), "helpful": true}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        client.get(&vote_url).send().await.unwrap(),
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(
        client
            .delete(server.url("/v1/feed.json"))
            .send()
            .await
            .unwrap(),
        405,
        "method_not_allowed",
    )
    .await;

    let too_big = json!({"visitor": token(1), "helpful": true, "pad": "x".repeat(20_000)});
    assert_error(
        post(&server, "/v1/events", too_big).await,
        413,
        "payload_too_large",
    )
    .await;

    let xml = client
        .post(&vote_url)
        .header("content-type", "application/xml")
        .body("<vote/>")
        .send()
        .await
        .unwrap();
    assert_error(xml, 415, "unsupported_media_type").await;

    let malformed = client
        .post(&vote_url)
        .header("content-type", "application/json")
        .body("{\"visitor\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, 400, "bad_request").await;

    let wrong_type = post(
        &server,
        &format!("/v1/resources/{SOURCE}/vote"),
        json!({"visitor": token(1), "helpful": "yes"}),
    )
    .await;
    let body = assert_error(wrong_type, 400, "bad_request").await;
    assert_eq!(body["error"]["field"], "helpful");

    let missing = post(
        &server,
        &format!("/v1/resources/{SOURCE}/vote"),
        json!({"helpful": true}),
    )
    .await;
    assert_error(missing, 400, "bad_request").await;

    let bad_token = post(
        &server,
        &format!("/v1/resources/{SOURCE}/vote"),
        json!({"visitor": "<script>", "helpful": true}),
    )
    .await;
    let body = assert_error(bad_token, 400, "bad_request").await;
    assert_eq!(body["error"]["field"], "visitor");

    let bad_link = post(
        &server,
        "/v1/events",
        json!({"type": "download", "resource": SOURCE, "visitor": token(1), "link": "nope"}),
    )
    .await;
    assert_error(bad_link, 422, "unprocessable").await;

    // Nothing above counted.
    assert_eq!(common::stats(&server, SOURCE).await["helpful_votes"], 0);
}

#[tokio::test]
async fn too_many_posts_from_one_address_get_429_with_retry_after() {
    let server = TestServer::start_with(Options {
        post_rate: 1,
        post_burst: 3,
        ..Options::default()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        let resp = post(
            &server,
            "/v1/events",
            json!({"type": "view", "resource": SOURCE, "visitor": token(i)}),
        )
        .await;
        if resp.status() == 429 {
            assert!(resp.headers().contains_key("retry-after"));
            assert_error(resp, 429, "rate_limited").await;
            statuses.push(429);
        } else {
            statuses.push(resp.status().as_u16());
        }
    }
    assert_eq!(statuses, [202, 202, 202, 429, 429]);
    // Reads are not limited.
    assert_eq!(
        reqwest::get(server.url("/v1/feed.json"))
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn cors_lets_partner_pages_read_and_post() {
    let server = TestServer::start().await;
    let client = reqwest::Client::new();
    let partner = common::PARTNER_ORIGIN;
    let resp = client
        .get(server.url("/v1/feed.json"))
        .header("origin", "https://partner.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let preflight = client
        .request(
            reqwest::Method::OPTIONS,
            server.url(&format!("/v1/resources/{SOURCE}/vote")),
        )
        .header("origin", partner)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert!(preflight.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert_eq!(preflight.headers()["access-control-allow-origin"], partner);
}

#[tokio::test]
async fn posts_from_unregistered_origins_get_403_and_count_nothing() {
    let server = TestServer::start().await;
    let vote = json!({"visitor": token(1), "helpful": true});
    let url = server.url(&format!("/v1/resources/{SOURCE}/vote"));
    for origin in [
        Some("https://evil.example"),
        Some("http://partner.test.evil.example"),
        None,
    ] {
        let mut req = reqwest::Client::new()
            .post(&url)
            .header("user-agent", common::BROWSER_UA)
            .json(&vote);
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        let body = assert_error(req.send().await.unwrap(), 403, "forbidden_origin").await;
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not registered"));
    }
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(common::stats(&server, SOURCE).await["helpful_votes"], 0);
}
