//! Paths the static file server cannot map (over-long names, NUL bytes, dot-dot, odd
//! encodings, directories) get a 4xx with the API's JSON error body, never a 500: under
//! `/`, `/widget/` and `/admin/`, for GET and HEAD.

mod common;

use common::{Options, TestServer};
use reqwest::Method;

async fn server() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(www.join("admin")).unwrap();
    std::fs::create_dir_all(www.join("files")).unwrap();
    std::fs::create_dir_all(pkg.join("v0.1.0")).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(
        www.join("admin/index.html"),
        "<!doctype html><title>admin</title>",
    )
    .unwrap();
    std::fs::write(pkg.join("casm-widget.js"), "// loader").unwrap();
    let server = TestServer::start_with(Options {
        www: Some(www),
        pkg: Some(pkg),
        ..Options::default()
    })
    .await;
    (dir, server)
}

/// Sends `method path` on a raw connection, so the path reaches the server byte for byte
/// (a client library would normalise `..` or refuse some bytes).
async fn raw(server: &TestServer, method: &str, path: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

/// The hostile paths, under each static root.
fn hostile_paths() -> Vec<String> {
    let long = "a".repeat(300);
    let mut paths = Vec::new();
    for root in ["/", "/widget/", "/admin/"] {
        for tail in [
            long.clone(),
            format!("{long}.js"),
            format!("files/{long}"),
            "%00".to_owned(),
            "a%00b.html".to_owned(),
            "%2e%2e/%2e%2e/etc/passwd".to_owned(),
            "..%2f..%2fetc%2fpasswd".to_owned(),
            "%2e%2e%5c%2e%2e%5cCargo.toml".to_owned(),
            "%c0%ae%c0%ae/etc/passwd".to_owned(),
            "%ff%fe".to_owned(),
            "%".to_owned(),
            "%zz".to_owned(),
            format!("{}x", "%e2%80%ae".repeat(90)),
            "nothing-here/".to_owned(),
        ] {
            paths.push(format!("{root}{tail}"));
        }
    }
    paths
}

#[tokio::test]
async fn unmappable_static_paths_get_a_json_4xx_for_get_and_head() {
    let (_dir, server) = server().await;
    for path in hostile_paths() {
        for method in ["GET", "HEAD"] {
            let (status, head, body) = raw(&server, method, &path).await;
            assert!(
                (400..500).contains(&status),
                "{method} {path}: {status}\n{head}"
            );
            assert!(
                head.contains("content-type: application/json"),
                "{method} {path}: {head}"
            );
            if method == "GET" {
                let error: casm_model::wire::ErrorBody = serde_json::from_str(&body)
                    .unwrap_or_else(|e| panic!("{method} {path}: {e}: {body:?}"));
                assert!(!error.error.code.is_empty(), "{method} {path}");
            }
        }
    }
}

#[tokio::test]
async fn the_reported_cases_no_longer_answer_an_empty_500() {
    let (_dir, server) = server().await;
    let client = reqwest::Client::new();
    let long = server.url(&format!("/{}", "a".repeat(300)));
    let response = client.get(&long).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let response = client
        .request(Method::HEAD, server.url("/%00"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn directories_are_served_or_refused_cleanly() {
    let (_dir, server) = server().await;
    for path in [
        "/files",
        "/files/",
        "/widget/v0.1.0",
        "/widget/v0.1.0/",
        "/admin/admin/",
    ] {
        for method in ["GET", "HEAD"] {
            let (status, head, _) = raw(&server, method, path).await;
            assert!(status < 500, "{method} {path}: {status}");
            if status >= 400 {
                assert!(head.contains("application/json"), "{method} {path}: {head}");
            }
        }
    }
    // What exists is still served.
    let (status, _, body) = raw(&server, "GET", "/").await;
    assert_eq!(status, 200);
    assert!(body.contains("demo"));
    let (status, _, _) = raw(&server, "GET", "/widget/casm-widget.js").await;
    assert_eq!(status, 200);
}
