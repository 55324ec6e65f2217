//! The counting rules against a model: random streams of votes, undos, views, downloads
//! and feedback, cut into random batches under a random vote cap, give exactly the
//! outcomes and the counts of a plain in-memory model of the rules (README "Counting
//! rules"), on SQLite and, under `scripts/with-postgres.sh`, on PostgreSQL.
//!
//! The model applies writes one by one; the store applies each batch with a few
//! multi-row statements. So this also shows that a batch gives what its writes would give
//! one at a time, whatever repeats inside it.

mod common;

use casm_feed::counts::{Change, CountRow, MAINTAINED};
use casm_feed::store::{Applied, Rules, Store, Write};
use casm_model::EventKind;
use proptest::prelude::*;
use sqlx::{Connection, Executor};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

const RESOURCES: [&str; 2] = ["casm-global-partnership", "women-in-asm-toolkit"];
/// The view window of every case, in seconds.
const WINDOW: i64 = 100;
/// Some day's noon, so that the small steps between batches stay within one day.
const START: i64 = 20_000 * 86_400 + 43_200;

/// One write as the strategy draws it: small index spaces, so that repeats, undos of
/// other partners' votes and networks reaching the cap are common.
#[derive(Clone, Debug)]
enum Op {
    Vote {
        resource: usize,
        visitor: u8,
        helpful: bool,
        partner: u8,
        network: u8,
    },
    View {
        resource: usize,
        visitor: u8,
        metacard: bool,
        partner: u8,
    },
    Download {
        resource: usize,
        link: u8,
        partner: u8,
    },
    Feedback {
        resource: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let resource = 0..RESOURCES.len();
    prop_oneof![
        5 => (resource.clone(), 0u8..5, prop::bool::weighted(0.7), 0u8..2, 0u8..2).prop_map(
            |(resource, visitor, helpful, partner, network)| Op::Vote {
                resource,
                visitor,
                helpful,
                partner,
                network
            }
        ),
        4 => (resource.clone(), 0u8..4, any::<bool>(), 0u8..2).prop_map(
            |(resource, visitor, metacard, partner)| Op::View {
                resource,
                visitor,
                metacard,
                partner
            }
        ),
        1 => (resource.clone(), 0u8..2, 0u8..2).prop_map(|(resource, link, partner)| {
            Op::Download {
                resource,
                link,
                partner,
            }
        }),
        1 => resource.prop_map(|resource| Op::Feedback { resource }),
    ]
}

/// Seconds from one batch to the next: mostly inside the view window, sometimes past
/// it, now and then a whole day (a new day's cap).
fn step() -> impl Strategy<Value = i64> {
    prop_oneof![8 => 0i64..2 * WINDOW, 1 => Just(86_400)]
}

fn write(op: &Op, now: i64) -> Write {
    let day = casm_feed::dates::day_of(now);
    match op {
        Op::Vote {
            resource,
            visitor,
            helpful,
            partner,
            network,
        } => Write::Vote {
            resource: RESOURCES[*resource].into(),
            visitor: format!("v{visitor}"),
            helpful: *helpful,
            partner: format!("p{partner}"),
            // The network hash is salted per day: a new day is a new network.
            network: format!("n{network}-{day}"),
            day,
        },
        Op::View {
            resource,
            visitor,
            metacard,
            partner,
        } => Write::Event {
            kind: if *metacard {
                EventKind::MetacardView
            } else {
                EventKind::View
            },
            resource: RESOURCES[*resource].into(),
            link: None,
            visitor: format!("v{visitor}"),
            partner: format!("p{partner}"),
        },
        Op::Download {
            resource,
            link,
            partner,
        } => Write::Event {
            kind: EventKind::Download,
            resource: RESOURCES[*resource].into(),
            link: Some(format!("link-{link}")),
            visitor: "v0".into(),
            partner: format!("p{partner}"),
        },
        Op::Feedback { resource } => Write::Feedback {
            resource: RESOURCES[*resource].into(),
            partner: "p0".into(),
            text: "Useful, thank you".into(),
            contact: None,
        },
    }
}

/// The rules, one write at a time, in memory.
#[derive(Default)]
struct Model {
    /// (resource, visitor) → the partner the vote counts for.
    votes: HashMap<(String, String), String>,
    /// (day, network, resource) → votes added that day.
    caps: HashMap<(i64, String, String), u32>,
    /// (resource, visitor, kind) → when the view last counted.
    marks: HashMap<(String, String, &'static str), i64>,
    /// (partner, resource) → counters.
    counts: BTreeMap<(String, String), [i64; MAINTAINED]>,
    /// (resource, link) → downloads.
    links: BTreeMap<(String, String), u64>,
}

impl Model {
    fn apply(&mut self, write: &Write, rules: &Rules, now: i64) -> Applied {
        let applied = match write {
            Write::Vote {
                resource,
                visitor,
                helpful: true,
                partner,
                network,
                day,
            } => {
                let cap = self
                    .caps
                    .entry((*day, network.clone(), resource.clone()))
                    .or_default();
                match self.votes.entry((resource.clone(), visitor.clone())) {
                    std::collections::hash_map::Entry::Occupied(_) => Applied::Unchanged,
                    _ if rules.vote_cap > 0 && *cap >= rules.vote_cap => Applied::Capped,
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        *cap += 1;
                        slot.insert(partner.clone());
                        Applied::Changed(Change::Vote {
                            resource: resource.clone(),
                            partner: partner.clone(),
                            delta: 1,
                        })
                    }
                }
            }
            Write::Vote {
                resource, visitor, ..
            } => match self.votes.remove(&(resource.clone(), visitor.clone())) {
                Some(partner) => Applied::Changed(Change::Vote {
                    resource: resource.clone(),
                    partner,
                    delta: -1,
                }),
                None => Applied::Unchanged,
            },
            Write::Event {
                kind,
                resource,
                link,
                visitor,
                partner,
            } => {
                let counts = match kind {
                    EventKind::View | EventKind::MetacardView => {
                        let key = (resource.clone(), visitor.clone(), kind.name());
                        let fresh = self
                            .marks
                            .get(&key)
                            .is_none_or(|t| *t <= now - rules.view_window);
                        if fresh {
                            self.marks.insert(key, now);
                        }
                        fresh
                    }
                    _ => true,
                };
                if !counts {
                    return Applied::Unchanged;
                }
                if let Some(link) = link {
                    *self
                        .links
                        .entry((resource.clone(), link.clone()))
                        .or_default() += 1;
                }
                Applied::Changed(Change::Event {
                    kind: *kind,
                    resource: resource.clone(),
                    link: link.clone(),
                    partner: partner.clone(),
                })
            }
            Write::Feedback { .. } => Applied::Feedback {
                id: 0,
                created_at: now,
            },
        };
        if let Applied::Changed(change) = &applied {
            let (resource, partner, column, delta) = change.column_delta();
            self.counts
                .entry((partner.to_owned(), resource.to_owned()))
                .or_default()[column] += delta;
        }
        applied
    }
}

/// Feedback ids are the database's; everything else must match exactly.
fn same(got: &Applied, want: &Applied) -> bool {
    match (got, want) {
        (
            Applied::Feedback { id, created_at },
            Applied::Feedback {
                created_at: want, ..
            },
        ) => *id > 0 && created_at == want,
        _ => got == want,
    }
}

struct Fixture {
    runtime: tokio::runtime::Runtime,
    store: Store,
    url: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (store, url) = runtime.block_on(async {
            let url = common::new_database(dir.path()).await;
            let store = Store::connect(&url).await.unwrap();
            store.import(&common::demo_catalogue()).await.unwrap();
            (store, url)
        });
        Fixture {
            runtime,
            store,
            url,
            _dir: dir,
        }
    })
}

