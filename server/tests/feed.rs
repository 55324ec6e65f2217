//! The feed, resource and stats reads against a real server.

mod common;

use common::{raw_client, stats, TestServer};
use reqwest::header;
use serde_json::Value;

const SOURCE: &str = "casm-global-partnership";

async fn feed(server: &TestServer, query: &str) -> Value {
    let resp = reqwest::get(server.url(&format!("/v1/feed.json{query}")))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{query}");
    resp.json().await.unwrap()
}

fn is_rfc3339(s: &str) -> bool {
    casm_model::validate::timestamp("t", s).is_ok()
}

/// JSON Feed 1.1's required fields and types, checked by hand from the spec.
fn assert_json_feed_1_1(feed: &Value) {
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert!(feed["title"].as_str().is_some_and(|t| !t.is_empty()));
    for key in ["home_page_url", "feed_url"] {
        assert!(feed[key].as_str().unwrap().starts_with("http://"), "{key}");
    }
    let items = feed["items"].as_array().expect("items is an array");
    for item in items {
        let id = item["id"].as_str().expect("item id is a string");
        assert!(
            item["content_text"].is_string() || item["content_html"].is_string(),
            "{id} has content"
        );
        assert!(item["url"].as_str().unwrap().starts_with("http"));
        for key in ["date_published", "date_modified"] {
            assert!(is_rfc3339(item[key].as_str().unwrap()), "{id} {key}");
        }
        assert!(item["tags"].is_array());
        for a in item["attachments"].as_array().into_iter().flatten() {
            assert!(a["url"].as_str().unwrap().starts_with("http"), "{id}");
            assert!(a["mime_type"].as_str().unwrap().contains('/'), "{id}");
            if let Some(size) = a.get("size_in_bytes") {
                assert!(size.is_u64());
            }
        }
        for author in item["authors"].as_array().into_iter().flatten() {
            assert!(author["name"].is_string());
        }
        // Extensions must start with an underscore.
        let casm = &item["_casm"];
        assert!(casm["kind"].is_string() && casm["links"].is_array());
    }
}

#[tokio::test]
async fn feed_is_valid_json_feed_1_1_and_a_third_party_parser_reads_it() {
    let server = TestServer::start().await;
    let resp = reqwest::get(server.url("/v1/feed.json?limit=100"))
        .await
        .unwrap();
    assert_eq!(
        resp.headers()[header::CONTENT_TYPE],
        "application/feed+json"
    );
    let bytes = resp.bytes().await.unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert_json_feed_1_1(&json);
    assert_eq!(json["items"].as_array().unwrap().len(), 33);

    // feed-rs is an independent JSON Feed / RSS / Atom parser used by feed readers.
    let parsed = feed_rs::parser::parse(&bytes[..]).expect("feed-rs parses the feed");
    assert_eq!(parsed.entries.len(), 33);
    let source = parsed
        .entries
        .iter()
        .find(|e| e.id == SOURCE)
        .expect("the source resource is an entry");
    assert_eq!(
        source.title.as_ref().unwrap().content,
        "Communities and Small Scale Mining (CASM): A global partnership for action"
    );
    assert!(source.published.is_some() && source.updated.is_some());
}

