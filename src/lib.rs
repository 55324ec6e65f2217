//! CASM Embed: the embeddable CASM resource widget, Rust compiled to WebAssembly.
//!
//! Partners add one script tag and an element:
//! `<div data-casm-widget data-resource="casm-global-partnership"></div>`. The loader
//! (`www/casm-widget.js`) finds those elements, starts the data request while the Wasm
//! compiles, and calls [`mount`] for each; [`Widget::unmount`] undoes it.
//!
//! # Layout
//! Plain Rust, tested natively with `cargo test -p casm-widget`:
//! - [`options`]: `data-` attributes → typed [`options::Options`], with warnings.
//! - [`i18n`]: the languages and their complete string tables.
//! - [`format`]: numbers, dates, sizes and URL encoding per language.
//! - [`feed`]: the service's data as typed structs, and request failures.
//! - [`view`]: the view model: each view as a tree of [`view::Node`]s.
//!
//! The browser boundary, tested in headless Chromium by `tests/web.rs`:
//! - [`decode`]: JavaScript values → [`feed`] structs (the only reader of raw `JsValue`s).
//! - [`dom`]: shadow roots, rendering view trees, listeners, console lines.
//! - [`api`]: URLs, request bodies, `fetch` and `sendBeacon`.
//! - [`storage`]: visitor token, votes and offline copies in `localStorage`.
//! - [`widget`]: the controller of one mounted widget.
//! - this file: the `#[wasm_bindgen]` surface, [`mount`] and [`Widget`].

pub mod api;
pub mod decode;
pub mod dom;
pub mod feed;
pub mod format;
pub mod i18n;
pub mod options;
pub mod storage;
pub mod view;
pub mod widget;

use wasm_bindgen::prelude::*;

/// A mounted widget, as JavaScript holds it.
#[wasm_bindgen]
pub struct Widget {
    _controller: widget::Controller,
}

#[wasm_bindgen]
impl Widget {
    /// Removes the widget's content and listeners; late answers are ignored.
    pub fn unmount(self) {}
}

/// Mounts a widget on `host`. `options` holds the option strings (`view`, `resource`, ...)
/// and `defaultFeed`; `prefetch` is the loader's `{url, response}` request, or undefined.
/// Throws only when `host` cannot have a shadow root.
#[wasm_bindgen]
pub fn mount(
    host: &web_sys::Element,
    options: &JsValue,
    prefetch: &JsValue,
) -> Result<Widget, JsValue> {
    let raw = decode::options(options);
    widget::Controller::mount(host, &raw, decode::prefetch(prefetch))
        .map(|c| Widget { _controller: c })
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
