//! The controller of one mounted widget: its state, its requests, and what each user
//! action does.
//!
//! The state lives in an `Rc<RefCell<_>>` owned by [`Controller`] alone; listeners and
//! pending requests hold `Weak` references, so dropping the controller (unmount) drops
//! the state, removes the listeners and makes late answers no-ops.

use crate::api::{self, Prefetch};
use crate::decode;
use crate::dom::{self, Handler, Rendered, Root};
use crate::feed::{Failure, Item, Stats};
use crate::format;
use crate::i18n::{Key, Lang};
use crate::options::{self, LangChoice, Options, RawOptions, View};
use crate::storage;
use crate::view::{self, Action, Ctx, Problem, Slot};
use casm_model::{Counter, EventKind, EventRequest, FeedbackRequest, VoteRequest};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
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

impl Controller {
    /// Mounts a widget on `host`: reads its options, shows the loading state and starts
    /// loading (with the loader's request when it is the one needed).
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
        render(&state);
        load(&state, prefetch);
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

/// GETs `url` (or takes the loader's request), falling back to the offline copy when the
/// service cannot be reached. Returns the body and whether it is the offline copy.
async fn get_or_cached(url: &str, prefetch: Option<Prefetch>) -> Result<(String, bool), Failure> {
    let result = match prefetch {
        Some(p) => api::prefetched(p).await,
        None => api::get(url).await,
    };
    match result {
        Ok(text) => Ok((text, false)),
        Err(
            f @ (Failure::Offline
            | Failure::Http {
                status: 502..=504, ..
            }),
        ) => storage::cache_get(url).map(|t| (t, true)).ok_or(f),
        Err(f) => Err(f),
    }
}

fn problem(url: &str, f: Failure) -> Content {
    dom::console(&format::cat(&["could not load ", url, ": ", &f.describe()]));
    Content::Problem(match f {
        Failure::Http { status: 404, .. } => Problem::NotFound,
        Failure::Offline => Problem::Unreachable,
        f => Problem::Failed(f),
    })
}

async fn fetch_content(opts: &Options, prefetch: Option<Prefetch>) -> (Content, bool) {
    match (opts.view, opts.resource.as_deref()) {
        (View::Resource | View::Card, Some(id)) => {
            let url = api::resource_url(&opts.feed, id);
            let prefetch = prefetch.filter(|p| p.url == url);
            let loaded = get_or_cached(&url, prefetch)
                .await
                .and_then(|(text, stale)| {
                    let item = decode::parse_json(&text).and_then(|v| decode::item(&v))?;
                    if !stale {
                        storage::cache_put(&url, &text);
                    }
                    Ok((item, stale))
                });
            match loaded {
                Ok((item, stale)) if opts.view == View::Card => (Content::Card(item), stale),
                Ok((item, stale)) => (Content::Resource(item), stale),
                Err(f) => (problem(&url, f), false),
            }
        }
        _ => {
            let url = api::feed_url(opts);
            let loaded = get_or_cached(&url, None).await.and_then(|(text, stale)| {
                let items = decode::parse_json(&text).and_then(|v| decode::feed(&v))?;
                if !stale {
                    storage::cache_put(&url, &text);
                }
                Ok((items, stale))
            });
            let (items, stale) = match loaded {
                Ok(x) => x,
                Err(f) => return (problem(&url, f), false),
            };
            let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
            let stats = if ids.is_empty() {
                Stats::default()
            } else {
                let url = api::stats_url(&opts.feed, &ids);
                let stats = get_or_cached(&url, None).await.and_then(|(text, stale)| {
                    let v = decode::parse_json(&text)?;
                    if !stale {
                        storage::cache_put(&url, &text);
                    }
                    Ok(decode::stats(&v))
                });
                stats.unwrap_or_else(|f| {
                    dom::console(&format::cat(&[
                        "could not load ",
                        &url,
                        ": ",
                        &f.describe(),
                    ]));
                    Stats::default()
                })
            };
            (Content::List(items, stats), stale)
        }
    }
}

fn load(state: &Shared, prefetch: Option<Prefetch>) {
    let Ok(s) = state.try_borrow() else { return };
    let opts = s.opts.clone();
    let generation = s.generation;
    drop(s);
    let weak = Rc::downgrade(state);
    spawn_local(async move {
        let (content, stale) = fetch_content(&opts, prefetch).await;
        let Some(state) = weak.upgrade() else { return };
        let event = {
            let Ok(mut s) = state.try_borrow_mut() else {
                return;
            };
            if s.generation != generation {
                return;
            }
            let event = match (&content, stale) {
                (Content::Resource(_), false) => Some(EventKind::View),
                (Content::Card(_), false) => Some(EventKind::MetacardView),
                _ => None,
            };
            s.content = content;
            s.stale = stale;
            event
        };
        render(&state);
        if let Some(kind) = event {
            send_event(&state, kind, None);
        }
    });
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

    let weak = Rc::downgrade(state);
    spawn_local(async move {
        let result = api::post(&url, &body).await.and_then(|v| decode::vote(&v));
        let Some(state) = weak.upgrade() else { return };
        let Ok(mut guard) = state.try_borrow_mut() else {
            return;
        };
        let s = &mut *guard;
        s.vote_busy = false;
        let (count, now_voted, announce) = match result {
            Ok(r) => {
                storage::set_voted(&key, r.voted);
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
    });
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

    let weak = Rc::downgrade(state);
    spawn_local(async move {
        let result = api::post(&url, &body).await;
        let Some(state) = weak.upgrade() else { return };
        let Ok(mut guard) = state.try_borrow_mut() else {
            return;
        };
        let s = &mut *guard;
        s.feedback_busy = false;
        let lang = s.lang;
        let Some(r) = s.rendered.as_mut() else { return };
        match result {
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
    });
}
