//! The hostile import battery: catalogues built to hurt, each sent both to
//! `POST /v1/admin/import` on a real server and to `casm-feed import`. Each is refused
//! with the path of the bad field (or, for a file too large to read, its size), and
//! nothing changes: the catalogue version, the feed's ETag and the export stay as they
//! were.

mod common;

use casm_feed::store::{Store, MAX_CATALOGUE_BYTES};
use common::TestServer;
use serde_json::Value;
use std::io::{Read, Write};

/// One hostile catalogue and where it must be refused.
struct Case {
    name: &'static str,
    body: Vec<u8>,
    /// The path the refusal names.
    field: &'static str,
}

fn demo() -> Value {
    serde_json::to_value(common::demo_catalogue()).unwrap()
}

fn with(change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut catalogue = demo();
    change(&mut catalogue);
    serde_json::to_vec(&catalogue).unwrap()
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        Case {
            name: "a control character in a title",
            body: with(|c| c["resources"][3]["title"] = "Agenda\u{7}\u{1b}[2J".into()),
            field: "resources[3].title",
        },
        Case {
            name: "a right-to-left override in a summary",
            body: with(|c| {
                c["resources"][1]["summary"] = "Report \u{202E}fdp.exe\u{202C} attached".into()
            }),
            field: "resources[1].summary",
        },
        Case {
            name: "a bidi isolate in a link title",
            body: with(|c| c["resources"][0]["links"][0]["title"] = "\u{2067}x\u{2069}".into()),
            field: "resources[0].links[0].title",
        },
        Case {
            name: "a 1 MB title",
            body: with(|c| c["resources"][2]["title"] = "A".repeat(1 << 20).into()),
            field: "resources[2].title",
        },
        Case {
            name: "duplicate ids",
            body: with(|c| {
                let first = c["resources"][0]["id"].clone();
                c["resources"][7]["id"] = first;
            }),
            field: "resources[7].id",
        },
        Case {
            name: "a related id that does not exist",
            body: with(|c| {
                c["resources"][4]["related"] = serde_json::json!(["no-such-resource"]);
            }),
            field: "resources[4].related[0]",
        },
    ];

    // Bytes that are not UTF-8 inside a title: serde_json refuses them where they are.
    let marker = "NON-UTF8-HERE";
    let text = String::from_utf8(with(|c| c["resources"][5]["title"] = marker.into())).unwrap();
    let mut bytes = text.replace(marker, "\u{1}").into_bytes();
    let at = bytes.iter().position(|b| *b == 1).unwrap();
    bytes.splice(at..=at, [0xC3, 0x28, 0xFF]);
    cases.push(Case {
        name: "non-UTF-8 bytes in a title",
        body: bytes,
        field: "resources[5].title",
    });

    // JSON nested 10,000 deep in a field the importer would skip: serde_json's recursion
    // limit stops it (no stack overflow), at the field.
    let marker = "\"DEEP-HERE\"";
    let text =
        String::from_utf8(with(|c| c["resources"][6]["notes"] = "DEEP-HERE".into())).unwrap();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    cases.push(Case {
        name: "JSON nested 10,000 deep",
        body: text.replace(marker, &deep).into_bytes(),
        field: "resources[6].notes",
    });
    cases
}

/// What must not move: the catalogue version, the feed's ETag, the exported catalogue.
async fn snapshot(server: &TestServer) -> (i64, String, Value) {
    let store = Store::connect(&server.database).await.unwrap();
    let export = serde_json::to_value(store.export().await.unwrap()).unwrap();
    store.close().await;
    let res = reqwest::get(server.url("/v1/feed.json?limit=100"))
        .await
        .unwrap();
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let version = export["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_i64().unwrap_or(0))
        .sum();
    (version, etag, export)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_catalogues_are_refused_at_their_field_and_change_nothing() {
    let server = TestServer::start().await;
    let store = Store::connect(&server.database).await.unwrap();
    let token = store.create_token("battery", None).await.unwrap();
    store.close().await;
    let before = snapshot(&server).await;
    let http = reqwest::Client::new();

    for case in cases() {
        let res = http
            .post(server.url("/v1/admin/import"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(case.body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{}", case.name);
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["error"]["code"], "bad_request",
            "{}: {body}",
            case.name
        );
        assert_eq!(body["error"]["field"], case.field, "{}: {body}", case.name);
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.len() < 500,
            "{}: the message stays short",
            case.name
        );

        let file = server.dir.path().join("hostile.json");
        std::fs::write(&file, &case.body).unwrap();
        let out = common::casm_feed_cli(&server.database, &["import", file.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: the CLI refuses it", case.name);
        assert!(
            stderr.contains(&format!("invalid at {}", case.field)),
            "{}: the CLI names {}: {stderr}",
            case.name,
            case.field
        );
    }

    // 200 MB: the CLI refuses the file by its size before reading it (a sparse file, so
    // the test writes nothing), and the API by its Content-Length before reading the body.
    let big = server.dir.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let out = common::casm_feed_cli(&server.database, &["import", big.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("at most {MAX_CATALOGUE_BYTES} bytes")),
        "{stderr}"
    );
    let addr = server.base.trim_start_matches("http://");
    let mut tcp = std::net::TcpStream::connect(addr).unwrap();
    write!(
        tcp,
        "POST /v1/admin/import HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{{\"resources\": [",
        200u64 << 20
    )
    .unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut answer = vec![0; 4096];
    let n = tcp.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");

    assert_eq!(snapshot(&server).await, before, "nothing changed");
}
