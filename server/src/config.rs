//! Settings of a running service.

use std::path::PathBuf;

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
        }
    }
}
