//! A resource of the catalogue: what `casm-feed import` reads and `export` writes.

/// What kind of resource this is (the portal's "Online Resource", a report, ...).
/// The default is what a reader assumes of a kind it does not know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ResourceKind {
    #[default]
    OnlineResource,
    Report,
    Toolkit,
    Presentation,
    PhotoSet,
    Video,
    Event,
}

impl ResourceKind {
    /// Every kind, for parsers and translation tables.
    pub const ALL: [ResourceKind; 7] = [
        ResourceKind::OnlineResource,
        ResourceKind::Report,
        ResourceKind::Toolkit,
        ResourceKind::Presentation,
        ResourceKind::PhotoSet,
        ResourceKind::Video,
        ResourceKind::Event,
    ];

    /// The wire name, e.g. `online_resource`.
    pub const fn name(self) -> &'static str {
        match self {
            ResourceKind::OnlineResource => "online_resource",
            ResourceKind::Report => "report",
            ResourceKind::Toolkit => "toolkit",
            ResourceKind::Presentation => "presentation",
            ResourceKind::PhotoSet => "photo_set",
            ResourceKind::Video => "video",
            ResourceKind::Event => "event",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// What a link leads to; decides how opening it is counted. The default, a plain page,
/// is what a reader assumes of a kind it does not know.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LinkKind {
    Document,
    Presentation,
    Photos,
    Video,
    Comments,
    #[default]
    Page,
}

impl LinkKind {
    /// Every kind, for parsers.
    pub const ALL: [LinkKind; 6] = [
        LinkKind::Document,
        LinkKind::Presentation,
        LinkKind::Photos,
        LinkKind::Video,
        LinkKind::Comments,
        LinkKind::Page,
    ];

    /// The wire name, e.g. `document`.
    pub const fn name(self) -> &'static str {
        match self {
            LinkKind::Document => "document",
            LinkKind::Presentation => "presentation",
            LinkKind::Photos => "photos",
            LinkKind::Video => "video",
            LinkKind::Comments => "comments",
            LinkKind::Page => "page",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether opening the link downloads a file (counted as an attachment or video
    /// download, and listed as a JSON Feed attachment).
    pub const fn is_download(self) -> bool {
        matches!(
            self,
            LinkKind::Document | LinkKind::Presentation | LinkKind::Photos | LinkKind::Video
        )
    }
}

/// One link of a resource (agenda, summary report, photos, "Submit your comments", ...).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Link {
    /// Stable id within the resource (a slug).
    pub id: String,
    pub title: String,
    /// An absolute http(s) or mailto URL, or a path starting with `/` that the service
    /// resolves against its public URL.
    pub url: String,
    pub kind: LinkKind,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub mime_type: Option<String>,
    /// Size in bytes.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub size: Option<u64>,
    /// Historical downloads of this link before it was imported.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "is_zero"))]
    pub baseline_downloads: u64,
}

/// Historical counters a resource is imported with; live counts are added on top,
/// so "865 page views" stays 865 and grows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Baseline {
    pub helpful_votes: u64,
    pub page_views: u64,
    pub pages_emailed: u64,
    pub metacard_views: u64,
    pub attachments_downloaded: u64,
    pub videos_downloaded: u64,
}

impl Baseline {
    /// The value of one maintained counter; 0 for a derived one.
    pub fn get(&self, counter: crate::Counter) -> u64 {
        use crate::Counter;
        match counter {
            Counter::HelpfulVotes => self.helpful_votes,
            Counter::PageViews => self.page_views,
            Counter::PagesEmailed => self.pages_emailed,
            Counter::MetacardViews => self.metacard_views,
            Counter::AttachmentsDownloaded => self.attachments_downloaded,
            Counter::VideosDownloaded => self.videos_downloaded,
            Counter::RelationshipsAndHighlights
            | Counter::PopularityRank
            | Counter::PopularityTotal => 0,
        }
    }

    /// Sets one maintained counter; a derived one is ignored.
    pub fn set(&mut self, counter: crate::Counter, value: u64) {
        use crate::Counter;
        match counter {
            Counter::HelpfulVotes => self.helpful_votes = value,
            Counter::PageViews => self.page_views = value,
            Counter::PagesEmailed => self.pages_emailed = value,
            Counter::MetacardViews => self.metacard_views = value,
            Counter::AttachmentsDownloaded => self.attachments_downloaded = value,
            Counter::VideosDownloaded => self.videos_downloaded = value,
            Counter::RelationshipsAndHighlights
            | Counter::PopularityRank
            | Counter::PopularityTotal => {}
        }
    }
}

/// A resource: the catalogue's unit, a JSON Feed item on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Resource {
    /// Stable slug, e.g. `casm-global-partnership`.
    pub id: String,
    pub kind: ResourceKind,
    pub title: String,
    pub summary: String,
    /// Plain-text paragraphs; never HTML.
    #[cfg_attr(feature = "serde", serde(default))]
    pub body: Vec<String>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub links: Vec<Link>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub partners: Vec<String>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub tags: Vec<String>,
    /// BCP 47 language tag of the text, e.g. `en`.
    pub language: String,
    /// Ids of related resources.
    #[cfg_attr(feature = "serde", serde(default))]
    pub related: Vec<String>,
    /// Highlights: short plain-text excerpts called out on the page.
    #[cfg_attr(feature = "serde", serde(default))]
    pub highlights: Vec<String>,
    /// RFC 3339 timestamps.
    pub created: String,
    pub modified: String,
    pub version: u32,
    #[cfg_attr(feature = "serde", serde(default))]
    pub version_comment: String,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "is_default"))]
    pub baseline: Baseline,
}

impl Resource {
    /// The derived `relationships_and_highlights` counter.
    pub fn relationships_and_highlights(&self) -> u64 {
        (self.related.len() + self.highlights.len()) as u64
    }

    /// The link with this id.
    pub fn link(&self, id: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.id == id)
    }
}

/// The import/export file: `{"format": "casm-catalogue", "version": 1, "resources": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Catalogue {
    /// Always [`Catalogue::FORMAT`].
    #[cfg_attr(feature = "openapi", schema(pattern = "^casm-catalogue$"))]
    pub format: String,
    /// Always [`Catalogue::VERSION`].
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1))]
    pub version: u32,
    pub resources: Vec<Resource>,
}

impl Catalogue {
    /// The value of `format` this crate reads and writes.
    pub const FORMAT: &'static str = "casm-catalogue";
    /// The version of the format this crate reads and writes.
    pub const VERSION: u32 = 1;

    /// A catalogue of these resources in the current format.
    pub fn new(resources: Vec<Resource>) -> Self {
        Catalogue {
            format: Self::FORMAT.to_owned(),
            version: Self::VERSION,
            resources,
        }
    }
}

#[cfg(feature = "serde")]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(feature = "serde")]
fn is_default(b: &Baseline) -> bool {
    *b == Baseline::default()
}
