//! Publishing against a real server: editing one resource, importing a catalogue,
//! retiring and restoring, changes served without a restart (ETags move), the command-line
//! import picked up by a running server, and backups taken while it serves.

mod common;

use casm_feed::store::Store;
use common::{Options, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

const ID: &str = "casm-global-partnership";

/// A token made in the server's database, as `casm-feed admin token create` makes it.
async fn token(server: &TestServer, name: &str, partner: Option<&str>) -> String {
    let store = Store::connect(&server.database).await.unwrap();
    let token = store.create_token(name, partner).await.unwrap();
    store.close().await;
    token
}

async fn staff(server: &TestServer) -> String {
    token(server, "ana", None).await
}

async fn admin_get(server: &TestServer, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn put(server: &TestServer, token: &str, id: &str, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .put(server.url(&format!("/v1/admin/resources/{id}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn admin_post(
    server: &TestServer,
    token: &str,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(server.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().await.unwrap()
}

/// The stored resource, as the console's editor gets it.
async fn stored(server: &TestServer, token: &str, id: &str) -> Value {
    let res = admin_get(server, token, &format!("/v1/admin/resources/{id}")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The 400's `field`, after checking the status and code.
async fn bad_field(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    body["error"]["field"].as_str().unwrap_or("").to_owned()
}

/// The feed's ETag and item ids.
async fn feed(server: &TestServer) -> (String, Vec<String>) {
    let res = reqwest::get(server.url("/v1/feed.json?limit=100"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    let ids = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    (etag, ids)
}

async fn public_title(server: &TestServer, id: &str) -> (u16, Value) {
    let res = reqwest::get(server.url(&format!("/v1/resources/{id}")))
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn put_validates_like_import_and_versions_each_change() {
    let server = TestServer::start().await;
    let token = staff(&server).await;
    let original = stored(&server, &token, ID).await;
    assert_eq!(
        original,
        serde_json::to_value(&common::demo_catalogue().resources[0]).unwrap()
    );
    let (etag_before, _) = feed(&server).await;

    // Each rule of the import, named by its field inside the resource.
    let mut bad = original.clone();
    bad["links"][0]["url"] = "javascript:alert(1)".into();
    assert_eq!(
        bad_field(put(&server, &token, ID, &bad).await).await,
        "links[0].url"
    );
    let mut bad = original.clone();
    bad["related"] = json!(["no-such-resource"]);
    assert_eq!(
        bad_field(put(&server, &token, ID, &bad).await).await,
        "related[0]"
    );
    let mut bad = original.clone();
    bad["title"] = "".into();
    assert_eq!(
        bad_field(put(&server, &token, ID, &bad).await).await,
        "title"
    );
    let mut bad = original.clone();
    bad["version"] = "two".into();
    assert_eq!(
        bad_field(put(&server, &token, ID, &bad).await).await,
        "version"
    );
    let mut bad = original.clone();
    bad["retired"] = true.into();
    assert_eq!(
        bad_field(put(&server, &token, ID, &bad).await).await,
        "retired"
    );
    // The path and the body must name the same resource.
    let other = "mercury-free-gold-processing-toolkit";
    assert_eq!(
        bad_field(put(&server, &token, other, &original).await).await,
        "id"
    );
    // Nothing of that landed.
    assert_eq!(stored(&server, &token, ID).await, original);
    assert_eq!(feed(&server).await.0, etag_before);

    // An edit: version + 1, modified now, the comment from the body; served at once.
    let mut edited = original.clone();
    edited["title"] = "CASM: a global partnership, revised".into();
    edited["version_comment"] = "Shorter title".into();
    edited["version"] = 77.into(); // ignored: the service numbers versions
    let res = put(&server, &token, ID, &edited).await;
    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.unwrap();
    let old_version = original["version"].as_u64().unwrap();
    assert_eq!(saved["version"], old_version + 1);
    assert_eq!(saved["version_comment"], "Shorter title");
    let modified = saved["modified"].as_str().unwrap();
    assert!(
        casm_model::validate::timestamp("modified", modified).is_ok(),
        "{modified}"
    );
    assert_ne!(saved["modified"], original["modified"]);
    assert!(
        modified.starts_with(&casm_feed::dates::utc_timestamp(casm_feed::dates::now_secs())[..10])
    );
    assert_eq!(stored(&server, &token, ID).await, saved);

    let (status, item) = public_title(&server, ID).await;
    assert_eq!(status, 200);
    assert_eq!(item["title"], "CASM: a global partnership, revised");
    assert_eq!(item["date_modified"], saved["modified"]);
    assert_eq!(item["_casm"]["version"], old_version + 1);
    let (etag_after, ids) = feed(&server).await;
    assert_ne!(
        etag_after, etag_before,
        "the feed's ETag moves with its content"
    );
    assert!(ids.contains(&ID.to_owned()));

    // The same body again changes nothing, whatever it says of version and date.
    let res = put(&server, &token, ID, &saved).await;
    assert_eq!(res.status(), 200);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again, saved);
    assert_eq!(feed(&server).await.0, etag_after);

    // A new id: 201, version 1, at the end of the catalogue, in the feed at once.
    let mut fresh = original.clone();
    fresh["id"] = "a-new-resource".into();
    fresh["title"] = "A new resource".into();
    fresh["version"] = 9.into();
    let res = put(&server, &token, "a-new-resource", &fresh).await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["version"], 1);
    let (_, ids) = feed(&server).await;
    assert!(ids.contains(&"a-new-resource".to_owned()));
    assert_eq!(ids.len(), 34);
    let health: Value = reqwest::get(server.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["resources"], 34);

    let res = admin_get(&server, &token, "/v1/admin/resources/nothing-here").await;
    assert_eq!(res.status(), 404);

    // The change survives a restart (it is in the database, not only in memory).
    let server = server.restart().await;
    let (_, item) = public_title(&server, ID).await;
    assert_eq!(item["title"], "CASM: a global partnership, revised");
}

#[tokio::test]
async fn publishing_needs_a_staff_token() {
    let server = TestServer::start().await;
    let partner = token(&server, "partner-e2e", Some("e2e")).await;
    let body = serde_json::to_value(&common::demo_catalogue().resources[0]).unwrap();
    let catalogue = serde_json::to_value(common::demo_catalogue()).unwrap();
    let answers = [
        admin_get(&server, &partner, &format!("/v1/admin/resources/{ID}")).await,
        put(&server, &partner, ID, &body).await,
        // A bad body still gets 403, not a judgement of the body.
        put(&server, &partner, ID, &json!({"id": 1})).await,
        admin_post(&server, &partner, "/v1/admin/import", Some(&catalogue)).await,
        admin_post(
            &server,
            &partner,
            &format!("/v1/admin/resources/{ID}/retire"),
            None,
        )
        .await,
        admin_post(
            &server,
            &partner,
            &format!("/v1/admin/resources/{ID}/restore"),
            None,
        )
        .await,
    ];
    for res in answers {
        assert_eq!(res.status(), 403, "{}", res.url());
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let res = reqwest::Client::new()
        .put(server.url(&format!("/v1/admin/resources/{ID}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(public_title(&server, ID).await.0, 200);
}

#[tokio::test]
async fn import_is_all_or_nothing_and_versions_only_what_changed() {
    let server = TestServer::start().await;
    let token = staff(&server).await;
    let demo = common::demo_catalogue();
    let (etag_before, _) = feed(&server).await;

    // One bad resource deep inside: nothing of the file lands.
    let mut bad = serde_json::to_value(&demo).unwrap();
    bad["resources"][0]["title"] = "Changed title that must not land".into();
    bad["resources"][5]["links"][0]["url"] = "javascript:alert(1)".into();
    let res = admin_post(&server, &token, "/v1/admin/import", Some(&bad)).await;
    assert_eq!(bad_field(res).await, "resources[5].links[0].url");
    let mut bad = serde_json::to_value(&demo).unwrap();
    bad["resources"][2]["version"] = "two".into();
    let res = admin_post(&server, &token, "/v1/admin/import", Some(&bad)).await;
    assert_eq!(bad_field(res).await, "resources[2].version");
    let res = reqwest::Client::new()
        .post(server.url("/v1/admin/import"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        stored(&server, &token, ID).await["title"],
        demo.resources[0].title.as_str()
    );
    assert_eq!(feed(&server).await.0, etag_before);

    // The same catalogue: nothing changes.
    let same = serde_json::to_value(&demo).unwrap();
    let report: Value = admin_post(&server, &token, "/v1/admin/import", Some(&same))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report, json!({"added": [], "changed": [], "unchanged": 33}));
    assert_eq!(feed(&server).await.0, etag_before);

    // One title changed and one resource added: only those are versioned.
    let mut next = serde_json::to_value(&demo).unwrap();
    next["resources"][0]["title"] = "Imported new title".into();
    let mut added = next["resources"][1].clone();
    added["id"] = "imported-resource".into();
    next["resources"].as_array_mut().unwrap().push(added);
    let res = admin_post(&server, &token, "/v1/admin/import", Some(&next)).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        report,
        json!({"added": ["imported-resource"], "changed": [ID], "unchanged": 32})
    );
    let first = stored(&server, &token, ID).await;
    assert_eq!(first["version"], demo.resources[0].version + 1);
    assert_ne!(first["modified"], demo.resources[0].modified.as_str());
    let second = stored(&server, &token, &demo.resources[1].id).await;
    assert_eq!(second, serde_json::to_value(&demo.resources[1]).unwrap());
    assert_eq!(
        stored(&server, &token, "imported-resource").await["version"],
        1
    );
    assert_eq!(
        public_title(&server, ID).await.1["title"],
        "Imported new title"
    );
    let (etag_after, ids) = feed(&server).await;
    assert_ne!(etag_after, etag_before);
    assert!(ids.contains(&"imported-resource".to_owned()));
}

#[tokio::test]
async fn retired_resources_are_gone_until_restored() {
    let server = TestServer::start().await;
    let token = staff(&server).await;
    let (etag_before, ids) = feed(&server).await;
    assert!(ids.contains(&ID.to_owned()));

    let res = admin_post(
        &server,
        &token,
        &format!("/v1/admin/resources/{ID}/retire"),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["retired"], true);
    let retired_at = answer["retired_at"].as_str().unwrap().to_owned();

    let res = reqwest::get(server.url(&format!("/v1/resources/{ID}")))
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(
        res.text().await.unwrap(),
        r#"{"error":{"code":"gone","message":"This resource has been retired by the CASM team."}}"#
    );
    let (etag_after, ids) = feed(&server).await;
    assert!(!ids.contains(&ID.to_owned()));
    assert_eq!(ids.len(), 32);
    assert_ne!(etag_after, etag_before);
    let stats: Value = reqwest::get(server.url(&format!("/v1/stats?ids={ID}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["resources"], json!({}));
    let other: Value = common::stats(&server, "mercury-free-gold-processing-toolkit").await;
    assert_eq!(other["popularity_total"], 32);
    let vote = common::post(
        &server,
        &format!("/v1/resources/{ID}/vote"),
        json!({"visitor": common::token(1), "helpful": true}),
    )
    .await;
    assert_eq!(vote.status(), 410);
    // An unknown id is still a 404.
    assert_eq!(public_title(&server, "never-was").await.0, 404);

    // The editor still reads it, marked; retiring again keeps the first time.
    let res = admin_get(&server, &token, &format!("/v1/admin/resources/{ID}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["casm-retired-at"], retired_at.as_str());
    let again: Value = admin_post(
        &server,
        &token,
        &format!("/v1/admin/resources/{ID}/retire"),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again["retired_at"], retired_at.as_str());
    // Imports do not bring it back; a restart keeps it retired.
    let demo = serde_json::to_value(common::demo_catalogue()).unwrap();
    let res = admin_post(&server, &token, "/v1/admin/import", Some(&demo)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(public_title(&server, ID).await.0, 410);
    let server = server.restart().await;
    assert_eq!(public_title(&server, ID).await.0, 410);

    let res = admin_post(
        &server,
        &token,
        &format!("/v1/admin/resources/{ID}/restore"),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"id": ID, "retired": false, "retired_at": null})
    );
    assert_eq!(public_title(&server, ID).await.0, 200);
    let (_, ids) = feed(&server).await;
    assert!(ids.contains(&ID.to_owned()));
    assert_eq!(ids.len(), 33);

    let res = admin_post(
        &server,
        &token,
        "/v1/admin/resources/never-was/retire",
        None,
    )
    .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_command_line_import_reaches_a_running_server() {
    let server = TestServer::start_with(Options {
        catalogue_refresh: Some(Duration::from_millis(200)),
        ..Options::default()
    })
    .await;
    let (etag_before, _) = feed(&server).await;
    let mut catalogue = common::demo_catalogue();
    catalogue.resources[0].title = "Imported from the command line".into();
    let file = server.dir.path().join("catalogue.json");
    std::fs::write(&file, serde_json::to_vec(&catalogue).unwrap()).unwrap();
    let out = common::casm_feed_cli(&server.database, &["import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Well within the interval on an idle machine; the margin is for a loaded one.
    let started = std::time::Instant::now();
    loop {
        let (_, item) = public_title(&server, ID).await;
        if item["title"] == "Imported from the command line" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the running server did not pick the import up: {}",
            item["title"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("import served after {:?}", started.elapsed());
    assert_ne!(feed(&server).await.0, etag_before);
}

#[tokio::test]
async fn backups_are_taken_while_serving_and_hold_every_vote() {
    let server = TestServer::start().await;
    let ids = [
        "casm-global-partnership",
        "mercury-free-gold-processing-toolkit",
    ];
    for n in 0..30 {
        let id = ids[n % 2];
        let res = common::post(
            &server,
            &format!("/v1/resources/{id}/vote"),
            json!({"visitor": common::token(n), "helpful": true}),
        )
        .await;
        assert_eq!(res.status(), 200);
    }
    let backup = server.dir.path().join("backups").join("casm-backup.db");
    std::fs::create_dir_all(backup.parent().unwrap()).unwrap();
    let arg = backup.to_str().unwrap().to_owned();

    // Votes keep arriving while the backup runs.
    let voting = {
        let base = server.base.clone();
        tokio::spawn(async move {
            let client = common::client();
            for n in 100..140 {
                let res = client
                    .post(format!("{base}/v1/resources/{}/vote", ids[0]))
                    .json(&json!({"visitor": common::token(n), "helpful": true}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
            }
        })
    };
    let database = server.database.clone();
    let out = tokio::task::spawn_blocking({
        let arg = arg.clone();
        move || common::casm_feed_cli(&database, &["backup", &arg])
    })
    .await
    .unwrap();
    voting.await.unwrap();

    if server.database.starts_with("postgres") {
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("pg_dump"), "{stderr}");
        assert!(!backup.exists());
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Never over an existing file.
    let again = common::casm_feed_cli(&server.database, &["backup", &arg]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));

    let copy = Store::connect(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    let counts = copy.load_counts().await.unwrap();
    let votes = |id: &str| counts.resources.get(id).map_or(0, |c| c.row[0]);
    // Every vote acknowledged before the backup began is in it; the ones sent during it
    // are in it or not, never half.
    assert!((15..=55).contains(&votes(ids[0])), "{}", votes(ids[0]));
    assert_eq!(votes(ids[1]), 15);
    assert_eq!(copy.load_catalogue().await.unwrap().len(), 33);
    copy.close().await;

    // A server started on the copy serves those counts.
    let mut server = server;
    server.stop().await;
    let restored = std::fs::read(&backup).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("casm.db"), restored).unwrap();
    let url = format!("sqlite://{}", dir.path().join("casm.db").display());
    let store = Store::connect(&url).await.unwrap();
    let live = casm_feed::AppState::start(
        casm_feed::Config::new("http://127.0.0.1"),
        store.clone(),
        casm_feed::visitor::VisitorKey::from_secret(b"test"),
    )
    .await
    .unwrap();
    let served = live.live.counters(ids[1]).unwrap();
    let baseline = common::demo_catalogue().resources[1].baseline.helpful_votes;
    assert_eq!(served.helpful_votes, baseline + 15);
    assert_eq!(live.live.counters(ids[0]).unwrap().helpful_votes, {
        let b = common::demo_catalogue().resources[0].baseline.helpful_votes;
        b + votes(ids[0])
    });
    // Not `store.close()`: it waits for every connection, and the writer task keeps one
    // for the life of the runtime.
    drop(live);
}
