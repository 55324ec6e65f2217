//! The in-memory copy of the catalogue and counts that every GET is served from.
//!
//! Locks are std `Mutex`/`RwLock`, not tokio's: they are held for microseconds and never
//! across an `.await`. The catalogue is an `Arc` swapped whole under a write lock
//! ([`Live::replace_catalogue`]); readers clone the `Arc` and let go of the lock, so a
//! request sees one catalogue from start to end. Lock order: counts, then catalogue,
//! then feed cache.
//!
//! At 10,000 resources nothing is recomputed in full per committed batch: a change moves
//! its resource in the [`ranking::Ranking`] and drops only the cached feed pages that show
//! the places that moved. Feed items are rendered when a page or a resource is asked for,
//! not kept: a second copy of every resource's text cost more memory than the catalogue.

mod ranking;

use crate::counts::{Change, CountRow, Counts, LiveCounts, Partner, MAINTAINED};
use crate::feed::{self, Encoded, FeedQuery};
use casm_model::{wire, Baseline, Counter, Counters, Resource, Sort};
use ranking::Ranking;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::ops::Range;
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

/// A served resource.
pub struct Entry {
    pub resource: Resource,
}

struct CountTable {
    live: HashMap<String, LiveCounts>,
    /// Counts by resource, then partner.
    by_partner: PartnerRows,
    /// The catalogue `ranking` ranks (the one served: both are replaced together, under
    /// this lock).
    ranked: Arc<Snapshot>,
    /// The popularity order of `ranked`'s entries, for ranks and `sort=popular`.
    ranking: Ranking,
    /// Which places of the order moved lately, for feed pages built meanwhile.
    moves: MoveLog,
    /// Where `/v1/stream` learns what changed ([`Live::changed_since`]).
    changes: ChangeLog,
}

/// Each resource's counts per partner, compactly: a short list per resource with the
/// partner as a number. At 100 partners and 10,000 resources (32,000 rows) this is a
/// quarter of a map of maps keyed by strings.
#[derive(Default)]
struct PartnerRows {
    keys: Vec<String>,
    numbers: HashMap<String, u16>,
    rows: HashMap<String, Vec<(u16, CountRow)>>,
}

impl PartnerRows {
    fn new(by_partner: HashMap<String, BTreeMap<String, CountRow>>) -> Self {
        let mut me = PartnerRows::default();
        me.rows.reserve(by_partner.len());
        for (resource, partners) in by_partner {
            let rows = partners
                .into_iter()
                .map(|(partner, row)| (me.number(&partner), row))
                .collect();
            me.rows.insert(resource, rows);
        }
        me
    }

    /// The number of partner `key`, given one if it has none.
    fn number(&mut self, key: &str) -> u16 {
        if let Some(&n) = self.numbers.get(key) {
            return n;
        }
        let n = u16::try_from(self.keys.len()).unwrap_or(u16::MAX);
        self.keys.push(key.to_owned());
        self.numbers.insert(key.to_owned(), n);
        n
    }

    /// The row of (`resource`, `partner`), made if missing.
    fn row(&mut self, resource: &str, partner: &str) -> &mut CountRow {
        let n = self.number(partner);
        if !self.rows.contains_key(resource) {
            self.rows.insert(resource.to_owned(), Vec::new());
        }
        let rows = self
            .rows
            .get_mut(resource)
            .expect("unreachable: inserted above");
        let at = match rows.iter().position(|(p, _)| *p == n) {
            Some(at) => at,
            None => {
                rows.push((n, [0; MAINTAINED]));
                rows.len() - 1
            }
        };
        &mut rows[at].1
    }

    /// `resource`'s rows by partner key.
    fn of(&self, resource: &str) -> BTreeMap<String, CountRow> {
        self.rows
            .get(resource)
            .into_iter()
            .flatten()
            .map(|(n, row)| (self.keys[*n as usize].clone(), *row))
            .collect()
    }
}

/// Rounds that moved places of the popularity order (or replaced the catalogue), so a
/// feed page built from the order as it was can be checked before it is cached: it is
/// still right if no place it shows moved since.
#[derive(Default)]
struct MoveLog {
    /// Moves once per round that moved something.
    round: u64,
    /// The round of the last catalogue change: pages from before it are never kept.
    reset: u64,
    /// The places each recent round moved (merged ranges), oldest first.
    log: VecDeque<(u64, Range<usize>)>,
    /// The newest round no longer in `log`.
    forgotten: u64,
}

