//! `X-Forwarded-For` from a trusted proxy, any bytes: the client is the peer or an
//! address the header held.
#![no_main]

use casm_feed::config::Cidr;
use casm_feed::http::client::resolve_client;
use libfuzzer_sys::fuzz_target;
use std::net::IpAddr;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = http::HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = http::HeaderMap::new();
    headers.insert("x-forwarded-for", value);
    let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap(), "fd00::/8".parse().unwrap()];
    let peer: IpAddr = "10.0.0.1".parse().unwrap();
    let got = resolve_client(peer, &headers, &trusted);
    let text = String::from_utf8_lossy(data);
    assert!(got == peer || text.contains(&got.to_string()) || got.is_ipv6());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = text.parse::<Cidr>();
    }
});
