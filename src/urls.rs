//! The feed service's URLs, built from the options: plain Rust, tested natively.

use crate::format::{cat, encode_component, int};
use crate::options::Options;

/// `/v1/resources/{id}` (with live counters). Also the key of the visitor's vote and
/// of the saved copy in `localStorage`.
pub fn resource_url(feed: &str, id: &str) -> String {
    cat(&[feed, "/v1/resources/", &encode_component(id)])
}

/// `/v1/resources/{id}/vote`.
pub fn vote_url(feed: &str, id: &str) -> String {
    cat(&[&resource_url(feed, id), "/vote"])
}

/// `/v1/resources/{id}/feedback`.
pub fn feedback_url(feed: &str, id: &str) -> String {
    cat(&[&resource_url(feed, id), "/feedback"])
}

/// A file of the widget build the service serves under `/widget/` (a language table),
/// for ES module users; the loader passes the URLs next to its own instead.
pub fn widget_file(feed: &str, file: &str) -> String {
    cat(&[feed, "/widget/", file])
}

/// `/v1/events`.
pub fn events_url(feed: &str) -> String {
    cat(&[feed, "/v1/events"])
}

/// `/v1/feed.json` with the list options as query.
pub fn feed_url(o: &Options) -> String {
    let mut s = cat(&[&o.feed, "/v1/feed.json?limit=", &int(u64::from(o.limit))]);
    s.push_str("&sort=");
    s.push_str(o.sort.name());
    for (name, value) in [("&tag=", &o.tag), ("&partner=", &o.partner)] {
        if let Some(v) = value {
            s.push_str(name);
            s.push_str(&encode_component(v));
        }
    }
    s
}

/// `/v1/stats?ids=a,b,c`: the counters of many resources in one request.
pub fn stats_url(feed: &str, ids: &[&str]) -> String {
    with_ids(cat(&[feed, "/v1/stats?ids="]), ids)
}

fn with_ids(mut s: String, ids: &[&str]) -> String {
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&encode_component(id));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{parse, RawOptions};

    #[test]
    fn urls_encode_ids_and_filters() {
        let feed = "https://feed.example.org";
        assert_eq!(
            resource_url(feed, "casm-global-partnership"),
            "https://feed.example.org/v1/resources/casm-global-partnership"
        );
        assert_eq!(
            vote_url(feed, "a b"),
            "https://feed.example.org/v1/resources/a%20b/vote"
        );
        assert_eq!(
            stats_url(feed, &["a", "b,c"]),
            "https://feed.example.org/v1/stats?ids=a,b%2Cc"
        );
        let (o, _) = parse(&RawOptions {
            default_feed: feed.into(),
            tag: Some("round table".into()),
            partner: Some("World Bank & IFC".into()),
            sort: Some("recent".into()),
            limit: Some("5".into()),
            ..RawOptions::default()
        });
        assert_eq!(
            feed_url(&o),
            "https://feed.example.org/v1/feed.json?limit=5&sort=recent&tag=round%20table&partner=World%20Bank%20%26%20IFC"
        );
    }
}
