//! The in-memory copy of the catalogue and counts that every GET is served from.
//!
//! Locks are std `Mutex`/`RwLock`, not tokio's: they are held for microseconds and never
//! across an `.await`. The catalogue is an `Arc` swapped whole under a write lock
//! ([`Live::replace_catalogue`]); readers clone the `Arc` and let go of the lock, so a
//! request sees one catalogue from start to end. Lock order: counts, then catalogue,
//! then feed cache.

use crate::counts::{Change, CountRow, Counts, LiveCounts, Partner, MAINTAINED};
use crate::feed::{self, Encoded, FeedQuery};
use casm_model::{rank, wire, Baseline, Counter, Counters, RankedScore, Resource, Sort};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::watch;

/// Baseline plus live counts: the maintained counters of [`Counters`].
fn totals(b: &Baseline, live: Option<&LiveCounts>) -> Counters {
    let row = live.map_or([0; MAINTAINED], |l| l.row);
    let mut counters = Counters::default();
    for (counter, n) in Counter::MAINTAINED.into_iter().zip(row) {
        counters.set(counter, b.get(counter).saturating_add(n));
    }
    counters
}

/// A resource with its JSON Feed item rendered once (without counters).
pub struct Entry {
    pub resource: Resource,
    pub item: wire::Item,
}

struct CountTable {
    live: HashMap<String, LiveCounts>,
    /// Counts by resource, then partner key.
    by_partner: HashMap<String, BTreeMap<String, CountRow>>,
    /// Rank (1-based) by resource id.
    ranks: HashMap<String, u32>,
    /// Resource ids by rank, for `sort=popular`.
    popular: Vec<String>,
    /// Where `/v1/stream` learns what changed ([`Live::changed_since`]).
    changes: ChangeLog,
}

/// What changed, for the streams: a sequence number moved once per round of changes (a
/// writer batch, a refresh, a new catalogue), and for each resource the number of the
/// round that last changed its counters. A stream remembers the number it last sent, so
/// it can be woken for any change and send only its own ids, and a client that
/// reconnects says where it was (`Last-Event-ID`) and gets what changed since, exactly,
/// with no history kept. One entry per resource ever changed: bounded by the catalogue.
#[derive(Default)]
struct ChangeLog {
    seq: u64,
    last: HashMap<String, u64>,
    /// Something was marked in the round under way (`seq + 1`).
    pending: bool,
}

impl ChangeLog {
    /// Marks `id` as changed in the round under way.
    fn mark(&mut self, id: &str) {
        let round = self.seq + 1;
        match self.last.get_mut(id) {
            Some(at) => *at = round,
            None => {
                self.last.insert(id.to_owned(), round);
            }
        }
        self.pending = true;
    }

    /// Ends the round: if anything changed, moves the sequence and wakes the streams.
    fn publish(&mut self, wake: &watch::Sender<u64>) {
        if std::mem::take(&mut self.pending) {
            self.seq += 1;
            wake.send_replace(self.seq);
        }
    }
}

struct FeedCache {
    /// Feed pages depend on the catalogue and the popularity order; any change to either
    /// empties the cache.
    pages: HashMap<FeedQuery, Arc<Encoded>>,
    /// Counts the emptyings: a page built while one happened is served but not kept, so
    /// a page of the old catalogue or order never outlives the change.
    generation: u64,
}

impl FeedCache {
    fn clear(&mut self) {
        self.pages.clear();
        self.generation += 1;
    }
}

/// One catalogue as served: its resources with their rendered items, and the retired ids.
struct Snapshot {
    /// The store's catalogue version it was loaded at (0 when built from a list).
    version: i64,
    entries: Vec<Arc<Entry>>,
    index: HashMap<String, usize>,
    retired: HashSet<String>,
}

impl Snapshot {
    fn new(version: i64, resources: Vec<Resource>, retired: Vec<String>, public_url: &str) -> Self {
        let entries: Vec<Arc<Entry>> = resources
            .into_iter()
            .map(|resource| {
                let item = feed::render_item(&resource, public_url);
                Arc::new(Entry { resource, item })
            })
            .collect();
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.resource.id.clone(), i))
            .collect();
        Snapshot {
            version,
            entries,
            index,
            retired: retired.into_iter().collect(),
        }
    }

    fn entry(&self, id: &str) -> Option<&Arc<Entry>> {
        self.index.get(id).map(|&i| &self.entries[i])
    }
}

/// Most feed pages kept; each distinct query is one entry.
const FEED_CACHE_MAX: usize = 512;

