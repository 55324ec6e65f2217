//! The DOM layer: shadow roots, turning a view tree into elements, in-place updates,
//! listeners, host-page events and console lines. Everything else in the crate is plain
//! Rust.
//!
//! Elements are made with `createElement`, text with text nodes; nothing is ever parsed as
//! HTML, so feed text cannot become markup.

use crate::view::{Action, Child, Node, Slot};
use gloo_events::{EventListener, EventListenerOptions};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    CssStyleSheet, CustomEvent, CustomEventInit, Document, Element, Event, HtmlElement, ShadowRoot,
    ShadowRootInit, ShadowRootMode, Window,
};

/// What the controller does when a rendered element's event fires.
pub type Handler = Rc<dyn Fn(&Action, &Event)>;

/// The widget's stylesheet.
pub const STYLE: &str = include_str!("style.css");

thread_local! {
    static WARNED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// The page's one constructed stylesheet, made on first use.
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

/// The page's stylesheet as a constructed one, shared by every widget; `None` in a
/// browser that cannot construct (or adopt) one.
fn sheet() -> Option<CssStyleSheet> {
    SHEET.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            let sheet = CssStyleSheet::new().ok()?;
            sheet.replace_sync(STYLE).ok()?;
            *cell = Some(sheet);
        }
        cell.clone()
    })
}

/// A widget's shadow root.
pub struct Root {
    shadow: ShadowRoot,
    /// The stylesheet goes in as a `<style>` with each render: this browser cannot adopt
    /// a constructed one.
    inline_style: bool,
}

