//! Page-information counters and the popularity ranking the server computes from them.

/// One counter of the Page Information block, with the name it has everywhere
/// (API JSON keys, database columns, the widget's `data-stat` attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Counter {
    HelpfulVotes,
    PageViews,
    PagesEmailed,
    MetacardViews,
    AttachmentsDownloaded,
    VideosDownloaded,
    RelationshipsAndHighlights,
    PopularityRank,
    PopularityTotal,
}

impl Counter {
    /// Every counter, in the order the source page shows them.
    pub const ALL: [Counter; 9] = [
        Counter::PopularityRank,
        Counter::PopularityTotal,
        Counter::HelpfulVotes,
        Counter::PageViews,
        Counter::PagesEmailed,
        Counter::MetacardViews,
        Counter::AttachmentsDownloaded,
        Counter::RelationshipsAndHighlights,
        Counter::VideosDownloaded,
    ];

    /// The counters the service maintains from votes and events (the others are
    /// derived), in the order of their columns in the database and of every count row.
    pub const MAINTAINED: [Counter; 6] = [
        Counter::HelpfulVotes,
        Counter::PageViews,
        Counter::PagesEmailed,
        Counter::MetacardViews,
        Counter::AttachmentsDownloaded,
        Counter::VideosDownloaded,
    ];

    /// The index of a maintained counter in [`Counter::MAINTAINED`] (its column), or
    /// `None` for a derived one.
    pub fn column(self) -> Option<usize> {
        Self::MAINTAINED.iter().position(|c| *c == self)
    }

    /// The wire name (and database column), e.g. `helpful_votes`.
    pub const fn name(self) -> &'static str {
        match self {
            Counter::HelpfulVotes => "helpful_votes",
            Counter::PageViews => "page_views",
            Counter::PagesEmailed => "pages_emailed",
            Counter::MetacardViews => "metacard_views",
            Counter::AttachmentsDownloaded => "attachments_downloaded",
            Counter::VideosDownloaded => "videos_downloaded",
            Counter::RelationshipsAndHighlights => "relationships_and_highlights",
            Counter::PopularityRank => "popularity_rank",
            Counter::PopularityTotal => "popularity_total",
        }
    }
}

/// The counters of one resource, as `/v1/stats` and `_casm.counters` return them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counters {
    pub helpful_votes: u64,
    pub page_views: u64,
    pub pages_emailed: u64,
    pub metacard_views: u64,
    pub attachments_downloaded: u64,
    pub videos_downloaded: u64,
    pub relationships_and_highlights: u64,
    pub popularity_rank: u32,
    pub popularity_total: u32,
    /// Downloads per link id (`attachments_downloaded` per link).
    #[cfg_attr(
        feature = "serde",
        serde(default, serialize_with = "crate::wire::as_map")
    )]
    // The map is a sorted Vec in Rust and a JSON object on the wire.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, u64>))]
    pub links: LinkCounts,
}

/// Downloads per link id.
pub type LinkCounts = crate::wire::IdMap<u64>;

impl Counters {
    /// The value of one counter.
    pub fn get(&self, counter: Counter) -> u64 {
        match counter {
            Counter::HelpfulVotes => self.helpful_votes,
            Counter::PageViews => self.page_views,
            Counter::PagesEmailed => self.pages_emailed,
            Counter::MetacardViews => self.metacard_views,
            Counter::AttachmentsDownloaded => self.attachments_downloaded,
            Counter::VideosDownloaded => self.videos_downloaded,
            Counter::RelationshipsAndHighlights => self.relationships_and_highlights,
            Counter::PopularityRank => u64::from(self.popularity_rank),
            Counter::PopularityTotal => u64::from(self.popularity_total),
        }
    }