/// Rounds of moves remembered; a page build outlasting this many rounds is not cached.
const MOVES_KEPT: usize = 256;

impl MoveLog {
    /// Records one round's moved places.
    fn push(&mut self, moved: &[Range<usize>]) {
        self.round += 1;
        for range in moved {
            self.log.push_back((self.round, range.clone()));
        }
        while self.log.len() > MOVES_KEPT {
            if let Some((round, _)) = self.log.pop_front() {
                self.forgotten = round;
            }
        }
    }

    /// Everything built before now is stale (a new catalogue).
    fn reset(&mut self) {
        self.round += 1;
        self.reset = self.round;
        self.log.clear();
        self.forgotten = self.round;
    }

    /// Whether a page built at `round`, showing `places` of the order (`None`: it does
    /// not depend on the order), is still right.
    fn still_right(&self, round: u64, places: &Option<Range<usize>>) -> bool {
        if round < self.reset {
            return false;
        }
        let Some(places) = places else { return true };
        round >= self.forgotten
            && self
                .log
                .iter()
                .filter(|(r, _)| *r > round)
                .all(|(_, moved)| !overlaps(moved, places))
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// What changed, for the streams: a sequence number moved once per round of changes (a
/// writer batch, a refresh, a new catalogue), and for each resource the number of the
/// round that last changed its counters. A stream remembers the number it last sent, so
/// it can be woken for any change and send only its own ids, and a client that
/// reconnects says where it was (`Last-Event-ID`) and gets what changed since, exactly,
/// with no history kept. One number per resource of the ranked catalogue, by its index:
/// a vote can move the rank of hundreds of resources, and each is marked.
#[derive(Default)]
struct ChangeLog {
    seq: u64,
    last: Vec<u64>,
    /// Something was marked in the round under way (`seq + 1`).
    pending: bool,
}

impl ChangeLog {
    /// No change yet to any of `n` resources.
    fn new(n: usize) -> Self {
        ChangeLog {
            last: vec![0; n],
            ..ChangeLog::default()
        }
    }

    /// Marks entry `i` as changed in the round under way.
    fn mark(&mut self, i: usize) {
        if let Some(at) = self.last.get_mut(i) {
            *at = self.seq + 1;
            self.pending = true;
        }
    }

    /// A new catalogue of `n` resources: each changed in the round under way.
    fn mark_all(&mut self, n: usize) {
        self.last = vec![self.seq + 1; n];
        self.pending = true;
    }

    /// Whether entry `i` changed after round `since`.
    fn changed_after(&self, i: usize, since: u64) -> bool {
        self.last.get(i).is_some_and(|at| *at > since)
    }

    /// Ends the round: if anything changed, moves the sequence and wakes the streams.
    fn publish(&mut self, wake: &watch::Sender<u64>) {
        if std::mem::take(&mut self.pending) {
            self.seq += 1;
            wake.send_replace(self.seq);
        }
    }
}

/// Rendered feed pages. A page depends on the catalogue and, for `sort=popular`, on the
/// places of the order it shows: a new catalogue empties the cache, and a move drops the
/// popular pages showing a place that moved ([`MoveLog`] covers pages being built).
struct FeedCache {
    pages: HashMap<FeedQuery, CachedPage>,
}

struct CachedPage {
    page: Arc<Encoded>,
    /// The places of the popularity order from its first item to its last; `None` when
    /// it does not depend on the order (`sort=recent`, or no items).
    places: Option<Range<usize>>,
}

/// A feed page as built, with what [`MoveLog::still_right`] checks before caching it.
struct BuiltPage {
    page: Encoded,
    places: Option<Range<usize>>,
    round: u64,
}

/// One catalogue as served: its resources, and the retired ids.
struct Snapshot {
    /// The store's catalogue version it was loaded at (0 when built from a list).
    version: i64,
    entries: Vec<Arc<Entry>>,
    index: HashMap<String, usize>,
    /// Entry indices, most recently modified first (then by id), for `sort=recent`.
    recent: Vec<u32>,
    retired: HashSet<String>,
}

impl Snapshot {
    fn new(version: i64, resources: Vec<Resource>, retired: Vec<String>) -> Self {
        let mut entries: Vec<Arc<Entry>> = resources
            .into_iter()
            .map(|resource| Arc::new(Entry { resource }))
            .collect();
        // Collected in place over the resources' buffer (fifty times the pointers' size),
        // which the collect keeps: give it back.
        entries.shrink_to_fit();
        let index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.resource.id.clone(), i))
            .collect();
        let modified: Vec<i64> = entries
            .iter()
            .map(|e| crate::dates::timestamp_secs(&e.resource.modified))
            .collect();
        let mut recent: Vec<u32> = (0..entries.len() as u32).collect();
        recent.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            (std::cmp::Reverse(modified[a]), &entries[a].resource.id)
                .cmp(&(std::cmp::Reverse(modified[b]), &entries[b].resource.id))
        });
        Snapshot {
            version,
            entries,
            index,
            recent,
            retired: retired.into_iter().collect(),
        }
    }

    fn entry(&self, id: &str) -> Option<&Arc<Entry>> {
        self.index.get(id).map(|&i| &self.entries[i])
    }

    fn id(&self, i: usize) -> &str {
        &self.entries[i].resource.id
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
        let snapshot = Arc::new(Snapshot::new(version, resources, retired));
        let ranking = Self::rank_all(&snapshot, &counts.resources);
        let n = snapshot.entries.len();
        Live {
            public_url: public_url.to_owned(),
            catalogue: RwLock::new(snapshot.clone()),
            counts: Mutex::new(CountTable {
                live: counts.resources,
                by_partner: PartnerRows::new(counts.by_partner),
                ranked: snapshot,
                ranking,
                moves: MoveLog::default(),
                // The first ranking is not news: a stream starts with a snapshot.
                changes: ChangeLog::new(n),
            }),
            feed_cache: RwLock::new(FeedCache {
                pages: HashMap::new(),
            }),
            partners: RwLock::new(counts.partners),
            wake: watch::Sender::new(0),
            // Never 0, so an id of epoch 0 can never look like ours.
            epoch: rand::random::<u64>() | 1,
        }
    }

    /// Ranks every entry of `snapshot` from scratch (a new catalogue).
    fn rank_all(snapshot: &Snapshot, live: &HashMap<String, LiveCounts>) -> Ranking {
        let scores = snapshot
            .entries
            .iter()
            .map(|e| Self::score_of(e, live))
            .collect();
        Ranking::new(scores, |i| snapshot.id(i))
    }

    /// The catalogue now served; the lock is let go at once.
    fn snapshot(&self) -> Arc<Snapshot> {
        self.catalogue
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn table(&self) -> std::sync::MutexGuard<'_, CountTable> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
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
        // Indexing happens before any lock is taken; the ranking needs the counts, so it
        // is made under their lock (one sort, and catalogue changes are rare).
        let snapshot = Arc::new(Snapshot::new(version, resources, retired));
        let mut table = self.table();
        {
            let mut current = self.catalogue.write().unwrap_or_else(|p| p.into_inner());
            if version < current.version {
                return false;
            }
            *current = snapshot.clone();
        }
        table.ranking = Self::rank_all(&snapshot, &table.live);
        table.ranked = snapshot.clone();
        table.moves.reset();
        // Baselines, links, ranks and the total may all have moved: every resource is news.
        table.changes.mark_all(snapshot.entries.len());
        table.changes.publish(&self.wake);
        self.feed_cache
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .pages
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

    /// `entry` as a JSON Feed item, without counters.
    pub fn item(&self, entry: &Entry) -> wire::Item {
        feed::render_item(&entry.resource, &self.public_url)
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
        let table = self.table();
        let i = *table.ranked.index.get(id)?;
        Some(Self::counters_of(i, &table))
    }

    /// Counters of several resources under one lock; unknown and retired ids are left out.
    pub fn stats<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, Counters> {
        let table = self.table();
        ids.into_iter()
            .filter_map(|id| {
                let i = *table.ranked.index.get(id)?;
                Some((id.to_owned(), Self::counters_of(i, &table)))
            })
            .collect()
    }

    /// The counters of entry `i` of the ranked catalogue.
    fn counters_of(i: usize, table: &CountTable) -> Counters {
        let r = &table.ranked.entries[i].resource;
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
            popularity_rank: table.ranking.rank(i),
            popularity_total: u32::try_from(table.ranked.entries.len()).unwrap_or(u32::MAX),
            links,
            ..totals(&r.baseline, live)
        }
    }

    /// Applies committed changes, moves the resources whose score changed in the order,
    /// and drops the cached feed pages showing a place that moved.
    pub fn apply(&self, changes: &[Change]) {
        if changes.is_empty() {
            return;
        }
        let mut table = self.table();
        let mut touched: Vec<&str> = Vec::with_capacity(changes.len());
        for change in changes {
            let (resource, partner, column, delta) = change.column_delta();
            touched.push(resource);
            table
                .live
                .entry(resource.to_owned())
                .or_default()
                .add(column, delta);
            let row = table.by_partner.row(resource, partner);
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
        self.rerank(&mut table, touched);
        table.changes.publish(&self.wake);
    }

    /// The popularity score without building the per-link counts (this runs per batch).
    fn score_of(entry: &Entry, live: &HashMap<String, LiveCounts>) -> u64 {
        totals(&entry.resource.baseline, live.get(&entry.resource.id)).score()
    }

    /// Replaces every count with what the database holds (other instances write there too)
    /// and the partner list (partners are managed from the command line).
    pub fn replace_counts(&self, counts: Counts) {
        *self.partners.write().unwrap_or_else(|p| p.into_inner()) = counts.partners;
        let mut table = self.table();
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
        table.live = counts.resources;
        table.by_partner = PartnerRows::new(counts.by_partner);
        self.rerank(&mut table, moved.iter().map(String::as_str));
        table.changes.publish(&self.wake);
    }

    /// Marks each of `ids` (whose counts changed) as news and moves it to its place in the
    /// order; marks the resources whose rank changed, and drops the cached popular pages
    /// that show a place that moved. Runs with the counts lock held (lock order: counts,
    /// feed cache).
    fn rerank<'a>(&self, table: &mut CountTable, ids: impl IntoIterator<Item = &'a str>) {
        let ranked = table.ranked.clone();
        let mut moved: Vec<Range<usize>> = Vec::new();
        for id in ids {
            let Some(&i) = ranked.index.get(id) else {
                continue;
            };
            table.changes.mark(i);
            let score = Self::score_of(&ranked.entries[i], &table.live);
            if score != table.ranking.score(i) {
                let places = table.ranking.set(i, score, |j| ranked.id(j));
                ranking::merge(&mut moved, places);
            }
        }
        if moved.is_empty() {
            return;
        }
        // A rank is a counter too: every resource in a moved place has a new rank.
        for places in &moved {
            for p in places.clone() {
                let i = table.ranking.order()[p] as usize;
                table.changes.mark(i);
            }
        }
        table.moves.push(&moved);
        let mut cache = self.feed_cache.write().unwrap_or_else(|p| p.into_inner());
        cache.pages.retain(|_, cached| {
            cached
                .places
                .as_ref()
                .is_none_or(|shown| !moved.iter().any(|m| overlaps(m, shown)))
        });
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
        let table = self.table();
        table.by_partner.of(id)
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
        let table = self.table();
        let counters = ids
            .iter()
            .filter_map(|id| {
                let i = *table.ranked.index.get(id)?;
                since
                    .is_none_or(|since| table.changes.changed_after(i, since))
                    .then(|| (id.clone(), Self::counters_of(i, &table)))
            })
            .collect();
        ChangedSince {
            seq: table.changes.seq,
            counters,
        }
    }

    /// The rendered feed page for `query`, from the cache or built now. Title searches
    /// are built every time and not kept: typed queries are many and each is asked for
    /// once or twice, so they would only push the shared pages out of the cache.
    pub fn feed_page(&self, query: &FeedQuery) -> Arc<Encoded> {
        if query.q.is_some() {
            return Arc::new(self.build_feed_page(query).page);
        }
        if let Some(cached) = self
            .feed_cache
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .pages
            .get(query)
        {
            return cached.page.clone();
        }
        let built = self.build_feed_page(query);
        let page = Arc::new(built.page);
        // Kept only if nothing it shows moved while it was built.
        let table = self.table();
        if !table.moves.still_right(built.round, &built.places) {
            return page;
        }
        let mut cache = self.feed_cache.write().unwrap_or_else(|p| p.into_inner());
        if cache.pages.len() >= FEED_CACHE_MAX {
            cache.pages.clear();
        }
        cache.pages.insert(
            query.clone(),
            CachedPage {
                page: page.clone(),
                places: built.places,
            },
        );
        page
    }

    fn build_feed_page(&self, query: &FeedQuery) -> BuiltPage {
        // The order is copied under the lock (40 KB at 10,000 resources); filtering and
        // rendering happen after it is let go.
        let (snapshot, order, round) = {
            let table = self.table();
            let order = match query.sort {
                Sort::Popular => Some(table.ranking.order().to_vec()),
                Sort::Recent => None,
            };
            (table.ranked.clone(), order, table.moves.round)
        };
        let ordered = order.as_deref().unwrap_or(&snapshot.recent);
        let mut selected = ordered
            .iter()
            .enumerate()
            .map(|(place, &i)| (place, &snapshot.entries[i as usize]))
            .filter(|(_, e)| query.selects(&e.resource))
            .skip(query.offset);
        let page: Vec<(usize, &Arc<Entry>)> = selected.by_ref().take(query.limit).collect();
        let more = selected.next().is_some();
        let places = match (order.is_some(), page.first(), page.last()) {
            (true, Some((first, _)), Some((last, _))) => Some(*first..last + 1),
            _ => None,
        };
        let items = page
            .iter()
            .map(|(_, e)| feed::render_item(&e.resource, &self.public_url))
            .collect();
        let feed = feed::render_feed(items, query, &self.public_url, more);
        BuiltPage {
            page: Encoded::new(serde_json::to_vec(&feed).unwrap_or_default()),
            places,
            round,
        }
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
    use casm_model::EventKind;
    use proptest::prelude::*;

    fn demo() -> Vec<Resource> {
        crate::feed::demo_resources()
    }

    /// Small pages, so the 33 demo resources make many; filtered and recent ones too.
    fn queries() -> Vec<FeedQuery> {
        let mut queries: Vec<FeedQuery> = (0..36)
            .step_by(4)
            .map(|offset| FeedQuery {
                limit: 4,
                offset,
                ..FeedQuery::default()
            })
            .collect();
        for (tag, partner) in [(Some("gold"), None), (None, Some("World Bank"))] {
            for offset in [0, 6] {
                queries.push(FeedQuery {
                    limit: 3,
                    offset,
                    tag: tag.map(str::to_owned),
                    partner: partner.map(str::to_owned),
                    ..FeedQuery::default()
                });
            }
        }
        queries.push(FeedQuery {
            limit: 5,
            offset: 10,
            sort: Sort::Recent,
            ..FeedQuery::default()
        });
        queries
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// After any batches of votes, undos and views, the cached pages (kept or dropped
        /// place by place) and the ranks are what a service started afresh on the same
        /// counts serves: the incremental order and cache equal the full recomputation.
        #[test]
        fn incremental_ranks_and_pages_equal_a_fresh_start(
            batches in prop::collection::vec(
                prop::collection::vec((0usize..33, 0u8..3), 1..12), 1..12),
        ) {
            let resources = demo();
            let ids: Vec<String> = resources.iter().map(|r| r.id.clone()).collect();
            let url = "http://feed.test";
            let live = Live::new(resources.clone(), Counts::default(), url);
            let mut model: HashMap<String, LiveCounts> = HashMap::new();
            let queries = queries();
            for batch in batches {
                // Pages are asked for before each batch, so the cache holds them.
                for q in &queries {
                    live.feed_page(q);
                }
                let changes: Vec<Change> = batch
                    .into_iter()
                    .map(|(r, what)| {
                        let resource = ids[r].clone();
                        let partner = "p".to_owned();
                        match what {
                            0 => Change::Vote { resource, partner, delta: 1 },
                            1 if model.get(&resource).is_some_and(|l| l.row[0] > 0) => {
                                Change::Vote { resource, partner, delta: -1 }
                            }
                            _ => Change::Event { kind: EventKind::View, resource, link: None, partner },
                        }
                    })
                    .collect();
                for change in &changes {
                    let (resource, _, column, delta) = change.column_delta();
                    model.entry(resource.to_owned()).or_default().add(column, delta);
                }
                live.apply(&changes);
                let fresh = Live::new(
                    resources.clone(),
                    Counts { resources: model.clone(), ..Counts::default() },
                    url,
                );
                for q in &queries {
                    let (kept, want) = (live.feed_page(q), fresh.feed_page(q));
                    prop_assert_eq!(&kept.etag, &want.etag, "{:?}", q);
                    prop_assert_eq!(&kept.identity, &want.identity);
                }
                let all = || ids.iter().map(String::as_str);
                prop_assert_eq!(live.stats(all()), fresh.stats(all()));
                for id in &ids {
                    let by_partner = live.partner_counts(id).get("p").copied();
                    prop_assert_eq!(by_partner, model.get(id).map(|l| l.row));
                }
            }
        }
    }

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
