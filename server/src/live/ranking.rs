//! The popularity order, kept up to date one score at a time.
//!
//! Sorting the whole catalogue after every committed batch cost ~1 ms at 10,000 resources
//! (and emptied every cached feed page whenever anything moved). A vote moves one
//! resource a few places, so [`Ranking::set`] moves just that resource (a binary search
//! and a rotation of the places in between) and says which places changed, so that only
//! the feed pages showing those places are dropped. The order is the one
//! [`casm_model::rank`] gives: score descending, then id; the tests compare the two.

use std::cmp::Reverse;
use std::ops::Range;

/// Entries (by their index in the catalogue snapshot) in popularity order.
pub struct Ranking {
    /// The score of each entry, by index.
    score: Vec<u64>,
    /// Entry indices, most popular first.
    order: Vec<u32>,
    /// Where each entry is in `order` (its rank minus one), by index.
    place: Vec<u32>,
}

impl Ranking {
    /// Ranks entries `0..scores.len()`; `id(i)` is entry `i`'s id, the tie-break.
    pub fn new<'a>(scores: Vec<u64>, id: impl Fn(usize) -> &'a str) -> Self {
        let mut order: Vec<u32> = (0..scores.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            (Reverse(scores[a]), id(a)).cmp(&(Reverse(scores[b]), id(b)))
        });
        let mut place = vec![0; scores.len()];
        for (p, &i) in order.iter().enumerate() {
            place[i as usize] = p as u32;
        }
        Ranking {
            score: scores,
            order,
            place,
        }
    }

    /// Entry indices, most popular first.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// The rank (1-based) of entry `i`.
    pub fn rank(&self, i: usize) -> u32 {
        self.place[i] + 1
    }

    /// The score of entry `i`.
    pub fn score(&self, i: usize) -> u64 {
        self.score[i]
    }

    /// Gives entry `i` a new score and moves it to its place. Returns the places whose
    /// entry changed (every entry in them has a new rank; none outside them has), empty
    /// when the order did not move.
    pub fn set<'a>(&mut self, i: usize, score: u64, id: impl Fn(usize) -> &'a str) -> Range<usize> {
        let from = self.place[i] as usize;
        self.score[i] = score;
        let key = (Reverse(score), id(i));
        let before = |j: &u32| (Reverse(self.score[*j as usize]), id(*j as usize)) < key;
        // Its new place among the others: searched on the side it can only move to.
        let to = if from > 0 && !before(&self.order[from - 1]) {
            self.order[..from].partition_point(before)
        } else {
            from + self.order[from + 1..].partition_point(before)
        };
        let moved = if to < from {
            self.order[to..=from].rotate_right(1);
            to..from + 1
        } else if to > from {
            self.order[from..=to].rotate_left(1);
            from..to + 1
        } else {
            return from..from;
        };
        for p in moved.clone() {
            self.place[self.order[p] as usize] = p as u32;
        }
        moved
    }
}

/// Adds `range` to `ranges`, a list of disjoint ranges, merging it with the ones it
/// touches (so each range of the result is a set of places permuted among themselves).
pub fn merge(ranges: &mut Vec<Range<usize>>, range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    let mut merged = range;
    ranges.retain(|r| {
        let touches = r.start <= merged.end && merged.start <= r.end;
        if touches {
            merged = merged.start.min(r.start)..merged.end.max(r.end);
        }
        !touches
    });
    ranges.push(merged);
}

#[cfg(test)]
mod tests {
    use super::*;
    use casm_model::{rank, RankedScore};
    use proptest::prelude::*;

    fn ids(n: usize) -> Vec<String> {
        // Ids whose order is not their index order, so the tie-break is tested.
        (0..n).map(|i| format!("r{}", (i * 7) % n)).collect()
    }

    /// The order and ranks as casm_model::rank computes them from scratch.
    fn full(ids: &[String], scores: &[u64]) -> Vec<(String, u32)> {
        rank(
            ids.iter()
                .zip(scores)
                .map(|(id, score)| RankedScore { id, score: *score }),
        )
        .into_iter()
        .map(|(id, r)| (id.to_owned(), r))
        .collect()
    }

    fn kept(ranking: &Ranking, ids: &[String]) -> Vec<(String, u32)> {
        ranking
            .order()
            .iter()
            .map(|&i| (ids[i as usize].clone(), ranking.rank(i as usize)))
            .collect()
    }

    proptest! {
        /// Any sequence of score changes leaves the order and ranks `rank` computes from
        /// scratch, and the places reported moved are exactly those whose entry changed.
        #[test]
        fn incremental_order_is_the_full_ranking(
            start in prop::collection::vec(0u64..20, 1..60),
            changes in prop::collection::vec((0usize..60, 0u64..25), 0..80),
        ) {
            let ids = ids(start.len());
            let mut scores = start.clone();
            let mut ranking = Ranking::new(start, |i| ids[i].as_str());
            prop_assert_eq!(kept(&ranking, &ids), full(&ids, &scores));
            for (i, score) in changes {
                let i = i % scores.len();
                let before = ranking.order().to_vec();
                scores[i] = score;
                let moved = ranking.set(i, score, |j| ids[j].as_str());
                prop_assert_eq!(kept(&ranking, &ids), full(&ids, &scores));
                for (p, (was, is)) in before.iter().zip(ranking.order()).enumerate() {
                    prop_assert_eq!(was != is, moved.contains(&p), "place {}", p);
                }
                prop_assert_eq!(ranking.score(i), score);
            }
        }

        /// Merged ranges cover the same places and are disjoint, not touching.
        #[test]
        fn merged_ranges_cover_the_same_places(
            ranges in prop::collection::vec((0usize..50, 0usize..8), 0..20),
        ) {
            let mut merged = Vec::new();
            let mut covered = [false; 60];
            for (start, len) in ranges {
                merge(&mut merged, start..start + len);
                covered[start..start + len].iter_mut().for_each(|c| *c = true);
            }
            for (p, &c) in covered.iter().enumerate() {
                prop_assert_eq!(c, merged.iter().any(|r| r.contains(&p)), "place {}", p);
            }
            for a in &merged {
                prop_assert!(!a.is_empty());
                for b in &merged {
                    prop_assert!(std::ptr::eq(a, b) || a.end < b.start || b.end < a.start);
                }
            }
        }
    }
}
