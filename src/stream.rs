//! Live counters: one `EventSource` per page and feed service on `/v1/stream`, shared by
//! every widget of that feed, and the watch that says when a widget is worth updating.
//!
//! Browsers allow six HTTP/1.1 connections per host, so widgets never open their own:
//! each [`subscribe`]s its ids, and the page's stream asks for the union of the ids of
//! the widgets subscribed now (on screen, in a visible tab: [`watch`]). Changes to that
//! set within one task make one reopen; the stream closes when the set is empty. The
//! service sends a snapshot first, so reopening with more ids misses nothing.
//!
//! `EventSource` reconnects by itself after a network error. When it gives up (closed:
//! a proxy answered 403 or HTML), the stream is reopened after 1 s, 2 s, 4 s … at most
//! 60 s, reset by the next message; one `[casm]` console line says so, the page sees
//! nothing else, and the widgets keep the counts they show.

use crate::decode;
use crate::dom;
use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, EventSource, IntersectionObserver, MessageEvent};

/// Called with each message's counters, parsed JSON of a [`Stats`](crate::feed::Stats) (any of the page's
/// ids: each widget decodes it with [`decode::stats`] and takes its own).
pub type OnCounts = Rc<dyn Fn(&JsValue)>;

/// The most ids one stream asks for (the service's limit, as for `/v1/stats`).
const MAX_IDS: usize = 100;

/// The longest wait before reopening a stream the browser gave up on.
const MAX_BACKOFF_MS: u32 = 60_000;

struct Sub {
    id: u32,
    ids: Vec<String>,
    on: OnCounts,
}

/// The open `EventSource` and its listeners, closed when dropped.
struct Open {
    source: EventSource,
    ids: Vec<String>,
    _listeners: [EventListener; 2],
}

impl Drop for Open {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// One feed service's stream on this page.
struct Hub {
    feed: String,
    subs: Vec<Sub>,
    open: Option<Open>,
    /// The pending reopen (after changes, or after a give-up).
    timer: Option<Timeout>,
    /// The last wait after a give-up, in ms; 0 after a message.
    backoff: u32,
}

/// Listeners and timers hold it weakly: a hub lives as long as the page.
type Shared = Rc<RefCell<Hub>>;
type Weak = std::rc::Weak<RefCell<Hub>>;

thread_local! {
    static HUBS: RefCell<Vec<Shared>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u32> = const { Cell::new(0) };
}

/// `feed`'s hub, made on first use.
fn hub_of(feed: &str) -> Shared {
    HUBS.with(|hubs| {
        let mut hubs = hubs.borrow_mut();
        if let Some(hub) = hubs.iter().find(|h| h.borrow().feed == feed) {
            return hub.clone();
        }
        let hub = Rc::new(RefCell::new(Hub {
            feed: feed.to_owned(),
            subs: Vec::new(),
            open: None,
            timer: None,
            backoff: 0,
        }));
        hubs.push(hub.clone());
        hub
    })
}

/// A widget's subscription; dropping it unsubscribes.
#[must_use = "dropping it unsubscribes"]
pub struct Subscription {
    hub: Shared,
    id: u32,
}

/// Asks `feed`'s stream for `ids`; `on` gets every message until the guard is dropped.
pub fn subscribe(feed: &str, ids: Vec<String>, on: OnCounts) -> Subscription {
    let id = NEXT.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    let hub = hub_of(feed);
    if let Ok(mut h) = hub.try_borrow_mut() {
        h.subs.push(Sub { id, ids, on });
    }
    changed(&hub);
    Subscription { hub, id }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Ok(mut h) = self.hub.try_borrow_mut() {
            h.subs.retain(|s| s.id != self.id);
        }
        changed(&self.hub);
    }
}

/// The set of ids changed: reopen once, in a later task, whatever else changes meanwhile.
fn changed(hub: &Shared) {
    let Ok(mut h) = hub.try_borrow_mut() else {
        return;
    };
    if h.timer.is_none() {
        h.timer = Some(reopen_after(0, Rc::downgrade(hub)));
    }
}

/// One closure type for every reopen, so its timer code is in the Wasm once.
fn reopen_after(ms: u32, weak: Weak) -> Timeout {
    dom::timeout(ms, Box::new(move || reopen(&weak)))
}

