//! JavaScript values → casm-model's wire types: the one boundary where raw `JsValue`s
//! from the service are read.
//!
//! A small reader with `js_sys::Reflect` rather than `serde_wasm_bindgen::from_value`:
//! serde's deserializer costs this widget about 20 KB gzipped (its error paths bring in
//! float formatting and `core::fmt`; the README has the figures), more than the rest of
//! the widget. It fills the *same* structs the service serialises with serde, and the
//! browser tests check it against serde's own decoding of captured service output
//! (`tests/fixtures/wire/`).
//!
//! It reads what the widget shows or sends, and leaves at their defaults the fields only
//! feed readers and the CASM team use: `content_text`, `tags`, `authors`,
//! `attachments`, `related`, `highlights`, `version`, per-link download counts, the
//! `by=partner` breakdown and the feed's own metadata ([`UNREAD`] lists them; reading
//! them all cost 0.9 KB gzip of Wasm, and time on cheap phones). Missing or wrongly
//! typed fields take their default; unknown kinds take the kind's default; an item
//! without id or title is refused.

// The measurement build leaves the reader unused.
#![cfg_attr(feature = "serde-decode", allow(unused))]
use crate::feed::{Failure, Feed, Item, ItemLink, Stats};
use crate::options::RawOptions;
use casm_model::wire::IdMap;
use casm_model::wire::{ErrorBody, ErrorDetail, ItemExt, ResourceStats};
use casm_model::{Counter, Counters, LinkKind, ResourceKind, VoteResponse};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Property `key` of `v`, or `undefined`.
pub fn get(v: &JsValue, key: &str) -> JsValue {
    if !v.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

/// Property `key` of `v` when it is a string.
pub fn opt_string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

fn uint(v: &JsValue, key: &str) -> Option<u64> {
    get(v, key)
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n as u64)
}

fn array(v: &JsValue, key: &str) -> Array {
    get(v, key).dyn_into::<Array>().unwrap_or_default()
}

fn strings(v: &JsValue, key: &str) -> Vec<String> {
    array(v, key).iter().filter_map(|s| s.as_string()).collect()
}

/// The readable entries of array `key`.
fn list<T>(v: &JsValue, key: &str, read: impl Fn(&JsValue) -> Option<T>) -> Vec<T> {
    array(v, key).iter().filter_map(|e| read(&e)).collect()
}

/// The entries of object `v`, each read with `read`, in key order.
fn map<T>(v: &JsValue, read: impl Fn(&JsValue) -> T) -> IdMap<T> {
    let mut out = IdMap::new();
    if v.is_object() {
        for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
            if let Some(key) = key.as_string() {
                let value = read(&get(v, &key));
                out.insert(key, value);
            }
        }
    }
    out
}

/// Parses JSON text.
pub fn parse_json(text: &str) -> Result<JsValue, Failure> {
    js_sys::JSON::parse(text).map_err(|_| Failure::Invalid)
}

fn link(v: &JsValue) -> Option<ItemLink> {
    let id = string(v, "id");
    let title = string(v, "title");
    (!id.is_empty() && !title.is_empty()).then(|| ItemLink {
        id,
        title,
        url: string(v, "url"),
        kind: LinkKind::parse(&string(v, "kind")).unwrap_or_default(),
        mime_type: opt_string(v, "mime_type"),
        size: uint(v, "size"),
    })
}

/// A resource: a feed item or the answer of `/v1/resources/{id}`.
#[cfg(not(feature = "serde-decode"))]
pub fn item(v: &JsValue) -> Result<Item, Failure> {
    let id = string(v, "id");
    let title = string(v, "title");
    if id.is_empty() || title.is_empty() {
        return Err(Failure::Invalid);
    }
    let casm = get(v, "_casm");
    let counters = get(&casm, "counters");
    Ok(Item {
        id,
        url: string(v, "url"),
        title,
        summary: opt_string(v, "summary"),
        date_published: string(v, "date_published"),
        date_modified: string(v, "date_modified"),
        language: string(v, "language"),
        casm: ItemExt {
            kind: ResourceKind::parse(&string(&casm, "kind")).unwrap_or_default(),
            partners: strings(&casm, "partners"),
            body: strings(&casm, "body"),
            links: list(&casm, "links", link),
            version_comment: string(&casm, "version_comment"),
            counters: counters.is_object().then(|| self::counters(&counters)),
            ..ItemExt::default()
        },
        ..Item::default()
    })
}

