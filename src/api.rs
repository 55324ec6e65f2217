//! Talking to the feed service: URLs, request bodies, `fetch` and `navigator.sendBeacon`.
//!
//! POST bodies are JSON sent as `text/plain` (the service accepts both): a simple request
//! needs no CORS preflight, so a vote is one round trip from a partner's page.

use crate::decode;
use crate::feed::Failure;
use crate::format::{encode_component, int};
use crate::options::Options;
use casm_model::{EventRequest, FeedbackRequest, VoteRequest};
use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RequestInit, Response};

/// A GET the loader started while the Wasm was compiling.
#[derive(Debug)]
pub struct Prefetch {
    /// The URL it fetched; used only if it is the URL the widget wants.
    pub url: String,
    /// Resolves to the `Response`.
    pub response: Promise,
}

use crate::format::cat as join;

/// `/v1/resources/{id}` (with live counters).
pub fn resource_url(feed: &str, id: &str) -> String {
    join(&[feed, "/v1/resources/", &encode_component(id)])
}

/// `/v1/resources/{id}/vote`.
pub fn vote_url(feed: &str, id: &str) -> String {
    join(&[&resource_url(feed, id), "/vote"])
}

/// `/v1/resources/{id}/feedback`.
pub fn feedback_url(feed: &str, id: &str) -> String {
    join(&[&resource_url(feed, id), "/feedback"])
}

/// `/v1/events`.
pub fn events_url(feed: &str) -> String {
    join(&[feed, "/v1/events"])
}

/// `/v1/feed.json` with the list options as query.
pub fn feed_url(o: &Options) -> String {
    let mut s = join(&[&o.feed, "/v1/feed.json?limit=", &int(u64::from(o.limit))]);
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
    let mut s = join(&[feed, "/v1/stats?ids="]);
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&encode_component(id));
    }
    s
}

fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u");
                let n = u32::from(c);
                for shift in [12, 8, 4, 0] {
                    out.push(char::from(HEX[((n >> shift) & 15) as usize]));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON object of string fields (and `helpful`, the one boolean).
fn json_object(fields: &[(&str, Option<&str>)], helpful: Option<bool>) -> String {
    let mut s = String::from("{");
    for (name, value) in fields {
        let Some(value) = value else { continue };
        if s.len() > 1 {
            s.push(',');
        }
        push_json_str(&mut s, name);
        s.push(':');
        push_json_str(&mut s, value);
    }
    if let Some(h) = helpful {
        s.push_str(if s.len() > 1 { "," } else { "" });
        s.push_str(if h {
            "\"helpful\":true"
        } else {
            "\"helpful\":false"
        });
    }
    s.push('}');
    s
}

/// The body of a vote.
pub fn vote_body(r: &VoteRequest) -> String {
    json_object(&[("visitor", Some(&r.visitor))], Some(r.helpful))
}

/// The body of an event.
pub fn event_body(r: &EventRequest) -> String {
    json_object(
        &[
            ("type", Some(r.kind.name())),
            ("resource", Some(&r.resource)),
            ("visitor", Some(&r.visitor)),
            ("link", r.link.as_deref()),
        ],
        None,
    )
}

/// The body of "Submit your comments".
pub fn feedback_body(r: &FeedbackRequest) -> String {
    json_object(
        &[
            ("visitor", Some(&r.visitor)),
            ("text", Some(&r.text)),
            ("contact", r.contact.as_deref()),
        ],
        None,
    )
}

/// Starts a GET of `url`, or with `json`, a POST of it as `text/plain`. `None` without a
/// window (the request cannot be made).
pub fn start(url: &str, json: Option<&str>) -> Option<Promise> {
    let window = crate::dom::window()?;
    Some(match json {
        None => window.fetch_with_str(url),
        Some(json) => {
            let init = RequestInit::new();
            init.set_method("POST");
            init.set_body(&JsValue::from_str(json));
            window.fetch_with_str_and_init(url, &init)
        }
    })
}

#[wasm_bindgen]
extern "C" {
    /// A promise, seen only for its `then`.
    type Thenable;
    /// `promise.then(f, f)`: `f` is called once, with the value or the rejection.
    #[wasm_bindgen(method, js_name = then)]
    fn settled(this: &Thenable, on_fulfilled: &JsValue, on_rejected: &JsValue);
}

/// Calls `f` once `promise` settles, with its value or its rejection. Plain promise
/// callbacks rather than `async`: no task queue or future machinery in the Wasm.
fn when_settled(promise: &Promise, f: Box<dyn FnOnce(JsValue)>) {
    let f = crate::dom::once(f);
    promise.unchecked_ref::<Thenable>().settled(&f, &f);
}

/// An answer: what a request gives the controller.
pub type Answer = Result<String, Failure>;

/// Calls `done` with the body of a successful answer to a started request (`fetch`'s
/// promise), or with why it failed.
pub fn text(response: &Promise, done: Box<dyn FnOnce(Answer)>) {
    when_settled(
        response,
        Box::new(move |resp| {
            let Ok(resp) = resp.dyn_into::<Response>() else {
                return done(Err(Failure::Offline));
            };
            match resp.text() {
                Ok(body) => when_settled(
                    &body,
                    Box::new(move |text| done(answer(&resp, text.as_string()))),
                ),
                Err(_) => done(answer(&resp, None)),
            }
        }),
    );
}

/// The body of a successful answer, or why it failed.
fn answer(resp: &Response, text: Option<String>) -> Answer {
    if resp.ok() {
        return text.ok_or(Failure::Offline);
    }
    let error = text
        .and_then(|t| decode::parse_json(&t).ok())
        .and_then(|v| decode::api_error(&v));
    Err(Failure::Http {
        status: resp.status(),
        error,
    })
}

/// Sends an event with `navigator.sendBeacon`: queued by the browser, it never delays
/// the navigation that follows a click. Returns whether the browser accepted it.
pub fn beacon(url: &str, json: &str) -> bool {
    crate::dom::window()
        .and_then(|w| w.navigator().send_beacon_with_opt_str(url, Some(json)).ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{parse, RawOptions};
    use casm_model::EventKind;

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

    #[test]
    fn bodies_are_json_the_service_reads() {
        assert_eq!(
            vote_body(&VoteRequest {
                visitor: "abcdefghijklmnop".into(),
                helpful: false
            }),
            r#"{"visitor":"abcdefghijklmnop","helpful":false}"#
        );
        assert_eq!(
            event_body(&EventRequest {
                kind: EventKind::VideoDownload,
                resource: "r".into(),
                visitor: "v".into(),
                link: Some("film".into()),
            }),
            r#"{"type":"video_download","resource":"r","visitor":"v","link":"film"}"#
        );
        assert_eq!(
            event_body(&EventRequest {
                kind: EventKind::View,
                resource: "r".into(),
                visitor: "v".into(),
                link: None,
            }),
            r#"{"type":"view","resource":"r","visitor":"v"}"#
        );
        assert_eq!(
            feedback_body(&FeedbackRequest {
                visitor: "v".into(),
                text: "Line \"1\"\nback\\slash\u{1}\u{2028}é".into(),
                contact: None,
            }),
            r#"{"visitor":"v","text":"Line \"1\"\nback\\slash\u0001\u2028é"}"#
        );
    }
}
