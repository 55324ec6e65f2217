//! Numbers over time against a real server: `/v1/admin/series`, `summary` and
//! `export.csv` from `daily_counters`, which the writer keeps with every batch; token
//! scopes; parameter errors; and the back-fill of `daily_counters` from stored events
//! and votes.

mod common;

use casm_feed::dates::iso_date;
use casm_feed::store::{Partner, Store};
use common::{post, raw_client, token, TestServer, BROWSER_UA};
use serde_json::{json, Value};
use sqlx::Row;

const SOURCE: &str = "casm-global-partnership";
const TOOLKIT: &str = "mercury-free-gold-processing-toolkit";
const OTHER_ORIGIN: &str = "http://other.test";

/// A token made in the server's database, as `casm-feed admin token create` makes it.
async fn admin_token(server: &TestServer, name: &str, partner: Option<&str>) -> String {
    let store = Store::connect(&server.database).await.unwrap();
    let token = store.create_token(name, partner).await.unwrap();
    store.close().await;
    token
}

/// A server with a second partner, `other`, whose site is [`OTHER_ORIGIN`].
async fn two_partner_server() -> TestServer {
    let server = TestServer::start().await;
    let store = Store::connect(&server.database).await.unwrap();
    store
        .add_partner(&Partner {
            key: "other".into(),
            name: "Other, \"second\" partner".into(),
            origins: vec![OTHER_ORIGIN.into()],
        })
        .await
        .unwrap();
    store.close().await;
    // Partners are loaded at start.
    server.restart().await
}