/// The fields of the wire types this reader leaves at their defaults (see the module
/// documentation), as `Type.field`.
pub const UNREAD: &[&str] = &[
    "Item.content_text",
    "Item.tags",
    "Item.authors",
    "Item.attachments",
    "ItemExt.related",
    "ItemExt.highlights",
    "ItemExt.version",
    "Counters.links",
    "ResourceStats.partners",
    "Feed.version",
    "Feed.title",
    "Feed.home_page_url",
    "Feed.feed_url",
    "Feed.description",
    "Feed.language",
    "Feed.authors",
    "Feed.next_url",
];

/// A counters object: `/v1/stats` entries and `_casm.counters`.
pub fn counters(v: &JsValue) -> Counters {
    let mut c = Counters::default();
    for counter in Counter::ALL {
        c.set(counter, uint(v, counter.name()).unwrap_or(0));
    }
    c
}

/// A JSON Feed page; items that cannot be read are skipped.
#[cfg(not(feature = "serde-decode"))]
pub fn feed(v: &JsValue) -> Result<Feed, Failure> {
    if !Array::is_array(&get(v, "items")) {
        return Err(Failure::Invalid);
    }
    Ok(Feed {
        items: list(v, "items", |i| item(i).ok()),
        ..Feed::default()
    })
}

/// `/v1/stats`.
#[cfg(not(feature = "serde-decode"))]
pub fn stats(v: &JsValue) -> Stats {
    Stats {
        resources: map(&get(v, "resources"), |r| ResourceStats {
            counters: counters(r),
            partners: None,
        }),
    }
}

/// The answer to a vote.
#[cfg(not(feature = "serde-decode"))]
pub fn vote(v: &JsValue) -> Result<VoteResponse, Failure> {
    Ok(VoteResponse {
        helpful_votes: uint(v, Counter::HelpfulVotes.name()).ok_or(Failure::Invalid)?,
        voted: get(v, "voted").as_bool().ok_or(Failure::Invalid)?,
    })
}

/// An error answer's body, if it has one.
#[cfg(not(feature = "serde-decode"))]
pub fn error(v: &JsValue) -> Option<ErrorBody> {
    let e = get(v, "error");
    e.is_object().then(|| ErrorBody {
        error: ErrorDetail {
            code: string(&e, "code"),
            message: string(&e, "message"),
            field: opt_string(&e, "field"),
        },
    })
}

/// The measured alternative (feature `serde-decode`, never shipped): serde-wasm-bindgen's
/// deserializer into the same types, every field read.
#[cfg(feature = "serde-decode")]
mod via_serde {
    use super::*;
    use serde::de::DeserializeOwned;

    fn from<T: DeserializeOwned>(v: &JsValue) -> Result<T, Failure> {
        serde_wasm_bindgen::from_value(v.clone()).map_err(|_| Failure::Invalid)
    }

    /// [`super::item`] through serde.
    pub fn item(v: &JsValue) -> Result<Item, Failure> {
        from(v)
    }

    /// [`super::feed`] through serde.
    pub fn feed(v: &JsValue) -> Result<Feed, Failure> {
        from(v)
    }

    /// [`super::stats`] through serde.
    pub fn stats(v: &JsValue) -> Stats {
        from(v).unwrap_or_default()
    }

    /// [`super::vote`] through serde.
    pub fn vote(v: &JsValue) -> Result<VoteResponse, Failure> {
        from(v)
    }

    /// [`super::error`] through serde.
    pub fn error(v: &JsValue) -> Option<ErrorBody> {
        from(v).ok()
    }
}

#[cfg(feature = "serde-decode")]
pub use via_serde::{error, feed, item, stats, vote};

/// The options object the loader (or an ES module user) passes: attribute strings and
/// `defaultFeed`.
pub fn options(v: &JsValue) -> RawOptions {
    let s = |key| opt_string(v, key);
    RawOptions {
        feed: s("feed"),
        view: s("view"),
        resource: s("resource"),
        show: s("show"),
        tag: s("tag"),
        partner: s("partner"),
        sort: s("sort"),
        limit: s("limit"),
        theme: s("theme"),
        accent: s("accent"),
        lang: s("lang"),
        lazy: s("lazy"),
        default_feed: string(v, "defaultFeed"),
    }
}