/// The service's memory: catalogue, counts, ranks, rendered feed pages.
pub struct Live {
    public_url: String,
    catalogue: RwLock<Arc<Snapshot>>,
    counts: Mutex<CountTable>,
    feed_cache: RwLock<FeedCache>,
    partners: RwLock<Vec<Partner>>,
    /// Tells the streams a round of changes was published (its sequence number).
    wake: watch::Sender<u64>,
    /// This process's stream epoch: event ids carry it, so a `Last-Event-ID` from another
    /// instance or an earlier run (whose numbers mean nothing here) is told apart.
    epoch: u64,
}

/// Counters of resources that changed since a stream's last event.
pub struct ChangedSince {
    /// The sequence number they are current at: the next event's id.
    pub seq: u64,
    /// The counters, by id; empty when none of the ids changed.
    pub counters: BTreeMap<String, Counters>,
}

impl Live {
    /// Builds the memory from resources that are all served.
    pub fn new(resources: Vec<Resource>, counts: Counts, public_url: &str) -> Self {
        Self::with_catalogue(0, resources, Vec::new(), counts, public_url)
    }

    /// Builds the memory from what the store holds: the catalogue at `version`, the
    /// served resources, the retired ids, the counts.
    pub fn with_catalogue(
        version: i64,
        resources: Vec<Resource>,
        retired: Vec<String>,
        counts: Counts,
        public_url: &str,
    ) -> Self {
        let snapshot = Snapshot::new(version, resources, retired, public_url);
        let me = Live {
            public_url: public_url.to_owned(),
            catalogue: RwLock::new(Arc::new(snapshot)),
            counts: Mutex::new(CountTable {
                live: counts.resources,
                by_partner: counts.by_partner,
                ranks: HashMap::new(),
                popular: Vec::new(),
                changes: ChangeLog::default(),
            }),
            feed_cache: RwLock::new(FeedCache {
                pages: HashMap::new(),
                generation: 0,
            }),
            partners: RwLock::new(counts.partners),
            wake: watch::Sender::new(0),
            // Never 0, so an id of epoch 0 can never look like ours.
            epoch: rand::random::<u64>() | 1,
        };
        {
            let mut table = me.counts.lock().unwrap_or_else(|p| p.into_inner());
            me.rerank(&me.snapshot(), &mut table);
            // Marks from the first ranking are not news: a stream starts with a snapshot.
            table.changes = ChangeLog::default();
        }
        me
    }

