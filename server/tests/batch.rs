//! The writer's multi-row fast path gives exactly the outcomes of applying each write alone.

mod common;

use casm_feed::store::{apply, apply_batch, Applied, Store, Write};
use casm_model::EventKind;
use sqlx::Connection;

const SOURCE: &str = "casm-global-partnership";
const OTHER: &str = "women-in-asm-toolkit";

fn writes(visitors: &[String], networks: &[&str]) -> Vec<Write> {
    let mut w = Vec::new();
    for (i, v) in visitors.iter().enumerate() {
        let resource = if i % 3 == 0 { OTHER } else { SOURCE };
        w.push(Write::Vote {
            resource: resource.into(),
            visitor: v.clone(),
            helpful: i % 7 != 3,
            partner: "p".into(),
            network: networks[i % networks.len()].into(),
            day: 20_000,
            cap: 4,
        });
        w.push(Write::Event {
            kind: if i % 2 == 0 {
                EventKind::View
            } else {
                EventKind::MetacardView
            },
            resource: resource.into(),
            link: None,
            visitor: v.clone(),
            partner: "p".into(),
            view_window: 1800,
        });
    }
    w.push(Write::Event {
        kind: EventKind::Download,
        resource: SOURCE.into(),
        link: Some("roundtable-agenda".into()),
        visitor: visitors[0].clone(),
        partner: "p".into(),
        view_window: 1800,
    });
    w
}

async fn fresh_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&common::new_database(dir.path()).await)
        .await
        .unwrap();
    store.import(&common::demo_catalogue()).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn batch_and_one_by_one_agree_including_the_cap() {
    let visitors: Vec<String> = (0..40).map(common::token).collect();
    let networks = ["net-a", "net-b", "net-c"];
    let (_d1, one) = fresh_store().await;
    let (_d2, batch) = fresh_store().await;

    // Run twice, so the second round meets existing votes, view marks and caps.
    for _ in 0..2 {
        let w = writes(&visitors, &networks);
        let mut conn = one.writer_connection().await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        let mut expected = Vec::new();
        for write in &w {
            expected.push(apply(&mut tx, write).await.unwrap());
        }
        tx.commit().await.unwrap();

        let mut conn = batch.writer_connection().await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        let got = apply_batch(&mut tx, &w).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(got, expected);
        let capped = got.iter().filter(|a| **a == Applied::Capped).count();
        assert!(capped > 0, "the cap was exercised");
    }
}
