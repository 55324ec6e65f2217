//! The bodies the service sends: JSON Feed pages and items, stats, vote and event answers,
//! health and errors; also the admin answers (moderation, numbers, publishing) and the
//! feedback webhook, which the widget never sees. The service serialises these structs;
//! the widget decodes into them.
//! A field renamed here is renamed on both sides, and `tests/fixtures/wire/` holds real
//! service output that both sides are tested against.

use crate::api::FeedbackStatus;
use crate::counters::Counters;
use crate::resource::{Baseline, LinkKind, ResourceKind};

/// A JSON object keyed by id (resource, link or partner), in key order. Serialise it with
/// [`as_map`]: litemap writes an *empty* map as `[]` in human-readable formats.
pub type IdMap<V> = litemap::LiteMap<String, V>;

/// Serialises an [`IdMap`] as a JSON object, empty or not (`serialize_with`).
#[cfg(feature = "serde")]
pub fn as_map<V: serde::Serialize, S: serde::Serializer>(
    map: &IdMap<V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(map.iter())
}

/// [`as_map`] for an optional map that is skipped when `None`.
#[cfg(feature = "serde")]
fn as_opt_map<V: serde::Serialize, S: serde::Serializer>(
    map: &Option<IdMap<V>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match map {
        Some(map) => as_map(map, serializer),
        None => serializer.serialize_none(),
    }
}

/// JSON Feed's version URL.
pub const JSON_FEED_VERSION: &str = "https://jsonfeed.org/version/1.1";

/// A page of `GET /v1/feed.json`: JSON Feed 1.1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feed {
    /// Always [`JSON_FEED_VERSION`].
    pub version: String,
    pub title: String,
    pub home_page_url: String,
    pub feed_url: String,
    pub description: String,
    pub language: String,
    pub authors: Vec<Author>,
    /// The next page, when there is one.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub next_url: Option<String>,
    pub items: Vec<Item>,
}

/// A JSON Feed author: a partner of a resource, or CASM for the feed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Author {
    pub name: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub url: Option<String>,
}

/// One resource as a JSON Feed item, with CASM's fields under `_casm`
/// (`GET /v1/resources/{id}` adds live counters there).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: String,
    /// The page that shows the resource.
    pub url: String,
    pub title: String,
    /// The body as plain text (the summary, or the title, when there is no body).
    pub content_text: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub summary: Option<String>,
    /// RFC 3339.
    pub date_published: String,
    /// RFC 3339.
    pub date_modified: String,
    /// BCP 47 tag of the text.
    pub language: String,
    #[cfg_attr(feature = "serde", serde(default))]
    pub tags: Vec<String>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub authors: Vec<Author>,
    /// The downloadable links, for feed readers.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub attachments: Vec<Attachment>,
    #[cfg_attr(feature = "serde", serde(rename = "_casm"))]
    pub casm: ItemExt,
}

/// A JSON Feed attachment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub url: String,
    pub mime_type: String,
    pub title: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub size_in_bytes: Option<u64>,
}

/// The `_casm` extension of an item: what the portal shows beyond JSON Feed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemExt {
    pub kind: ResourceKind,
    /// Partner sources, by name.
    pub partners: Vec<String>,
    /// Plain-text paragraphs.
    pub body: Vec<String>,
    pub links: Vec<ItemLink>,
    /// Ids of related resources.
    pub related: Vec<String>,
    pub highlights: Vec<String>,
    pub version: u32,
    pub version_comment: String,
    /// Live counters: on `GET /v1/resources/{id}` only; feed pages leave them out so a
    /// page stays cacheable while counts move.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub counters: Option<Counters>,
}

/// One link of an item, its URL absolute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemLink {
    pub id: String,
    pub title: String,
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
}

/// `GET /v1/stats?ids=…`: the counters of each known id (unknown ids are left out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    #[cfg_attr(feature = "serde", serde(serialize_with = "as_map"))]
    // The map is a sorted Vec in Rust and a JSON object on the wire.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, ResourceStats>))]
    pub resources: IdMap<ResourceStats>,
}

impl Stats {
    /// The counters of one resource.
    pub fn get(&self, id: &str) -> Option<&Counters> {
        self.resources.get(id).map(|r| &r.counters)
    }
}

/// One resource's entry in [`Stats`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceStats {
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub counters: Counters,
    /// With `by=partner`: each partner's share of the maintained counters.
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            skip_serializing_if = "Option::is_none",
            serialize_with = "as_opt_map"
        )
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<std::collections::BTreeMap<String, Baseline>>))]
    pub partners: Option<IdMap<PartnerCounts>>,
}

/// One partner's share of a resource's maintained counters: the same six counters a
/// resource is imported with as its [`Baseline`].
pub type PartnerCounts = Baseline;

/// `202` answer of `POST /v1/events`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventAccepted {
    /// Always `true`: the event was valid.
    pub accepted: bool,
    /// `false` for bots and repeat views inside the view window.
    pub counted: bool,
}

/// `GET /healthz`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// Resources in the catalogue.
    pub resources: usize,
}

