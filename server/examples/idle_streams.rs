//! Load client of `scripts/bench-streams.sh`: opens `STREAMS` idle `/v1/stream`
//! connections to a running feed service, reads each one's headers and snapshot, says
//! `open N` on stdout, then holds them (reading heartbeats) until stdin closes.
//! Loopback addresses only.
//!
//! `cargo run --profile server -p casm-feed --example idle_streams -- http://127.0.0.1:PORT`
//! Environment: `STREAMS` (5000), `IDS` (3 demo resource ids).

use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

mod support;
use support::raise_open_files;

/// Opens one stream and reads until its first event (the snapshot) has arrived.
async fn open(addr: SocketAddr, request: &[u8]) -> std::io::Result<TcpStream> {
    let mut tcp = TcpStream::connect(addr).await?;
    tcp.write_all(request).await?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // The headers, then one event (it ends with a blank line).
    let done = |seen: &[u8]| {
        seen.windows(4)
            .position(|w| w == b"\r\n\r\n")
            .is_some_and(|h| seen[h + 4..].windows(2).any(|w| w == b"\n\n"))
    };
    while !done(&seen) {
        let n = tcp.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        seen.extend_from_slice(&buf[..n]);
    }
    if !seen.starts_with(b"HTTP/1.1 200") {
        let head = String::from_utf8_lossy(&seen[..seen.len().min(200)]).into_owned();
        return Err(std::io::Error::other(head));
    }
    Ok(tcp)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    raise_open_files();
    let base = std::env::args()
        .nth(1)
        .expect("usage: idle_streams http://127.0.0.1:PORT");
    let addr: SocketAddr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("a loopback address:port");
    let streams: usize = std::env::var("STREAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let ids = std::env::var("IDS").unwrap_or_else(|_| {
        "casm-global-partnership,mercury-free-gold-processing-toolkit,mercury-in-asm-gold-global-review".into()
    });
    let request = format!(
        "GET /v1/stream?ids={ids} HTTP/1.1\r\nhost: {addr}\r\naccept: text/event-stream\r\n\r\n"
    );
    let started = Instant::now();
    let mut held = Vec::with_capacity(streams);
    for i in 0..streams {
        match open(addr, request.as_bytes()).await {
            Ok(tcp) => held.push(tcp),
            Err(e) => {
                eprintln!("stream {i}: {e}");
                std::process::exit(1);
            }
        }
    }
    println!(
        "open {} in {:.1} s",
        held.len(),
        started.elapsed().as_secs_f64()
    );
    // Keep reading (heartbeats) so no socket buffer fills, until stdin closes.
    for tcp in held {
        tokio::spawn(async move {
            let mut lines = BufReader::new(tcp).lines();
            while let Ok(Some(_)) = lines.next_line().await {}
        });
    }
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 64];
    while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
}
