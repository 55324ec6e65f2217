//! Moderation of "Submit your comments" (`/v1/admin/feedback`, staff only) and the
//! feedback webhook, against a real server.

mod common;

use casm_feed::store::Store;
use common::{post, raw_client, token, Options, TestServer};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const SOURCE: &str = "casm-global-partnership";
const OTHER: &str = "mercury-free-gold-processing-toolkit";

/// A token made in the server's database, as the command line makes it.
async fn admin_token(server: &TestServer, name: &str, partner: Option<&str>) -> String {
    let store = Store::connect(&server.database).await.unwrap();
    let token = store.create_token(name, partner).await.unwrap();
    store.close().await;
    token
}

/// Sends feedback from the partner site; it must be accepted.
async fn send_feedback(server: &TestServer, resource: &str, text: &str, contact: Option<&str>) {
    let mut body = json!({"visitor": token(7), "text": text});
    if let Some(contact) = contact {
        body["contact"] = json!(contact);
    }
    let res = post(server, &format!("/v1/resources/{resource}/feedback"), body).await;
    assert_eq!(res.status(), 202);
}

/// A staff client for one server.
struct Admin {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Admin {
    async fn new(server: &TestServer, partner: Option<&str>) -> Self {
        let name = partner.map_or("ana".to_owned(), |p| format!("partner-{p}"));
        Admin {
            client: raw_client(),
            base: server.base.clone(),
            token: admin_token(server, &name, partner).await,
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.request(reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn delete(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::DELETE, path)
            .send()
            .await
            .unwrap()
    }

    /// The listing at `query`, e.g. `?status=new`.
    async fn list(&self, query: &str) -> Vec<Value> {
        let res = self.get(&format!("/v1/admin/feedback{query}")).await;
        assert_eq!(res.status(), 200, "{query}");
        assert_eq!(res.headers()["cache-control"], "no-store");
        let body: Value = res.json().await.unwrap();
        body["items"].as_array().unwrap().clone()
    }
}

fn texts(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["text"].as_str().unwrap()).collect()
}

async fn assert_error(res: reqwest::Response, status: u16, code: &str, field: Option<&str>) {
    assert_eq!(res.status(), status);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["field"].as_str(), field, "{body}");
}

#[tokio::test]
async fn staff_work_through_the_queue() {
    let server = TestServer::start().await;
    send_feedback(&server, SOURCE, "first", Some("Reader@Example.org")).await;
    send_feedback(&server, OTHER, "second", Some("  reader@example.ORG ")).await;
    send_feedback(&server, SOURCE, "third", Some("someone@else.org")).await;
    send_feedback(&server, SOURCE, "fourth", None).await;
    let admin = Admin::new(&server, None).await;

    // Newest first, every field, times as RFC 3339 UTC.
    let all = admin.list("").await;
    assert_eq!(texts(&all), ["fourth", "third", "second", "first"]);
    let ids: Vec<i64> = all.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let first = &all[3];
    let created = first["created_at"].as_str().unwrap().to_owned();
    assert_eq!(
        *first,
        json!({"id": ids[3], "resource": SOURCE, "partner": "test-partner", "text": "first",
               "contact": "Reader@Example.org", "status": "new", "created_at": created})
    );
    let secs = casm_feed::dates::timestamp_secs(&created);
    assert!(created.ends_with('Z') && (casm_feed::dates::now_secs() - secs).abs() < 60);
    assert_eq!(all[0]["contact"], Value::Null);
    assert_eq!(
        texts(&admin.list(&format!("?resource={SOURCE}")).await),
        ["fourth", "third", "first"]
    );

    // Status changes.
    let third = ids[1];
    let res = admin
        .post(
            &format!("/v1/admin/feedback/{third}"),
            json!({"status": "handled"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["status"], "handled");
    assert_eq!(moved["text"], "third");
    assert_eq!(moved["created_at"], all[1]["created_at"]);
    assert_eq!(
        texts(&admin.list("?status=new").await),
        ["fourth", "second", "first"]
    );
    assert_eq!(texts(&admin.list("?status=handled").await), ["third"]);
    assert!(admin
        .list(&format!("?status=handled&resource={OTHER}"))
        .await
        .is_empty());
    let one: Value = admin
        .get(&format!("/v1/admin/feedback/{third}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one, moved);
    let res = admin
        .post(
            &format!("/v1/admin/feedback/{third}"),
            json!({"status": "archived"}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "archived");
    assert_eq!(texts(&admin.list("?status=archived").await), ["third"]);

    // Bad requests name the field; unknown ids are 404.
    let path = format!("/v1/admin/feedback/{third}");
    assert_error(
        admin.post(&path, json!({"status": "done"})).await,
        400,
        "bad_request",
        Some("status"),
    )
    .await;
    assert_error(
        admin.get("/v1/admin/feedback?status=done").await,
        400,
        "bad_request",
        Some("status"),
    )
    .await;
    let malformed = admin
        .request(reqwest::Method::POST, &path)
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_error(malformed, 400, "bad_request", None).await;
    let unsupported = admin
        .request(reqwest::Method::POST, &path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("status=handled")
        .send()
        .await
        .unwrap();
    assert_error(unsupported, 415, "unsupported_media_type", None).await;
    for missing in ["/v1/admin/feedback/999999", "/v1/admin/feedback/abc"] {
        assert_error(
            admin.post(missing, json!({"status": "handled"})).await,
            404,
            "not_found",
            None,
        )
        .await;
        assert_error(admin.delete(missing).await, 404, "not_found", None).await;
        assert_error(admin.get(missing).await, 404, "not_found", None).await;
    }

    // Deleting one.
    let fourth = ids[0];
    let res = admin.delete(&format!("/v1/admin/feedback/{fourth}")).await;
    assert_eq!(res.status(), 204);
    assert_error(
        admin.delete(&format!("/v1/admin/feedback/{fourth}")).await,
        404,
        "not_found",
        None,
    )
    .await;
    assert_eq!(texts(&admin.list("").await), ["third", "second", "first"]);

    // The command line shows the status, and filters by it.
    let out = common::casm_feed_cli(&server.database, &["feedback", "--status", "archived"]);
    assert!(out.status.success(), "{out:?}");
    let listing = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(
        lines[0],
        "id\tcreated\tstatus\tresource\tpartner\tcontact\ttext"
    );
    assert_eq!(lines.len(), 2, "{listing}");
    assert!(
        lines[1].starts_with(&format!(
            "{third}\t{}\tarchived\t{SOURCE}\t",
            created_at(&all[1])
        )),
        "{listing}"
    );
    let bad = common::casm_feed_cli(&server.database, &["feedback", "--status", "done"]);
    assert!(!bad.status.success());

    // An erasure request: everything that address sent, whatever the case or spacing.
    let res = admin
        .post(
            "/v1/admin/feedback/erase",
            json!({"contact": " READER@example.org"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"erased": 2}));
    assert_eq!(texts(&admin.list("").await), ["third"]);
    let again = admin
        .post(
            "/v1/admin/feedback/erase",
            json!({"contact": "reader@example.org"}),
        )
        .await;
    assert_eq!(again.json::<Value>().await.unwrap(), json!({"erased": 0}));
    assert_error(
        admin
            .post("/v1/admin/feedback/erase", json!({"contact": "   "}))
            .await,
        400,
        "bad_request",
        Some("contact"),
    )
    .await;
    assert_error(
        admin.post("/v1/admin/feedback/erase", json!({})).await,
        400,
        "bad_request",
        None,
    )
    .await;
}

/// An item's `created_at`: the command line's `created` column shows the same time.
fn created_at(item: &Value) -> &str {
    item["created_at"].as_str().unwrap()
}

#[tokio::test]
async fn erasure_folds_case_beyond_ascii() {
    let server = TestServer::start().await;
    send_feedback(&server, SOURCE, "un", Some("Émile@Exemple.fr")).await;
    send_feedback(&server, SOURCE, "deux", Some("émile@exemple.fr ")).await;
    send_feedback(&server, SOURCE, "trois", Some("emile@exemple.fr")).await;
    let store = Store::connect(&server.database).await.unwrap();
    assert_eq!(store.erase_contact("ÉMILE@EXEMPLE.FR").await.unwrap(), 2);
    let left = store.feedback(&Default::default()).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].text, "trois");
    store.close().await;
}

#[tokio::test]
async fn feedback_is_for_staff_only_and_never_public() {
    let server = TestServer::start().await;
    let secret = "My village's water tested high for mercury last week.";
    let contact = "private.person@example.org";
    send_feedback(&server, SOURCE, secret, Some(contact)).await;
    let staff = Admin::new(&server, None).await;
    let id = staff.list("").await[0]["id"].as_i64().unwrap();

    // A partner token may read its own numbers, never the messages.
    let partner = Admin::new(&server, Some("test-partner")).await;
    let item = format!("/v1/admin/feedback/{id}");
    let refusals = [
        partner.get("/v1/admin/feedback").await,
        partner.get("/v1/admin/feedback?status=new").await,
        partner.get(&item).await,
        partner.post(&item, json!({"status": "handled"})).await,
        partner.delete(&item).await,
        partner
            .post("/v1/admin/feedback/erase", json!({"contact": contact}))
            .await,
    ];
    for res in refusals {
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("\"forbidden\""), "{body}");
        assert!(!body.contains(secret) && !body.contains(contact), "{body}");
    }
    // Without a token: 401.
    let anonymous = raw_client()
        .get(server.url("/v1/admin/feedback"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // Nothing the partner tried changed anything.
    let items = staff.list("").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "new");

    // No public route shows the text or the contact.
    for path in [
        "/healthz".to_owned(),
        "/v1/feed.json?limit=100".to_owned(),
        "/v1/feed.json?limit=100&sort=recent".to_owned(),
        format!("/v1/feed.json?q={SOURCE}"),
        format!("/v1/resources/{SOURCE}"),
        format!("/v1/stats?ids={SOURCE}&by=partner"),
        format!("/v1/resources/{SOURCE}/feedback"),
    ] {
        let body = raw_client()
            .get(server.url(&path))
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !body.contains(secret) && !body.contains(contact),
            "{path} shows feedback: {body}"
        );
    }
}

/// What a test webhook receiver got: each request's body and content type.
struct Receiver {
    url: String,
    bodies: mpsc::UnboundedReceiver<(Value, String)>,
    hits: Arc<AtomicUsize>,
}

impl Receiver {
    /// A receiver on port 0 that answers 500 to its first `failures` requests, and
    /// waits `delay` before answering 200 to the others (reporting their bodies first).
    async fn start(failures: usize, delay: Duration) -> Self {
        use axum::http::{HeaderMap, StatusCode};
        let (tx, bodies) = mpsc::unbounded_channel();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (tx, counter) = (tx.clone(), counter.clone());
                async move {
                    if counter.fetch_add(1, Ordering::SeqCst) < failures {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    let kind = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    let _ = tx.send((serde_json::from_slice(&body).unwrap(), kind));
                    tokio::time::sleep(delay).await;
                    StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, bodies, hits }
    }

    /// The next body, within `wait`.
    async fn next(&mut self, wait: Duration) -> (Value, String) {
        tokio::time::timeout(wait, self.bodies.recv())
            .await
            .expect("the webhook should have been called")
            .unwrap()
    }
}

async fn server_with_webhook(url: &str, backoff: Duration) -> TestServer {
    TestServer::start_with(Options {
        webhook_url: Some(url.to_owned()),
        webhook_backoff: backoff,
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn the_webhook_announces_each_stored_message() {
    let mut receiver = Receiver::start(0, Duration::ZERO).await;
    let server = server_with_webhook(&receiver.url, Duration::from_secs(1)).await;
    send_feedback(
        &server,
        SOURCE,
        "Where is the Spanish version?",
        Some("a@b.org"),
    )
    .await;
    let (body, kind) = receiver.next(Duration::from_secs(5)).await;
    assert_eq!(kind, "application/json");
    let stored = Admin::new(&server, None).await.list("").await;
    assert_eq!(
        body,
        json!({"event": "feedback", "id": stored[0]["id"], "resource": SOURCE,
               "partner": "test-partner", "text": "Where is the Spanish version?",
               "contact": "a@b.org", "created_at": stored[0]["created_at"]})
    );
    // Without a contact, `contact` is null.
    send_feedback(&server, OTHER, "Thanks!", None).await;
    let (body, _) = receiver.next(Duration::from_secs(5)).await;
    assert_eq!(body["contact"], Value::Null);
    assert_eq!(body["resource"], OTHER);
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_webhook_retries_until_the_receiver_takes_it() {
    let mut receiver = Receiver::start(2, Duration::ZERO).await;
    let server = server_with_webhook(&receiver.url, Duration::from_millis(50)).await;
    let started = Instant::now();
    send_feedback(&server, SOURCE, "third time lucky", None).await;
    let (body, _) = receiver.next(Duration::from_secs(5)).await;
    assert_eq!(body["text"], "third time lucky");
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 3);
    // 50 ms, then 100 ms between the tries.
    assert!(started.elapsed() >= Duration::from_millis(150));
    // Delivered: no more tries.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_visitor_never_waits_for_the_webhook() {
    let mut receiver = Receiver::start(0, Duration::from_secs(2)).await;
    let server = server_with_webhook(&receiver.url, Duration::from_secs(1)).await;
    let started = Instant::now();
    send_feedback(&server, SOURCE, "slow receiver", None).await;
    let answered = started.elapsed();
    assert!(answered < Duration::from_millis(1000), "{answered:?}");
    let (body, _) = receiver.next(Duration::from_secs(5)).await;
    assert_eq!(body["text"], "slow receiver");

    // Nor for one that is not there at all.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let server = server_with_webhook(&url, Duration::from_millis(10)).await;
    let started = Instant::now();
    send_feedback(&server, SOURCE, "nobody listens", None).await;
    assert!(started.elapsed() < Duration::from_millis(1000));
    let stored = Admin::new(&server, None).await.list("").await;
    assert_eq!(texts(&stored), ["nobody listens"]);
}
