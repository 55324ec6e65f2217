//! `/v1/admin/*` access against a real server: bearer tokens (staff and partner-scoped),
//! 401 without a valid one, revocation, and no CORS.

mod common;

use casm_feed::store::Store;
use common::{raw_client, TestServer};

/// A token made in the server's database, as `casm-feed admin token create` makes it.
async fn token(server: &TestServer, name: &str, partner: Option<&str>) -> String {
    let store = Store::connect(&server.database).await.unwrap();
    let token = store.create_token(name, partner).await.unwrap();
    store.close().await;
    token
}

#[tokio::test]
async fn admin_routes_need_a_valid_bearer_token() {
    let server = TestServer::start().await;
    let client = raw_client();
    let url = server.url("/v1/admin/whoami");

    for auth in [
        None,
        Some("Bearer casm_not-a-token"),
        Some("Basic abc"),
        Some("Bearer "),
    ] {
        let mut req = client.get(&url);
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{auth:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }

    let staff = token(&server, "ana", None).await;
    let res = client.get(&url).bearer_auth(&staff).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let me: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        me,
        serde_json::json!({"token": "ana", "scope": "staff", "partner": null})
    );

    let partner = token(&server, "partner-e2e", Some("e2e")).await;
    let me: serde_json::Value = client
        .get(&url)
        .bearer_auth(&partner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["scope"], "partner");
    assert_eq!(me["partner"], "e2e");

    // Revoked: refused at once.
    let store = Store::connect(&server.database).await.unwrap();
    assert!(store.revoke_token("ana").await.unwrap());
    assert!(!store.revoke_token("ana").await.unwrap());
    store.close().await;
    let res = client.get(&url).bearer_auth(&staff).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn admin_routes_are_never_cors_open() {
    let server = TestServer::start().await;
    let staff = token(&server, "ana", None).await;
    let client = raw_client();
    let res = client
        .get(server.url("/v1/admin/whoami"))
        .header("origin", common::PARTNER_ORIGIN)
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let preflight = client
        .request(reqwest::Method::OPTIONS, server.url("/v1/admin/whoami"))
        .header("origin", common::PARTNER_ORIGIN)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[test]
fn the_cli_prints_a_token_once_and_stores_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("casm.db").display());
    let out = common::casm_feed_cli(&database, &["admin", "token", "create", "ana"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("casm_") && token.len() == 69, "{token}");
    let list = common::casm_feed_cli(&database, &["admin", "token", "list"]);
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains("ana\tstaff\t"), "{list}");
    assert!(!list.contains(&token));
    let db = std::fs::read(dir.path().join("casm.db")).unwrap();
    let wal = std::fs::read(dir.path().join("casm.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    }
    // A partner token needs a partner.
    let out = common::casm_feed_cli(&database, &["partner", "token", "create", "nobody"]);
    assert!(!out.status.success());
    let revoke = common::casm_feed_cli(&database, &["admin", "token", "revoke", "ana"]);
    assert!(revoke.status.success());
}
