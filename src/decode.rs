//! JavaScript values → casm-model's wire types: the one boundary where raw `JsValue`s
//! from the service are read.
//!
//! A small reader with `js_sys::Reflect` rather than `serde_wasm_bindgen::from_value`:
//! serde's deserializer costs this widget about 20 KB gzipped (its error paths bring in
//! float formatting and `core::fmt`; the README has the figures), more than the rest of
//! the widget. It fills the *same* structs the service serialises with serde, and the
//! browser tests check it against serde's own decoding of captured service output
//! (`tests/fixtures/wire/`). Missing or wrongly typed optional fields take their
//! default; unknown kinds take the kind's default; an item without id or title is refused.

use crate::feed::{Failure, Feed, Item, ItemLink, Stats};
use crate::options::RawOptions;
use casm_model::wire::IdMap;
use casm_model::wire::{Attachment, Author, ErrorBody, ErrorDetail, ItemExt, ResourceStats};
use casm_model::{Baseline, Counter, Counters, LinkKind, ResourceKind, VoteResponse};
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

fn author(v: &JsValue) -> Option<Author> {
    Some(Author {
        name: opt_string(v, "name")?,
        url: opt_string(v, "url"),
    })
}

fn attachment(v: &JsValue) -> Option<Attachment> {
    Some(Attachment {
        url: opt_string(v, "url")?,
        mime_type: string(v, "mime_type"),
        title: string(v, "title"),
        size_in_bytes: uint(v, "size_in_bytes"),
    })
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
        content_text: string(v, "content_text"),
        summary: opt_string(v, "summary"),
        date_published: string(v, "date_published"),
        date_modified: string(v, "date_modified"),
        language: string(v, "language"),
        tags: strings(v, "tags"),
        authors: list(v, "authors", author),
        attachments: list(v, "attachments", attachment),
        casm: ItemExt {
            kind: ResourceKind::parse(&string(&casm, "kind")).unwrap_or_default(),
            partners: strings(&casm, "partners"),
            body: strings(&casm, "body"),
            links: list(&casm, "links", link),
            related: strings(&casm, "related"),
            highlights: strings(&casm, "highlights"),
            version: uint(&casm, "version").map_or(0, |n| n.min(u64::from(u32::MAX)) as u32),
            version_comment: string(&casm, "version_comment"),
            counters: counters.is_object().then(|| self::counters(&counters)),
        },
    })
}

/// A counters object: `/v1/stats` entries and `_casm.counters`.
pub fn counters(v: &JsValue) -> Counters {
    let mut c = Counters::default();
    for counter in Counter::ALL {
        c.set(counter, uint(v, counter.name()).unwrap_or(0));
    }
    c.links = map(&get(v, "links"), |n| {
        n.as_f64().map_or(0, |n| n.max(0.0) as u64)
    });
    c
}

/// One partner's share of the maintained counters (`by=partner`).
fn partner_counts(v: &JsValue) -> Baseline {
    let n = |c: Counter| uint(v, c.name()).unwrap_or(0);
    Baseline {
        helpful_votes: n(Counter::HelpfulVotes),
        page_views: n(Counter::PageViews),
        pages_emailed: n(Counter::PagesEmailed),
        metacard_views: n(Counter::MetacardViews),
        attachments_downloaded: n(Counter::AttachmentsDownloaded),
        videos_downloaded: n(Counter::VideosDownloaded),
    }
}

/// A JSON Feed page; items that cannot be read are skipped.
pub fn feed(v: &JsValue) -> Result<Feed, Failure> {
    if !Array::is_array(&get(v, "items")) {
        return Err(Failure::Invalid);
    }
    Ok(Feed {
        version: string(v, "version"),
        title: string(v, "title"),
        home_page_url: string(v, "home_page_url"),
        feed_url: string(v, "feed_url"),
        description: string(v, "description"),
        language: string(v, "language"),
        authors: list(v, "authors", author),
        next_url: opt_string(v, "next_url"),
        items: list(v, "items", |i| item(i).ok()),
    })
}

/// `/v1/stats`.
pub fn stats(v: &JsValue) -> Stats {
    Stats {
        resources: map(&get(v, "resources"), |r| {
            let partners = get(r, "partners");
            ResourceStats {
                counters: counters(r),
                partners: partners.is_object().then(|| map(&partners, partner_counts)),
            }
        }),
    }
}

/// The answer to a vote.
pub fn vote(v: &JsValue) -> Result<VoteResponse, Failure> {
    Ok(VoteResponse {
        helpful_votes: uint(v, "helpful_votes").ok_or(Failure::Invalid)?,
        voted: get(v, "voted").as_bool().ok_or(Failure::Invalid)?,
    })
}

/// An error answer's body, if it has one.
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