/// Opens the stream for the ids subscribed now, unless it is open for them already.
fn reopen(weak: &Weak) {
    let Some(hub) = weak.upgrade() else { return };
    let Ok(mut h) = hub.try_borrow_mut() else {
        return;
    };
    h.timer = None;
    // In subscription order, each once (no sort: its code costs the Wasm kilobytes).
    let mut ids: Vec<String> = Vec::new();
    for id in h.subs.iter().flat_map(|s| &s.ids) {
        if ids.len() < MAX_IDS && !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    if h.open
        .as_ref()
        .is_some_and(|o| o.ids == ids && o.source.ready_state() != EventSource::CLOSED)
    {
        return;
    }
    h.open = None;
    if !ids.is_empty() {
        h.open = open(weak, &h.feed, ids);
    }
}

fn open(hub: &Weak, feed: &str, ids: Vec<String>) -> Option<Open> {
    let mut refs: Vec<&str> = Vec::new();
    for id in &ids {
        refs.push(id);
    }
    let source = EventSource::new(&crate::urls::stream_url(feed, &refs)).ok()?;
    let (a, b) = (hub.clone(), hub.clone());
    let message = EventListener::new(&source, "counts", move |e| deliver(&a, e));
    let error = EventListener::new(&source, "error", move |_| gave_up(&b));
    Some(Open {
        source,
        ids,
        _listeners: [message, error],
    })
}

/// A `counts` event: parsed once, handed to every subscriber.
fn deliver(hub: &Weak, e: &Event) {
    // Named SSE events are always `MessageEvent`s.
    let data = e.unchecked_ref::<MessageEvent>().data();
    let Some(stats) = data
        .as_string()
        .and_then(|text| decode::parse_json(&text).ok())
    else {
        return;
    };
    let Some(hub) = hub.upgrade() else { return };
    let mut subs: Vec<OnCounts> = Vec::new();
    match hub.try_borrow_mut() {
        Ok(mut h) => {
            h.backoff = 0;
            for s in &h.subs {
                subs.push(s.on.clone());
            }
        }
        Err(_) => return,
    }
    // With the hub let go: a subscriber may unsubscribe (unmount) as it is told.
    for on in subs {
        on(&stats);
    }
}

/// An error: the browser retries by itself unless it closed the stream; then we do, later.
fn gave_up(weak: &Weak) {
    let Some(hub) = weak.upgrade() else { return };
    let Ok(mut h) = hub.try_borrow_mut() else {
        return;
    };
    let closed = h
        .open
        .as_ref()
        .is_some_and(|o| o.source.ready_state() == EventSource::CLOSED);
    if !closed || h.timer.is_some() {
        return;
    }
    h.open = None;
    h.backoff = (h.backoff * 2).clamp(1000, MAX_BACKOFF_MS);
    dom::console_once("live counts are unavailable here; the numbers shown may be late");
    h.timer = Some(reopen_after(h.backoff, weak.clone()));
}

/// Tells a widget whether it is worth updating: its host intersects the viewport and the
/// tab is visible. Stops when dropped.
pub struct Visibility {
    observer: IntersectionObserver,
    _callback: Closure<dyn FnMut(&Event)>,
    _tab: EventListener,
}

impl Drop for Visibility {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Calls `on(visible)` when `host` enters or leaves the viewport or the tab is hidden or
/// shown (and once at the start). `None` without `IntersectionObserver`: always visible.
pub fn watch(host: &Element, on: Rc<dyn Fn(bool)>) -> Option<Visibility> {
    let doc = dom::window()?.document()?;
    let seen = Rc::new(Cell::new(false));
    let (seen2, on2, doc2) = (seen.clone(), on.clone(), doc.clone());
    // Typed as the listeners' closures are (its argument is the array of entries), so
    // the Wasm holds one closure shim for both.
    let callback = Closure::<dyn FnMut(&Event)>::new(move |entries: &Event| {
        // The last entry is the newest state; `isIntersecting` is false when missing.
        let last = entries.unchecked_ref::<js_sys::Array>().pop();
        seen2.set(decode::get(&last, "isIntersecting").is_truthy());
        on2(seen2.get() && !doc2.hidden());
    });
    let observer = IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(host);
    let tab = {
        let doc3 = doc.clone();
        EventListener::new(&doc, "visibilitychange", move |_| {
            on(seen.get() && !doc3.hidden())
        })
    };
    Some(Visibility {
        observer,
        _callback: callback,
        _tab: tab,
    })
}
