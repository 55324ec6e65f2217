//! Request logs: the access line names the method, the matched route, the status and the
//! latency, and never the client's address, token, user agent or the raw path. Alone in
//! its test binary: the log subscriber is per thread, and a callsite first seen by another
//! test's thread could be cached as disabled.

mod common;

use common::{client, token, TestServer, BROWSER_UA};
use serde_json::json;
use std::sync::{Arc, Mutex};

const ID: &str = "casm-global-partnership";

/// Collects what the log subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread (the default test runtime), so the server's tasks log to this subscriber.
#[tokio::test]
async fn request_logs_name_route_and_status_but_never_the_client() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("casm_feed::access=debug")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::start().await;
    let resp = reqwest::Client::new()
        .get(server.url(&format!("/v1/resources/{ID}?q=secret-query")))
        .header("user-agent", "AgentSmith/9.9")
        .header("authorization", "Bearer casm_supersecret")
        .header("x-forwarded-for", "198.51.100.77")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let vote = client()
        .post(server.url(&format!("/v1/resources/{ID}/vote")))
        .header("user-agent", BROWSER_UA)
        .json(&json!({"visitor": token(9), "helpful": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(vote.status(), 200);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("route=/v1/resources/{id}"), "{logs}");
    assert!(logs.contains("route=/v1/resources/{id}/vote"), "{logs}");
    assert!(logs.contains("method=GET"), "{logs}");
    assert!(logs.contains("method=POST"), "{logs}");
    assert!(logs.contains("status=200"), "{logs}");
    assert!(logs.contains("latency_ms="), "{logs}");
    for secret in [
        ID,
        "secret-query",
        "AgentSmith",
        "supersecret",
        "198.51.100.77",
        "127.0.0.1",
        "test-visitor",
    ] {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}
