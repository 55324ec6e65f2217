//! Real service answers, captured into `tests/fixtures/wire/` at the repository root, where
//! the widget's tests decode the same files. A committed fixture that no longer matches
//! what the service sends fails here; `CASM_UPDATE_FIXTURES=1` rewrites them.

mod common;

use casm_model::wire::{ErrorBody, EventAccepted, Feed, Item, Stats};
use casm_model::VoteResponse;
use common::{client, token, TestServer};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const SOURCE: &str = "casm-global-partnership";
/// A second resource for stats: one with a video, so every counter has a value.
const VIDEO: &str = "mercury-retort-demonstration-video";
/// What the server's origin (a random port) becomes in the fixtures.
const ORIGIN: &str = "http://feed.test";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/wire")
}

/// One captured answer: its fixture name, its body with the origin replaced, and a check
/// that the body survives its model type.
struct Capture {
    name: &'static str,
    body: Value,
    round_trip: fn(&str) -> Result<Value, String>,
}

/// Deserialises `text` into `T` and serialises it back.
fn via<T: DeserializeOwned + Serialize>(text: &str) -> Result<Value, String> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let typed: T = serde_path_to_error::deserialize(de).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

async fn capture(
    server: &TestServer,
    response: reqwest::Response,
    status: u16,
    name: &'static str,
    round_trip: fn(&str) -> Result<Value, String>,
) -> Capture {
    assert_eq!(response.status(), status, "{name}");
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text.replace(&server.base, ORIGIN)).unwrap();
    Capture {
        name,
        body,
        round_trip,
    }
}

/// The answers, in an order that makes every count predictable: a fresh database, fixed
/// visitor tokens, and no field that depends on the time of day.
async fn captures(server: &TestServer) -> Vec<Capture> {
    let get = |path: &str| client().get(server.url(path)).send();
    let post = |path: &str, body: Value| client().post(server.url(path)).json(&body).send();
    let mut out = Vec::new();
    let vote = post(
        &format!("/v1/resources/{SOURCE}/vote"),
        json!({"visitor": token(1), "helpful": true}),
    )
    .await
    .unwrap();
    out.push(capture(server, vote, 200, "vote", via::<VoteResponse>).await);
    let event = post(
        "/v1/events",
        json!({"type": "download", "resource": SOURCE, "visitor": token(1), "link": "summary-report"}),
    )
    .await
    .unwrap();
    out.push(capture(server, event, 202, "event", via::<EventAccepted>).await);
    let resource = get(&format!("/v1/resources/{SOURCE}")).await.unwrap();
    out.push(capture(server, resource, 200, "resource", via::<Item>).await);
    let feed = get("/v1/feed.json?limit=3").await.unwrap();
    out.push(capture(server, feed, 200, "feed", via::<Feed>).await);
    let stats = get(&format!("/v1/stats?ids={SOURCE},{VIDEO}"))
        .await
        .unwrap();
    out.push(capture(server, stats, 200, "stats", via::<Stats>).await);
    let by_partner = get(&format!("/v1/stats?ids={SOURCE},{VIDEO}&by=partner"))
        .await
        .unwrap();
    out.push(capture(server, by_partner, 200, "stats-by-partner", via::<Stats>).await);
    let not_found = get("/v1/resources/no-such-resource").await.unwrap();
    out.push(capture(server, not_found, 404, "error-404", via::<ErrorBody>).await);
    let bad = get("/v1/feed.json?limit=0").await.unwrap();
    out.push(capture(server, bad, 400, "error-400", via::<ErrorBody>).await);
    out
}

/// Pretty JSON with two-space indents and a final newline.
fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap();
    text.push('\n');
    text
}

/// Where `left` and `right` differ, one line per JSON path.
fn differences(path: &str, left: &Value, right: &Value, out: &mut Vec<String>) {
    match (left, right) {
        (Value::Object(l), Value::Object(r)) => {
            let keys: std::collections::BTreeSet<&String> = l.keys().chain(r.keys()).collect();
            for key in keys {
                let sub = format!("{path}.{key}");
                match (l.get(key), r.get(key)) {
                    (Some(a), Some(b)) => differences(&sub, a, b, out),
                    (Some(a), None) => out.push(format!("{sub}: committed {a}, now absent")),
                    (None, Some(b)) => out.push(format!("{sub}: not committed, now {b}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(l), Value::Array(r)) if l.len() == r.len() => {
            for (i, (a, b)) in l.iter().zip(r).enumerate() {
                differences(&format!("{path}[{i}]"), a, b, out);
            }
        }
        _ if left != right => out.push(format!("{path}: committed {left}, now {right}")),
        _ => {}
    }
}

#[tokio::test]
async fn fixtures_are_what_the_service_sends_and_what_the_model_reads() {
    let mut server = TestServer::start().await;
    let captures = captures(&server).await;
    server.stop().await;

    let update = std::env::var("CASM_UPDATE_FIXTURES").is_ok_and(|v| v == "1");
    let dir = fixtures_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut stale = Vec::new();
    for c in &captures {
        let fresh = pretty(&c.body);
        assert!(!fresh.contains("127.0.0.1"), "{}: origin left in", c.name);
        let path = dir.join(format!("{}.json", c.name));
        let committed = std::fs::read_to_string(&path).ok();
        match committed {
            Some(text) if text == fresh => {}
            Some(text) if !update => {
                let mut diff = Vec::new();
                match serde_json::from_str::<Value>(&text) {
                    Ok(old) => differences("$", &old, &c.body, &mut diff),
                    Err(e) => diff.push(format!("the committed file is not JSON: {e}")),
                }
                if diff.is_empty() {
                    diff.push("same JSON value, different formatting".into());
                }
                stale.push(format!(
                    "tests/fixtures/wire/{}.json:\n  {}",
                    c.name,
                    diff.join("\n  ")
                ));
            }
            _ => std::fs::write(&path, &fresh).unwrap(),
        }

        let round = (c.round_trip)(&fresh).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let mut lost = Vec::new();
        differences("$", &c.body, &round, &mut lost);
        assert!(
            lost.is_empty(),
            "{}: the casm-model type does not carry the body unchanged:\n  {}",
            c.name,
            lost.join("\n  ")
        );
    }
    assert!(
        stale.is_empty(),
        "the service no longer sends what tests/fixtures/wire/ holds:\n{}\n\
         If the change is intended, rerun with CASM_UPDATE_FIXTURES=1 and commit the fixtures \
         (the widget's tests decode them too).",
        stale.join("\n")
    );
}
