//! Request and response bodies of the `/v1` API (and the request bodies of `/v1/admin`).

/// `POST /v1/resources/{id}/vote`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct VoteRequest {
    /// The visitor's anonymous token (see [`crate::validate::visitor_token`]).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub visitor: String,
    /// `true` records the vote, `false` removes it.
    pub helpful: bool,
}

/// The answer to a vote: the new count and whether this visitor's vote now stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteResponse {
    /// The resource's helpful votes after this one.
    pub helpful_votes: u64,
    /// Whether this visitor's vote now stands.
    pub voted: bool,
}

/// What an event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EventKind {
    View,
    MetacardView,
    Email,
    Download,
    VideoDownload,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 5] = [
        EventKind::View,
        EventKind::MetacardView,
        EventKind::Email,
        EventKind::Download,
        EventKind::VideoDownload,
    ];

    /// The wire name, e.g. `metacard_view`.
    pub const fn name(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::MetacardView => "metacard_view",
            EventKind::Email => "email",
            EventKind::Download => "download",
            EventKind::VideoDownload => "video_download",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The counter this event moves when it counts.
    pub const fn counter(self) -> crate::Counter {
        use crate::Counter;
        match self {
            EventKind::View => Counter::PageViews,
            EventKind::MetacardView => Counter::MetacardViews,
            EventKind::Email => Counter::PagesEmailed,
            EventKind::Download => Counter::AttachmentsDownloaded,
            EventKind::VideoDownload => Counter::VideosDownloaded,
        }
    }

    /// Whether the event must name a link of the resource.
    pub const fn needs_link(self) -> bool {
        matches!(self, EventKind::Download | EventKind::VideoDownload)
    }
}

/// `POST /v1/events` (JSON, or the same JSON as `text/plain` from `navigator.sendBeacon`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct EventRequest {
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub kind: EventKind,
    pub resource: String,
    /// The visitor's anonymous token (see [`crate::validate::visitor_token`]).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub visitor: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub link: Option<String>,
}

/// `POST /v1/resources/{id}/feedback`: "Submit your comments", kept for moderation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct FeedbackRequest {
    /// The visitor's anonymous token (see [`crate::validate::visitor_token`]).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub visitor: String,
    /// 1–4000 characters once trimmed; no control characters but newline and tab.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 4000,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub text: String,
    /// Optional contact (email or name) the visitor chose to leave.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub contact: Option<String>,
}

/// Where a feedback message is in moderation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum FeedbackStatus {
    /// Not yet read: the queue.
    #[default]
    New,
    /// Answered or acted on.
    Handled,
    /// Kept, but out of the way.
    Archived,
}

impl FeedbackStatus {
    /// Every status.
    pub const ALL: [FeedbackStatus; 3] = [
        FeedbackStatus::New,
        FeedbackStatus::Handled,
        FeedbackStatus::Archived,
    ];

    /// The wire (and database) name, e.g. `handled`.
    pub const fn name(self) -> &'static str {
        match self {
            FeedbackStatus::New => "new",
            FeedbackStatus::Handled => "handled",
            FeedbackStatus::Archived => "archived",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// `POST /v1/admin/feedback/{id}`: moves a message to another status.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct FeedbackUpdate {
    pub status: FeedbackStatus,
}

/// `POST /v1/admin/feedback/erase`: an erasure request; every message whose contact is
/// this address (trimmed, case-insensitive) is deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct EraseRequest {
    /// Not blank, at most 200 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
        )
    )]
    pub contact: String,
}

/// Longest feedback text accepted, in characters.
pub const FEEDBACK_MAX_CHARS: usize = 4000;

/// Longest title search (`GET /v1/feed.json?q=`) accepted, in characters.
pub const SEARCH_MAX_CHARS: usize = 100;

/// Items one feed page may hold (`limit`), and so the most a list widget shows.
pub const FEED_LIMIT: std::ops::RangeInclusive<u32> = 1..=100;

/// Items per feed page when `limit` is not given.
pub const FEED_DEFAULT_LIMIT: u32 = 50;

/// Most ids one `GET /v1/stats` may ask for (as many as a feed page holds).
pub const MAX_STATS_IDS: usize = *FEED_LIMIT.end() as usize;

/// Order of feed items (`sort`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Sort {
    /// Highest popularity score first.
    #[default]
    Popular,
    /// Most recently modified first.
    Recent,
}

impl Sort {
    /// Every order.
    pub const ALL: [Sort; 2] = [Sort::Popular, Sort::Recent];

    /// The query-string name.
    pub const fn name(self) -> &'static str {
        match self {
            Sort::Popular => "popular",
            Sort::Recent => "recent",
        }
    }

    /// Parses a query-string name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}
