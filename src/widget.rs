//! The runner of one mounted widget: it feeds [`Msg`]s to the plain-Rust
//! [`controller`](mod@crate::controller) and performs the [`Effect`]s it returns — DOM,
//! requests, storage, timers, host-page events.
//!
//! The runner lives in an `Rc<RefCell<_>>` owned by [`Widget`] alone; listeners, timers
//! and pending requests hold `Weak` references, so dropping the widget (unmount) drops
//! everything, removes the listeners, cancels the timers and makes late answers no-ops.

use crate::api::{self, Early, Prefetch};
use crate::controller::{self, Body, Effect, Expect, Init, Msg, Payload, RequestBody, State};
use crate::decode;
use crate::dom::{self, Handler, Rendered, Root};
use crate::feed::Failure;
use crate::host_event::HostEvent;
use crate::i18n::{self, Lang};
use crate::intl;
use crate::options::{self, LangChoice, RawOptions};
use crate::storage;
use crate::urls;
use crate::view::{self, Action, Slot};
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;
use web_sys::Element;

/// A mounted widget. Dropping it unmounts: the shadow content goes, listeners are
/// removed, timers are cancelled.
pub struct Widget {
    runner: Shared,
}

/// What one widget holds: the controller's state and the browser objects it drives.
struct Runner {
    core: State,
    host: Element,
    root: Root,
    rendered: Option<Rendered>,
    handler: Handler,
    /// The loader's data request, used if it is for the URL the widget wants.
    prefetch: Option<Early>,
    /// The language's table is on its way: renders wait for it (no English flash).
    strings_pending: bool,
    /// A render was asked for while the table was on its way.
    render_held: bool,
    /// Beacons that wait for the held render: a view is counted once it is drawn.
    after_render: Vec<Box<dyn FnOnce()>>,
    /// Its `casm:render`, sent once it is drawn.
    render_event: Option<HostEvent>,
    /// The loading delay and put-off beacons, cancelled when dropped. Kept until the
    /// widget goes: a load starts two, so they stay few.
    timers: Vec<Timeout>,
}

type Shared = Rc<RefCell<Runner>>;

impl Widget {
    /// Mounts a widget on `host`: reads its options and starts loading.
    pub fn mount(host: &Element, raw: &RawOptions, prefetch: Prefetch) -> Result<Widget, JsValue> {
        let (opts, warnings) = options::parse(raw);
        for w in &warnings {
            dom::console_once(w);
        }
        let lang = match &opts.lang {
            LangChoice::Fixed(lang, tag) => {
                intl::use_locale(*lang, tag);
                *lang
            }
            LangChoice::Auto => {
                let tags = dom::lang_candidates(host);
                let found = tags.iter().find_map(|t| Some((Lang::from_tag(t)?, t)));
                if let Some((lang, tag)) = found {
                    intl::use_locale(lang, tag);
                }
                if found.is_none() {
                    let tag = tags.first().map_or("", String::as_str);
                    dom::console_once(&crate::format::cat(&[
                        "no translation for the page's language \"",
                        tag,
                        "\"; showing English",
                    ]));
                }
                found.map_or(Lang::En, |(lang, _)| lang)
            }
        };
        let root = dom::attach(host)?;
        let strings = lang
            .table_file()
            .filter(|_| !lang.is_installed())
            .map(|file| {
                let url = urls::widget_file(&opts.feed, file);
                // The loader's request, when it is for this very table (the file name carries
                // its hash); the loader's URL is next to its own, ours at the feed.
                let early = prefetch.strings.filter(|e| e.url.ends_with(file));
                (url, early.map(|e| e.response))
            });
        let voted = opts
            .resource
            .as_deref()
            .is_some_and(|id| storage::has_voted(&urls::resource_url(&opts.feed, id)));
        let core = State::new(Init {
            opts,
            lang,
            visitor: storage::visitor(),
            page_origin: dom::page_origin(),
            voted,
            page_rtl: dom::page_is_rtl(host),
        });
        let runner = Rc::new_cyclic(|weak: &Weak<RefCell<Runner>>| {
            let weak = weak.clone();
            let handler: Handler = Rc::new(move |action: &Action, event: &web_sys::Event| {
                // Of the keys pressed in the comments form only Escape is an action.
                if matches!(action, Action::Escape) && !dom::is_escape(event) {
                    return;
                }
                if let Some(runner) = weak.upgrade() {
                    on_action(&runner, action);
                }
            });
            RefCell::new(Runner {
                core,
                host: host.clone(),
                root,
                rendered: None,
                handler,
                prefetch: prefetch.data,
                strings_pending: strings.is_some(),
                render_held: false,
                after_render: Vec::new(),
                render_event: None,
                timers: Vec::new(),
            })
        });
        if let Some((url, early)) = strings {
            load_strings(&runner, lang, &url, early);
        }
        dispatch(&runner, Msg::Start);
        Ok(Widget { runner })
    }

    /// The resources whose counters it shows now (none while loading or after a
    /// failure): what the page's live stream should ask for.
    pub fn live_ids(&self) -> Vec<String> {
        self.runner
            .try_borrow()
            .map_or_else(|_| Vec::new(), |r| r.core.live_ids())
    }

