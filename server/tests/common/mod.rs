//! A real server on port 0 with a temporary SQLite file and the demo catalogue.

#![allow(dead_code)]

use casm_feed::{store::Store, visitor::VisitorKey, AppState, Config};
use casm_model::Catalogue;
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;

/// The shipped demo catalogue.
pub fn demo_catalogue_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo-catalogue.json")
}

/// The demo catalogue, parsed.
pub fn demo_catalogue() -> Catalogue {
    serde_json::from_slice(&std::fs::read(demo_catalogue_path()).unwrap()).unwrap()
}

/// A running service and what it runs on.
pub struct TestServer {
    pub base: String,
    pub dir: tempfile::TempDir,
    pub database: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

/// Options of a test server.
#[derive(Clone)]
pub struct Options {
    pub post_rate: u32,
    pub post_burst: u32,
    pub vote_cap: u32,
    pub view_window: std::time::Duration,
    pub trusted_proxies: Vec<casm_feed::config::Cidr>,
    pub request_timeout: std::time::Duration,
    pub www: Option<PathBuf>,
    pub pkg: Option<PathBuf>,
    pub webhook_url: Option<String>,
    pub webhook_backoff: std::time::Duration,
    /// How often the server checks the catalogue version in the database.
    pub catalogue_refresh: Option<std::time::Duration>,
    /// See `Config::header_timeout`, `idle_timeout`, `max_connections`.
    pub header_timeout: std::time::Duration,
    pub idle_timeout: std::time::Duration,
    pub max_connections: usize,
    /// See `Config::stream_heartbeat`, `max_streams_per_client`, `refresh`.
    pub stream_heartbeat: std::time::Duration,
    pub max_streams_per_client: usize,
    pub refresh: Option<std::time::Duration>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            post_rate: 0,
            post_burst: 1,
            vote_cap: 0,
            view_window: std::time::Duration::from_secs(1800),
            trusted_proxies: Vec::new(),
            request_timeout: std::time::Duration::from_secs(10),
            www: None,
            pkg: None,
            webhook_url: None,
            webhook_backoff: std::time::Duration::from_secs(1),
            catalogue_refresh: Some(std::time::Duration::from_secs(5)),
            header_timeout: std::time::Duration::from_secs(10),
            idle_timeout: std::time::Duration::from_secs(5),
            max_connections: 4096,
            stream_heartbeat: std::time::Duration::from_secs(15),
            max_streams_per_client: 8,
            refresh: None,
        }
    }
}

/// The origin of the partner site tests post from.
pub const PARTNER_ORIGIN: &str = "http://partner.test";

/// A browser-like user agent: events from clients without one are not counted.
pub const BROWSER_UA: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

/// A client that looks like a browser on the registered partner site.
pub fn client() -> reqwest::Client {
    client_from(None)
}

/// The same, sending from a chosen loopback address (e.g. `127.0.0.2`) when given.
pub fn client_from(local: Option<&str>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("origin", PARTNER_ORIGIN.parse().unwrap());
    reqwest::Client::builder()
        .local_address(local.map(|ip| ip.parse::<std::net::IpAddr>().unwrap()))
        .user_agent(BROWSER_UA)
        .default_headers(headers)
        .build()
        .unwrap()
}

/// A new empty database: a SQLite file in `dir`, or, when `CASM_TEST_POSTGRES` names a
/// PostgreSQL server (`postgres://user@host:port/postgres`), a new database on it.
pub async fn new_database(dir: &Path) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    match std::env::var("CASM_TEST_POSTGRES") {
        Ok(admin) if !admin.is_empty() => {
            use sqlx::{Connection, Executor};
            sqlx::any::install_default_drivers();
            let name = format!(
                "casm_test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            );
            let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            let base = admin.rsplit_once('/').unwrap().0;
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}", dir.join("casm.db").display()),
    }
}