    /// The catalogue now served; the lock is let go at once.
    fn snapshot(&self) -> Arc<Snapshot> {
        self.catalogue
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the catalogue with the one the store holds at `version` (its served
    /// resources and its retired ids), reranks, and empties the feed cache, so the next
    /// request sees the new catalogue and new ETags. A catalogue older than the one
    /// served is ignored (two reloads racing); returns whether it was taken.
    pub fn replace_catalogue(
        &self,
        version: i64,
        resources: Vec<Resource>,
        retired: Vec<String>,
    ) -> bool {
        // Rendering happens before any lock is taken.
        let snapshot = Arc::new(Snapshot::new(version, resources, retired, &self.public_url));
        let mut table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        {
            let mut current = self.catalogue.write().unwrap_or_else(|p| p.into_inner());
            if version < current.version {
                return false;
            }
            *current = snapshot.clone();
        }
        self.rerank(&snapshot, &mut table);
        // Baselines, links and the total may all have moved: every resource is news.
        for entry in &snapshot.entries {
            table.changes.mark(&entry.resource.id);
        }
        table.changes.publish(&self.wake);
        drop(table);
        self.feed_cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        true
    }

    /// The store's catalogue version the served catalogue was loaded at.
    pub fn catalogue_version(&self) -> i64 {
        self.snapshot().version
    }

    /// The served resource with this id (not a retired one).
    pub fn entry(&self, id: &str) -> Option<Arc<Entry>> {
        self.snapshot().entry(id).cloned()
    }

    /// Whether `id` is a retired resource (answered with 410).
    pub fn is_retired(&self, id: &str) -> bool {
        self.snapshot().retired.contains(id)
    }

    /// Number of served resources.
    pub fn len(&self) -> usize {
        self.snapshot().entries.len()
    }

    /// Whether no resource is served.
    pub fn is_empty(&self) -> bool {
        self.snapshot().entries.is_empty()
    }

    /// Baseline + live counts, derived counters and rank of one resource.
    pub fn counters(&self, id: &str) -> Option<Counters> {
        let table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = self.snapshot();
        let entry = snapshot.entry(id)?;
        Some(Self::counters_of(&snapshot, entry, &table))
    }

    /// Counters of several resources under one lock; unknown and retired ids are left out.
    pub fn stats<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, Counters> {
        let table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = self.snapshot();
        ids.into_iter()
            .filter_map(|id| {
                let entry = snapshot.entry(id)?;
                Some((id.to_owned(), Self::counters_of(&snapshot, entry, &table)))
            })
            .collect()
    }

    fn counters_of(snapshot: &Snapshot, entry: &Entry, table: &CountTable) -> Counters {
        let r = &entry.resource;
        let live = table.live.get(&r.id);
        let links = r
            .links
            .iter()
            .filter(|link| link.kind.is_download())
            .map(|link| {
                let n = live
                    .and_then(|l| l.links.get(&link.id))
                    .copied()
                    .unwrap_or(0);
                (link.id.clone(), link.baseline_downloads + n)
            })
            .collect();
        Counters {
            relationships_and_highlights: r.relationships_and_highlights(),
            popularity_rank: table.ranks.get(&r.id).copied().unwrap_or(0),
            popularity_total: u32::try_from(snapshot.entries.len()).unwrap_or(u32::MAX),
            links,
            ..totals(&r.baseline, live)
        }
    }

    /// Applies committed changes, reranks once, and drops cached feed pages if the
    /// popularity order moved.
    pub fn apply(&self, changes: &[Change]) {
        if changes.is_empty() {
            return;
        }
        let mut table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        for change in changes {
            let (resource, partner, column, delta) = change.column_delta();
            table.changes.mark(resource);
            table
                .live
                .entry(resource.to_owned())
                .or_default()
                .add(column, delta);
            let row = table
                .by_partner
                .entry(resource.to_owned())
                .or_default()
                .entry(partner.to_owned())
                .or_default();
            row[column] = row[column].saturating_add_signed(delta);
            if let Change::Event {
                link: Some(link), ..
            } = change
            {
                *table
                    .live
                    .entry(resource.to_owned())
                    .or_default()
                    .links
                    .entry(link.clone())
                    .or_default() += 1;
            }
        }
        let moved = self.rerank(&self.snapshot(), &mut table);
        table.changes.publish(&self.wake);
        drop(table);
        if moved {
            let mut cache = self.feed_cache.write().unwrap_or_else(|p| p.into_inner());
            cache.clear();
        }
    }

    /// The popularity score without building the per-link counts (this runs per batch).
    fn score_of(entry: &Entry, table: &CountTable) -> u64 {
        totals(&entry.resource.baseline, table.live.get(&entry.resource.id)).score()
    }

    /// Replaces every count with what the database holds (other instances write there too)
    /// and the partner list (partners are managed from the command line).
    pub fn replace_counts(&self, counts: Counts) {
        *self.partners.write().unwrap_or_else(|p| p.into_inner()) = counts.partners;
        let mut table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        // What another instance committed shows here as a difference: mark those ids.
        let mut moved: Vec<&String> = counts
            .resources
            .iter()
            .filter(|(id, new)| table.live.get(*id) != Some(*new))
            .map(|(id, _)| id)
            .collect();
        moved.extend(
            table
                .live
                .keys()
                .filter(|id| !counts.resources.contains_key(*id)),
        );
        let moved: Vec<String> = moved.into_iter().cloned().collect();
        for id in &moved {
            table.changes.mark(id);
        }
        table.live = counts.resources;
        table.by_partner = counts.by_partner;
        let reordered = self.rerank(&self.snapshot(), &mut table);
        table.changes.publish(&self.wake);
        drop(table);
        if reordered {
            self.feed_cache
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .clear();
        }
    }

    /// The key of the partner whose origin patterns match `origin`.
    pub fn partner_for_origin(&self, origin: &str) -> Option<String> {
        let partners = self.partners.read().unwrap_or_else(|p| p.into_inner());
        partners
            .iter()
            .find(|p| {
                p.origins
                    .iter()
                    .any(|pattern| origin_matches(pattern, origin))
            })
            .map(|p| p.key.clone())
    }

    /// Counts per partner of one resource.
    pub fn partner_counts(&self, id: &str) -> BTreeMap<String, CountRow> {
        let table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        table.by_partner.get(id).cloned().unwrap_or_default()
    }

    /// This process's stream epoch (random at start, never 0).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Wakes a stream whenever a round of changes is published.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    /// The current counters of those of `ids` that changed after round `since`; with
    /// `None`, of all of them that are served (a snapshot). Unknown and retired ids are
    /// left out. The sequence number is read under the same lock, so nothing that changes
    /// later can be missed by a stream that next asks since that number.
    pub fn changed_since(&self, ids: &[String], since: Option<u64>) -> ChangedSince {
        let table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = self.snapshot();
        let counters = ids
            .iter()
            .filter(|id| {
                since.is_none_or(|since| table.changes.last.get(*id).is_some_and(|at| *at > since))
            })
            .filter_map(|id| {
                let entry = snapshot.entry(id)?;
                Some((id.clone(), Self::counters_of(&snapshot, entry, &table)))
            })
            .collect();
        ChangedSince {
            seq: table.changes.seq,
            counters,
        }
    }

    /// Recomputes ranks of `snapshot`'s resources; returns whether the order changed.
    fn rerank(&self, snapshot: &Snapshot, table: &mut CountTable) -> bool {
        let scores: Vec<(String, u64)> = snapshot
            .entries
            .iter()
            .map(|e| (e.resource.id.clone(), Self::score_of(e, table)))
            .collect();
        let ranked = rank(
            scores
                .iter()
                .map(|(id, score)| RankedScore { id, score: *score }),
        );
        let order: Vec<String> = ranked.iter().map(|(id, _)| (*id).to_owned()).collect();
        let changed = order != table.popular;
        if changed {
            let ranks: HashMap<String, u32> = ranked
                .iter()
                .map(|(id, r)| ((*id).to_owned(), *r))
                .collect();
            // A rank is a counter too: the resources whose rank moved are news.
            for (id, rank) in &ranks {
                if table.ranks.get(id) != Some(rank) {
                    table.changes.mark(id);
                }
            }
            table.ranks = ranks;
            table.popular = order;
        }
        changed
    }

    /// The rendered feed page for `query`, from the cache or built now. Title searches
    /// are built every time and not kept: typed queries are many and each is asked for
    /// once or twice, so they would only push the shared pages out of the cache.
    pub fn feed_page(&self, query: &FeedQuery) -> Arc<Encoded> {
        if query.q.is_some() {
            return Arc::new(self.build_feed_page(query));
        }
        let generation = {
            let cache = self.feed_cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(page) = cache.pages.get(query) {
                return page.clone();
            }
            cache.generation
        };
        // Built from what is served now, after the generation was read: if the catalogue
        // or the order changes meanwhile, the generation moves and the page is not kept.
        let page = Arc::new(self.build_feed_page(query));
        let mut cache = self.feed_cache.write().unwrap_or_else(|p| p.into_inner());
        if cache.generation != generation {
            return page;
        }
        if cache.pages.len() >= FEED_CACHE_MAX {
            cache.pages.clear();
        }
        cache.pages.insert(query.clone(), page.clone());
        page
    }

    fn build_feed_page(&self, query: &FeedQuery) -> Encoded {
        let snapshot;
        let ordered: Vec<&Arc<Entry>> = match query.sort {
            Sort::Popular => {
                // The order and the catalogue read together: ranks are of these entries.
                let table = self.counts.lock().unwrap_or_else(|p| p.into_inner());
                snapshot = self.snapshot();
                table
                    .popular
                    .iter()
                    .filter_map(|id| snapshot.entry(id))
                    .collect()
            }
            Sort::Recent => {
                snapshot = self.snapshot();
                let mut all: Vec<&Arc<Entry>> = snapshot.entries.iter().collect();
                all.sort_by_key(|e| {
                    (
                        std::cmp::Reverse(crate::dates::timestamp_secs(&e.resource.modified)),
                        e.resource.id.clone(),
                    )
                });
                all
            }
        };
        let selected: Vec<&Arc<Entry>> = ordered
            .into_iter()
            .filter(|e| query.selects(&e.resource))
            .collect();
        let more = selected.len() > query.offset + query.limit;
        let items = selected
            .iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|e| e.item.clone())
            .collect();
        let feed = feed::render_feed(items, query, &self.public_url, more);
        Encoded::new(serde_json::to_vec(&feed).unwrap_or_default())
    }
}

/// Whether an `Origin` header value matches a partner's origin pattern: the same origin
/// (case-insensitive), or any port where the pattern ends in `:*`.
pub fn origin_matches(pattern: &str, origin: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    if let Some(prefix) = pattern.strip_suffix(":*") {
        if origin.eq_ignore_ascii_case(prefix) {
            return true;
        }
        return origin.len() > prefix.len() + 1
            && origin[..prefix.len()].eq_ignore_ascii_case(prefix)
            && origin.as_bytes()[prefix.len()] == b':'
            && origin[prefix.len() + 1..]
                .bytes()
                .all(|b| b.is_ascii_digit());
    }
    pattern.trim_end_matches('/').eq_ignore_ascii_case(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_exactly_or_any_port() {
        assert!(origin_matches("https://partner.org", "https://PARTNER.org"));
        assert!(!origin_matches(
            "https://partner.org",
            "https://partner.org.evil.com"
        ));
        assert!(!origin_matches("https://partner.org", "http://partner.org"));
        assert!(origin_matches(
            "http://127.0.0.1:*",
            "http://127.0.0.1:8080"
        ));
        assert!(origin_matches("http://127.0.0.1:*", "http://127.0.0.1"));
        assert!(!origin_matches(
            "http://127.0.0.1:*",
            "http://127.0.0.1.evil.com:80"
        ));
        assert!(!origin_matches(
            "http://127.0.0.1:*",
            "http://127.0.0.10:80"
        ));
        assert!(!origin_matches("http://localhost:*", "null"));
    }
}