    /// Counters pushed by the page's live stream (a parsed
    /// [`Stats`](crate::feed::Stats), any resources): the shown numbers change in place.
    pub fn counts(&self, stats: &JsValue) {
        dispatch(&self.runner, Msg::Counts(decode::stats(stats)));
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        dispatch(&self.runner, Msg::Unmount);
        if let Ok(mut r) = self.runner.try_borrow_mut() {
            r.timers.clear();
            r.rendered = None;
            dom::clear(&r.root);
        }
    }
}

/// Fetches (or takes the loader's request for) `lang`'s table, installs it and draws the
/// render held meanwhile. Without it the widget speaks English, and says so once.
fn load_strings(runner: &Shared, lang: Lang, url: &str, early: Option<js_sys::Promise>) {
    let weak = Rc::downgrade(runner);
    let done = move |answer: api::Answer| {
        if !answer.is_ok_and(|text| i18n::install(lang, text)) && !lang.is_installed() {
            dom::console_once(&crate::format::cat(&[
                "could not load the texts for ",
                lang.code(),
                "; showing English",
            ]));
        }
        let Some(runner) = weak.upgrade() else { return };
        let (held, event, sends) = match runner.try_borrow_mut() {
            Ok(mut r) => {
                r.strings_pending = false;
                let sends = std::mem::take(&mut r.after_render);
                (
                    std::mem::take(&mut r.render_held),
                    r.render_event.take(),
                    sends,
                )
            }
            Err(_) => return,
        };
        if held {
            draw(&runner, Effect::Render);
        }
        for send in sends {
            let timer = dom::timeout(0, send);
            if let Ok(mut r) = runner.try_borrow_mut() {
                r.timers.push(timer);
            }
        }
        if let Some(event) = event {
            perform(&runner, Effect::Emit(event));
        }
    };
    match early.or_else(|| api::start(url, None)) {
        Some(promise) => api::text(&promise, Box::new(done)),
        None => done(Err(Failure::Offline)),
    }
}

/// Runs `msg` through the controller and performs its effects, then those of any
/// message an effect answered at once (a saved copy read from storage).
fn dispatch(runner: &Shared, msg: Msg) {
    let effects = match runner.try_borrow_mut() {
        Ok(mut r) => controller::update(&mut r.core, msg),
        Err(_) => return,
    };
    let mut next = None;
    for effect in effects {
        let mounted = runner.try_borrow().is_ok_and(|r| r.core.is_mounted());
        if !mounted {
            return;
        }
        next = perform(runner, effect).or(next);
    }
    if let Some(msg) = next {
        dispatch(runner, msg);
    }
}

fn on_action(runner: &Shared, action: &Action) {
    let msg = match action {
        Action::SubmitFeedback => {
            let Ok(r) = runner.try_borrow() else { return };
            let Some(rendered) = &r.rendered else { return };
            Msg::SubmitFeedback {
                text: rendered.value(Slot::FeedbackText).unwrap_or_default(),
                contact: rendered.value(Slot::FeedbackContact),
            }
        }
        other => Msg::Action(other.clone()),
    };
    dispatch(runner, msg);
}

/// Performs one effect; returns the message it answers with at once, if any. No borrow
/// is held while host-page code may run (a `casm:*` listener may unmount the widget).
fn perform(runner: &Shared, effect: Effect) -> Option<Msg> {
    match effect {
        Effect::Emit(event) => {
            let host = {
                let mut r = runner.try_borrow_mut().ok()?;
                if r.render_held && matches!(event, HostEvent::Render(_)) {
                    // `casm:render` says the content is drawn: sent with the held render.
                    r.render_event = Some(event);
                    return None;
                }
                r.host.clone()
            };
            let detail = serde_wasm_bindgen::to_value(&event).unwrap_or(JsValue::NULL);
            dom::emit(&host, event.name(), &detail);
        }
        Effect::Fetch {
            req,
            url,
            body,
            expect,
        } => fetch(runner, req, url, body, expect),
        Effect::ReadSaved { req, url, expect } => {
            let copy = storage::cache_get(&url).and_then(|text| decoded(expect, &text).ok());
            return Some(Msg::Saved { req, copy });
        }
        Effect::Save { url, text } => storage::cache_put(&url, &text),
        Effect::RememberVote { key, voted } => storage::set_voted(&key, voted),
        Effect::Beacon { url, event, soon } => {
            let body = api::json(&event)?;
            let kind = event.kind.name();
            let send = move || {
                if !api::beacon(&url, &body) {
                    dom::console(&crate::format::cat(&[
                        "could not send the ",
                        kind,
                        " event",
                    ]));
                }
            };
            if soon {
                let mut r = runner.try_borrow_mut().ok()?;
                if r.render_held {
                    r.after_render.push(Box::new(send));
                } else {
                    let timer = dom::timeout(0, Box::new(send));
                    r.timers.push(timer);
                }
            } else {
                send();
            }
        }
        Effect::Console(line) => dom::console(&line),
        Effect::StartTimer(ms) => {
            let weak = Rc::downgrade(runner);
            let timer = dom::timeout(
                ms,
                Box::new(move || {
                    if let Some(runner) = weak.upgrade() {
                        dispatch(&runner, Msg::LoadingDelay);
                    }
                }),
            );
            runner.try_borrow_mut().ok()?.timers.push(timer);
        }
        other => draw(runner, other),
    }
    None
}

