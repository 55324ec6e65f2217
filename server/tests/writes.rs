//! Votes, events and feedback against a real server and SQLite file.

mod common;

use common::{post, stats, token, TestServer};
use serde_json::{json, Value};

const SOURCE: &str = "casm-global-partnership";

async fn vote(server: &TestServer, visitor: &str, helpful: bool) -> Value {
    let resp = post(
        server,
        &format!("/v1/resources/{SOURCE}/vote"),
        json!({"visitor": visitor, "helpful": helpful}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn fifty_concurrent_votes_count_fifty_duplicates_once_toggles_to_zero() {
    let server = TestServer::start().await;
    let votes = (0..50).map(|i| {
        let server = &server;
        async move { vote(server, &token(i), true).await }
    });
    let replies = futures_join_all(votes).await;
    assert!(replies.iter().all(|r| r["voted"] == true));
    assert_eq!(stats(&server, SOURCE).await["helpful_votes"], 50);
    // The last reply to arrive saw every vote committed before it.
    let max = replies
        .iter()
        .map(|r| r["helpful_votes"].as_u64().unwrap())
        .max();
    assert_eq!(max, Some(50));

    let again = vote(&server, &token(0), true).await;
    assert_eq!(
        again["helpful_votes"], 50,
        "the same token twice counts once"
    );

    for i in 0..50 {
        vote(&server, &token(i), false).await;
    }
    let body = vote(&server, &token(0), false).await;
    assert_eq!(body, json!({"helpful_votes": 0, "voted": false}));
    assert_eq!(stats(&server, SOURCE).await["helpful_votes"], 0);
}

async fn futures_join_all<F: std::future::Future>(fs: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in fs {
        set.push(f);
    }
    let mut out = Vec::new();
    // Poll all at once: each is a request in flight on its own connection.
    let handles: Vec<_> = set.into_iter().map(Box::pin).collect();
    for r in join_all(handles).await {
        out.push(r);
    }
    out
}

async fn join_all<F: std::future::Future + Unpin>(mut fs: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut results: Vec<Option<F::Output>> = (0..fs.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in fs.iter_mut().enumerate() {
            if results[i].is_none() {
                match std::pin::Pin::new(f).poll(cx) {
                    Poll::Ready(v) => results[i] = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|r| r.unwrap()).collect()
}

#[tokio::test]
async fn votes_survive_a_restart() {
    let server = TestServer::start().await;
    vote(&server, &token(1), true).await;
    vote(&server, &token(2), true).await;
    let server = server.restart().await;
    assert_eq!(stats(&server, SOURCE).await["helpful_votes"], 2);
    // The restarted server still knows who voted: a repeat does not count.
    assert_eq!(vote(&server, &token(1), true).await["helpful_votes"], 2);
}

#[tokio::test]
async fn events_grow_the_counters_from_their_baseline() {
    let server = TestServer::start().await;
    let event = |kind: &str, link: Option<&str>| {
        let mut body = json!({"type": kind, "resource": SOURCE, "visitor": token(7)});
        if let Some(link) = link {
            body["link"] = json!(link);
        }
        body
    };
    for (kind, link) in [
        ("view", None),
        ("metacard_view", None),
        ("email", None),
        ("download", Some("roundtable-agenda")),
        ("download", Some("roundtable-agenda")),
    ] {
        let resp = post(&server, "/v1/events", event(kind, link)).await;
        assert_eq!(resp.status(), 202, "{kind}");
    }
    // navigator.sendBeacon sends text/plain.
    let mut beacon_body = event("view", None);
    beacon_body["visitor"] = json!(token(8));
    let beacon = common::client()
        .post(server.url("/v1/events"))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(beacon_body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(beacon.status(), 202);

    let c = stats(&server, SOURCE).await;
    assert_eq!(c["page_views"], 867);
    assert_eq!(c["metacard_views"], 2);
    assert_eq!(c["pages_emailed"], 1);
    assert_eq!(c["attachments_downloaded"], 2);
    assert_eq!(c["links"]["roundtable-agenda"], 2);
    assert_eq!(c["videos_downloaded"], 0);

    // A video resource counts video downloads on its video link.
    let catalogue = common::demo_catalogue();
    let (video_resource, video_link) = catalogue
        .resources
        .iter()
        .find_map(|r| {
            r.links
                .iter()
                .find(|l| l.kind == casm_model::LinkKind::Video)
                .map(|l| (r.id.clone(), l.id.clone()))
        })
        .expect("the demo catalogue has a video");
    let before = stats(&server, &video_resource).await["videos_downloaded"]
        .as_u64()
        .unwrap();
    let resp = post(
        &server,
        "/v1/events",
        json!({"type": "video_download", "resource": video_resource, "visitor": token(7), "link": video_link}),
    )
    .await;
    assert_eq!(resp.status(), 202);
    assert_eq!(
        stats(&server, &video_resource).await["videos_downloaded"],
        before + 1
    );

    // Wrong links are refused and count nothing.
    for (body, status, field) in [
        (event("download", None), 400, "link"),
        (event("download", Some("no-such-link")), 422, "link"),
        (
            event("video_download", Some("roundtable-agenda")),
            422,
            "link",
        ),
        (event("download", Some("submit-comments")), 422, "link"),
        (
            json!({"type": "view", "resource": "nope", "visitor": token(7)}),
            422,
            "resource",
        ),
        (
            json!({"type": "like", "resource": SOURCE, "visitor": token(7)}),
            400,
            "type",
        ),
        (
            json!({"type": "view", "resource": SOURCE, "visitor": "x"}),
            400,
            "visitor",
        ),
    ] {
        let resp = post(&server, "/v1/events", body.clone()).await;
        assert_eq!(resp.status(), status, "{body}");
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["error"]["field"], field, "{body}");
    }
    assert_eq!(stats(&server, SOURCE).await["attachments_downloaded"], 2);
}

#[tokio::test]
async fn feedback_is_stored_for_moderation_and_never_published() {
    let server = TestServer::start().await;
    let secret_text = "Please add the French translation of the summary report.";
    let resp = post(
        &server,
        &format!("/v1/resources/{SOURCE}/feedback"),
        json!({"visitor": token(3), "text": secret_text, "contact": "reader@example.org"}),
    )
    .await;
    assert_eq!(resp.status(), 202);

    let empty = post(
        &server,
        &format!("/v1/resources/{SOURCE}/feedback"),
        json!({"visitor": token(3), "text": "   "}),
    )
    .await;
    assert_eq!(empty.status(), 400);
    let long = post(
        &server,
        &format!("/v1/resources/{SOURCE}/feedback"),
        json!({"visitor": token(3), "text": "x".repeat(4001)}),
    )
    .await;
    assert_eq!(long.status(), 400);
    assert_eq!(
        long.json::<Value>().await.unwrap()["error"]["field"],
        "text"
    );

    for path in [
        "/v1/feed.json?limit=100",
        &format!("/v1/resources/{SOURCE}"),
    ] {
        let body = reqwest::get(server.url(path))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!body.contains(secret_text), "{path} publishes feedback");
    }
    // It is in the database with the partner it came from, and nothing about the visitor.
    let mut server = server;
    server.stop().await;
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&server.database).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT text, partner FROM feedback")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(secret_text.to_owned(), "test-partner".to_owned())]);

    // The CASM team reads it with the command line.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_casm-feed"))
        .args(["feedback", "--resource", SOURCE])
        .env("CASM_DATABASE", &server.database)
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing = String::from_utf8(out.stdout).unwrap();
    let line = listing.lines().nth(1).expect("one message");
    assert!(
        line.contains(&format!(
            "\t{SOURCE}\ttest-partner\treader@example.org\t{secret_text}"
        )),
        "{listing}"
    );
}
