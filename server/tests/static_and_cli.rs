//! Static files, health, and the import/export command line.

mod common;

use common::{raw_client, Options, TestServer};

#[tokio::test]
async fn serves_pages_and_the_widget_with_types_compression_and_caching() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    let wasm = [0u8, 97, 115, 109, 1, 0, 0, 0].repeat(100);
    std::fs::write(pkg.join("casm_widget_bg.wasm"), &wasm).unwrap();
    std::fs::write(pkg.join("casm_widget_bg.wasm.br"), b"brotli-bytes").unwrap();
    std::fs::create_dir_all(pkg.join("lang")).unwrap();
    std::fs::write(pkg.join("lang/fr.0123456789abcdef.txt"), "Utile").unwrap();
    std::fs::write(
        pkg.join("casm-widget.js"),
        "console.log('loader');".repeat(100),
    )
    .unwrap();
    let server = TestServer::start_with(Options {
        www: Some(www),
        pkg: Some(pkg),
        ..Options::default()
    })
    .await;
    let client = raw_client();

    let page = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("demo"));

    let wasm_resp = client
        .get(server.url("/widget/casm_widget_bg.wasm"))
        .header("origin", "https://partner.example")
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(wasm_resp.headers()["content-type"], "application/wasm");
    assert_eq!(wasm_resp.headers()["access-control-allow-origin"], "*");
    assert_eq!(wasm_resp.headers()["content-encoding"], "br");
    assert!(wasm_resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age"));
    // One cached answer per encoding, in any shared cache on the way.
    assert!(wasm_resp
        .headers()
        .get_all("vary")
        .iter()
        .any(|v| v.to_str().unwrap().contains("accept-encoding")));
    assert_eq!(wasm_resp.bytes().await.unwrap().as_ref(), b"brotli-bytes");

    // A language table is named by its content: cached for good.
    let table = client
        .get(server.url("/widget/lang/fr.0123456789abcdef.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(table.status(), 200);
    assert!(table.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));

    // Without a precompressed sibling the response is compressed on the fly.
    let js = client
        .get(server.url("/widget/casm-widget.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(js.headers()["content-encoding"], "gzip");

    let missing = client
        .get(server.url("/widget/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let health: serde_json::Value = reqwest::get(server.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["resources"], 33);
}

#[tokio::test]
async fn import_is_all_or_nothing_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let database = common::new_database(dir.path()).await;
    let demo = common::demo_catalogue_path();

    let ok = common::casm_feed_cli(&database, &["import", demo.to_str().unwrap()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let first = common::casm_feed_cli(&database, &["export"]);
    assert!(first.status.success());
    let exported: casm_model::Catalogue = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(
        exported,
        common::demo_catalogue(),
        "export gives back what was imported"
    );

    // Re-importing the export changes nothing.
    let again_file = dir.path().join("again.json");
    std::fs::write(&again_file, &first.stdout).unwrap();
    assert!(
        common::casm_feed_cli(&database, &["import", again_file.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        common::casm_feed_cli(&database, &["export"]).stdout,
        first.stdout
    );

    // A file that is bad deep inside: a changed title early on and a javascript: URL later.
    let mut bad: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    bad["resources"][0]["title"] = "Changed title that must not land".into();
    bad["resources"][5]["links"][0]["url"] = "javascript:alert(1)".into();
    let bad_file = dir.path().join("bad.json");
    std::fs::write(&bad_file, serde_json::to_vec(&bad).unwrap()).unwrap();
    let rejected = common::casm_feed_cli(&database, &["import", bad_file.to_str().unwrap()]);
    assert!(!rejected.status.success());
    let stderr = String::from_utf8_lossy(&rejected.stderr);
    assert!(stderr.contains("resources[5].links[0].url"), "{stderr}");
    assert_eq!(
        common::casm_feed_cli(&database, &["export"]).stdout,
        first.stdout,
        "nothing half-imported"
    );

    // A type error names its path too.
    let mut bad: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    bad["resources"][2]["version"] = "two".into();
    std::fs::write(&bad_file, serde_json::to_vec(&bad).unwrap()).unwrap();
    let rejected = common::casm_feed_cli(&database, &["import", bad_file.to_str().unwrap()]);
    assert!(!rejected.status.success());
    let stderr = String::from_utf8_lossy(&rejected.stderr);
    assert!(stderr.contains("resources[2].version"), "{stderr}");
    assert_eq!(
        common::casm_feed_cli(&database, &["export"]).stdout,
        first.stdout
    );
}
