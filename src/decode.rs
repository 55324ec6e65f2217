//! JavaScript values → typed structs: the one boundary where raw `JsValue`s are read.
//!
//! Decoding reads properties with `js_sys::Reflect` instead of serde: on this widget serde
//! and serde-wasm-bindgen cost about 20 KB gzipped (mostly their error paths pulling in
//! float formatting), more than the rest of the widget. Missing or wrongly typed optional
//! fields take their default; an item without an id or title is refused.

use crate::api::Prefetch;
use crate::feed::{ApiError, Counts, Failure, Item, ItemLink, Stats, VoteResult};
use crate::options::RawOptions;
use casm_model::{Counter, LinkKind, ResourceKind};
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};

fn get(v: &JsValue, key: &str) -> JsValue {
    if !v.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn opt_string(v: &JsValue, key: &str) -> Option<String> {
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

fn keys(v: &JsValue) -> Vec<String> {
    if !v.is_object() {
        return Vec::new();
    }
    Object::keys(v.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

/// Parses JSON text.
pub fn parse_json(text: &str) -> Result<JsValue, Failure> {
    js_sys::JSON::parse(text).map_err(|_| Failure::Invalid)
}

/// A resource: a feed item or the answer of `/v1/resources/{id}`.
pub fn item(v: &JsValue) -> Result<Item, Failure> {
    let id = string(v, "id");
    let title = string(v, "title");
    if id.is_empty() || title.is_empty() {
        return Err(Failure::Invalid);
    }
    let casm = get(v, "_casm");
    let links = array(&casm, "links")
        .iter()
        .filter_map(|l| {
            let l = &l;
            let id = string(l, "id");
            let title = string(l, "title");
            (!id.is_empty() && !title.is_empty()).then(|| ItemLink {
                id,
                title,
                url: string(l, "url"),
                kind: LinkKind::parse(&string(l, "kind")),
                mime_type: opt_string(l, "mime_type"),
                size: uint(l, "size"),
            })
        })
        .collect();
    let counters = get(&casm, "counters");
    Ok(Item {
        id,
        url: string(v, "url"),
        title,
        summary: string(v, "summary"),
        body: strings(&casm, "body"),
        kind: ResourceKind::parse(&string(&casm, "kind")),
        language: string(v, "language"),
        partners: strings(&casm, "partners"),
        links,
        created: string(v, "date_published"),
        modified: string(v, "date_modified"),
        version_comment: string(&casm, "version_comment"),
        counters: counters.is_object().then(|| self::counters(&counters)),
    })
}

/// The counters object of `/v1/stats` and `_casm.counters` (per-link counts are not read).
pub fn counters(v: &JsValue) -> Counts {
    Counter::ALL
        .into_iter()
        .fold(Counts::default(), |c, counter| {
            c.with(counter, uint(v, counter.name()).unwrap_or(0))
        })
}

/// The items of a JSON Feed; items that cannot be read are skipped.
pub fn feed(v: &JsValue) -> Result<Vec<Item>, Failure> {
    let items = get(v, "items");
    if !Array::is_array(&items) {
        return Err(Failure::Invalid);
    }
    Ok(array(v, "items")
        .iter()
        .filter_map(|i| item(&i).ok())
        .collect())
}

/// `/v1/stats`.
pub fn stats(v: &JsValue) -> Stats {
    let resources = get(v, "resources");
    Stats(
        keys(&resources)
            .into_iter()
            .map(|id| {
                let c = counters(&get(&resources, &id));
                (id, c)
            })
            .collect(),
    )
}

/// The answer to a vote.
pub fn vote(v: &JsValue) -> Result<VoteResult, Failure> {
    let helpful_votes = uint(v, "helpful_votes").ok_or(Failure::Invalid)?;
    let voted = get(v, "voted").as_bool().ok_or(Failure::Invalid)?;
    Ok(VoteResult {
        helpful_votes,
        voted,
    })
}

/// The `error` object of an error answer, if the body has one.
pub fn api_error(v: &JsValue) -> Option<ApiError> {
    let e = get(v, "error");
    e.is_object().then(|| ApiError {
        code: string(&e, "code"),
        message: string(&e, "message"),
    })
}

/// The options object the loader passes: attribute strings and `defaultFeed`.
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

/// The request the loader started before the Wasm was ready: `{url, response}`.
pub fn prefetch(v: &JsValue) -> Option<Prefetch> {
    let url = opt_string(v, "url")?;
    let response = get(v, "response").dyn_into::<Promise>().ok()?;
    Some(Prefetch { url, response })
}