/// One "Submit your comments" message, as the CASM team's moderation routes show it
/// (`/v1/admin/feedback`, staff tokens only; never on a public route).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackItem {
    pub id: i64,
    /// The resource it is about.
    pub resource: String,
    /// The partner site it was sent from.
    pub partner: String,
    pub text: String,
    /// The contact the visitor chose to leave, if any.
    pub contact: Option<String>,
    pub status: FeedbackStatus,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// `GET /v1/admin/feedback`: messages, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackList {
    pub items: Vec<FeedbackItem>,
}

/// The answer to `POST /v1/admin/feedback/erase`: how many messages were deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erased {
    pub erased: u64,
}

/// The body `casm-feed serve --webhook URL` POSTs to URL when a feedback message has been
/// stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackEvent {
    /// Always [`FeedbackEvent::EVENT`].
    pub event: String,
    pub id: i64,
    pub resource: String,
    pub partner: String,
    pub text: String,
    pub contact: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl FeedbackEvent {
    /// The `event` of a new feedback message.
    pub const EVENT: &'static str = "feedback";
}

/// The body of every error answer: `{"error": {"code", "message", "field"?}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong: a stable code for programs, a message for people.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable, e.g. `not_found`, `vote_limit`.
    pub code: String,
    pub message: String,
    /// The request field at fault, e.g. `visitor` or `limit`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub field: Option<String>,
}

/// A counter's total over a period, by counter name (the names of
/// [`crate::Counter::MAINTAINED`], every one present). Signed: helpful votes undone in a
/// period count against the day of the undo, so a period can net fewer than zero.
pub type CounterTotals = IdMap<i64>;

/// An inclusive range of UTC days, as `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// `GET /v1/admin/series`: one counter per UTC day, for all of the numbers or per group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// The counter, e.g. `page_views`.
    pub metric: String,
    /// `partner`, `resource`, or `None` for one series keyed `all`.
    pub by: Option<String>,
    /// Every day from `from` to `to`, in order; each group has one value per day.
    pub days: Vec<String>,
    /// Groups by total, highest first, then by key.
    pub series: Vec<SeriesGroup>,
}

/// One group of a [`Series`]: a partner, a resource, or `all`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesGroup {
    /// The partner key, resource id, or `all`.
    pub key: String,
    /// The partner's name or the resource's title (the key when it has none).
    pub name: String,
    /// One per day of [`Series::days`]; 0 for a day without any.
    pub values: Vec<i64>,
    /// The sum of `values`.
    pub total: i64,
}

/// `GET /v1/admin/summary`: a period's totals next to the previous period's (the same
/// number of days just before), and what led it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub from: String,
    pub to: String,
    pub previous: Period,
    #[cfg_attr(feature = "serde", serde(serialize_with = "as_map"))]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, i64>))]
    pub totals: CounterTotals,
    #[cfg_attr(feature = "serde", serde(serialize_with = "as_map"))]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, i64>))]
    pub previous_totals: CounterTotals,
    /// At most 10, by page views, then helpful votes, then id.
    pub top_resources: Vec<TopResource>,
    /// At most 10, in the same order; a partner token sees only its own.
    pub top_partners: Vec<TopPartner>,
}

/// A resource in [`Summary::top_resources`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopResource {
    pub id: String,
    pub title: String,
    #[cfg_attr(feature = "serde", serde(serialize_with = "as_map"))]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, i64>))]
    pub totals: CounterTotals,
}

/// A partner in [`Summary::top_partners`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopPartner {
    pub key: String,
    pub name: String,
    #[cfg_attr(feature = "serde", serde(serialize_with = "as_map"))]
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<String, i64>))]
    pub totals: CounterTotals,
}

/// `GET /v1/admin/whoami`: the token's name and scope, for the console's sign-in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhoAmI {
    /// The token's name (`casm-feed admin token create NAME`).
    pub token: String,
    /// `staff` or `partner`.
    pub scope: String,
    /// The partner a partner token reads; `null` for staff.
    pub partner: Option<String>,
}

/// What `POST /v1/admin/import` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// New ids, version 1.
    pub added: Vec<String>,
    /// Ids whose content changed: version + 1.
    pub changed: Vec<String>,
    /// How many were already stored as sent.
    pub unchanged: usize,
}

/// The answer of `POST /v1/admin/resources/{id}/retire` and `/restore`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Retirement {
    pub id: String,
    pub retired: bool,
    /// RFC 3339, when retired; `null` after a restore.
    pub retired_at: Option<String>,
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    #[test]
    fn feedback_statuses_use_their_wire_names() {
        for status in FeedbackStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.name()));
            assert_eq!(FeedbackStatus::parse(status.name()), Some(status));
        }
        assert_eq!(FeedbackStatus::parse("done"), None);
    }

    #[test]
    fn id_maps_are_json_objects_even_when_empty() {
        let mut stats = Stats::default();
        assert_eq!(
            serde_json::to_string(&stats).unwrap(),
            r#"{"resources":{}}"#
        );
        stats.resources.insert(
            "b".into(),
            ResourceStats {
                partners: Some(IdMap::new()),
                ..ResourceStats::default()
            },
        );
        let json = serde_json::to_value(&stats).unwrap();
        assert_eq!(json["resources"]["b"]["partners"], serde_json::json!({}));
        assert_eq!(json["resources"]["b"]["links"], serde_json::json!({}));
        assert_eq!(serde_json::from_value::<Stats>(json).unwrap(), stats);
    }
}