    /// Sets one counter (a rank or total above `u32::MAX` saturates).
    pub fn set(&mut self, counter: Counter, value: u64) {
        let small = u32::try_from(value).unwrap_or(u32::MAX);
        match counter {
            Counter::HelpfulVotes => self.helpful_votes = value,
            Counter::PageViews => self.page_views = value,
            Counter::PagesEmailed => self.pages_emailed = value,
            Counter::MetacardViews => self.metacard_views = value,
            Counter::AttachmentsDownloaded => self.attachments_downloaded = value,
            Counter::VideosDownloaded => self.videos_downloaded = value,
            Counter::RelationshipsAndHighlights => self.relationships_and_highlights = value,
            Counter::PopularityRank => self.popularity_rank = small,
            Counter::PopularityTotal => self.popularity_total = small,
        }
    }

    /// The popularity score: page views, plus 20 per helpful vote, plus 5 per download
    /// (attachment or video) or page emailed, plus 1 per meta-card view.
    ///
    /// Views dominate because they are the oldest and largest signal the portal has; a vote
    /// or a download is a deliberate act and weighs more than a view.
    pub fn score(&self) -> u64 {
        self.page_views
            .saturating_add(self.helpful_votes.saturating_mul(20))
            .saturating_add(
                (self.attachments_downloaded + self.videos_downloaded + self.pages_emailed)
                    .saturating_mul(5),
            )
            .saturating_add(self.metacard_views)
    }
}

/// A resource's score with the keys that break ties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankedScore<'a> {
    pub id: &'a str,
    pub score: u64,
}

/// Ranks resources by score, highest first; ties go to the lower id, so the order is stable
/// whatever order the input comes in. Returns `(id, rank)` with rank starting at 1.
pub fn rank<'a>(scores: impl IntoIterator<Item = RankedScore<'a>>) -> Vec<(&'a str, u32)> {
    let mut all: Vec<RankedScore<'a>> = scores.into_iter().collect();
    all.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.id.cmp(b.id)));
    all.into_iter()
        .enumerate()
        .map(|(i, s)| (s.id, u32::try_from(i + 1).unwrap_or(u32::MAX)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_weighs_votes_downloads_and_views() {
        let c = Counters {
            page_views: 865,
            helpful_votes: 2,
            attachments_downloaded: 1,
            videos_downloaded: 1,
            pages_emailed: 1,
            metacard_views: 1,
            ..Counters::default()
        };
        assert_eq!(c.score(), 865 + 40 + 15 + 1);
    }

    #[test]
    fn rank_breaks_ties_by_id_whatever_the_input_order() {
        let input = [
            RankedScore { id: "b", score: 10 },
            RankedScore { id: "a", score: 10 },
            RankedScore { id: "c", score: 99 },
        ];
        let forward = rank(input.clone());
        let mut reversed_input = input.to_vec();
        reversed_input.reverse();
        assert_eq!(forward, vec![("c", 1), ("a", 2), ("b", 3)]);
        assert_eq!(rank(reversed_input), forward);
    }

    #[test]
    fn counter_names_are_the_wire_names() {
        let names: Vec<_> = Counter::ALL.iter().map(|c| c.name()).collect();
        assert!(names.contains(&"relationships_and_highlights"));
        assert!(names.contains(&"metacard_views"));
        assert_eq!(names.len(), 9);
    }

    #[test]
    fn maintained_counters_have_columns_and_set_round_trips() {
        let mut c = Counters::default();
        for (i, counter) in Counter::ALL.into_iter().enumerate() {
            c.set(counter, i as u64 + 1);
            assert_eq!(c.get(counter), i as u64 + 1, "{counter:?}");
        }
        for (i, counter) in Counter::MAINTAINED.into_iter().enumerate() {
            assert_eq!(counter.column(), Some(i));
        }
        assert_eq!(Counter::PopularityRank.column(), None);
        let mut b = crate::Baseline::default();
        for (i, counter) in Counter::MAINTAINED.into_iter().enumerate() {
            b.set(counter, i as u64 + 1);
            assert_eq!(b.get(counter), i as u64 + 1, "{counter:?}");
        }
        b.set(Counter::PopularityRank, 9);
        assert_eq!(b.get(Counter::PopularityRank), 0);
        for kind in crate::EventKind::ALL {
            assert!(kind.counter().column().is_some(), "{kind:?}");
        }
    }
}
