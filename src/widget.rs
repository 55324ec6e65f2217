//! The controller of one mounted widget: its state, its requests, and what each user
//! action does.
//!
//! The state lives in an `Rc<RefCell<_>>` owned by [`Controller`] alone; listeners and
//! pending requests hold `Weak` references, so dropping the controller (unmount) drops
//! the state, removes the listeners and makes late answers no-ops.

use crate::api::{self, Prefetch};
use crate::decode;
use crate::dom::{self, Handler, Rendered, Root};
use crate::feed::{Failure, Item, Stats, VoteResult};
use crate::format;
use crate::i18n::{Key, Lang};
use crate::options::{self, LangChoice, Options, RawOptions, View};
use crate::storage;
use crate::view::{self, Action, Ctx, Problem, Slot};
use casm_model::{Counter, EventKind, EventRequest, FeedbackRequest, VoteRequest};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;
use web_sys::Element;

/// A mounted widget. Dropping it unmounts: the shadow content goes, listeners are removed.
pub struct Controller {
    state: Rc<RefCell<State>>,
}

enum Content {
    Loading,
    Problem(Problem),
    Resource(Item),
    Card(Item),
    List(Vec<Item>, Stats),
}

struct State {
    root: Root,
    opts: Options,
    lang: Lang,
    page_origin: String,
    visitor: String,
    content: Content,
    /// The content is the offline copy.
    stale: bool,
    /// This visitor's helpful vote stands.
    voted: bool,
    vote_busy: bool,
    feedback_busy: bool,
    rendered: Option<Rendered>,
    handler: Handler,
    /// Bumped by retry and unmount, so answers to older loads are ignored.
    generation: u32,
}

type Shared = Rc<RefCell<State>>;

/// How long a new widget stays empty before it shows "Loading…".
const LOADING_DELAY_MS: i32 = 300;

impl Controller {
    /// Mounts a widget on `host`: reads its options and starts loading (with the
    /// loader's request when it is the one needed); the loading state shows if the
    /// content takes more than [`LOADING_DELAY_MS`].
    pub fn mount(
        host: &Element,
        raw: &RawOptions,
        prefetch: Option<Prefetch>,
    ) -> Result<Controller, JsValue> {
        let (opts, warnings) = options::parse(raw);
        for w in &warnings {
            dom::console_once(w);
        }
        let lang = match opts.lang {
            LangChoice::Fixed(l) => l,
            LangChoice::Auto => dom::lang_candidates(host)
                .iter()
                .find_map(|t| Lang::from_tag(t))
                .unwrap_or(Lang::En),
        };
        let root = dom::attach(host)?;
        let voted = opts
            .resource
            .as_deref()
            .is_some_and(|id| storage::has_voted(&api::resource_url(&opts.feed, id)));
        let state = Rc::new_cyclic(|weak: &Weak<RefCell<State>>| {
            let weak = weak.clone();
            let handler: Handler = Rc::new(move |action: &Action, _event: &web_sys::Event| {
                if let Some(state) = weak.upgrade() {
                    on_action(&state, action);
                }
            });
            RefCell::new(State {
                root,
                opts,
                lang,
                page_origin: dom::page_origin(),
                visitor: storage::visitor(),
                content: Content::Loading,
                stale: false,
                voted,
                vote_busy: false,
                feedback_busy: false,
                rendered: None,
                handler,
                generation: 0,
            })
        });
        load(&state, prefetch);
        // "Loading…" only if the content is slow to come: a quick answer is drawn at
        // once, without a loading frame (its style and layout) before it.
        let weak = Rc::downgrade(&state);
        dom::later(
            LOADING_DELAY_MS,
            Box::new(move |_| {
                if let Some(state) = weak.upgrade() {
                    let loading = state.try_borrow().is_ok_and(|s| {
                        s.rendered.is_none() && matches!(s.content, Content::Loading)
                    });
                    if loading {
                        render(&state);
                    }
                }
            }),
        );
        Ok(Controller { state })
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        if let Ok(mut s) = self.state.try_borrow_mut() {
            s.generation = s.generation.wrapping_add(1);
            s.rendered = None;
            dom::clear(&s.root);
        }
    }
}