impl Root {
    /// The shadow root, for tests and queries.
    pub fn as_raw(&self) -> &ShadowRoot {
        &self.shadow
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Window;
}

/// The page's `window`. Read directly rather than through `web_sys::window()`, whose
/// search for the global object (for workers and other hosts) costs the Wasm build
/// about 1 KB; the widget only runs in pages. Always `Some`; an `Option` for callers.
pub fn window() -> Option<Window> {
    Some(WINDOW.with(Window::clone))
}

/// A timer that calls `f` after `ms` unless dropped first. Every timer of the widget is
/// made here with a boxed callback, so gloo's timer code is in the Wasm once rather than
/// once per kind of callback.
pub fn timeout(ms: u32, f: Box<dyn FnOnce()>) -> gloo_timers::callback::Timeout {
    gloo_timers::callback::Timeout::new(ms, f)
}

/// A JavaScript function that calls `f` once (with its first argument) and then frees
/// it. Boxed, so that one closure shim serves every caller.
pub fn once(f: Box<dyn FnOnce(JsValue)>) -> JsValue {
    Closure::once_into_js(f)
}

/// Opens (or reuses, after an unmount) the host's open shadow root, with the page's
/// stylesheet adopted: a constructed sheet is not inline style, so a partner's strict
/// `style-src` allows it, and one sheet serves every widget on the page. Until the first
/// render the root shows the host's own children (the partner's fallback content).
pub fn attach(host: &Element) -> Result<Root, JsValue> {
    let shadow = match host.shadow_root() {
        Some(s) => s,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let sheet = sheet();
    if let Some(sheet) = &sheet {
        shadow.set_adopted_style_sheets(&js_sys::Array::of1(sheet));
    }
    let inline_style = sheet.is_none();
    let root = Root {
        shadow,
        inline_style,
    };
    clear(&root);
    Ok(root)
}

/// An element this module made with `createElement` in an HTML document: always an
/// `HTMLElement` (no `instanceof` check, and its glue, needed).
fn html(e: &Element) -> &HtmlElement {
    e.unchecked_ref()
}

fn document() -> Result<Document, JsValue> {
    window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// A rendered view: the named elements the controller updates, and the listeners, which
/// are removed when this is dropped.
#[must_use = "dropping it removes the listeners"]
pub struct Rendered {
    /// (slot, enclosing slot, element)
    slots: Vec<(Slot, Option<Slot>, Element)>,
    /// (enclosing slot, listener): gloo's listeners remove themselves when dropped.
    listeners: Vec<(Option<Slot>, EventListener)>,
    /// The counters shown (`data-stat` elements), in tree order.
    stats: Vec<Element>,
}

/// Replaces the root's content with `tree` (and, where stylesheets cannot be adopted,
/// a `<style>` of its own).
pub fn render(root: &Root, tree: &Node, handler: &Handler) -> Result<Rendered, JsValue> {
    let doc = document()?;
    let mut out = Rendered {
        slots: Vec::new(),
        listeners: Vec::new(),
        stats: Vec::new(),
    };
    let element = build(&doc, tree, None, handler, &mut out)?;
    root.shadow.set_text_content(None);
    if root.inline_style {
        let style = doc.create_element("style")?;
        style.set_text_content(Some(STYLE));
        root.shadow.append_child(&style)?;
    }
    root.shadow.append_child(&element)?;
    Ok(out)
}

/// Whether a keyboard event is the Escape key (read by name: web-sys's KeyboardEvent would
/// cost a binding for one field).
pub fn is_escape(event: &web_sys::Event) -> bool {
    crate::decode::opt_string(event, "key").as_deref() == Some("Escape")
}

/// Empties the shadow root, leaving a `<slot>`: the host shows its own children again.
pub fn clear(root: &Root) {
    root.shadow.set_text_content(None);
    if let Ok(slot) = document().and_then(|d| d.create_element("slot")) {
        let _ = root.shadow.append_child(&slot);
    }
}

fn build(
    doc: &Document,
    node: &Node,
    region: Option<Slot>,
    handler: &Handler,
    out: &mut Rendered,
) -> Result<Element, JsValue> {
    let el = doc.create_element(node.tag)?;
    for (name, value) in &node.attrs {
        if name.starts_with("--") {
            html(&el).style().set_property(name, value)?;
        } else {
            el.set_attribute(name, value)?;
        }
    }
    if let Some(slot) = node.slot {
        out.slots.push((slot, region, el.clone()));
    }
    if node.attrs.iter().any(|(name, _)| *name == STAT) {
        out.stats.push(el.clone());
    }
    if let Some(on) = &node.on {
        let action = on.action.clone();
        let handler = Rc::clone(handler);
        let prevent = on.prevent_default;
        // Not passive when the default is cancelled (gloo's listeners are passive unless
        // told otherwise).
        let options = if prevent {
            EventListenerOptions::enable_prevent_default()
        } else {
            EventListenerOptions::default()
        };
        let listener = EventListener::new_with_options(&el, on.event, options, move |e| {
            if prevent {
                e.prevent_default();
            }
            handler(&action, e);
        });
        out.listeners.push((region, listener));
    }
    // Children belong to the outermost slot around them, so replacing that slot's
    // content also drops their listeners and slots.
    let inner = region.or(node.slot);
    for child in &node.children {
        match child {
            Child::Text(t) => {
                el.append_child(&doc.create_text_node(t))?;
            }
            Child::El(n) => {
                let child = build(doc, n, inner, handler, out)?;
                el.append_child(&child)?;
            }
        }
    }
    Ok(el)
}

/// The attribute of every counter's element.
const STAT: &str = "data-stat";

/// The text of each counter in `node`, in tree order (the order [`build`] meets them).
fn stat_texts<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    for child in &node.children {
        match child {
            Child::Text(t) if node.attrs.iter().any(|(name, _)| *name == STAT) => out.push(t),
            Child::El(n) => stat_texts(n, out),
            Child::Text(_) => {}
        }
    }
}

impl Rendered {
    /// Sets the counters' text from `tree`, the same view with new numbers: only text
    /// changes, so nothing flickers and focus stays. Does nothing if `tree` has another
    /// number of counters (the controller redraws whenever the shape changes).
    pub fn set_stats(&self, tree: &Node) {
        let mut texts = Vec::new();
        stat_texts(tree, &mut texts);
        if texts.len() != self.stats.len() {
            return;
        }
        for (el, text) in self.stats.iter().zip(texts) {
            if el.text_content().as_deref() != Some(text) {
                el.set_text_content(Some(text));
            }
        }
    }

    /// The element named `slot`.
    pub fn slot(&self, slot: Slot) -> Option<&Element> {
        self.slots
            .iter()
            .find(|(s, _, _)| *s == slot)
            .map(|(_, _, e)| e)
    }

    /// Sets the text of a slot.
    pub fn set_text(&self, slot: Slot, text: &str) {
        if let Some(e) = self.slot(slot) {
            e.set_text_content(Some(text));
        }
    }

    /// Sets an attribute of a slot.
    pub fn set_attr(&self, slot: Slot, name: &str, value: &str) {
        if let Some(e) = self.slot(slot) {
            // Only fails for invalid attribute names, which are all ours and valid.
            let _ = e.set_attribute(name, value);
        }
    }

    /// The value of a text field slot (`<textarea>` or `<input>`).
    pub fn value(&self, slot: Slot) -> Option<String> {
        let e = self.slot(slot)?;
        js_sys::Reflect::get(e, &JsValue::from_str("value"))
            .ok()?
            .as_string()
    }

    /// Moves keyboard focus to a slot.
    pub fn focus(&self, slot: Slot) {
        if let Some(e) = self.slot(slot) {
            let _ = html(e).focus();
        }
    }

    /// Replaces the content of a slot (or empties it), with its listeners.
    pub fn replace(
        &mut self,
        slot: Slot,
        tree: Option<&Node>,
        handler: &Handler,
    ) -> Result<(), JsValue> {
        let Some(target) = self.slot(slot).cloned() else {
            return Ok(());
        };
        self.listeners.retain(|(region, _)| *region != Some(slot));
        self.slots.retain(|(_, region, _)| *region != Some(slot));
        target.set_text_content(None);
        if let Some(tree) = tree {
            let el = build(&document()?, tree, Some(slot), handler, self)?;
            target.append_child(&el)?;
        }
        Ok(())
    }
}

/// Language tags that apply to `host`, most specific first: its closest `lang`
/// attribute (the page's, at the latest), then the browser's language.
pub fn lang_candidates(host: &Element) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(lang) = host
        .closest("[lang]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("lang"))
    {
        out.push(lang);
    }
    if let Some(lang) = window().and_then(|w| w.navigator().language()) {
        out.push(lang);
    }
    out
}

/// Whether the page around `host` is right to left: its closest `dir` says `rtl`.
pub fn page_is_rtl(host: &Element) -> bool {
    host.closest("[dir]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("dir"))
        .is_some_and(|d| d.trim().eq_ignore_ascii_case("rtl"))
}

/// The host page's origin.
pub fn page_origin() -> String {
    window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Dispatches `name` with `detail` on `host`: bubbling, and composed so that it leaves
/// the shadow root of a host that is itself in one. A host listener that throws cannot
/// reach the widget (the browser reports it and carries on).
pub fn emit(host: &Element, name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}

/// Writes one `[casm]` console line.
pub fn console(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&crate::format::cat(&[
        "[casm] ", message,
    ])));
}

/// Writes a `[casm]` console line unless the same line was written before on this page.
pub fn console_once(message: &str) {
    let first = WARNED.with(|w| {
        let mut w = w.borrow_mut();
        let first = !w.iter().any(|m| m == message);
        if first {
            w.push(message.to_owned());
        }
        first
    });
    if first {
        console(message);
    }
}
