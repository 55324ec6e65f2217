//! Counts you can trust: deduplicated views, bots, the network vote cap, partners, rate
//! limits under flood, forwarded addresses, and what is (not) written to disk.

mod common;

use common::{
    client, client_from, post, stats, token, Options, TestServer, BROWSER_UA, PARTNER_ORIGIN,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const SOURCE: &str = "casm-global-partnership";

fn view(visitor: &str) -> Value {
    json!({"type": "view", "resource": SOURCE, "visitor": visitor})
}

#[tokio::test]
async fn a_visitor_counts_one_view_per_window() {
    // The window is kept in whole seconds, so a 1 s window could end between two requests
    // sent a millisecond apart (seen once on PostgreSQL); 3 s leaves room for a slow machine.
    let server = TestServer::start_with(Options {
        view_window: Duration::from_secs(3),
        ..Options::default()
    })
    .await;
    let mut counted = Vec::new();
    for visitor in [token(1), token(1), token(2), token(1)] {
        let body: Value = post(&server, "/v1/events", view(&visitor))
            .await
            .json()
            .await
            .unwrap();
        counted.push(body["counted"].as_bool().unwrap());
    }
    assert_eq!(counted, [true, false, true, false]);
    assert_eq!(stats(&server, SOURCE).await["page_views"], 867);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let body: Value = post(&server, "/v1/events", view(&token(1)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["counted"], true, "counts again after the window");
    assert_eq!(stats(&server, SOURCE).await["page_views"], 868);
}

#[tokio::test]
async fn bots_and_headless_browsers_are_not_counted() {
    let server = TestServer::start().await;
    for (i, agent) in [
        Some("Googlebot/2.1 (+http://www.google.com/bot.html)"),
        Some("curl/8.5.0"),
        Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36"),
        None,
    ]
    .into_iter()
    .enumerate()
    {
        let mut req = reqwest::Client::builder()
            .build()
            .unwrap()
            .post(server.url("/v1/events"))
            .header("origin", PARTNER_ORIGIN)
            .json(&view(&token(i)));
        if let Some(agent) = agent {
            req = req.header("user-agent", agent);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 202);
        assert_eq!(resp.json::<Value>().await.unwrap()["counted"], false, "{agent:?}");
    }
    assert_eq!(stats(&server, SOURCE).await["page_views"], 865);
}

#[tokio::test]
async fn one_network_cannot_stuff_votes_past_the_daily_cap() {
    let server = TestServer::start_with(Options {
        vote_cap: 3,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    })
    .await;
    let url = server.url(&format!("/v1/resources/{SOURCE}/vote"));
    let vote = |visitor: String, from: &'static str| {
        client()
            .post(&url)
            .header("x-forwarded-for", from)
            .json(&json!({"visitor": visitor, "helpful": true}))
            .send()
    };
    // Five "visitors" who cleared localStorage, all from one /24.
    let mut statuses = Vec::new();
    for i in 0..5 {
        let from = [
            "198.51.100.7",
            "198.51.100.8",
            "198.51.100.9",
            "198.51.100.10",
            "198.51.100.11",
        ][i];
        let resp = vote(token(i), from).await.unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert!(resp.headers().contains_key("retry-after"));
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "vote_limit");
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    assert_eq!(stats(&server, SOURCE).await["helpful_votes"], 3);
    // Another network still votes; an existing voter can still undo.
    assert_eq!(vote(token(9), "203.0.113.5").await.unwrap().status(), 200);
    let undo = client()
        .post(&url)
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({"visitor": token(0), "helpful": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(undo.status(), 200);
    assert_eq!(stats(&server, SOURCE).await["helpful_votes"], 3);
}

#[tokio::test]
async fn counts_break_down_by_partner_and_the_cli_reports_them() {
    let server = TestServer::start().await;
    let out = static_cli(
        &server.database,
        &[
            "partner",
            "add",
            "minesafe",
            "--name",
            "MineSafe Ghana",
            "--origin",
            "https://minesafe.example",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = static_cli(
        &server.database,
        &[
            "partner",
            "add",
            "x",
            "--name",
            "X",
            "--origin",
            "https://x.example/path",
        ],
    );
    assert!(!bad.status.success());
    let list =
        String::from_utf8(static_cli(&server.database, &["partner", "list"]).stdout).unwrap();
    assert!(
        list.contains("minesafe\tMineSafe Ghana\thttps://minesafe.example"),
        "{list}"
    );
    assert!(list.contains("test-partner"));

    // The running server learns of new partners on restart (or its refresh interval).
    let server = server.restart().await;
    let minesafe = |path: &str, body: Value| {
        reqwest::Client::new()
            .post(server.url(path))
            .header("origin", "https://minesafe.example")
            .header("user-agent", BROWSER_UA)
            .json(&body)
            .send()
    };
    for i in 0..2 {
        let resp = minesafe(
            &format!("/v1/resources/{SOURCE}/vote"),
            json!({"visitor": token(i), "helpful": true}),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 200);
        minesafe("/v1/events", view(&token(i))).await.unwrap();
    }
    post(
        &server,
        &format!("/v1/resources/{SOURCE}/vote"),
        json!({"visitor": token(5), "helpful": true}),
    )
    .await;
    post(&server, "/v1/events", view(&token(5))).await;

    let body: Value = reqwest::get(server.url(&format!("/v1/stats?ids={SOURCE}&by=partner")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let partners = &body["resources"][SOURCE]["partners"];
    assert_eq!(partners["minesafe"]["helpful_votes"], 2);
    assert_eq!(partners["minesafe"]["page_views"], 2);
    assert_eq!(partners["test-partner"]["helpful_votes"], 1);
    assert_eq!(body["resources"][SOURCE]["helpful_votes"], 3);

    let mut server = server;
    server.stop().await;
    let report = String::from_utf8(static_cli(&server.database, &["stats"]).stdout).unwrap();
    assert!(
        report.starts_with("partner\tresource\thelpful_votes\tpage_views"),
        "{report}"
    );
    assert!(
        report.contains(&format!("minesafe\t{SOURCE}\t2\t2\t")),
        "{report}"
    );
    assert!(
        report.contains(&format!("test-partner\t{SOURCE}\t1\t1\t")),
        "{report}"
    );

    assert!(
        static_cli(&server.database, &["partner", "remove", "minesafe"])
            .status
            .success()
    );
    assert!(
        !static_cli(&server.database, &["partner", "remove", "minesafe"])
            .status
            .success()
    );
}

fn static_cli(database: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_casm-feed"))
        .args(args)
        .env("CASM_DATABASE", database)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_does_not_slow_anyone_else() {
    let server = TestServer::start_with(Options {
        post_rate: 20,
        post_burst: 40,
        ..Options::default()
    })
    .await;
    let flooder = client_from(Some("127.0.0.2"));
    let url = server.url("/v1/events");
    let flood = {
        let url = url.clone();
        tokio::spawn(async move {
            let mut limited = 0;
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..3000 {
                let (c, u) = (flooder.clone(), url.clone());
                tasks.spawn(async move {
                    c.post(&u)
                        .json(&view(&token(100_000 + i)))
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                });
                if tasks.len() >= 64 {
                    if let Some(Ok(Ok(429))) = tasks.join_next().await {
                        limited += 1;
                    }
                }
            }
            while let Some(r) = tasks.join_next().await {
                if let Ok(Ok(429)) = r {
                    limited += 1;
                }
            }
            limited
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let visitor = client_from(Some("127.0.0.1"));
    let mut slowest = Duration::ZERO;
    for i in 0..20 {
        let start = Instant::now();
        let resp = visitor
            .post(server.url(&format!("/v1/resources/{SOURCE}/vote")))
            .json(&json!({"visitor": token(i), "helpful": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "the other visitor is served");
        let feed = visitor
            .get(server.url("/v1/feed.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(feed.status(), 200);
        slowest = slowest.max(start.elapsed());
    }
    let limited = flood.await.unwrap();
    assert!(
        limited > 2000,
        "the flood was limited: {limited} of 3000 got 429"
    );
    assert!(
        slowest < Duration::from_millis(500),
        "slowest vote+feed during the flood: {slowest:?}"
    );
    eprintln!("flood: {limited}/3000 limited; other client's slowest vote+feed {slowest:?}");
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_does_not_bypass_limits() {
    let spoofed = TestServer::start_with(Options {
        post_rate: 1,
        post_burst: 5,
        ..Options::default()
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..10 {
        let resp = client()
            .post(spoofed.url("/v1/events"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&view(&token(i)))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        5,
        "{statuses:?}"
    );

    // Behind a configured proxy, each forwarded client has its own bucket.
    let proxied = TestServer::start_with(Options {
        post_rate: 1,
        post_burst: 5,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    })
    .await;
    for i in 0..10 {
        let resp = client()
            .post(proxied.url("/v1/events"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&view(&token(i)))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 202);
    }
}

#[tokio::test]
async fn two_hundred_concurrent_votes_over_ten_resources_are_exact() {
    let server = TestServer::start().await;
    let ids: Vec<String> = common::demo_catalogue()
        .resources
        .iter()
        .take(10)
        .map(|r| r.id.clone())
        .collect();
    let before: Vec<u64> = {
        let mut v = Vec::new();
        for id in &ids {
            v.push(stats(&server, id).await["helpful_votes"].as_u64().unwrap());
        }
        v
    };
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let url = server.url(&format!("/v1/resources/{}/vote", ids[i % 10]));
        tasks.spawn(async move {
            client()
                .post(url)
                .json(&json!({"visitor": token(i), "helpful": true}))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    for (id, before) in ids.iter().zip(before) {
        assert_eq!(
            stats(&server, id).await["helpful_votes"],
            before + 20,
            "{id}"
        );
    }
}

#[tokio::test]
async fn no_address_agent_or_token_reaches_the_disk() {
    if std::env::var("CASM_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        return; // This test reads the SQLite file's bytes; PostgreSQL's files are its own.
    }
    let mut server = TestServer::start().await;
    let secret_token = "privacy-token-4b1d-visible";
    post(
        &server,
        &format!("/v1/resources/{SOURCE}/vote"),
        json!({"visitor": secret_token, "helpful": true}),
    )
    .await;
    post(&server, "/v1/events", view(secret_token)).await;
    post(
        &server,
        &format!("/v1/resources/{SOURCE}/feedback"),
        json!({"visitor": secret_token, "text": "hello"}),
    )
    .await;
    server.stop().await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(server.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("casm.db") {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    assert!(bytes.len() > 10_000, "read the database files");
    let text = String::from_utf8_lossy(&bytes);
    for needle in [secret_token, "127.0.0.1", "Chrome/156", "Mozilla/5.0"] {
        assert!(!text.contains(needle), "{needle} was written to disk");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_finishes_times_out_with_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start_with(Options {
        request_timeout: Duration::from_millis(500),
        ..Options::default()
    })
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nHost: {addr}\r\nOrigin: {PARTNER_ORIGIN}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"type\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(3));
}