fn render(state: &Shared) {
    let Ok(mut guard) = state.try_borrow_mut() else {
        return;
    };
    let s = &mut *guard;
    let ctx = Ctx {
        lang: s.lang,
        show: s.opts.show,
        page_origin: &s.page_origin,
        voted: s.voted,
    };
    let content = match &s.content {
        Content::Loading => view::loading(s.lang),
        Content::Problem(p) => view::problem(s.lang, p),
        Content::Resource(item) => view::resource(item, &ctx),
        Content::Card(item) => view::card(item, &ctx),
        Content::List(items, stats) => view::list(items, stats, &ctx),
    };
    let tree = view::frame(
        s.opts.view,
        s.opts.theme,
        s.opts.accent.as_deref(),
        s.lang,
        s.stale,
        content,
    );
    // Drop the old listeners before the new ones exist.
    s.rendered = None;
    match dom::render(&s.root, &tree, &s.handler) {
        Ok(r) => s.rendered = Some(r),
        Err(_) => dom::console("could not render the widget"),
    }
}

/// What an answer is for.
enum Pending {
    /// The content: the resource (resource and card views) or the list's feed.
    Content,
    /// The counters of the list's items; `stale` is the feed's.
    Stats {
        items: Vec<Item>,
        stale: bool,
    },
    /// A helpful vote: the vote list key, the count before it, and the vote sent.
    Vote {
        key: String,
        before: u64,
        voted: bool,
    },
    Feedback,
}

/// Sends a request (or takes the loader's `started` one) and hands its answer to
/// [`answer`]. Every request of the widget goes through here.
fn request(
    state: &Shared,
    url: String,
    json: Option<String>,
    started: Option<js_sys::Promise>,
    pending: Pending,
) {
    let Ok(s) = state.try_borrow() else { return };
    let generation = s.generation;
    drop(s);
    let promise = started.or_else(|| api::start(&url, json.as_deref()));
    let weak = Rc::downgrade(state);
    let done = move |result: api::Answer| {
        if let Some(state) = weak.upgrade() {
            answer(&state, generation, &url, pending, result);
        }
    };
    match promise {
        Some(promise) => api::text(&promise, Box::new(done)),
        None => done(Err(Failure::Offline)),
    }
}

/// Starts loading the content, with the loader's request when it is the one needed.
fn load(state: &Shared, prefetch: Option<Prefetch>) {
    let Ok(s) = state.try_borrow() else { return };
    let (url, started) = match (s.opts.view, s.opts.resource.as_deref()) {
        (View::Resource | View::Card, Some(id)) => {
            let url = api::resource_url(&s.opts.feed, id);
            let started = prefetch.filter(|p| p.url == url).map(|p| p.response);
            (url, started)
        }
        _ => (api::feed_url(&s.opts), None),
    };
    drop(s);
    request(state, url, None, started, Pending::Content);
}

/// The parsed answer, or the offline copy when the service cannot be reached. A fresh
/// answer comes with its text, to be kept as the next offline copy once shown.
fn json(url: &str, result: Result<String, Failure>) -> Result<(JsValue, Option<String>), Failure> {
    let (text, fresh) = match result {
        Ok(text) => (text, true),
        Err(
            f @ (Failure::Offline
            | Failure::Http {
                status: 502..=504, ..
            }),
        ) => (storage::cache_get(url).ok_or(f)?, false),
        Err(f) => return Err(f),
    };
    let value = decode::parse_json(&text)?;
    Ok((value, fresh.then_some(text)))
}

fn load_failed(url: &str, f: &Failure) {
    dom::console(&format::cat(&["could not load ", url, ": ", &f.describe()]));
}

fn problem(url: &str, f: Failure) -> Content {
    load_failed(url, &f);
    Content::Problem(match f {
        Failure::Http { status: 404, .. } => Problem::NotFound,
        Failure::Offline => Problem::Unreachable,
        f => Problem::Failed(f),
    })
}

