//! What one committed batch costs the in-memory state at 10,000 resources (issue 12): the
//! time of `Live::apply` for batches of votes, and of the feed page requests after each
//! batch (a page the batch made stale is rebuilt and recompressed). Prints figures; it is
//! a benchmark, not a test. `scripts/bench-scale.sh` measures the same over HTTP.
//!
//! `cargo run --profile server -p casm-feed --example live_apply`
//! Environment: `RESOURCES` (10000), `BATCHES` (2000).

use casm_feed::counts::{Change, Counts, LiveCounts};
use casm_feed::feed::FeedQuery;
use casm_feed::live::Live;
use casm_model::{Catalogue, Sort};
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift), so every run measures the same batches.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A skewed pick in `0..n`: the product of three uniform draws, as the scale data.
    fn skewed(&mut self, n: usize) -> usize {
        let mut u = 1.0;
        for _ in 0..3 {
            u *= (self.next() % 1_000_000) as f64 / 1_000_000.0;
        }
        ((n as f64 * u) as usize).min(n - 1)
    }
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// p50, p99 and mean in microseconds.
fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = times.iter().map(|d| us(*d)).sum::<f64>() / times.len() as f64;
    format!(
        "{:.1} | {:.1} | {:.1}",
        us(times[times.len() / 2]),
        us(times[times.len() * 99 / 100]),
        mean
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n = env("RESOURCES", 10_000);
    let batches = env("BATCHES", 2_000);
    let demo: Catalogue = serde_json::from_slice(&std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/demo-catalogue.json"
    ))?)?;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut counts = Counts::default();
    let resources: Vec<_> = (0..n)
        .map(|i| {
            let mut r = demo.resources[i % demo.resources.len()].clone();
            r.id = format!("{}-{}", r.id, i / demo.resources.len());
            r.related.clear();
            let mut live = LiveCounts::default();
            // Page views with the scale data's long tail; a few votes.
            live.add(1, (rng.skewed(50_000) as i64) / 10);
            live.add(0, (rng.next() % 10) as i64);
            counts.resources.insert(r.id.clone(), live);
            r
        })
        .collect();
    let ids: Vec<String> = resources.iter().map(|r| r.id.clone()).collect();
    let started = Instant::now();
    let live = Live::new(resources, counts, "http://127.0.0.1:8080");
    println!(
        "{n} resources in memory and ranked in {:.1} ms\n",
        started.elapsed().as_secs_f64() * 1e3
    );
    let pages: Vec<FeedQuery> = [0, n / 2, n.saturating_sub(50)]
        .into_iter()
        .map(|offset| FeedQuery {
            offset,
            ..FeedQuery::default()
        })
        .chain(std::iter::once(FeedQuery {
            sort: Sort::Recent,
            ..FeedQuery::default()
        }))
        .collect();
    println!("| votes a batch | Live::apply p50 µs | p99 µs | mean µs | 4 feed pages after it: p50 µs | p99 µs | mean µs |");
    println!("|---|---|---|---|---|---|---|");
    for size in [1, 32, 256] {
        for query in &pages {
            live.feed_page(query);
        }
        let mut apply = Vec::with_capacity(batches);
        let mut read = Vec::with_capacity(batches);
        for _ in 0..batches {
            let batch: Vec<Change> = (0..size)
                .map(|_| Change::Vote {
                    resource: ids[rng.skewed(n)].clone(),
                    partner: "bench".into(),
                    delta: 1,
                })
                .collect();
            let t = Instant::now();
            live.apply(&batch);
            apply.push(t.elapsed());
            let t = Instant::now();
            for query in &pages {
                live.feed_page(query);
            }
            read.push(t.elapsed());
        }
        println!("| {size} | {} | {} |", summary(apply), summary(read));
    }
    Ok(())
}
