//! Acknowledged means durable: votes and views sent while the server is killed with
//! SIGKILL are all there after a restart — none lost, none doubled. With SIGTERM the
//! server drains: requests in flight are answered, and exactly what was answered is
//! committed before it exits.

mod common;

use common::{client, new_database, token, BROWSER_UA};
use serde_json::{json, Value};
use std::collections::HashSet;
use tokio::process::Child;

const SOURCE: &str = "casm-global-partnership";

fn cli(database: &str) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_casm-feed"));
    c.env("CASM_DATABASE", database);
    c
}

async fn serve(database: &str, dir: &std::path::Path) -> (Child, String) {
    let args = ["--post-rate", "0", "--vote-cap", "0"];
    common::spawn_serve(&args, database, dir, "crash-test", "error").await
}

async fn source_counts(base: &str) -> Value {
    let body: Value = reqwest::get(format!("{base}/v1/stats?ids={SOURCE}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["resources"][SOURCE].clone()
}

/// The `i`th write of a load: even ones vote, odd ones count a view, each by a new
/// visitor. Whether it was a vote, and whether it was acknowledged.
async fn send_write(http: &reqwest::Client, base: &str, i: usize) -> (bool, bool) {
    let is_vote = i.is_multiple_of(2);
    let resp = if is_vote {
        http.post(format!("{base}/v1/resources/{SOURCE}/vote"))
            .json(&json!({"visitor": token(i), "helpful": true}))
            .send()
            .await
    } else {
        http.post(format!("{base}/v1/events"))
            .json(&json!({"type": "view", "resource": SOURCE, "visitor": token(i)}))
            .send()
            .await
    };
    (is_vote, resp.is_ok_and(|r| r.status().is_success()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_votes_and_views_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let database = new_database(dir.path()).await;
    let demo = common::demo_catalogue_path();
    assert!(cli(&database)
        .arg("import")
        .arg(&demo)
        .status()
        .unwrap()
        .success());
    assert!(cli(&database)
        .args([
            "partner",
            "add",
            "test-partner",
            "--name",
            "Test",
            "--origin",
            common::PARTNER_ORIGIN
        ])
        .status()
        .unwrap()
        .success());

    let (mut server, base) = serve(&database, dir.path()).await;
    let http = client();
    let mut tasks = tokio::task::JoinSet::new();
    let mut acked_votes = HashSet::new();
    let mut acked_views = 0u64;
    let mut sent = 0usize;
    let mut killed = false;
    // Keep 32 requests in flight; kill the server once 400 have been acknowledged.
    loop {
        while !killed && tasks.len() < 32 {
            let (http, base, i) = (http.clone(), base.clone(), sent);
            sent += 1;
            tasks.spawn(async move {
                let (is_vote, ok) = send_write(&http, &base, i).await;
                (i, is_vote, ok)
            });
        }
        match tasks.join_next().await {
            Some(Ok((i, is_vote, true))) => {
                if is_vote {
                    acked_votes.insert(i);
                } else {
                    acked_views += 1;
                }
            }
            Some(_) => {}
            None => break,
        }
        if !killed && acked_votes.len() + acked_views as usize >= 400 {
            server.start_kill().unwrap(); // SIGKILL: no shutdown, no flush.
            killed = true;
        }
    }
    server.wait().await.unwrap();
    assert!(
        acked_votes.len() > 100,
        "votes acknowledged before the kill"
    );

    let (_server, base) = serve(&database, dir.path()).await;
    let after = source_counts(&base).await;
    let votes = after["helpful_votes"].as_u64().unwrap();
    let views = after["page_views"].as_u64().unwrap() - 865;
    let sent_votes = sent.div_ceil(2) as u64;
    assert!(
        votes >= acked_votes.len() as u64,
        "lost votes: {votes} < {}",
        acked_votes.len()
    );
    assert!(
        votes <= sent_votes,
        "more votes than were sent: {votes} > {sent_votes}"
    );
    assert!(views >= acked_views, "lost views: {views} < {acked_views}");

    // Every acknowledged vote is there: voting again with those tokens adds nothing.
    for &i in &acked_votes {
        let r: Value = http
            .post(format!("{base}/v1/resources/{SOURCE}/vote"))
            .header("user-agent", BROWSER_UA)
            .json(&json!({"visitor": token(i), "helpful": true}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            r["helpful_votes"], votes,
            "token {i} was acknowledged but not stored"
        );
    }
    // And nothing is doubled: every vote sent, counted once.
    for i in (0..sent).step_by(2) {
        http.post(format!("{base}/v1/resources/{SOURCE}/vote"))
            .json(&json!({"visitor": token(i), "helpful": true}))
            .send()
            .await
            .unwrap();
    }
    assert_eq!(source_counts(&base).await["helpful_votes"], sent_votes);
    eprintln!(
        "crash: {} votes + {acked_views} views acknowledged before SIGKILL; after restart {votes} votes, {views} views",
        acked_votes.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_answers_what_is_in_flight_and_commits_it_before_exiting() {
    let dir = tempfile::tempdir().unwrap();
    let database = new_database(dir.path()).await;
    assert!(cli(&database)
        .arg("import")
        .arg(common::demo_catalogue_path())
        .status()
        .unwrap()
        .success());
    assert!(cli(&database)
        .args(["partner", "add", "test-partner", "--name", "Test"])
        .args(["--origin", common::PARTNER_ORIGIN])
        .status()
        .unwrap()
        .success());
    let (mut server, base) = serve(&database, dir.path()).await;
    let before = source_counts(&base).await;
    let http = client();
    let mut tasks = tokio::task::JoinSet::new();
    let (mut acked_votes, mut acked_views, mut sent) = (0u64, 0u64, 0usize);
    let mut stopped = false;
    // 32 requests in flight; SIGTERM once 200 are answered, with the rest still going.
    loop {
        while !stopped && tasks.len() < 32 {
            let (http, base, i) = (http.clone(), base.clone(), sent);
            sent += 1;
            tasks.spawn(async move { send_write(&http, &base, i).await });
        }
        match tasks.join_next().await {
            Some(Ok((true, true))) => acked_votes += 1,
            Some(Ok((false, true))) => acked_views += 1,
            Some(_) => {}
            None => break,
        }
        if !stopped && acked_votes + acked_views >= 200 {
            let pid = server.id().unwrap() as libc::pid_t;
            // SAFETY: signals our own child process.
            assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
            stopped = true;
        }
    }
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), server.wait())
        .await
        .expect("the server exits after SIGTERM")
        .unwrap();
    assert!(status.success(), "exit status {status}");

    let (_server, base) = serve(&database, dir.path()).await;
    let after = source_counts(&base).await;
    let delta = |name: &str| after[name].as_u64().unwrap() - before[name].as_u64().unwrap();
    // Exactly what was answered: nothing answered was lost, nothing unanswered committed.
    assert_eq!(delta("helpful_votes"), acked_votes);
    assert_eq!(delta("page_views"), acked_views);
    eprintln!(
        "sigterm: {sent} sent, {acked_votes} votes + {acked_views} views answered and stored"
    );
}