/// Performs the effects that change what is on screen.
fn draw(runner: &Shared, effect: Effect) {
    let Ok(mut guard) = runner.try_borrow_mut() else {
        return;
    };
    let r = &mut *guard;
    let lang = r.core.lang;
    match effect {
        Effect::Render if r.strings_pending => r.render_held = true,
        Effect::Render => {
            let tree = controller::view(&r.core);
            // Drop the old listeners before the new ones exist.
            r.rendered = None;
            match dom::render(&r.root, &tree, &r.handler) {
                Ok(rendered) => r.rendered = Some(rendered),
                Err(_) => dom::console("could not render the widget"),
            }
        }
        Effect::ShowVote {
            count,
            voted,
            announce,
        } => {
            let Some(shown) = &r.rendered else { return };
            let pressed = if voted { "true" } else { "false" };
            shown.set_attr(Slot::VoteButton, "aria-pressed", pressed);
            shown.set_text(Slot::VoteCount, &view::vote_count(lang, count));
            shown.set_text(Slot::HelpfulStat, &crate::intl::number(lang, count));
            if let Some(text) = announce {
                shown.set_text(Slot::Live, &text);
            }
        }
        Effect::FeedbackForm(open) => {
            let Some(shown) = r.rendered.as_mut() else {
                return;
            };
            if open && shown.slot(Slot::FeedbackText).is_some() {
                shown.focus(Slot::FeedbackText);
                return;
            }
            let form = open.then(|| view::feedback_form(lang));
            if shown
                .replace(Slot::Feedback, form.as_ref(), &r.handler)
                .is_err()
            {
                dom::console("could not show the feedback form");
            }
            // Focus goes into the form, and back to what opened it when it closes.
            shown.focus(if open {
                Slot::FeedbackText
            } else {
                Slot::FeedbackOpener
            });
        }
        Effect::ShowCounts => {
            if let Some(shown) = &r.rendered {
                shown.set_stats(&controller::view(&r.core));
            }
        }
        Effect::FeedbackStatus(text) => {
            if let Some(shown) = &r.rendered {
                shown.set_text(Slot::FeedbackStatus, &text);
            }
        }
        Effect::FocusFeedback => {
            if let Some(shown) = &r.rendered {
                shown.focus(Slot::FeedbackText);
            }
        }
        Effect::FeedbackSent => {
            let sent = view::feedback_sent(lang);
            let Some(shown) = r.rendered.as_mut() else {
                return;
            };
            if shown
                .replace(Slot::Feedback, Some(&sent), &r.handler)
                .is_err()
            {
                dom::console("could not show the feedback answer");
            }
        }
        // Performed by `perform`.
        Effect::Emit(_)
        | Effect::Fetch { .. }
        | Effect::ReadSaved { .. }
        | Effect::Save { .. }
        | Effect::RememberVote { .. }
        | Effect::Beacon { .. }
        | Effect::Console(_)
        | Effect::StartTimer(_) => {}
    }
}

/// Sends a request (or takes the loader's, when it is for this URL) and dispatches its
/// decoded answer.
fn fetch(
    runner: &Shared,
    req: controller::Req,
    url: String,
    body: Option<RequestBody>,
    expect: Expect,
) {
    let started = match runner.try_borrow_mut() {
        Ok(mut r) => r
            .prefetch
            .take_if(|p| body.is_none() && p.url == url)
            .map(|p| p.response),
        Err(_) => return,
    };
    let json = match &body {
        None => None,
        Some(RequestBody::Vote(v)) => api::json(v),
        Some(RequestBody::Feedback(f)) => api::json(f),
    };
    let weak = Rc::downgrade(runner);
    let done = move |answer: api::Answer| {
        if let Some(runner) = weak.upgrade() {
            let answer = answer.and_then(|text| {
                let payload = decoded(expect, &text)?;
                Ok(Body { payload, text })
            });
            dispatch(&runner, Msg::Answer { req, answer });
        }
    };
    if body.is_some() && json.is_none() {
        return done(Err(Failure::Invalid));
    }
    match started.or_else(|| api::start(&url, json.as_deref())) {
        Some(promise) => api::text(&promise, Box::new(done)),
        None => done(Err(Failure::Offline)),
    }
}

/// Reads answer text as what `expect` says it is.
fn decoded(expect: Expect, text: &str) -> Result<Payload, Failure> {
    let v = decode::parse_json(text)?;
    Ok(match expect {
        Expect::Item => Payload::Item(decode::item(&v)?),
        Expect::Feed => Payload::Feed(decode::feed(&v)?),
        Expect::Stats => Payload::Stats(decode::stats(&v)),
        Expect::Vote => Payload::Vote(decode::vote(&v)?),
        Expect::Accepted => Payload::Accepted,
    })
}