impl TestServer {
    /// Starts a server with the demo catalogue in a new temporary database.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// Starts a server with options.
    pub async fn start_with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = new_database(dir.path()).await;
        let store = Store::connect(&database).await.unwrap();
        store.import(&demo_catalogue()).await.unwrap();
        store
            .add_partner(&casm_feed::store::Partner {
                key: "test-partner".into(),
                name: "Test partner".into(),
                origins: vec![PARTNER_ORIGIN.into()],
            })
            .await
            .unwrap();
        Self::serve(dir, database, store, options).await
    }

    /// Starts a second instance on this one's database, both running (as behind a load
    /// balancer on one PostgreSQL).
    pub async fn another(&self, options: Options) -> Self {
        let store = Store::connect(&self.database).await.unwrap();
        Self::serve(
            tempfile::tempdir().unwrap(),
            self.database.clone(),
            store,
            options,
        )
        .await
    }

    /// Starts another server on the same database (after [`TestServer::stop`]).
    pub async fn restart(mut self) -> Self {
        self.stop().await;
        let store = Store::connect(&self.database).await.unwrap();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        Self::serve(dir, self.database.clone(), store, Options::default()).await
    }

    async fn serve(
        dir: tempfile::TempDir,
        database: String,
        store: Store,
        options: Options,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::new(base.clone());
        config.post_rate_per_second = options.post_rate;
        config.post_burst = options.post_burst;
        config.vote_cap = options.vote_cap;
        config.view_window = options.view_window;
        config.trusted_proxies = options.trusted_proxies;
        config.request_timeout = options.request_timeout;
        config.webhook_url = options.webhook_url;
        config.webhook_backoff = options.webhook_backoff;
        config.www_dir = options.www.unwrap_or_else(|| dir.path().join("www"));
        config.pkg_dir = options.pkg.unwrap_or_else(|| dir.path().join("pkg"));
        config.catalogue_refresh = options.catalogue_refresh;
        config.header_timeout = options.header_timeout;
        config.idle_timeout = options.idle_timeout;
        config.max_connections = options.max_connections;
        config.stream_heartbeat = options.stream_heartbeat;
        config.max_streams_per_client = options.max_streams_per_client;
        config.refresh = options.refresh;
        let state = AppState::start(config, store.clone(), VisitorKey::from_secret(b"test"))
            .await
            .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            casm_feed::run(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
            store.close().await;
        });
        TestServer {
            base,
            dir,
            database,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// A client that does not decompress, so tests see what the wire carries.
pub fn raw_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap()
}

/// A visitor token for test number `n`.
pub fn token(n: usize) -> String {
    format!("test-visitor-{n:08}")
}

/// Counters of one resource from /v1/stats.
pub async fn stats(server: &TestServer, id: &str) -> serde_json::Value {
    let body: serde_json::Value = reqwest::get(server.url(&format!("/v1/stats?ids={id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["resources"][id].clone()
}

/// POSTs a JSON body from the partner site.
pub async fn post(server: &TestServer, path: &str, body: serde_json::Value) -> reqwest::Response {
    client()
        .post(server.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Runs the `casm-feed` binary on `database`.
pub fn casm_feed_cli(database: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_casm-feed"))
        .args(args)
        .env("CASM_DATABASE", database)
        .output()
        .unwrap()
}

/// Starts the real binary: `casm-feed serve --listen 127.0.0.1:0 --data-dir DIR` and then
/// `args`, on `database` with `secret`, logging at `log`. Returns the process (killed when
/// dropped) and its base URL, once it listens.
pub async fn spawn_serve(
    args: &[&str],
    database: &str,
    dir: &Path,
    secret: &str,
    log: &str,
) -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_casm-feed"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(args)
        .env("CASM_DATABASE", database)
        .env("CASM_SECRET", secret)
        .env("RUST_LOG", log)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(url) = line.strip_prefix("listening on ") {
            return (child, url.to_owned());
        }
    }
    panic!("casm-feed serve did not start");
}
