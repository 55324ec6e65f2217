//! Who is asking: the client's address (through trusted proxies only), its partner site
//! (from `Origin`), and whether its user agent is a bot.

use super::error::ApiError;
use crate::config::Cidr;
use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The client's address, set on every request by [`client_addr`].
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

/// The partner a POST came from, set by [`require_partner`].
#[derive(Clone, Debug)]
pub struct PartnerKey(pub String);

/// The client address: the socket peer, or, when the peer is a trusted proxy, the last
/// `X-Forwarded-For` hop that is not itself a trusted proxy. From anyone else the header
/// is ignored, so it cannot be spoofed to escape rate limits.
pub fn resolve_client(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // Hop by hop, from the bytes: a client's non-ASCII garbage at the front must not
    // hide the hops the proxies appended after it (found by tests/properties.rs).
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| v.as_bytes().split(|b| *b == b','))
        .filter_map(|hop| std::str::from_utf8(hop).ok())
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .copied()
        .find(|ip| !is_trusted(*ip))
        .or_else(|| hops.first().copied())
        .unwrap_or(peer)
}

/// Middleware: records [`ClientAddr`] for the handlers and limits.
pub async fn client_addr(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let ip = resolve_client(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(ClientAddr(ip));
    next.run(req).await
}

/// Middleware: POSTs above the per-address rate get 429.
pub async fn limit_posts(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if req.method() == Method::POST {
        let ip = req
            .extensions()
            .get::<ClientAddr>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0);
        state
            .limiter
            .check(ip)
            .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    }
    Ok(next.run(req).await)
}

/// Middleware: a POST must come from a registered partner's origin.
pub async fn require_partner(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if req.method() == Method::POST {
        let partner = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .and_then(|origin| state.live.partner_for_origin(origin))
            .ok_or(ApiError::ForbiddenOrigin)?;
        req.extensions_mut().insert(PartnerKey(partner));
    }
    Ok(next.run(req).await)
}

/// Substrings of user agents that never count (case-insensitive): crawlers, scripts and
/// monitoring tools. `HeadlessChrome` is listed separately so test harnesses can opt in.
const BOT_MARKERS: [&str; 16] = [
    "bot",
    "crawl",
    "spider",
    "slurp",
    "curl/",
    "wget/",
    "python-",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "httpclient",
    "phantomjs",
    "lighthouse",
    "pingdom",
    "uptime",
];

/// Whether events from this user agent are left uncounted. No user agent counts as a bot.
pub fn is_bot(user_agent: Option<&str>, count_headless: bool) -> bool {
    let Some(ua) = user_agent.filter(|ua| !ua.trim().is_empty()) else {
        return true;
    };
    let ua = ua.to_ascii_lowercase();
    if ua.contains("headless") {
        return !count_headless;
    }
    BOT_MARKERS.iter().any(|m| ua.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(v: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static(v));
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let trusted = vec!["10.0.0.0/8".parse().unwrap()];
        let h = xff("203.0.113.9, 198.51.100.4, 10.0.0.7");
        assert_eq!(
            resolve_client(proxy, &h, &trusted),
            "198.51.100.4".parse::<IpAddr>().unwrap()
        );
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(resolve_client(stranger, &h, &trusted), stranger);
        assert_eq!(resolve_client(proxy, &h, &[]), proxy);
        assert_eq!(resolve_client(proxy, &HeaderMap::new(), &trusted), proxy);
        // Found by the property tests: a client's non-ASCII hop no longer hides the rest.
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_bytes("\u{a1}, 203.0.113.9".as_bytes()).unwrap(),
        );
        assert_eq!(
            resolve_client(proxy, &h, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn bots_and_headless_browsers_do_not_count() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        let headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0 Safari/537.36";
        assert!(!is_bot(Some(chrome), false));
        assert!(is_bot(Some(headless), false));
        assert!(!is_bot(Some(headless), true));
        assert!(is_bot(
            Some("Googlebot/2.1 (+http://www.google.com/bot.html)"),
            true
        ));
        assert!(is_bot(Some("curl/8.5.0"), false));
        assert!(is_bot(None, false));
    }
}
