//! Slow and many clients: connections that trickle their headers are closed by the
//! header timeout while everyone else is served; idle kept-alive connections are closed;
//! beyond the connection cap a connection gets a clean 503 and is closed.

mod common;

use common::{Options, TestServer};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Raises this process's soft open-file limit to `want` (or the hard limit): the flood
/// holds 1,000 sockets on each side, over the usual default of 1,024.
fn raise_open_files(want: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed in.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            let target = (want as libc::rlim_t).min(limit.rlim_max);
            if limit.rlim_cur < target {
                limit.rlim_cur = target;
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
}

fn addr(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; `Err` if it has not within `limit`.
async fn read_to_close(tcp: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, ()> {
    let mut got = Vec::new();
    tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .map_err(|_| ())?;
    Ok(got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_trickling_connections_are_closed_while_others_are_served() {
    raise_open_files(8192);
    let server = TestServer::start_with(Options {
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(30),
        max_connections: 3000,
        ..Options::default()
    })
    .await;
    let target = addr(&server);
    let mut slow = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let mut tcp = TcpStream::connect(&target).await.unwrap();
        tcp.write_all(b"GET /v1/feed.json HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(tcp);
    }
    // Half send nothing more; the other half a byte every 200 ms, which must not extend
    // their time: the header timeout is a deadline.
    let mut tricklers = tokio::task::JoinSet::new();
    for (i, mut tcp) in slow.into_iter().enumerate() {
        tricklers.spawn(async move {
            let closed = tokio::time::timeout(Duration::from_secs(20), async {
                let mut buf = [0u8; 1024];
                loop {
                    tokio::select! {
                        read = tcp.read(&mut buf) => match read {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {} // a 408, then the close
                        },
                        () = tokio::time::sleep(Duration::from_millis(200)), if i % 2 == 1 => {
                            if tcp.write_all(b"a").await.is_err() {
                                return;
                            }
                        }
                    }
                }
            })
            .await;
            closed.is_ok()
        });
    }

    // Normal traffic during the flood.
    let http = reqwest::Client::new();
    for _ in 0..50 {
        let resp = http.get(server.url("/v1/feed.json")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.bytes().await.unwrap();
    }

    let mut closed = 0;
    while let Some(result) = tricklers.join_next().await {
        closed += usize::from(result.unwrap());
    }
    assert_eq!(closed, 1000, "every trickling connection is closed");
    // And the server still serves.
    let resp = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let server = TestServer::start_with(Options {
        header_timeout: Duration::from_secs(30),
        idle_timeout: Duration::from_secs(1),
        ..Options::default()
    })
    .await;
    let mut tcp = TcpStream::connect(addr(&server)).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The answer arrives, then (with nothing more asked) the close, long before the
    // header timeout would have closed it.
    let got = read_to_close(&mut tcp, Duration::from_secs(15))
        .await
        .expect("the idle connection is closed");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn beyond_the_connection_cap_a_connection_gets_503_and_is_closed() {
    let server = TestServer::start_with(Options {
        max_connections: 4,
        ..Options::default()
    })
    .await;
    let target = addr(&server);
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut tcp = TcpStream::connect(&target).await.unwrap();
        tcp.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
        held.push(tcp);
    }
    let mut extra = TcpStream::connect(&target).await.unwrap();
    extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let got = read_to_close(&mut extra, Duration::from_secs(10))
        .await
        .expect("the refused connection is closed");
    let text = String::from_utf8(got).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{head}"
    );
    let head = head.to_ascii_lowercase();
    assert!(head.contains("connection: close"), "{head}");
    assert!(head.contains("retry-after: 1"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["error"]["code"], "overloaded");

    // Once the held connections go, there is room again.
    drop(held);
    let http = reqwest::Client::new();
    let mut served = false;
    for _ in 0..100 {
        if let Ok(resp) = http.get(server.url("/healthz")).send().await {
            if resp.status() == 200 {
                served = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "a connection is served once slots are free");
}
