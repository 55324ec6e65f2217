//! Talking to the feed service from the browser: `fetch`, `navigator.sendBeacon`, and
//! request bodies serialised from casm-model's types with serde-wasm-bindgen.
//!
//! POST bodies are JSON sent as `text/plain` (the service accepts both): a simple request
//! needs no CORS preflight, so a vote is one round trip from a partner's page.

use crate::decode;
use crate::feed::Failure;
use js_sys::Promise;
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RequestInit, Response};

/// A GET the loader started while the Wasm was compiling: `{url, response}`.
#[derive(Debug)]
pub struct Early {
    /// The URL it fetched; used only if it is the URL the widget wants.
    pub url: String,
    /// Resolves to the `Response`.
    pub response: Promise,
}

impl Early {
    fn from_js(v: &JsValue) -> Option<Early> {
        let url = decode::opt_string(v, "url")?;
        let response = decode::get(v, "response").dyn_into::<Promise>().ok()?;
        Some(Early { url, response })
    }
}

/// The loader's early requests: `{url, response, strings: {url, response}}`, the
/// resource's data and the language table, each when the loader could tell it.
#[derive(Debug, Default)]
pub struct Prefetch {
    /// The resource's data.
    pub data: Option<Early>,
    /// The table of the widget's language.
    pub strings: Option<Early>,
}

impl Prefetch {
    /// Reads the loader's object (ES module users pass nothing).
    pub fn from_js(v: &JsValue) -> Prefetch {
        Prefetch {
            data: Early::from_js(v),
            strings: Early::from_js(&decode::get(v, "strings")),
        }
    }
}

/// `value` as JSON text: serde-wasm-bindgen makes the JS value, `JSON.stringify` the text.
pub fn json<T: Serialize>(value: &T) -> Option<String> {
    let v = serde_wasm_bindgen::to_value(value).ok()?;
    js_sys::JSON::stringify(&v).ok().map(String::from)
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

/// An answer: the body of a successful response, or why there is none.
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
        .and_then(|v| decode::error(&v))
        .map(|body| body.error);
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
