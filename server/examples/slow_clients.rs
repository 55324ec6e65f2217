//! Load client of `scripts/bench-slow-clients.sh`: the latency of normal requests to a
//! running feed service, first alone, then while `SLOW` connections trickle their headers
//! (part of a header, then a byte every second). Loopback addresses only.
//!
//! `cargo run --profile server -p casm-feed --example slow_clients -- http://127.0.0.1:PORT`
//! Environment: `SLOW` (1000), `REQUESTS` per phase (4000), `CONCURRENCY` (8).

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod support;
use support::raise_open_files;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sends `total` GETs over `concurrency` kept-alive connections; the latencies, sorted.
async fn normal_requests(base: &str, total: usize, concurrency: usize) -> Vec<Duration> {
    let http = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .expect("client");
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..concurrency {
        let (http, base) = (http.clone(), base.to_owned());
        let share = total / concurrency + usize::from(worker < total % concurrency);
        tasks.spawn(async move {
            let mut times = Vec::with_capacity(share);
            for i in 0..share {
                let path = if i % 2 == 0 {
                    "/v1/feed.json?limit=10"
                } else {
                    "/v1/stats?ids=casm-global-partnership"
                };
                let started = Instant::now();
                let resp = http.get(format!("{base}{path}")).send().await;
                match resp {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        times.push(started.elapsed());
                    }
                    Ok(r) => panic!("{path}: {}", r.status()),
                    Err(e) => panic!("{path}: {e}"),
                }
            }
            times
        });
    }
    let mut all = Vec::with_capacity(total);
    while let Some(times) = tasks.join_next().await {
        all.extend(times.expect("worker"));
    }
    all.sort();
    all
}

fn print(label: &str, times: &[Duration]) {
    let at = |q: f64| {
        let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_secs_f64() * 1000.0
    };
    println!(
        "{label}: {} requests, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        at(0.50),
        at(0.99),
        at(1.0)
    );
}

#[tokio::main]
async fn main() {
    raise_open_files();
    let base = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let addr: SocketAddr = base
        .trim_start_matches("http://")
        .parse()
        .expect("a base URL like http://127.0.0.1:PORT");
    assert!(addr.ip().is_loopback(), "load tests target loopback only");
    let (slow, total, concurrency) = (
        env_or("SLOW", 1000),
        env_or("REQUESTS", 4000),
        env_or("CONCURRENCY", 8),
    );

    normal_requests(&base, 200, concurrency).await; // warm-up
    print("alone", &normal_requests(&base, total, concurrency).await);

    let mut held = Vec::with_capacity(slow);
    for _ in 0..slow {
        let mut tcp = TcpStream::connect(addr).await.expect("connect");
        tcp.write_all(b"GET /v1/feed.json HTTP/1.1\r\nHost: bench\r\nX-Slow: ")
            .await
            .expect("write");
        held.push(tcp);
    }
    let trickle = tokio::spawn(async move {
        let mut closed = 0;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            for tcp in held.iter_mut() {
                if tcp.write_all(b"a").await.is_err() {
                    closed += 1;
                }
            }
            if closed > 0 {
                return closed;
            }
        }
    });
    let flooded = normal_requests(&base, total, concurrency).await;
    print(&format!("with {slow} trickling connections"), &flooded);
    trickle.abort();

    // Whether the server closed them (header timeout), as seen from here.
    let mut probe = TcpStream::connect(addr).await.expect("connect");
    probe
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
        .await
        .ok();
    let mut buf = [0u8; 64];
    let n = probe.read(&mut buf).await.unwrap_or(0);
    println!(
        "server still answers: {}",
        String::from_utf8_lossy(&buf[..n])
            .lines()
            .next()
            .unwrap_or("nothing")
    );
}