/// POSTs from the second partner's site.
async fn post_other(server: &TestServer, path: &str, body: Value) -> reqwest::Response {
    reqwest::Client::builder()
        .user_agent(BROWSER_UA)
        .build()
        .unwrap()
        .post(server.url(path))
        .header("origin", OTHER_ORIGIN)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn view(server: &TestServer, resource: &str, visitor: usize) {
    let body = json!({"type": "view", "resource": resource, "visitor": token(visitor)});
    assert_eq!(post(server, "/v1/events", body).await.status(), 202);
}

async fn vote(server: &TestServer, resource: &str, visitor: usize, helpful: bool) {
    let body = json!({"visitor": token(visitor), "helpful": helpful});
    let path = format!("/v1/resources/{resource}/vote");
    assert_eq!(post(server, &path, body).await.status(), 200);
}

/// GET with a bearer token: status and body.
async fn get(server: &TestServer, path: &str, bearer: Option<&str>) -> reqwest::Response {
    let mut req = raw_client().get(server.url(path));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn get_json(server: &TestServer, path: &str, bearer: &str) -> Value {
    let res = get(server, path, Some(bearer)).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    res.json().await.unwrap()
}

fn today() -> i64 {
    casm_feed::dates::utc_day()
}

/// `from=<today-2>&to=<today>`.
fn last_three_days() -> String {
    format!("from={}&to={}", iso_date(today() - 2), iso_date(today()))
}

#[tokio::test]
async fn writes_show_on_today_per_partner_and_resource_and_as_csv() {
    let server = two_partner_server().await;
    let staff = admin_token(&server, "ana", None).await;
    // test-partner: 3 views of SOURCE, 1 of TOOLKIT, 2 votes on SOURCE (one undone, one
    // more kept); other: 1 view of TOOLKIT.
    for v in 0..3 {
        view(&server, SOURCE, v).await;
    }
    view(&server, TOOLKIT, 0).await;
    vote(&server, SOURCE, 0, true).await;
    vote(&server, SOURCE, 1, true).await;
    vote(&server, SOURCE, 1, false).await;
    let body = json!({"type": "view", "resource": TOOLKIT, "visitor": token(9)});
    assert_eq!(post_other(&server, "/v1/events", body).await.status(), 202);

    let days = last_three_days();
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&by=partner"),
        &staff,
    )
    .await;
    let day_list: Vec<String> = (today() - 2..=today()).map(iso_date).collect();
    assert_eq!(
        s,
        json!({
            "from": iso_date(today() - 2), "to": iso_date(today()),
            "metric": "page_views", "by": "partner", "days": day_list,
            "series": [
                {"key": "test-partner", "name": "Test partner", "values": [0, 0, 4], "total": 4},
                {"key": "other", "name": "Other, \"second\" partner", "values": [0, 0, 1], "total": 1},
            ],
        })
    );

    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&by=resource"),
        &staff,
    )
    .await;
    let catalogue = common::demo_catalogue();
    let title = |id: &str| {
        catalogue
            .resources
            .iter()
            .find(|r| r.id == id)
            .unwrap()
            .title
            .clone()
    };
    assert_eq!(
        s["series"],
        json!([
            {"key": SOURCE, "name": title(SOURCE), "values": [0, 0, 3], "total": 3},
            {"key": TOOLKIT, "name": title(TOOLKIT), "values": [0, 0, 2], "total": 2},
        ])
    );

    // Without `by`: one series, "all"; votes are net (the undone one is gone).
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&metric=helpful_votes"),
        &staff,
    )
    .await;
    assert_eq!(s["by"], Value::Null);
    assert_eq!(
        s["series"],
        json!([{"key": "all", "name": "All", "values": [0, 0, 1], "total": 1}])
    );
    // A metric nothing moved: no groups by partner; without `by`, one series of zeros.
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&metric=videos_downloaded&by=partner"),
        &staff,
    )
    .await;
    assert_eq!(s["series"], json!([]));
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&metric=videos_downloaded"),
        &staff,
    )
    .await;
    assert_eq!(s["series"][0]["values"], json!([0, 0, 0]));

    // Filters: one resource, one partner.
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&by=partner&resource={TOOLKIT}"),
        &staff,
    )
    .await;
    let keys: Vec<&str> = s["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["other", "test-partner"], "equal totals go by key");
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&partner=other"),
        &staff,
    )
    .await;
    assert_eq!(s["series"][0]["total"], 1);

    // The default period: the 30 days ending today.
    let s = get_json(&server, "/v1/admin/series", &staff).await;
    assert_eq!(s["days"].as_array().unwrap().len(), 30);
    assert_eq!(s["to"], iso_date(today()));
    assert_eq!(s["series"][0]["values"][29], 5);

    // The CSV is the series in long form, in the same order.
    for query in [
        format!("{days}&by=partner"),
        format!("{days}&by=resource"),
        format!("{days}&metric=helpful_votes"),
    ] {
        let series = get_json(&server, &format!("/v1/admin/series?{query}"), &staff).await;
        let res = get(
            &server,
            &format!("/v1/admin/export.csv?{query}"),
            Some(&staff),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let metric = series["metric"].as_str().unwrap();
        assert_eq!(
            res.headers()["content-disposition"],
            format!(
                "attachment; filename=\"casm-{metric}-{}-{}.csv\"",
                series["from"].as_str().unwrap(),
                series["to"].as_str().unwrap()
            )
        );
        let csv = res.text().await.unwrap();
        let group = series["by"].as_str().unwrap_or("all");
        let mut expected = format!("day,{group},{metric}\r\n");
        for g in series["series"].as_array().unwrap() {
            for (day, value) in series["days"]
                .as_array()
                .unwrap()
                .iter()
                .zip(g["values"].as_array().unwrap())
            {
                expected += &format!(
                    "{},{},{value}\r\n",
                    day.as_str().unwrap(),
                    g["key"].as_str().unwrap()
                );
            }
        }
        assert_eq!(csv, expected, "{query}");
    }

    // The command line prints the same file.
    let res = get(
        &server,
        &format!("/v1/admin/export.csv?{days}&by=partner"),
        Some(&staff),
    )
    .await;
    let csv = res.text().await.unwrap();
    let from = iso_date(today() - 2);
    let to = iso_date(today());
    let out = common::casm_feed_cli(
        &server.database,
        &[
            "stats", "--csv", "--from", &from, "--to", &to, "--by", "partner",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), csv);
    let out = common::casm_feed_cli(&server.database, &["stats", "--csv", "--metric", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--metric"));
    // Without --csv, `stats` prints what it always did.
    let out = common::casm_feed_cli(&server.database, &["stats"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("partner\tresource\thelpful_votes\t"),
        "{text}"
    );
    let out = common::casm_feed_cli(&server.database, &["stats", "--from", &from]);
    assert!(!out.status.success(), "--from needs --csv");

    // Summary: this period against the one before; the top lists.
    let s = get_json(&server, &format!("/v1/admin/summary?{days}"), &staff).await;
    assert_eq!(
        s["previous"],
        json!({"from": iso_date(today() - 5), "to": iso_date(today() - 3)})
    );
    assert_eq!(s["totals"]["page_views"], 5);
    assert_eq!(s["totals"]["helpful_votes"], 1);
    assert_eq!(s["totals"]["videos_downloaded"], 0);
    assert_eq!(s["previous_totals"]["page_views"], 0);
    assert_eq!(s["top_resources"][0]["id"], SOURCE);
    assert_eq!(s["top_resources"][0]["title"], title(SOURCE));
    assert_eq!(s["top_resources"][0]["totals"]["page_views"], 3);
    assert_eq!(s["top_resources"][1]["id"], TOOLKIT);
    assert_eq!(s["top_resources"].as_array().unwrap().len(), 2);
    assert_eq!(s["top_partners"][0]["key"], "test-partner");
    assert_eq!(s["top_partners"][0]["totals"]["page_views"], 4);
    assert_eq!(s["top_partners"][1]["name"], "Other, \"second\" partner");
    // Tomorrow's period has today's numbers as its previous ones.
    let s = get_json(
        &server,
        &format!(
            "/v1/admin/summary?from={}&to={}",
            iso_date(today() + 1),
            iso_date(today() + 1)
        ),
        &staff,
    )
    .await;
    assert_eq!(s["totals"]["page_views"], 0);
    assert_eq!(s["previous_totals"]["page_views"], 5);
}

#[tokio::test]
async fn tokens_are_needed_and_a_partner_sees_only_its_own_numbers() {
    let server = two_partner_server().await;
    view(&server, SOURCE, 0).await;
    let body = json!({"type": "view", "resource": TOOLKIT, "visitor": token(9)});
    assert_eq!(post_other(&server, "/v1/events", body).await.status(), 202);
    let days = last_three_days();

    for path in [
        "/v1/admin/series",
        "/v1/admin/summary",
        "/v1/admin/export.csv",
    ] {
        let res = get(&server, path, None).await;
        assert_eq!(res.status(), 401, "{path}");
        let res = get(&server, path, Some("casm_not-a-token")).await;
        assert_eq!(res.status(), 401, "{path}");
    }

    let mine = admin_token(&server, "partner-test-partner", Some("test-partner")).await;
    for path in [
        "/v1/admin/series?partner=other",
        "/v1/admin/summary?partner=other",
        "/v1/admin/export.csv?partner=other",
    ] {
        let res = get(&server, path, Some(&mine)).await;
        assert_eq!(res.status(), 403, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&by=partner"),
        &mine,
    )
    .await;
    assert_eq!(s["series"].as_array().unwrap().len(), 1);
    assert_eq!(s["series"][0]["key"], "test-partner");
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&by=resource"),
        &mine,
    )
    .await;
    assert_eq!(s["series"].as_array().unwrap().len(), 1, "{s}");
    assert_eq!(s["series"][0]["key"], SOURCE);
    let s = get_json(
        &server,
        &format!("/v1/admin/series?{days}&partner=test-partner"),
        &mine,
    )
    .await;
    assert_eq!(s["series"][0]["total"], 1);
    let s = get_json(&server, &format!("/v1/admin/summary?{days}"), &mine).await;
    assert_eq!(s["totals"]["page_views"], 1);
    let partners: Vec<&str> = s["top_partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(partners, ["test-partner"]);
    assert_eq!(s["top_resources"].as_array().unwrap().len(), 1);
    let csv = get(
        &server,
        &format!("/v1/admin/export.csv?{days}&by=partner"),
        Some(&mine),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(!csv.contains("other"), "{csv}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

#[tokio::test]
async fn bad_parameters_get_a_400_naming_them() {
    let server = TestServer::start().await;
    let staff = admin_token(&server, "ana", None).await;
    let cases = [
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("to=2026-02-30", "to"),
        ("from=2026-11-02&to=2026-11-01", "from"),
        ("from=2025-01-01&to=2026-01-02", "from"),
        ("metric=popularity_rank", "metric"),
        ("metric=PAGE_VIEWS", "metric"),
        ("by=day", "by"),
        ("resource=no-such-resource", "resource"),
        ("metrics=page_views", "metrics"),
    ];
    for route in ["series", "export.csv"] {
        for (query, field) in cases {
            let res = get(&server, &format!("/v1/admin/{route}?{query}"), Some(&staff)).await;
            assert_eq!(res.status(), 400, "{route}?{query}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["field"], field, "{route}?{query}");
        }
    }
    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("from=2025-01-01&to=2026-01-02", "from"),
        ("metric=page_views", "metric"),
    ] {
        let res = get(&server, &format!("/v1/admin/summary?{query}"), Some(&staff)).await;
        assert_eq!(res.status(), 400, "summary?{query}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "summary?{query}");
    }
    // 366 days is allowed.
    let res = get(
        &server,
        "/v1/admin/series?from=2024-01-01&to=2024-12-31",
        Some(&staff),
    )
    .await;
    assert_eq!(res.status(), 200);
    let s: Value = res.json().await.unwrap();
    assert_eq!(s["days"].as_array().unwrap().len(), 366);
}

/// `SUM` of every counter per (resource, partner) of a table, rows of all zeros left out.
async fn sums_by_resource_and_partner(
    database: &str,
    table: &str,
) -> Vec<(String, String, Vec<i64>)> {
    let columns = casm_feed::store::COUNTER_COLUMNS;
    let sums = columns
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(database).await.unwrap();
    let rows = sqlx::query(&format!(
        "SELECT resource_id, partner, {sums} FROM {table} GROUP BY resource_id, partner \
         ORDER BY resource_id, partner"
    ))
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get("resource_id").unwrap(),
                row.try_get("partner").unwrap(),
                columns
                    .iter()
                    .map(|c| row.try_get::<i64, _>(*c).unwrap())
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, _, sums)| sums.iter().any(|n| *n != 0))
        .collect()
}

#[tokio::test]
async fn daily_counters_add_up_to_partner_counters_and_the_backfill_rebuilds_them() {
    let mut server = two_partner_server().await;
    for v in 0..5 {
        view(&server, SOURCE, v).await;
        vote(&server, TOOLKIT, v, true).await;
    }
    vote(&server, TOOLKIT, 2, false).await;
    for (kind, link) in [
        ("metacard_view", None),
        ("email", None),
        ("download", Some("roundtable-agenda")),
        ("download", Some("summary-report")),
    ] {
        let mut body = json!({"type": kind, "resource": SOURCE, "visitor": token(1)});
        if let Some(link) = link {
            body["link"] = json!(link);
        }
        assert_eq!(post(&server, "/v1/events", body).await.status(), 202);
    }
    let body = json!({"type": "email", "resource": TOOLKIT, "visitor": token(9)});
    assert_eq!(post_other(&server, "/v1/events", body).await.status(), 202);
    let body = json!({"visitor": token(9), "helpful": true});
    let path = format!("/v1/resources/{SOURCE}/vote");
    assert_eq!(post_other(&server, &path, body).await.status(), 200);
    server.stop().await;

    let maintained = sums_by_resource_and_partner(&server.database, "partner_counters").await;
    let daily = sums_by_resource_and_partner(&server.database, "daily_counters").await;
    assert_eq!(maintained.len(), 4, "{maintained:?}");
    assert_eq!(daily, maintained);

    // The migration's back-fill: emptied, asked for again, then run by Store::connect.
    {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&server.database)
            .await
            .unwrap();
        sqlx::query("DELETE FROM daily_counters")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO pending_backfills (name) VALUES ('daily_counters')")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let store = Store::connect(&server.database).await.unwrap();
    store.close().await;
    let rebuilt = sums_by_resource_and_partner(&server.database, "daily_counters").await;
    assert_eq!(rebuilt, maintained);
    // All of it on today, the day of the rows' created_at.
    let server = server.restart().await;
    let staff = admin_token(&server, "ana", None).await;
    let s = get_json(
        &server,
        &format!(
            "/v1/admin/series?{}&metric=helpful_votes",
            last_three_days()
        ),
        &staff,
    )
    .await;
    assert_eq!(s["series"][0]["values"], json!([0, 0, 5]));
    // Asked again: claimed once, the pending row is gone.
    let store = Store::connect(&server.database).await.unwrap();
    store.rebuild_daily_counters().await.unwrap();
    store.close().await;
    let again = sums_by_resource_and_partner(&server.database, "daily_counters").await;
    assert_eq!(again, maintained);
}

#[test]
fn the_backfill_maps_every_event_kind_through_its_counter() {
    let sql = casm_feed::store::backfill_sql();
    for kind in casm_model::EventKind::ALL {
        let rule = format!(
            "WHEN kind IN ('{}') THEN 1 ELSE 0 END) AS {}",
            kind.name(),
            kind.counter().name()
        );
        assert!(sql.contains(&rule), "{kind:?}: {sql}");
    }
    assert!(sql.contains("COUNT(*) AS helpful_votes"));
}