#[tokio::test]
async fn source_resource_has_its_page_information() {
    let server = TestServer::start().await;
    let item: Value = reqwest::get(server.url(&format!("/v1/resources/{SOURCE}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let casm = &item["_casm"];
    let link_titles: Vec<&str> = casm["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        link_titles,
        [
            "Roundtable Agenda",
            "Roundtable Summary Report",
            "List of Participants",
            "Opening Presentation",
            "Final Presentation",
            "Roundtable Photos",
            "Submit your comments"
        ]
    );
    assert_eq!(
        casm["partners"],
        serde_json::json!(["World Bank", "IFC", "DFID", "CommDev"])
    );
    let c = &casm["counters"];
    assert_eq!(c["page_views"], 865);
    assert_eq!(c["helpful_votes"], 0);
    assert_eq!(c["metacard_views"], 1);
    assert_eq!(c["relationships_and_highlights"], 0);
    assert_eq!(c["popularity_rank"], 19);
    assert_eq!(c["popularity_total"], 33);
    assert_eq!(item["date_published"], "2012-02-29T13:47:00-05:00");
    // Local demo files become absolute URLs the server really serves.
    let agenda = casm["links"][0]["url"].as_str().unwrap();
    assert!(agenda.starts_with(&server.base), "{agenda}");

    let missing = reqwest::get(server.url("/v1/resources/no-such-thing"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn feed_etag_gives_304_and_bodies_are_compressed() {
    let server = TestServer::start().await;
    let client = raw_client();
    let first = client
        .get(server.url("/v1/feed.json"))
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()[header::CONTENT_ENCODING], "br");
    assert!(first.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age"));
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "strong ETag: {etag}");
    let compressed = first.bytes().await.unwrap().len();

    let plain = client
        .get(server.url("/v1/feed.json"))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    assert!(compressed * 3 < plain_len, "br {compressed} vs {plain_len}");

    let gzip = client
        .get(server.url("/v1/feed.json"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");

    let again = client
        .get(server.url("/v1/feed.json"))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    let other = client
        .get(server.url("/v1/feed.json"))
        .header(header::IF_NONE_MATCH, "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn feed_pages_filters_and_sorts() {
    let server = TestServer::start().await;
    let page1 = feed(&server, "?limit=10").await;
    assert_eq!(page1["items"].as_array().unwrap().len(), 10);
    let next = page1["next_url"]
        .as_str()
        .expect("next_url on a partial page");
    let page2: Value = reqwest::get(next).await.unwrap().json().await.unwrap();
    assert_eq!(page2["items"].as_array().unwrap().len(), 10);
    assert_ne!(page1["items"][0]["id"], page2["items"][0]["id"]);

    // Walking next_url visits every resource exactly once.
    let mut seen = Vec::new();
    let mut url = Some(server.url("/v1/feed.json?limit=7"));
    while let Some(u) = url {
        let page: Value = reqwest::get(&u).await.unwrap().json().await.unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        url = page["next_url"].as_str().map(str::to_owned);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (33, 33));

    // Popular order is rank order: the source page is the 19th item.
    let popular = feed(&server, "?limit=100&sort=popular").await;
    assert_eq!(popular["items"][18]["id"], SOURCE);

    let recent = feed(&server, "?limit=100&sort=recent").await;
    let dates: Vec<i64> = recent["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| casm_feed::dates::timestamp_secs(i["date_modified"].as_str().unwrap()))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "recent first");

    let by_partner = feed(&server, "?partner=commdev&limit=100").await;
    let items = by_partner["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() < 33);
    for item in items {
        let partners = item["_casm"]["partners"].as_array().unwrap();
        assert!(partners
            .iter()
            .any(|p| p.as_str().unwrap().eq_ignore_ascii_case("CommDev")));
    }
    let tag = items[0]["tags"][0].as_str().unwrap().to_owned();
    let by_tag = feed(&server, &format!("?tag={tag}&limit=100")).await;
    for item in by_tag["items"].as_array().unwrap() {
        assert!(item["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == tag.as_str()));
    }

    let bad = reqwest::get(server.url("/v1/feed.json?limit=0"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["field"], "limit");
    let bad = reqwest::get(server.url("/v1/feed.json?sort=random"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn stats_answers_many_ids_in_one_request() {
    let server = TestServer::start().await;
    let resp = reqwest::get(server.url(&format!(
        "/v1/stats?ids={SOURCE},no-such-id,{}",
        common::demo_catalogue().resources[1].id
    )))
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age=5"));
    let body: Value = resp.json().await.unwrap();
    let resources = body["resources"].as_object().unwrap();
    assert_eq!(resources.len(), 2, "unknown ids are left out");
    assert_eq!(resources[SOURCE]["page_views"], 865);
    assert_eq!(stats(&server, SOURCE).await["popularity_rank"], 19);

    let missing = reqwest::get(server.url("/v1/stats")).await.unwrap();
    assert_eq!(missing.status(), 400);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"]["field"],
        "ids"
    );
    let many = (0..101)
        .map(|i| format!("id-{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let too_many = reqwest::get(server.url(&format!("/v1/stats?ids={many}")))
        .await
        .unwrap();
    assert_eq!(too_many.status(), 400);
}

#[tokio::test]
async fn feed_searches_titles() {
    let server = TestServer::start().await;
    let ids = |feed: &Value| -> Vec<String> {
        feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Case-insensitive, trimmed, a substring anywhere in the title.
    let hits = feed(&server, "?q=%20%20global%20PARTNERSHIP%20&limit=100").await;
    assert_eq!(ids(&hits), [SOURCE]);
    let casm = feed(&server, "?q=casm&limit=100").await;
    let items = casm["items"].as_array().unwrap();
    assert!(ids(&casm).contains(&SOURCE.to_owned()));
    for item in items {
        let title = item["title"].as_str().unwrap().to_lowercase();
        assert!(title.contains("casm"), "{title}");
    }
    assert!(items.len() < 33);

    // Empty or blank is no filter; nothing found is an empty page.
    for blank in ["?q=&limit=100", "?q=%20%20&limit=100"] {
        assert_eq!(
            feed(&server, blank).await["items"]
                .as_array()
                .unwrap()
                .len(),
            33
        );
    }
    let none = feed(&server, "?q=zzzz-no-such-title").await;
    assert!(none["items"].as_array().unwrap().is_empty());
    assert!(none.get("next_url").is_none_or(Value::is_null));

    // Search combines with sort and paging, and next_url keeps it.
    let mining = feed(&server, "?q=Mining&limit=100&sort=recent").await;
    let all = ids(&mining);
    assert!(all.len() > 2, "{all:?}");
    let page1 = feed(&server, "?q=Mining&limit=2&sort=recent").await;
    let next = page1["next_url"].as_str().expect("next_url");
    assert!(next.contains("q=mining"), "{next}");
    let page2: Value = reqwest::get(next).await.unwrap().json().await.unwrap();
    assert_eq!([ids(&page1), ids(&page2)].concat(), all[..4.min(all.len())]);

    // Over 100 characters is a 400 that names the field.
    let long = "a".repeat(101);
    let bad = reqwest::get(server.url(&format!("/v1/feed.json?q={long}")))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert_eq!(body["error"]["field"], "q");
    let ok = reqwest::get(server.url(&format!("/v1/feed.json?q={}", "a".repeat(100))))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}
