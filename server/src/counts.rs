//! The count types the store loads and writes and the in-memory [`crate::live::Live`]
//! keeps: count rows, live counts, committed changes, partners. Both depend on this
//! module; neither depends on the other for them.

use casm_model::wire::PartnerCounts;
use casm_model::{Counter, EventKind};
use std::collections::{BTreeMap, HashMap};

/// How many counters are maintained (the length of every count row).
pub const MAINTAINED: usize = Counter::MAINTAINED.len();

/// Counter columns, in the order of every count row in this crate: the names of
/// [`Counter::MAINTAINED`].
pub const COUNTER_COLUMNS: [&str; MAINTAINED] = {
    let mut names = [""; MAINTAINED];
    let mut i = 0;
    while i < MAINTAINED {
        names[i] = Counter::MAINTAINED[i].name();
        i += 1;
    }
    names
};

/// The maintained counts of one resource (or one partner's share of it), in
/// [`COUNTER_COLUMNS`] order.
pub type CountRow = [u64; MAINTAINED];

/// Live counts of one resource, without its imported baseline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveCounts {
    /// The maintained counters, in [`COUNTER_COLUMNS`] order.
    pub row: CountRow,
    /// Downloads per link id.
    pub links: BTreeMap<String, u64>,
}

impl LiveCounts {
    /// Moves one counter (a [`COUNTER_COLUMNS`] index) by `delta`.
    pub fn add(&mut self, column: usize, delta: i64) {
        if let Some(n) = self.row.get_mut(column) {
            *n = n.saturating_add_signed(delta);
        }
    }
}

/// A count row as the wire shows one partner's share of a resource.
pub fn partner_counts(row: &CountRow) -> PartnerCounts {
    let mut counts = PartnerCounts::default();
    for (counter, n) in Counter::MAINTAINED.into_iter().zip(row) {
        counts.set(counter, *n);
    }
    counts
}

/// A committed change to apply to the counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A helpful vote added (`delta` 1) or taken back (-1), for the partner it counts for.
    Vote {
        /// The resource voted on.
        resource: String,
        /// The partner the vote counts for.
        partner: String,
        /// 1 or -1.
        delta: i64,
    },
    /// An event that counted.
    Event {
        /// What happened; decides the counter.
        kind: EventKind,
        /// The resource it happened to.
        resource: String,
        /// The link downloaded, for download events.
        link: Option<String>,
        /// The partner site it came from.
        partner: String,
    },
}

impl Change {
    /// The resource, partner, counter column (index into [`COUNTER_COLUMNS`]) and amount
    /// this change moves.
    pub fn column_delta(&self) -> (&str, &str, usize, i64) {
        match self {
            Change::Vote {
                resource,
                partner,
                delta,
            } => (resource, partner, column(Counter::HelpfulVotes), *delta),
            Change::Event {
                kind,
                resource,
                partner,
                ..
            } => (resource, partner, column(kind.counter()), 1),
        }
    }
}

/// The column of a maintained counter. Votes and every event kind move maintained
/// counters (casm-model tests this), so a derived one here is a bug.
fn column(counter: Counter) -> usize {
    counter
        .column()
        .unwrap_or_else(|| panic!("{counter:?} is not a maintained counter"))
}

/// A partner site allowed to send votes and events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    /// Short key recorded with every vote and event, e.g. `casm-demo`.
    pub key: String,
    /// The name shown to people.
    pub name: String,
    /// Origin patterns: `https://example.org`, or `http://127.0.0.1:*` for any port.
    pub origins: Vec<String>,
}

/// What the service loads into memory: live counts, per-partner counts, partners.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Live counts by resource id.
    pub resources: HashMap<String, LiveCounts>,
    /// Counts by resource, then partner.
    pub by_partner: HashMap<String, BTreeMap<String, CountRow>>,
    /// Registered partners.
    pub partners: Vec<Partner>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_the_maintained_counter_names() {
        assert_eq!(COUNTER_COLUMNS[0], "helpful_votes");
        assert_eq!(COUNTER_COLUMNS.len(), 6);
        for kind in EventKind::ALL {
            let change = Change::Event {
                kind,
                resource: "r".into(),
                link: None,
                partner: "p".into(),
            };
            let (_, _, col, _) = change.column_delta();
            assert_eq!(COUNTER_COLUMNS[col], kind.counter().name(), "{kind:?}");
        }
        let counts = partner_counts(&[1, 2, 3, 4, 5, 6]);
        assert_eq!((counts.helpful_votes, counts.videos_downloaded), (1, 6));
    }
}
