//! `/v1/openapi.json`: an OpenAPI 3.1 document that lists every route of the service
//! (checked against the route paths written in `server/src/http/`), each of which the
//! router answers; and the regression tests of what schema fuzzing
//! (`scripts/schemathesis.sh`) found.

mod common;

use casm_feed::store::Store;
use common::TestServer;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Routes that serve files (`static_files.rs`): not part of the API document.
const STATIC_ROUTES: [&str; 5] = [
    "/configure",
    "/widget",
    "/admin",
    "/admin/",
    "/admin/{*path}",
];

/// The message of the router's fallback (no route: the static files' 404).
const FALLBACK_404: &str = "no such page";

/// A resource of the demo catalogue.
const ID: &str = "casm-global-partnership";

async fn document(server: &TestServer) -> Value {
    let response = reqwest::get(server.url("/v1/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

async fn staff_token(server: &TestServer) -> String {
    let store = Store::connect(&server.database).await.unwrap();
    let token = store.create_token("openapi-test", None).await.unwrap();
    store.close().await;
    token
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal that follows each `needle` in `text` (after white space: rustfmt
/// may break the line there).
fn literals_after<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.match_indices(needle)
        .filter_map(|(at, _)| {
            let rest = text[at + needle.len()..].trim_start().strip_prefix('"')?;
            rest.split_once('"').map(|(literal, _)| literal)
        })
        .collect()
}

/// Every route path written in the HTTP layer's source: axum's `.route(…)`,
/// `.route_service(…)` and `.nest(…)`, and the `path = …` of each `#[utoipa::path]`
/// (which `utoipa_axum::routes!` registers).
fn routes_in_source() -> BTreeSet<String> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http"),
        &mut files,
    );
    let mut routes = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in [".route(", ".route_service(", ".nest(", "path ="] {
            for literal in literals_after(&text, needle) {
                routes.insert(literal.to_owned());
            }
        }
    }
    routes
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_lists_every_route() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let version = doc["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "openapi: {version}");
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let mut written = routes_in_source();
    assert!(
        written.contains("/v1/feed.json"),
        "the source scan found {written:?}"
    );
    for route in STATIC_ROUTES {
        assert!(written.remove(route), "{route} is no longer a static route");
    }
    let missing: Vec<_> = written.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes missing from /v1/openapi.json: {missing:?}"
    );
    let stray: Vec<_> = documented.difference(&written).collect();
    assert!(
        stray.is_empty(),
        "documented routes the source does not have: {stray:?}"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn every_documented_operation_is_answered_by_its_route() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let token = staff_token(&server).await;
    let client = common::client();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let url =
            server.url(&path.replace("{id}", if path.contains("feedback/") { "1" } else { ID }));
        for (method, operation) in item.as_object().unwrap() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let responses = operation["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status.starts_with('4') {
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
            let mut request = client.request(method.clone(), &url).bearer_auth(&token);
            if operation.get("requestBody").is_some() {
                request = request
                    .header("content-type", "application/json")
                    .body("{}");
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            assert!(
                responses.contains_key(&status.to_string()),
                "{method} {path}: {status} is not documented"
            );
            assert_ne!(status, 405, "{method} {path}: the route lacks this method");
            if status == 404 {
                // A route's 404 names what it lacks; the fallback's is "no such page".
                let body: Value = response.json().await.unwrap();
                assert_ne!(
                    body["error"]["message"], FALLBACK_404,
                    "{method} {path}: the router's fallback answered"
                );
            }
        }
    }
    // What the fallback answers, so the check above is sound.
    let response = client.get(server.url("/v1/nothing")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], FALLBACK_404);
}

// Findings of scripts/schemathesis.sh, each fixed.

/// `?by=a&by=b` made axum's query extractor answer a plain-text 400 that is not the
/// documented error body.
#[tokio::test]
async fn stats_with_a_repeated_parameter_answers_the_error_body() {
    let server = TestServer::start().await;
    let response = reqwest::get(server.url(&format!("/v1/stats?ids={ID}&by=null&by=null")))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "by");
    let response = reqwest::get(server.url(&format!("/v1/stats?ids={ID}&ids={ID}&by=partner")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// A path id that is not UTF-8 once decoded made axum's path extractor answer a
/// plain-text 400.
#[tokio::test]
async fn an_id_that_is_not_utf8_gets_the_error_body() {
    let server = TestServer::start().await;
    let token = staff_token(&server).await;
    let client = common::client();
    for (method, path) in [
        ("GET", "/v1/resources/%FF"),
        ("POST", "/v1/resources/%FF/vote"),
        ("POST", "/v1/resources/%C0%AE/feedback"),
        ("GET", "/v1/admin/resources/%FF"),
        ("POST", "/v1/admin/resources/%FF/retire"),
        ("GET", "/v1/admin/feedback/%FF"),
        ("DELETE", "/v1/admin/feedback/%FF"),
    ] {
        let response = client
            .request(method.parse().unwrap(), server.url(path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"{"visitor":"test-visitor-00000001","helpful":true,"text":"x"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{method} {path}");
    }
}

/// The document said `to` was a date and `metric`/`by` one of a list, but the service
/// (as docs/API.md says) takes an empty value as absent: the patterns now allow it.
#[tokio::test]
async fn empty_series_parameters_are_absent_and_documented_so() {
    let server = TestServer::start().await;
    let token = staff_token(&server).await;
    let response = reqwest::Client::new()
        .get(server.url("/v1/admin/series?from=&to=&metric=&by="))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let doc = document(&server).await;
    for param in doc["paths"]["/v1/admin/series"]["get"]["parameters"]
        .as_array()
        .unwrap()
    {
        if let Some(pattern) = param["schema"]["pattern"].as_str() {
            assert!(pattern.ends_with(")?$"), "{}: {pattern}", param["name"]);
        }
    }
}

/// The document let any string be a visitor token, which the service refuses; it now
/// states the rule `validate::visitor_token` checks.
#[tokio::test]
async fn the_document_states_the_visitor_token_rule() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    for schema in ["VoteRequest", "EventRequest", "FeedbackRequest"] {
        assert_eq!(
            doc["components"]["schemas"][schema]["properties"]["visitor"]["pattern"],
            "^[A-Za-z0-9_-]{16,64}$",
            "{schema}"
        );
    }
    assert!(casm_model::validate::visitor_token("visitor", &"a".repeat(16)).is_ok());
    assert!(casm_model::validate::visitor_token("visitor", &"a".repeat(15)).is_err());
    assert!(casm_model::validate::visitor_token("visitor", &"a".repeat(65)).is_err());
    assert!(casm_model::validate::visitor_token("visitor", "aaaaaaaaaaaaaaa*").is_err());
}

/// An erasure request's contact of 200 characters after a leading newline was accepted
/// (the limit was counted after trimming), while the document says at most 200: the
/// limit now counts what was sent, for feedback text too.
#[tokio::test]
async fn text_limits_count_the_characters_as_sent() {
    let server = TestServer::start().await;
    let token = staff_token(&server).await;
    let contact = format!("\n{}", "a".repeat(200));
    let response = reqwest::Client::new()
        .post(server.url("/v1/admin/feedback/erase"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "contact": contact }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "contact");
    let text = format!(" {}", "a".repeat(casm_model::api::FEEDBACK_MAX_CHARS));
    let response = common::post(
        &server,
        &format!("/v1/resources/{ID}/feedback"),
        serde_json::json!({ "visitor": common::token(1), "text": text }),
    )
    .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["field"], "text");
    // Within the limits, with white space around: accepted.
    let response = reqwest::Client::new()
        .post(server.url("/v1/admin/feedback/erase"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "contact": " a@b.org " }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// schemathesis (seed 1) sent `ids=%0A`: a string the document allowed, which the service
/// refuses as naming no id. The document now says `ids` holds more than spaces.
#[tokio::test]
async fn stats_ids_of_only_spaces_are_refused_and_documented_so() {
    let server = TestServer::start().await;
    let res = reqwest::get(server.url("/v1/stats?ids=%0A%20"))
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "ids");
    let doc = document(&server).await;
    let params = doc["paths"]["/v1/stats"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let ids = params.iter().find(|p| p["name"] == "ids").unwrap();
    assert_eq!(ids["schema"]["pattern"], "\\S", "{ids}");
}

/// The series' `metric` pattern is written out in an attribute; it must name exactly the
/// counters the series keep (`Counter::MAINTAINED`), so the two cannot drift apart.
#[tokio::test]
async fn the_documented_metrics_are_the_maintained_counters() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let names: Vec<&str> = casm_model::Counter::MAINTAINED
        .iter()
        .map(|c| c.name())
        .collect();
    let want = format!("^({})?$", names.join("|"));
    for path in ["/v1/admin/series", "/v1/admin/export.csv"] {
        let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        let metric = params.iter().find(|p| p["name"] == "metric").unwrap();
        assert_eq!(metric["schema"]["pattern"], want.as_str(), "{path}");
    }
}
