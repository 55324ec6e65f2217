//! CASM Embed: the embeddable CASM resource widget, Rust compiled to WebAssembly.
//!
//! Partners add one script tag and an element:
//! `<div data-casm-widget data-resource="casm-global-partnership"></div>`. The loader
//! (`www/casm-widget.js`) finds those elements, starts the data request while the Wasm
//! compiles, and calls [`mount`] for each; [`MountedWidget::unmount`] undoes it. It also
//! holds the page's live-counts stream and feeds [`MountedWidget::counts`]. ES module
//! users call `init()` and [`mount`] from `pkg/casm_widget.js` themselves.
//!
//! # Layout
//! Plain Rust, tested natively with `cargo test -p casm-widget`:
//! - [`options`]: `data-` attributes → typed [`options::Options`], with warnings.
//! - [`contrast`]: readable colours on and from the partner's accent (WCAG 2.x).
//! - [`i18n`]: the languages and their complete string tables (only English is built into
//!   the Wasm; the others are files it fetches, named by a hash of their text).
//! - [`format`](mod@format): numbers, dates, sizes and URL encoding per language.
//! - [`feed`]: the service's data (casm-model's wire types) and request failures.
//! - [`urls`]: the service's URLs.
//! - [`view`]: the view model: each view as a tree of [`view::Node`]s.
//! - [`host_event`]: the `casm:*` events the host page receives, and their details.
//! - [`controller`]: `update(state, message) → effects`, every decision of a widget.
//!
//! The browser boundary, tested in headless Chromium by `tests/web.rs`:
//! - [`decode`]: JavaScript values → casm-model's types (the only reader of service data).
//! - [`dom`]: shadow roots, rendering view trees, listeners, host events, console lines.
//! - [`api`]: `fetch`, `sendBeacon`, request bodies via serde-wasm-bindgen.
//! - [`storage`]: visitor token, votes and saved copies in `localStorage`.
//! - [`widget`]: the runner that performs the controller's effects.
//! - this file: the `#[wasm_bindgen]` surface, [`mount`] and [`MountedWidget`].

pub mod api;
pub mod contrast;
pub mod controller;
pub mod decode;
pub mod dom;
pub mod feed;
pub mod format;
pub mod host_event;
pub mod i18n;
pub mod intl;
pub mod options;
pub mod plural;
pub mod storage;
pub mod urls;
pub mod view;
pub mod widget;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &'static str = r#"
/** Widget options: the `data-` attribute values, as strings. All are optional. */
export interface MountOptions {
  /** Base URL of the feed service; defaults to `defaultFeed`, then the page's origin. */
  feed?: string;
  view?: "resource" | "card" | "list";
  resource?: string;
  /** Comma list of summary, body, links, info, votes, share, feedback. */
  show?: string;
  tag?: string;
  partner?: string;
  sort?: "popular" | "recent";
  /** 1 to 100. */
  limit?: string;
  theme?: "light" | "dark" | "auto";
  /** An opaque hex colour, `#rgb` or `#rrggbb`. */
  accent?: string;
  lang?: string;
  /** The script-tag loader's: wait until the element nears the viewport. `mount` itself
   * always renders at once. */
  lazy?: "true" | "false";
  /** The feed to use when `feed` is not given (the loader passes its own origin). */
  defaultFeed?: string;
}

/** Requests the loader started while the Wasm compiled; each is used when it is for the
 * URL the widget wants: the resource's data, and the widget language's table. */
export interface Prefetch {
  url?: string;
  response?: Promise<Response>;
  strings?: { url: string; response: Promise<Response> };
}
"#;

#[wasm_bindgen]
extern "C" {
    /// [`mount`]'s options object, typed for TypeScript users.
    #[wasm_bindgen(typescript_type = "MountOptions")]
    pub type MountOptions;

    /// The loader's early request (`{url, response}`), typed for TypeScript users.
    #[wasm_bindgen(typescript_type = "Prefetch")]
    pub type LoaderPrefetch;
}

/// A mounted widget, as JavaScript holds it.
#[wasm_bindgen(js_name = Widget)]
pub struct MountedWidget {
    _widget: widget::Widget,
}

#[wasm_bindgen(js_class = Widget)]
impl MountedWidget {
    /// Removes the widget's content and listeners; late answers are ignored.
    pub fn unmount(self) {}

    /// The ids of the resources whose counters the widget shows now, comma-separated
    /// (ids are slugs); empty while loading or after a failure. The loader re-reads them
    /// on each `casm:render` and asks its page-wide `/v1/stream` for their union.
    pub fn ids(&self) -> String {
        let mut s = String::new();
        for id in self._widget.live_ids() {
            if !s.is_empty() {
                s.push(',');
            }
            s.push_str(&id);
        }
        s
    }

    /// Live counters: `data` is one `/v1/stream` `counts` message, parsed
    /// (`{"resources": {"<id>": {…}}}`). The numbers of the resources shown change in
    /// place, without an announcement; other ids and malformed data are ignored. Never
    /// throws.
    pub fn counts(&self, data: &JsValue) {
        self._widget.counts(data);
    }
}

/// Mounts a widget on `host`. `options` holds the option strings (`view`, `resource`, ...)
/// and `defaultFeed`; `prefetch` holds the loader's early requests, if any.
/// Throws only when `host` cannot have a shadow root.
#[wasm_bindgen]
pub fn mount(
    host: &web_sys::Element,
    options: &MountOptions,
    prefetch: Option<LoaderPrefetch>,
) -> Result<MountedWidget, JsValue> {
    let mut raw = decode::options(options);
    if raw.default_feed.is_empty() {
        // ES module users may leave the feed out: the page's own origin serves it.
        raw.default_feed = dom::page_origin();
    }
    let prefetch = prefetch.map_or_else(api::Prefetch::default, |p| api::Prefetch::from_js(&p));
    widget::Widget::mount(host, &raw, prefetch).map(|w| MountedWidget { _widget: w })
}

/// Logs Rust panics to the console (feature `panic-hook`, off by default for size).
#[cfg(feature = "panic-hook")]
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A small single-threaded free-list allocator (Wasm here has one thread).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without atomics runs this module on one thread only.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
