//! JSON Feed 1.1 rendering, and response bodies compressed once when they are built.

use casm_model::api::FEED_DEFAULT_LIMIT;
use casm_model::wire::{self, Attachment, Author, Feed, Item, ItemExt, ItemLink};
use casm_model::{Counters, LinkKind, Resource, Sort};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::OnceLock;

/// A validated feed query: which page of which selection.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FeedQuery {
    pub limit: usize,
    pub offset: usize,
    pub tag: Option<String>,
    pub partner: Option<String>,
    /// Title search: trimmed and lowercased; `None` is no filter.
    pub q: Option<String>,
    pub sort: Sort,
}

impl Default for FeedQuery {
    fn default() -> Self {
        FeedQuery {
            limit: FEED_DEFAULT_LIMIT as usize,
            offset: 0,
            tag: None,
            partner: None,
            q: None,
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
        if let Some(search) = &self.q {
            q.push_str("&q=");
            q.push_str(&percent_encode(search));
        }
        q
    }

    /// Sets the title search from a `q` parameter: trimmed, lowercased, empty is none.
    pub fn set_search(&mut self, q: &str) {
        let q = q.trim();
        self.q = (!q.is_empty()).then(|| q.to_lowercase());
    }

    /// Whether `r` passes the tag and partner filters and the title search
    /// (case-insensitive).
    pub fn selects(&self, r: &Resource) -> bool {
        let has = |list: &[String], want: &Option<String>| {
            want.as_ref()
                .is_none_or(|w| list.iter().any(|x| x.eq_ignore_ascii_case(w)))
        };
        has(&r.tags, &self.tag)
            && has(&r.partners, &self.partner)
            && self
                .q
                .as_ref()
                .is_none_or(|q| r.title.to_lowercase().contains(q.as_str()))
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
pub fn render_item(r: &Resource, public_url: &str) -> Item {
    let links = r
        .links
        .iter()
        .map(|l| ItemLink {
            id: l.id.clone(),
            title: l.title.clone(),
            url: absolute_url(public_url, &l.url),
            kind: l.kind,
            mime_type: l.mime_type.clone(),
            size: l.size,
        })
        .collect();
    let attachments = r
        .links
        .iter()
        .filter(|l| l.kind.is_download())
        .map(|l| Attachment {
            url: absolute_url(public_url, &l.url),
            mime_type: l
                .mime_type
                .clone()
                .unwrap_or_else(|| default_mime(l.kind).to_owned()),
            title: l.title.clone(),
            size_in_bytes: l.size,
        })
        .collect();
    let content_text = if !r.body.is_empty() {
        r.body.join("\n\n")
    } else if !r.summary.is_empty() {
        r.summary.clone()
    } else {
        r.title.clone()
    };
    Item {
        id: r.id.clone(),
        url: resource_page_url(public_url, &r.id),
        title: r.title.clone(),
        content_text,
        summary: Some(r.summary.clone()).filter(|s| !s.is_empty()),
        date_published: r.created.clone(),
        date_modified: r.modified.clone(),
        language: r.language.clone(),
        tags: r.tags.clone(),
        authors: r
            .partners
            .iter()
            .map(|p| Author {
                name: p.clone(),
                url: None,
            })
            .collect(),
        attachments,
        casm: ItemExt {
            kind: r.kind,
            partners: r.partners.clone(),
            body: r.body.clone(),
            links,
            related: r.related.clone(),
            highlights: r.highlights.clone(),
            version: r.version,
            version_comment: r.version_comment.clone(),
            counters: None,
        },
    }
}

fn default_mime(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Video => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// The feed's name, for its title and its author.
const FEED_AUTHOR: &str = "CASM — Communities and Small-Scale Mining";

/// A feed page: the JSON Feed top level around `items`.
pub fn render_feed(items: Vec<Item>, query: &FeedQuery, public_url: &str, more: bool) -> Feed {
    Feed {
        version: wire::JSON_FEED_VERSION.to_owned(),
        title: format!("{FEED_AUTHOR}: resources"),
        home_page_url: format!("{public_url}/"),
        feed_url: format!("{public_url}/v1/feed.json"),
        description: "Reports, toolkits, presentations and events on artisanal and \
                      small-scale mining, shared by the CASM partnership."
            .to_owned(),
        language: "en".to_owned(),
        authors: vec![Author {
            name: FEED_AUTHOR.to_owned(),
            url: Some(format!("{public_url}/")),
        }],
        next_url: more.then(|| {
            format!(
                "{public_url}/v1/feed.json?{}",
                query.to_query_string(query.offset + query.limit)
            )
        }),
        items,
    }
}

/// An item with live counters, for `GET /v1/resources/{id}`.
pub fn with_counters(mut item: Item, counters: Counters) -> Item {
    item.casm.counters = Some(counters);
    item
}

/// A response body with its strong ETag, and its gzip and brotli forms, each made the
/// first time a client asks for it and then kept for all the times it is served. A page
/// that votes keep reordering is rebuilt often, and most clients take only one encoding.
pub struct Encoded {
    pub etag: String,
    pub identity: bytes::Bytes,
    gzip: OnceLock<bytes::Bytes>,
    br: OnceLock<bytes::Bytes>,
}

impl Encoded {
    /// The body and its ETag; nothing is compressed yet.
    pub fn new(body: Vec<u8>) -> Self {
        Encoded {
            etag: etag_of(&body),
            identity: body.into(),
            gzip: OnceLock::new(),
            br: OnceLock::new(),
        }
    }

    /// The gzip form (empty if compressing failed).
    pub fn gzip(&self) -> &bytes::Bytes {
        self.gzip.get_or_init(|| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            gz.write_all(&self.identity)
                .and_then(|()| gz.finish())
                .unwrap_or_default()
                .into()
        })
    }

    /// The brotli form (empty if compressing failed). The level is moderate, not maximal:
    /// a popular-order page is rebuilt whenever votes reorder its places, and brotli's top
    /// level costs a hundred times more CPU for a few percent of size.
    pub fn br(&self) -> &bytes::Bytes {
        self.br.get_or_init(|| {
            // A window no larger than the body compresses it the same and allocates a
            // fraction: the 4 MB window cost 8 MB per page built at 10,000 resources.
            let len = self.identity.len().max(1);
            let lgwin = (usize::BITS - len.leading_zeros()).clamp(16, 22);
            let mut w = brotli::CompressorWriter::new(Vec::new(), 4096, 5, lgwin);
            match w.write_all(&self.identity).and_then(|()| w.flush()) {
                Ok(()) => w.into_inner().into(),
                Err(_) => bytes::Bytes::new(),
            }
        })
    }
}

/// A strong ETag: a hash of the exact bytes.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..12]))
}

/// The shipped demo catalogue's resources, for this crate's unit tests.
#[cfg(test)]
pub(crate) fn demo_resources() -> Vec<casm_model::Resource> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo-catalogue.json");
    let catalogue: casm_model::Catalogue =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    catalogue.resources
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn next_url_keeps_the_search_encoded() {
        let mut q = FeedQuery {
            limit: 2,
            ..FeedQuery::default()
        };
        q.set_search("  Mining & Élan ");
        assert_eq!(q.q.as_deref(), Some("mining & élan"));
        assert_eq!(
            q.to_query_string(2),
            "limit=2&offset=2&sort=popular&q=mining%20%26%20%C3%A9lan"
        );
        q.set_search("   ");
        assert_eq!(q.q, None);
        assert_eq!(q.to_query_string(0), "limit=2&offset=0&sort=popular");
    }

    #[test]
    fn search_matches_a_title_substring_case_insensitively() {
        let resources = demo_resources();
        let source = resources
            .iter()
            .find(|r| r.id == "casm-global-partnership")
            .unwrap();
        let mut q = FeedQuery::default();
        for hit in ["casm", "GLOBAL PARTNERSHIP", "small scale mining (casm)"] {
            q.set_search(hit);
            assert!(q.selects(source), "{hit}");
        }
        q.set_search("no such title anywhere");
        assert!(!q.selects(source));
        q.set_search("");
        assert!(q.selects(source));
    }

    #[test]
    fn encoded_bodies_decompress_to_the_original() {
        let body = br#"{"items":[]}"#.repeat(50);
        let e = Encoded::new(body.clone());
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&e.gzip()[..]), &mut out)
            .unwrap();
        assert_eq!(out, body);
        // Bodies below and above brotli's smallest window (64 KB).
        for body in [body.clone(), br#"{"items":[1,2,3]}"#.repeat(20_000)] {
            let e = Encoded::new(body.clone());
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut brotli::Decompressor::new(&e.br()[..], 4096), &mut out)
                .unwrap();
            assert_eq!(out, body);
        }
        assert!(e.etag.starts_with('"') && e.etag.len() == 26);
    }
}