/// Handles the answer to a [`request`].
fn answer(
    state: &Shared,
    generation: u32,
    url: &str,
    pending: Pending,
    result: Result<String, Failure>,
) {
    let Ok(s) = state.try_borrow() else { return };
    let (current, view, feed) = (s.generation, s.opts.view, s.opts.feed.clone());
    drop(s);
    let (content, stale, fresh) = match pending {
        Pending::Vote { key, before, voted } => {
            let result = result
                .and_then(|t| decode::parse_json(&t))
                .and_then(|v| decode::vote(&v));
            return voted_answer(state, &key, before, voted, result);
        }
        Pending::Feedback => return feedback_answer(state, result),
        // A retry or an unmount since: this answer is no longer wanted.
        _ if current != generation => return,
        Pending::Content if view != View::List => {
            match json(url, result).and_then(|(v, fresh)| Ok((decode::item(&v)?, fresh))) {
                Ok((item, fresh)) if view == View::Card => {
                    (Content::Card(item), fresh.is_none(), fresh)
                }
                Ok((item, fresh)) => (Content::Resource(item), fresh.is_none(), fresh),
                Err(f) => (problem(url, f), false, None),
            }
        }
        Pending::Content => {
            match json(url, result).and_then(|(v, fresh)| Ok((decode::feed(&v)?, fresh))) {
                Ok((items, fresh)) if !items.is_empty() => {
                    let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
                    let stats_url = api::stats_url(&feed, &ids);
                    let stale = fresh.is_none();
                    request(
                        state,
                        stats_url,
                        None,
                        None,
                        Pending::Stats { items, stale },
                    );
                    if let Some(text) = fresh {
                        storage::cache_put(url, &text);
                    }
                    return;
                }
                Ok((items, fresh)) => (
                    Content::List(items, Stats::default()),
                    fresh.is_none(),
                    fresh,
                ),
                Err(f) => (problem(url, f), false, None),
            }
        }
        Pending::Stats { items, stale } => match json(url, result) {
            Ok((v, fresh)) => (Content::List(items, decode::stats(&v)), stale, fresh),
            Err(f) => {
                load_failed(url, &f);
                (Content::List(items, Stats::default()), stale, None)
            }
        },
    };
    let event = match (&content, stale) {
        (Content::Resource(_), false) => Some(EventKind::View),
        (Content::Card(_), false) => Some(EventKind::MetacardView),
        _ => None,
    };
    if let Ok(mut s) = state.try_borrow_mut() {
        s.content = content;
        s.stale = stale;
    }
    render(state);
    // After the content is on the page: neither delays it.
    if let Some(text) = fresh {
        storage::cache_put(url, &text);
    }
    if let Some(kind) = event {
        send_event(state, kind, None);
    }
}
fn on_action(state: &Shared, action: &Action) {
    match action {
        Action::Vote => vote(state),
        Action::Email => send_event(state, EventKind::Email, None),
        Action::Download { link, video } => {
            let kind = if *video {
                EventKind::VideoDownload
            } else {
                EventKind::Download
            };
            send_event(state, kind, Some(link.clone()));
        }
        Action::OpenFeedback => show_feedback(state, true),
        Action::CloseFeedback => show_feedback(state, false),
        Action::SubmitFeedback => submit_feedback(state),
        Action::Retry => {
            if let Ok(mut s) = state.try_borrow_mut() {
                s.generation = s.generation.wrapping_add(1);
                s.content = Content::Loading;
                s.stale = false;
            }
            render(state);
            load(state, None);
        }
    }
}

fn item_of(content: &Content) -> Option<&Item> {
    match content {
        Content::Resource(item) | Content::Card(item) => Some(item),
        _ => None,
    }
}

/// Sends an event with `navigator.sendBeacon`.
fn send_event(state: &Shared, kind: EventKind, link: Option<String>) {
    let Ok(s) = state.try_borrow() else { return };
    let Some(item) = item_of(&s.content) else {
        return;
    };
    let body = api::event_body(&EventRequest {
        kind,
        resource: item.id.clone(),
        visitor: s.visitor.clone(),
        link,
    });
    if !api::beacon(&api::events_url(&s.opts.feed), &body) {
        dom::console(&format::cat(&[
            "could not send the ",
            kind.name(),
            " event",
        ]));
    }
}

/// Shows the vote state; `announce` goes to the polite live region.
fn show_vote(s: &State, count: u64, voted: bool, announce: Option<&str>) {
    let Some(r) = &s.rendered else { return };
    r.set_attr(
        Slot::VoteButton,
        "aria-pressed",
        if voted { "true" } else { "false" },
    );
    r.set_text(Slot::VoteCount, &view::vote_count(s.lang, count));
    r.set_text(Slot::HelpfulStat, &format::number(s.lang, count));
    if let Some(text) = announce {
        r.set_text(Slot::Live, text);
    }
}

/// Toggles the helpful vote: shown at once, then confirmed by the service or rolled back.
fn vote(state: &Shared) {
    let Ok(mut guard) = state.try_borrow_mut() else {
        return;
    };
    let s = &mut *guard;
    let Content::Resource(item) = &mut s.content else {
        return;
    };
    if s.vote_busy {
        return;
    }
    let voted = !s.voted;
    let counters = item.counters.get_or_insert_with(Default::default);
    let before = counters.get(Counter::HelpfulVotes);
    let optimistic = if voted {
        before.saturating_add(1)
    } else {
        before.saturating_sub(1)
    };
    counters.set(Counter::HelpfulVotes, optimistic);
    let url = api::vote_url(&s.opts.feed, &item.id);
    let key = api::resource_url(&s.opts.feed, &item.id);
    let body = api::vote_body(&VoteRequest {
        visitor: s.visitor.clone(),
        helpful: voted,
    });
    s.voted = voted;
    s.vote_busy = true;
    show_vote(s, optimistic, voted, None);
    drop(guard);
    request(
        state,
        url,
        Some(body),
        None,
        Pending::Vote { key, before, voted },
    );
}

