//! Settings of a running service.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// What `casm-feed serve` runs with.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL the feed's absolute links use, e.g. `http://127.0.0.1:8080` (no trailing `/`).
    pub public_url: String,
    /// The demo partner pages served at `/`.
    pub www_dir: PathBuf,
    /// The widget build served at `/widget/`.
    pub pkg_dir: PathBuf,
    /// Sustained POSTs per second allowed from one address; 0 turns the limit off.
    pub post_rate_per_second: u32,
    /// POSTs one address may send in a burst before the rate applies.
    pub post_burst: u32,
    /// Most helpful votes one network (IPv4 /24, IPv6 /48) may add to one resource per UTC
    /// day; 0 turns the cap off.
    pub vote_cap: u32,
    /// A visitor's views of a resource count once per this window.
    pub view_window: Duration,
    /// Count events from headless browsers (test harnesses); other bots never count.
    pub count_headless: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<Cidr>,
    /// How often counts are re-read from the database (for several instances on one
    /// PostgreSQL); `None` for a single instance.
    pub refresh: Option<Duration>,
    /// How often the catalogue version in the database is checked, to serve catalogue
    /// changes made by another process (`casm-feed import`, another instance) without a
    /// restart; `None` for never. Changes made through this instance's admin API are
    /// served at once either way.
    pub catalogue_refresh: Option<Duration>,
    /// Longest time a request may take, body included.
    pub request_timeout: Duration,
    /// Where each new feedback message is POSTed ([`crate::webhook`]); `None` for nowhere.
    pub webhook_url: Option<String>,
    /// The webhook's wait before its second try, doubled before each later one.
    pub webhook_backoff: Duration,
    /// A connection must deliver each request's complete headers within this time of
    /// being ready for it (accepted, or its previous response sent), or it is closed.
    pub header_timeout: Duration,
    /// A kept-alive connection with no request for this long is closed. The header
    /// timeout also runs while a connection waits, so the shorter of the two applies.
    pub idle_timeout: Duration,
    /// Most connections open at once; more are answered `503` and closed.
    pub max_connections: usize,
    /// A `/v1/stream` sends a comment after this long without an event.
    pub stream_heartbeat: Duration,
    /// Most `/v1/stream` streams one client (IPv4 address, IPv6 /64) may hold open.
    pub max_streams_per_client: usize,
}

impl Config {
    /// Defaults for a service reachable at `public_url`.
    pub fn new(public_url: impl Into<String>) -> Self {
        Config {
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            www_dir: PathBuf::from("www"),
            pkg_dir: PathBuf::from("pkg"),
            post_rate_per_second: 20,
            post_burst: 200,
            vote_cap: 50,
            view_window: Duration::from_secs(30 * 60),
            count_headless: false,
            trusted_proxies: Vec::new(),
            refresh: None,
            catalogue_refresh: Some(Duration::from_secs(5)),
            request_timeout: Duration::from_secs(10),
            webhook_url: None,
            webhook_backoff: Duration::from_secs(1),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            max_connections: 4096,
            stream_heartbeat: Duration::from_secs(15),
            max_streams_per_client: 8,
        }
    }
}

/// An address block such as `10.0.0.0/8`, or a single address (a /32 or /128): what
/// `--trusted-proxy` takes. The block arithmetic is `ipnet`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr(ipnet::IpNet);

impl Cidr {
    /// Whether `ip` is inside the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&ip)
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains('/') {
            s.parse::<ipnet::IpNet>().map(Cidr).map_err(|_| {
                format!("'{s}' is not address/prefix (prefix 0-32 for IPv4, 0-128 for IPv6)")
            })
        } else {
            s.parse::<IpAddr>()
                .map(|ip| Cidr(ip.into()))
                .map_err(|_| format!("'{s}' is not an address or address/prefix"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_blocks_contain_their_addresses() {
        let block: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(block.contains("10.1.200.3".parse().unwrap()));
        assert!(!block.contains("10.2.0.1".parse().unwrap()));
        let one: Cidr = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
    }
}
