//! JSON Feed 1.1 rendering, and response bodies compressed once when they are built.

use casm_model::{Counters, LinkKind, Resource};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::io::Write;

/// JSON Feed's version URL.
pub const JSON_FEED_VERSION: &str = "https://jsonfeed.org/version/1.1";

/// Most items one feed page may hold.
pub const MAX_LIMIT: usize = 100;
/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 50;

/// Order of feed items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Highest popularity score first.
    #[default]
    Popular,
    /// Most recently modified first.
    Recent,
}

impl Sort {
    /// The query-string name.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Popular => "popular",
            Sort::Recent => "recent",
        }
    }
}

/// A validated feed query: which page of which selection.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FeedQuery {
    pub limit: usize,
    pub offset: usize,
    pub tag: Option<String>,
    pub partner: Option<String>,
    pub sort: Sort,
}

impl Default for FeedQuery {
    fn default() -> Self {
        FeedQuery {
            limit: DEFAULT_LIMIT,
            offset: 0,
            tag: None,
            partner: None,
            sort: Sort::Popular,
        }
    }
}

impl FeedQuery {
    /// The query string for this query at another offset, for `next_url`.
    pub fn to_query_string(&self, offset: usize) -> String {
        let mut q = format!(
            "limit={}&offset={offset}&sort={}",
            self.limit,
            self.sort.name()
        );
        if let Some(tag) = &self.tag {
            q.push_str("&tag=");
            q.push_str(&percent_encode(tag));
        }
        if let Some(partner) = &self.partner {
            q.push_str("&partner=");
            q.push_str(&percent_encode(partner));
        }
        q
    }