/// The service's answer to a vote: confirmed, or rolled back with the reason.
fn voted_answer(
    state: &Shared,
    key: &str,
    before: u64,
    voted: bool,
    result: Result<VoteResult, Failure>,
) {
    let Ok(mut guard) = state.try_borrow_mut() else {
        return;
    };
    let s = &mut *guard;
    s.vote_busy = false;
    let (count, now_voted, announce) = match result {
        Ok(r) => {
            storage::set_voted(key, r.voted);
            let key = if r.voted {
                Key::VoteDone
            } else {
                Key::VoteRemoved
            };
            let text = s
                .lang
                .fill(key, "n", &format::number(s.lang, r.helpful_votes));
            (r.helpful_votes, r.voted, text)
        }
        Err(f) => {
            dom::console(&format::cat(&["vote failed: ", &f.describe()]));
            let reason = view::reason(s.lang, &f);
            (
                before,
                !voted,
                s.lang.fill(Key::VoteFailed, "reason", &reason),
            )
        }
    };
    if let Content::Resource(item) = &mut s.content {
        item.counters
            .get_or_insert_with(Default::default)
            .set(Counter::HelpfulVotes, count);
    }
    s.voted = now_voted;
    show_vote(s, count, now_voted, Some(&announce));
}

fn show_feedback(state: &Shared, open: bool) {
    let Ok(mut guard) = state.try_borrow_mut() else {
        return;
    };
    let s = &mut *guard;
    let form = open.then(|| view::feedback_form(s.lang));
    let Some(r) = s.rendered.as_mut() else { return };
    if r.slot(Slot::FeedbackText).is_some() && open {
        r.focus(Slot::FeedbackText);
        return;
    }
    if r.replace(Slot::Feedback, form.as_ref(), &s.handler)
        .is_err()
    {
        dom::console("could not show the feedback form");
    }
    if open {
        r.focus(Slot::FeedbackText);
    }
}

fn submit_feedback(state: &Shared) {
    let Ok(mut guard) = state.try_borrow_mut() else {
        return;
    };
    let s = &mut *guard;
    let (Some(r), Some(item)) = (&s.rendered, item_of(&s.content)) else {
        return;
    };
    if s.feedback_busy {
        return;
    }
    let text = r.value(Slot::FeedbackText).unwrap_or_default();
    if text.trim().is_empty() {
        r.set_text(Slot::FeedbackStatus, s.lang.t(Key::FeedbackEmpty));
        r.focus(Slot::FeedbackText);
        return;
    }
    let contact = r
        .value(Slot::FeedbackContact)
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    r.set_text(Slot::FeedbackStatus, s.lang.t(Key::FeedbackSending));
    let url = api::feedback_url(&s.opts.feed, &item.id);
    let body = api::feedback_body(&FeedbackRequest {
        visitor: s.visitor.clone(),
        text: text.trim().to_owned(),
        contact,
    });
    s.feedback_busy = true;
    drop(guard);
    request(state, url, Some(body), None, Pending::Feedback);
}

/// The service's answer to "Submit your comments".
fn feedback_answer(state: &Shared, result: Result<String, Failure>) {
    let Ok(mut guard) = state.try_borrow_mut() else {
        return;
    };
    let s = &mut *guard;
    s.feedback_busy = false;
    let lang = s.lang;
    let Some(r) = s.rendered.as_mut() else { return };
    match result.and_then(|t| decode::parse_json(&t)) {
        Ok(_) => {
            let sent = view::feedback_sent(lang);
            if r.replace(Slot::Feedback, Some(&sent), &s.handler).is_err() {
                dom::console("could not show the feedback answer");
            }
        }
        Err(f) => {
            dom::console(&format::cat(&["feedback failed: ", &f.describe()]));
            let reason = view::reason(lang, &f);
            r.set_text(
                Slot::FeedbackStatus,
                &lang.fill(Key::FeedbackFailed, "reason", &reason),
            );
        }
    }
}