/// Empties every table the writer writes, so each case starts from nothing.
async fn clear(url: &str) {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    for table in [
        "votes",
        "vote_caps",
        "view_marks",
        "events",
        "feedback",
        "partner_counters",
        "daily_counters",
        "link_counters",
    ] {
        conn.execute(format!("DELETE FROM {table}").as_str())
            .await
            .unwrap();
    }
}

fn stored_counts(counts: &casm_feed::store::Counts) -> BTreeMap<(String, String), CountRow> {
    let mut out = BTreeMap::new();
    for (resource, partners) in &counts.by_partner {
        for (partner, row) in partners {
            if row.iter().any(|n| *n != 0) {
                out.insert((partner.clone(), resource.clone()), *row);
            }
        }
    }
    out
}

fn model_counts(model: &Model) -> BTreeMap<(String, String), CountRow> {
    model
        .counts
        .iter()
        .filter(|(_, row)| row.iter().any(|n| *n != 0))
        .map(|(key, row)| (key.clone(), row.map(|n| n.max(0) as u64)))
        .collect()
}

proptest! {
    #[test]
    fn batches_count_exactly_as_the_rules_one_by_one(
        vote_cap in 0u32..4,
        batches in prop::collection::vec((step(), prop::collection::vec(op(), 1..14)), 1..7),
    ) {
        let fixture = fixture();
        let rules = Rules { vote_cap, view_window: WINDOW };
        let (outcomes, model, stored, links, rows) = fixture.runtime.block_on(async {
            clear(&fixture.url).await;
            let mut writer = fixture.store.batch_writer(rules).await.unwrap();
            let mut model = Model::default();
            let mut now = START;
            let mut outcomes = Vec::new();
            for (step, ops) in &batches {
                now += step;
                let writes: Vec<Write> = ops.iter().map(|op| write(op, now)).collect();
                let want: Vec<Applied> = writes.iter().map(|w| model.apply(w, &rules, now)).collect();
                let got = writer.commit(&writes, now).await.unwrap();
                outcomes.push((writes, got, want));
            }
            let counts = fixture.store.load_counts().await.unwrap();
            let links: BTreeMap<(String, String), u64> = counts
                .resources
                .iter()
                .flat_map(|(r, c)| c.links.iter().map(|(l, n)| ((r.clone(), l.clone()), *n)))
                .collect();
            let mut conn = sqlx::AnyConnection::connect(&fixture.url).await.unwrap();
            let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM votes")
                .fetch_one(&mut conn)
                .await
                .unwrap();
            (outcomes, model, stored_counts(&counts), links, rows)
        });
        for (writes, got, want) in &outcomes {
            prop_assert_eq!(got.len(), want.len());
            for ((w, g), x) in writes.iter().zip(got).zip(want) {
                prop_assert!(same(g, x), "{:?}: stored {:?}, the rules say {:?}", w, g, x);
            }
        }
        prop_assert_eq!(stored, model_counts(&model));
        prop_assert_eq!(links, model.links.clone());
        prop_assert_eq!(rows as usize, model.votes.len());
    }
}