    /// Whether `r` passes the tag and partner filters (case-insensitive).
    pub fn selects(&self, r: &Resource) -> bool {
        let has = |list: &[String], want: &Option<String>| {
            want.as_ref()
                .is_none_or(|w| list.iter().any(|x| x.eq_ignore_ascii_case(w)))
        };
        has(&r.tags, &self.tag) && has(&r.partners, &self.partner)
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A link URL as it goes on the wire: paths are resolved against the public URL.
pub fn absolute_url(public_url: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        format!("{public_url}{url}")
    } else {
        url.to_owned()
    }
}

/// The page that shows one resource (the demo's resource page).
pub fn resource_page_url(public_url: &str, id: &str) -> String {
    format!("{public_url}/resource.html?id={}", percent_encode(id))
}

/// One resource as a JSON Feed item with its `_casm` extension, without live counters.
pub fn render_item(r: &Resource, public_url: &str) -> Value {
    let links: Vec<Value> = r
        .links
        .iter()
        .map(|l| {
            let mut link = json!({
                "id": l.id,
                "title": l.title,
                "url": absolute_url(public_url, &l.url),
                "kind": l.kind.name(),
            });
            if let Some(m) = &l.mime_type {
                link["mime_type"] = json!(m);
            }
            if let Some(s) = l.size {
                link["size"] = json!(s);
            }
            link
        })
        .collect();
    let attachments: Vec<Value> = r
        .links
        .iter()
        .filter(|l| l.kind.is_download())
        .map(|l| {
            let mut a = json!({
                "url": absolute_url(public_url, &l.url),
                "mime_type": l.mime_type.clone().unwrap_or_else(|| default_mime(l.kind).to_owned()),
                "title": l.title,
            });
            if let Some(s) = l.size {
                a["size_in_bytes"] = json!(s);
            }
            a
        })
        .collect();
    let content_text = if !r.body.is_empty() {
        r.body.join("\n\n")
    } else if !r.summary.is_empty() {
        r.summary.clone()
    } else {
        r.title.clone()
    };
    let mut item = json!({
        "id": r.id,
        "url": resource_page_url(public_url, &r.id),
        "title": r.title,
        "content_text": content_text,
        "date_published": r.created,
        "date_modified": r.modified,
        "language": r.language,
        "tags": r.tags,
        "authors": r.partners.iter().map(|p| json!({"name": p})).collect::<Vec<_>>(),
        "_casm": {
            "kind": r.kind.name(),
            "partners": r.partners,
            "body": r.body,
            "links": links,
            "related": r.related,
            "highlights": r.highlights,
            "version": r.version,
            "version_comment": r.version_comment,
        }
    });
    if !r.summary.is_empty() {
        item["summary"] = json!(r.summary);
    }
    if !attachments.is_empty() {
        item["attachments"] = json!(attachments);
    }
    item
}

fn default_mime(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Video => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// A feed page: the JSON Feed top level around `items`.
pub fn render_feed(items: Vec<Value>, query: &FeedQuery, public_url: &str, more: bool) -> Value {
    let mut feed = Map::new();
    feed.insert("version".into(), json!(JSON_FEED_VERSION));
    feed.insert(
        "title".into(),
        json!("CASM — Communities and Small-Scale Mining: resources"),
    );
    feed.insert("home_page_url".into(), json!(format!("{public_url}/")));
    feed.insert(
        "feed_url".into(),
        json!(format!("{public_url}/v1/feed.json")),
    );
    feed.insert(
        "description".into(),
        json!("Reports, toolkits, presentations and events on artisanal and small-scale mining, shared by the CASM partnership."),
    );
    feed.insert("language".into(), json!("en"));
    feed.insert(
        "authors".into(),
        json!([{"name": "CASM — Communities and Small-Scale Mining", "url": format!("{public_url}/")}]),
    );
    if more {
        feed.insert(
            "next_url".into(),
            json!(format!(
                "{public_url}/v1/feed.json?{}",
                query.to_query_string(query.offset + query.limit)
            )),
        );
    }
    feed.insert("items".into(), Value::Array(items));
    Value::Object(feed)
}

/// An item with live counters, for `GET /v1/resources/{id}`.
pub fn with_counters(mut item: Value, counters: &Counters) -> Value {
    item["_casm"]["counters"] = counters_json(counters);
    item
}

/// Counters as the API shows them.
pub fn counters_json(c: &Counters) -> Value {
    json!({
        "helpful_votes": c.helpful_votes,
        "page_views": c.page_views,
        "pages_emailed": c.pages_emailed,
        "metacard_views": c.metacard_views,
        "attachments_downloaded": c.attachments_downloaded,
        "videos_downloaded": c.videos_downloaded,
        "relationships_and_highlights": c.relationships_and_highlights,
        "popularity_rank": c.popularity_rank,
        "popularity_total": c.popularity_total,
        "links": c.links,
    })
}

/// A response body with its strong ETag and its gzip and brotli forms, made once.
pub struct Encoded {
    pub etag: String,
    pub identity: bytes::Bytes,
    pub gzip: bytes::Bytes,
    pub br: bytes::Bytes,
}

impl Encoded {
    /// Compresses `body` once for all the times it is served. The levels are moderate, not
    /// maximal: a popular-order page is rebuilt whenever votes reorder the ranking, and
    /// brotli's top level costs a hundred times more CPU for a few percent of size.
    pub fn new(body: Vec<u8>) -> Self {
        let etag = etag_of(&body);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        let gzip = gz
            .write_all(&body)
            .and_then(|()| gz.finish())
            .unwrap_or_default();
        let mut w = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 22);
        let br = match w.write_all(&body).and_then(|()| w.flush()) {
            Ok(()) => w.into_inner(),
            Err(_) => Vec::new(),
        };
        Encoded {
            etag,
            identity: body.into(),
            gzip: gzip.into(),
            br: br.into(),
        }
    }
}

/// A strong ETag: a hash of the exact bytes.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..12]))
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp (validated on import), for
/// ordering by date across UTC offsets.
pub fn timestamp_secs(ts: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| ts.get(r).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (hh, mm, ss) = (n(11..13), n(14..16), n(17..19));
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let offset = match ts.len().checked_sub(6).and_then(|i| ts.get(i..)) {
        Some(off) if off.starts_with('+') || off.starts_with('-') => {
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let h = off
                .get(1..3)
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or(0);
            let m = off
                .get(4..6)
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or(0);
            sign * (h * 3600 + m * 60)
        }
        _ => 0,
    };
    days * 86_400 + hh * 3600 + mm * 60 + ss - offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_order_across_offsets() {
        assert_eq!(timestamp_secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(timestamp_secs("2012-02-29T13:47:00-05:00"), 1_330_541_220);
        assert_eq!(
            timestamp_secs("2012-02-29T18:47:00Z"),
            timestamp_secs("2012-02-29T13:47:00-05:00")
        );
    }

    #[test]
    fn next_url_keeps_filters_encoded() {
        let q = FeedQuery {
            limit: 2,
            tag: Some("women & mining".into()),
            ..FeedQuery::default()
        };
        assert_eq!(
            q.to_query_string(2),
            "limit=2&offset=2&sort=popular&tag=women%20%26%20mining"
        );
    }

    #[test]
    fn encoded_bodies_decompress_to_the_original() {
        let body = br#"{"items":[]}"#.repeat(50);
        let e = Encoded::new(body.clone());
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&e.gzip[..]), &mut out)
            .unwrap();
        assert_eq!(out, body);
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(&e.br[..], 4096), &mut out)
            .unwrap();
        assert_eq!(out, body);
        assert!(e.etag.starts_with('"') && e.etag.len() == 26);
    }
}
