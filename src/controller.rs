//! The controller of one widget as plain Rust: `update(state, message) → effects`, in the
//! manner of Elm and Yew. Every decision — what to load, the optimistic vote and its
//! rollback, ignoring stale answers, falling back to the saved copy — is made here and
//! tested natively; the runner (`widget.rs`) only performs the [`Effect`]s and turns what
//! happens in the browser into [`Msg`]s.

use crate::feed::{download_event, Failure, Feed, Item, Stats, VoteResponse};
use crate::format;
use crate::host_event::{self, HostEvent};
use crate::i18n::{self, Key, Lang};
use crate::intl;
use crate::options::{Options, View};
use crate::urls;
use crate::view::{self, Action, Ctx, Node, Problem};
use casm_model::wire::ResourceStats;
use casm_model::{Counter, EventKind, EventRequest, FeedbackRequest, VoteRequest};

/// How long a new widget stays empty before it shows "Loading…": a quick answer is drawn
/// at once, without a loading frame (its style and layout) before it.
pub const LOADING_DELAY_MS: u32 = 300;

/// What the widget shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    Loading,
    Problem(Problem),
    Resource(Item),
    Card(Item),
    List(Vec<Item>, Stats),
}

/// A request the runner performs, named so its answer finds what it was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Req(u32);

/// How the runner reads the answer to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Item,
    Feed,
    Stats,
    Vote,
    /// Any JSON: the comments were accepted.
    Accepted,
}

/// A decoded answer.
// Each payload is moved once, from the decoder to the state: boxing the large ones
// would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    Item(Item),
    Feed(Feed),
    Stats(Stats),
    Vote(VoteResponse),
    Accepted,
}

/// A successful answer: decoded, with its text (kept as the next saved copy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub payload: Payload,
    pub text: String,
}

/// A POST body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestBody {
    Vote(VoteRequest),
    Feedback(FeedbackRequest),
}

/// What happened: from the mount, the user, the network or a timer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// The widget is mounted: start loading.
    Start,
    /// [`LOADING_DELAY_MS`] have passed since the start.
    LoadingDelay,
    /// The answer to a request.
    Answer {
        req: Req,
        answer: Result<Body, Failure>,
    },
    /// The saved copy asked for by [`Effect::ReadSaved`], if there is one that reads.
    Saved { req: Req, copy: Option<Payload> },
    /// A rendered element's action (all but the feedback form's submit).
    Action(Action),
    /// The feedback form was submitted with these field values.
    SubmitFeedback {
        text: String,
        contact: Option<String>,
    },
    /// Counters pushed by the live stream (`/v1/stream`), for any of the shown resources.
    Counts(Stats),
    /// The widget is going away: nothing after this has any effect.
    Unmount,
}

/// What the runner must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Draw [`view()`] of the state, replacing what is shown.
    Render,
    /// Update the vote button, its count and the helpful counter in place.
    ShowVote {
        count: u64,
        voted: bool,
        /// For the polite live region.
        announce: Option<String>,
    },
    /// Send a request (a GET without body); answer with [`Msg::Answer`].
    Fetch {
        req: Req,
        url: String,
        body: Option<RequestBody>,
        expect: Expect,
    },
    /// Read the saved copy of `url`; answer with [`Msg::Saved`].
    ReadSaved {
        req: Req,
        url: String,
        expect: Expect,
    },
    /// Keep `text` as the saved copy of `url`.
    Save { url: String, text: String },
    /// Remember whether this visitor's vote on `key` stands.
    RememberVote { key: String, voted: bool },
    /// Send an event with `sendBeacon`; with `soon`, in a later task, so that it does not
    /// hold up the drawing of what was just rendered (`sendBeacon` blocks the page for
    /// 1–4 ms on this machine's Chromium).
    Beacon {
        url: String,
        event: EventRequest,
        soon: bool,
    },
    /// A `[casm]` console line.
    Console(String),
    /// A `CustomEvent` on the host element.
    Emit(HostEvent),
    /// Open (and focus) or close the feedback form.
    FeedbackForm(bool),
    /// The feedback form's status line.
    FeedbackStatus(String),
    /// Move focus to the feedback text.
    FocusFeedback,
    /// Replace the form by the "sent" message.
    FeedbackSent,
    /// Send [`Msg::LoadingDelay`] after this many milliseconds.
    StartTimer(u32),
    /// Set the shown counters' text from [`view()`] of the state, in place: no new
    /// elements, so nothing flickers and focus stays where it is.
    ShowCounts,
}

/// What an answer is for.
#[derive(Clone, Debug)]
enum Pending {
    /// The content: the resource (resource and card views) or the list's feed.
    Content {
        url: String,
        failed: Option<Failure>,
    },
    /// The counters of the list's items; `stale` is the feed's.
    Stats {
        url: String,
        items: Vec<Item>,
        stale: bool,
        failed: Option<Failure>,
    },
    /// A helpful vote: the count before it, and the vote sent.
    Vote {
        resource: String,
        before: u64,
        sent: bool,
    },
    Feedback,
}

/// What a widget starts with.
#[derive(Clone, Debug)]
pub struct Init {
    pub opts: Options,
    pub lang: Lang,
    /// The anonymous visitor token.
    pub visitor: String,
    /// The host page's origin, to tell other-origin links apart.
    pub page_origin: String,
    /// Whether this visitor's vote on the resource stands (remembered on this site).
    pub voted: bool,
    /// Whether the page around the widget is right to left (`dir="rtl"`).
    pub page_rtl: bool,
}

/// The state of one widget.
#[derive(Clone, Debug)]
pub struct State {
    pub opts: Options,
    pub lang: Lang,
    /// Laid out right to left: the language is written so, or the page is.
    pub rtl: bool,
    visitor: String,
    page_origin: String,
    pub content: Content,
    /// The content is the saved copy.
    pub stale: bool,
    /// This visitor's helpful vote stands.
    pub voted: bool,
    feedback_busy: bool,
    /// Something has been drawn.
    drawn: bool,
    mounted: bool,
    next_req: u32,
    pending: Vec<(Req, Pending)>,
}

impl State {
    /// A widget that has not started loading.
    pub fn new(init: Init) -> State {
        State {
            opts: init.opts,
            lang: init.lang,
            rtl: init.lang.is_rtl() || init.page_rtl,
            visitor: init.visitor,
            page_origin: init.page_origin,
            content: Content::Loading,
            stale: false,
            voted: init.voted,
            feedback_busy: false,
            drawn: false,
            mounted: true,
            next_req: 0,
            pending: Vec::new(),
        }
    }

    /// False once unmounted: the runner performs no effect after that, even one already
    /// decided (a host-page listener may unmount the widget in the middle of a list).
    pub fn is_mounted(&self) -> bool {
        self.mounted
    }

    /// The resources whose counters are on screen, for the live stream.
    pub fn live_ids(&self) -> Vec<String> {
        match &self.content {
            Content::Resource(item) | Content::Card(item) => vec![item.id.clone()],
            Content::List(items, _) => items.iter().map(|i| i.id.clone()).collect(),
            Content::Loading | Content::Problem(_) => Vec::new(),
        }
    }

    fn item(&self) -> Option<&Item> {
        match &self.content {
            Content::Resource(item) | Content::Card(item) => Some(item),
            _ => None,
        }
    }

    fn vote_in_flight(&self) -> bool {
        self.pending
            .iter()
            .any(|(_, p)| matches!(p, Pending::Vote { .. }))
    }

    fn send(
        &mut self,
        fx: &mut Vec<Effect>,
        url: String,
        body: Option<RequestBody>,
        expect: Expect,
        p: Pending,
    ) {
        let req = Req(self.next_req);
        self.next_req = self.next_req.wrapping_add(1);
        self.pending.push((req, p));
        fx.push(Effect::Fetch {
            req,
            url,
            body,
            expect,
        });
    }

    fn take(&mut self, req: Req) -> Option<Pending> {
        let i = self.pending.iter().position(|(r, _)| *r == req)?;
        Some(self.pending.remove(i).1)
    }
}

/// The view tree of the state.
pub fn view(s: &State) -> Node {
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
    view::frame(
        s.opts.view,
        s.opts.theme,
        s.opts.accent.as_deref(),
        (s.lang, s.rtl),
        s.stale,
        content,
    )
}

/// Decides what `msg` changes and what must be done.
pub fn update(s: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    if !s.mounted {
        return fx;
    }
    match msg {
        Msg::Start => {
            load(s, &mut fx);
            fx.push(Effect::StartTimer(LOADING_DELAY_MS));
        }
        Msg::LoadingDelay => {
            if !s.drawn && matches!(s.content, Content::Loading) {
                render(s, &mut fx);
            }
        }
        Msg::Answer { req, answer } => {
            // An answer nobody waits for any more (a retry since): ignored.
            if let Some(p) = s.take(req) {
                answered(s, req, p, answer, &mut fx);
            }
        }
        Msg::Saved { req, copy } => {
            if let Some(p) = s.take(req) {
                saved(s, p, copy, &mut fx);
            }
        }
        Msg::Action(action) => act(s, action, &mut fx),
        Msg::SubmitFeedback { text, contact } => submit_feedback(s, text, contact, &mut fx),
        Msg::Counts(stats) => pushed(s, stats, &mut fx),
        Msg::Unmount => {
            s.mounted = false;
            s.pending.clear();
        }
    }
    fx
}

fn render(s: &mut State, fx: &mut Vec<Effect>) {
    s.drawn = true;
    fx.push(Effect::Render);
}

fn load(s: &mut State, fx: &mut Vec<Effect>) {
    let (url, expect) = match (s.opts.view, s.opts.resource.as_deref()) {
        (View::Resource | View::Card, Some(id)) => {
            (urls::resource_url(&s.opts.feed, id), Expect::Item)
        }
        _ => (urls::feed_url(&s.opts), Expect::Feed),
    };
    let p = Pending::Content {
        url: url.clone(),
        failed: None,
    };
    s.send(fx, url, None, expect, p);
}

/// Whether a failed load shows the saved copy instead: the service is unreachable, or a
/// gateway in front of it says so.
pub fn falls_back(f: &Failure) -> bool {
    matches!(
        f,
        Failure::Offline
            | Failure::Http {
                status: 502..=504,
                ..
            }
    )
}

fn error_event(f: &Failure) -> HostEvent {
    let message = match f {
        Failure::Http { error: Some(e), .. } if !e.message.is_empty() => e.message.clone(),
        f => f.describe(),
    };
    HostEvent::Error(host_event::Failed {
        code: f.code(),
        message,
    })
}

fn answered(
    s: &mut State,
    req: Req,
    p: Pending,
    answer: Result<Body, Failure>,
    fx: &mut Vec<Effect>,
) {
    match (p, answer) {
        (
            Pending::Vote {
                resource,
                before,
                sent,
            },
            answer,
        ) => {
            let vote = answer.and_then(|b| match b.payload {
                Payload::Vote(v) => Ok(v),
                _ => Err(Failure::Invalid),
            });
            voted(s, &resource, before, sent, vote, fx);
        }
        (Pending::Feedback, answer) => feedback_answer(s, answer.map(|_| ()), fx),
        (Pending::Content { url, .. }, Err(f)) if falls_back(&f) => {
            let expect = if s.opts.view == View::List {
                Expect::Feed
            } else {
                Expect::Item
            };
            fx.push(Effect::ReadSaved {
                req,
                url: url.clone(),
                expect,
            });
            let failed = Some(f);
            s.pending.push((req, Pending::Content { url, failed }));
        }
        (
            Pending::Stats {
                url, items, stale, ..
            },
            Err(f),
        ) if falls_back(&f) => {
            fx.push(Effect::ReadSaved {
                req,
                url: url.clone(),
                expect: Expect::Stats,
            });
            let failed = Some(f);
            s.pending.push((
                req,
                Pending::Stats {
                    url,
                    items,
                    stale,
                    failed,
                },
            ));
        }
        (Pending::Content { url, .. }, Ok(body)) => {
            show(s, &url, body.payload, Some(body.text), fx)
        }
        (Pending::Content { url, .. }, Err(f)) => problem(s, &url, f, fx),
        (
            Pending::Stats {
                url, items, stale, ..
            },
            answer,
        ) => {
            let (stats, text) = match answer {
                Ok(Body {
                    payload: Payload::Stats(stats),
                    text,
                }) => (stats, Some(text)),
                Ok(_) => (Stats::default(), None),
                Err(f) => {
                    fx.push(load_failed(&url, &f));
                    (Stats::default(), None)
                }
            };
            show_list(s, items, stats, stale, fx);
            if let Some(text) = text {
                fx.push(Effect::Save { url, text });
            }
        }
    }
}

/// The saved copy came (or did not): shown, marked as possibly out of date.
fn saved(s: &mut State, p: Pending, copy: Option<Payload>, fx: &mut Vec<Effect>) {
    match p {
        Pending::Content { url, failed } => match copy {
            Some(payload) => {
                s.stale = true;
                show(s, &url, payload, None, fx);
            }
            None => problem(s, &url, failed.unwrap_or(Failure::Offline), fx),
        },
        Pending::Stats {
            url,
            items,
            stale,
            failed,
        } => {
            let stats = match copy {
                Some(Payload::Stats(stats)) => stats,
                _ => {
                    fx.push(load_failed(&url, &failed.unwrap_or(Failure::Offline)));
                    Stats::default()
                }
            };
            show_list(s, items, stats, stale, fx);
        }
        Pending::Vote { .. } | Pending::Feedback => {}
    }
}

fn load_failed(url: &str, f: &Failure) -> Effect {
    Effect::Console(format::cat(&["could not load ", url, ": ", &f.describe()]))
}

fn problem(s: &mut State, url: &str, f: Failure, fx: &mut Vec<Effect>) {
    fx.push(load_failed(url, &f));
    fx.push(Effect::Emit(error_event(&f)));
    s.stale = false;
    s.content = Content::Problem(match f {
        // Unknown, or retired (410): said the same way, without the status.
        Failure::Http {
            status: 404 | 410, ..
        } => Problem::NotFound,
        Failure::Offline => Problem::Unreachable,
        f => Problem::Failed(f),
    });
    render(s, fx);
}

fn rendered_event(s: &State) -> Effect {
    Effect::Emit(HostEvent::Render(host_event::Rendered {
        resource: s.item().map(|i| i.id.clone()),
        view: s.opts.view.name(),
        lang: s.lang.code(),
    }))
}

/// Shows a content answer (`text` is set when it is fresh, not the saved copy).
fn show(s: &mut State, url: &str, payload: Payload, text: Option<String>, fx: &mut Vec<Effect>) {
    let fresh = text.is_some();
    let (content, event) = match (s.opts.view, payload) {
        (View::Resource, Payload::Item(item)) => (Content::Resource(item), EventKind::View),
        (View::Card, Payload::Item(item)) => (Content::Card(item), EventKind::MetacardView),
        (View::List, Payload::Feed(feed)) if !feed.items.is_empty() => {
            let ids: Vec<&str> = feed.items.iter().map(|i| i.id.as_str()).collect();
            let stats_url = urls::stats_url(&s.opts.feed, &ids);
            let p = Pending::Stats {
                url: stats_url.clone(),
                items: feed.items,
                stale: !fresh,
                failed: None,
            };
            s.send(fx, stats_url, None, Expect::Stats, p);
            if let Some(text) = text {
                fx.push(Effect::Save {
                    url: url.to_owned(),
                    text,
                });
            }
            return;
        }
        (View::List, Payload::Feed(_)) => {
            show_list(s, Vec::new(), Stats::default(), !fresh, fx);
            return;
        }
        _ => return problem(s, url, Failure::Invalid, fx),
    };
    s.content = content;
    s.stale = !fresh;
    render(s, fx);
    fx.push(rendered_event(s));
    // After the content is on the page: neither delays it.
    if let Some(text) = text {
        fx.push(Effect::Save {
            url: url.to_owned(),
            text,
        });
        send_event(s, event, None, fx);
    }
}

fn show_list(s: &mut State, items: Vec<Item>, stats: Stats, stale: bool, fx: &mut Vec<Effect>) {
    s.content = Content::List(items, stats);
    s.stale = stale;
    render(s, fx);
    fx.push(rendered_event(s));
}

fn send_event(s: &State, kind: EventKind, link: Option<String>, fx: &mut Vec<Effect>) {
    let Some(item) = s.item() else { return };
    fx.push(Effect::Beacon {
        // A view is counted after the content is drawn; a click at once.
        soon: matches!(kind, EventKind::View | EventKind::MetacardView),
        url: urls::events_url(&s.opts.feed),
        event: EventRequest {
            kind,
            resource: item.id.clone(),
            visitor: s.visitor.clone(),
            link,
        },
    });
}

fn act(s: &mut State, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Vote => vote(s, fx),
        Action::Email => send_event(s, EventKind::Email, None, fx),
        Action::Download { link, video } => {
            let kind = if video {
                EventKind::VideoDownload
            } else {
                EventKind::Download
            };
            let Some(item) = s.item() else { return };
            let target = item.casm.links.iter().find(|l| l.id == link);
            debug_assert!(target.and_then(download_event).is_some());
            fx.push(Effect::Emit(HostEvent::Download(host_event::Downloaded {
                resource: item.id.clone(),
                link: link.clone(),
                url: target.map(|l| l.url.clone()).unwrap_or_default(),
            })));
            send_event(s, kind, Some(link), fx);
        }
        Action::OpenFeedback => fx.push(Effect::FeedbackForm(true)),
        Action::CloseFeedback | Action::Escape => fx.push(Effect::FeedbackForm(false)),
        // The runner reads the form and sends `Msg::SubmitFeedback`.
        Action::SubmitFeedback => {}
        Action::Retry => {
            s.pending
                .retain(|(_, p)| !matches!(p, Pending::Content { .. } | Pending::Stats { .. }));
            s.content = Content::Loading;
            s.stale = false;
            render(s, fx);
            load(s, fx);
        }
    }
}

/// Toggles the helpful vote: shown at once, then confirmed by the service or rolled back.
fn vote(s: &mut State, fx: &mut Vec<Effect>) {
    if s.vote_in_flight() {
        return;
    }
    let Content::Resource(item) = &mut s.content else {
        return;
    };
    let sent = !s.voted;
    let counters = item.casm.counters.get_or_insert_with(Default::default);
    let before = counters.helpful_votes;
    let optimistic = if sent {
        before.saturating_add(1)
    } else {
        before.saturating_sub(1)
    };
    counters.helpful_votes = optimistic;
    let resource = item.id.clone();
    let url = urls::vote_url(&s.opts.feed, &resource);
    let body = RequestBody::Vote(VoteRequest {
        visitor: s.visitor.clone(),
        helpful: sent,
    });
    s.voted = sent;
    fx.push(Effect::ShowVote {
        count: optimistic,
        voted: sent,
        announce: None,
    });
    let p = Pending::Vote {
        resource,
        before,
        sent,
    };
    s.send(fx, url, Some(body), Expect::Vote, p);
}

/// The service's answer to a vote: confirmed, or rolled back with the reason.
fn voted(
    s: &mut State,
    resource: &str,
    before: u64,
    sent: bool,
    answer: Result<VoteResponse, Failure>,
    fx: &mut Vec<Effect>,
) {
    let lang = s.lang;
    let (count, now, announce) = match answer {
        Ok(r) => {
            fx.push(Effect::RememberVote {
                key: urls::resource_url(&s.opts.feed, resource),
                voted: r.voted,
            });
            fx.push(Effect::Emit(HostEvent::Vote(host_event::Voted {
                resource: resource.to_owned(),
                helpful: r.voted,
                helpful_votes: u32::try_from(r.helpful_votes).unwrap_or(u32::MAX),
            })));
            let key = if r.voted {
                Key::VoteDone
            } else {
                Key::VoteRemoved
            };
            let n = r.helpful_votes;
            let text = i18n::fill(lang.plural(key, n), "n", &intl::number(lang, n));
            (r.helpful_votes, r.voted, text)
        }
        Err(f) => {
            fx.push(Effect::Console(format::cat(&[
                "vote failed: ",
                &f.describe(),
            ])));
            fx.push(Effect::Emit(error_event(&f)));
            let text = lang.fill(Key::VoteFailed, "reason", &view::reason(lang, &f));
            (before, !sent, text)
        }
    };
    // Shown only on the resource it was for (a retry may have replaced the content).
    let Content::Resource(item) = &mut s.content else {
        return;
    };
    if item.id != resource {
        return;
    }
    item.casm
        .counters
        .get_or_insert_with(Default::default)
        .set(Counter::HelpfulVotes, count);
    s.voted = now;
    fx.push(Effect::ShowVote {
        count,
        voted: now,
        announce: Some(announce),
    });
}

/// Counters pushed by the stream: the numbers change in place. The vote button keeps its
/// state, an optimistic count in flight stands until the service answers, and nothing
/// is announced: the live region speaks only of the visitor's own vote.
fn pushed(s: &mut State, stats: Stats, fx: &mut Vec<Effect>) {
    let voting = s.vote_in_flight();
    let mut changed = false;
    let mut helpful = None;
    match &mut s.content {
        Content::Resource(item) | Content::Card(item) => {
            let Some((
                _,
                ResourceStats {
                    counters: mut new, ..
                },
            )) = stats.resources.into_iter().find(|(id, _)| *id == item.id)
            else {
                return;
            };
            let shown = item.casm.counters.get_or_insert_with(Default::default);
            if voting {
                new.helpful_votes = shown.helpful_votes;
            }
            if *shown != new {
                helpful = Some(new.helpful_votes);
                *shown = new;
                changed = true;
            }
        }
        Content::List(items, shown) => {
            for (id, new) in stats.resources {
                if items.iter().any(|i| i.id == id) && shown.resources.get(&id) != Some(&new) {
                    shown.resources.insert(id, new);
                    changed = true;
                }
            }
        }
        Content::Loading | Content::Problem(_) => {}
    }
    if changed {
        fx.push(Effect::ShowCounts);
    }
    if let (Some(count), Content::Resource(_)) = (helpful, &s.content) {
        fx.push(Effect::ShowVote {
            count,
            voted: s.voted,
            announce: None,
        });
    }
}

fn submit_feedback(s: &mut State, text: String, contact: Option<String>, fx: &mut Vec<Effect>) {
    let Some(item) = s.item() else { return };
    if s.feedback_busy {
        return;
    }
    let text = text.trim();
    if text.is_empty() {
        fx.push(Effect::FeedbackStatus(
            s.lang.t(Key::FeedbackEmpty).to_owned(),
        ));
        fx.push(Effect::FocusFeedback);
        return;
    }
    let url = urls::feedback_url(&s.opts.feed, &item.id);
    let body = RequestBody::Feedback(FeedbackRequest {
        visitor: s.visitor.clone(),
        text: text.to_owned(),
        contact: contact
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty()),
    });
    fx.push(Effect::FeedbackStatus(
        s.lang.t(Key::FeedbackSending).to_owned(),
    ));
    s.feedback_busy = true;
    s.send(fx, url, Some(body), Expect::Accepted, Pending::Feedback);
}

fn feedback_answer(s: &mut State, answer: Result<(), Failure>, fx: &mut Vec<Effect>) {
    s.feedback_busy = false;
    match answer {
        Ok(()) => fx.push(Effect::FeedbackSent),
        Err(f) => {
            fx.push(Effect::Console(format::cat(&[
                "feedback failed: ",
                &f.describe(),
            ])));
            fx.push(Effect::Emit(error_event(&f)));
            let reason = view::reason(s.lang, &f);
            fx.push(Effect::FeedbackStatus(s.lang.fill(
                Key::FeedbackFailed,
                "reason",
                &reason,
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::ErrorDetail;
    use crate::options::{parse, RawOptions};
    use crate::view::Problem;
    use casm_model::wire::{ItemExt, ItemLink, ResourceStats};
    use casm_model::{Counters, LinkKind};

    const FEED: &str = "https://feed.example.org";
    const VISITOR: &str = "abcdefghijklmnopqrstuvwx";

    fn state(view: &str, resource: Option<&str>) -> State {
        let (opts, _) = parse(&RawOptions {
            default_feed: FEED.into(),
            view: Some(view.into()),
            resource: resource.map(Into::into),
            ..RawOptions::default()
        });
        State::new(Init {
            opts,
            lang: Lang::En,
            visitor: VISITOR.into(),
            page_origin: "https://partner.example.org".into(),
            voted: false,
            page_rtl: false,
        })
    }

    #[test]
    fn arabic_or_a_right_to_left_page_lays_out_right_to_left() {
        let dir = |lang: Lang, page_rtl: bool| {
            let mut s = state("resource", Some("x"));
            s = State::new(Init {
                opts: s.opts,
                lang,
                visitor: VISITOR.into(),
                page_origin: String::new(),
                voted: false,
                page_rtl,
            });
            view(&s).get("dir").map(str::to_owned)
        };
        assert_eq!(dir(Lang::Ar, false).as_deref(), Some("rtl"));
        assert_eq!(dir(Lang::En, true).as_deref(), Some("rtl"));
        assert_eq!(dir(Lang::Fr, false).as_deref(), Some("ltr"));
    }

    fn item(id: &str, helpful: u64) -> Item {
        Item {
            id: id.into(),
            title: "CASM".into(),
            casm: ItemExt {
                counters: Some(Counters {
                    helpful_votes: helpful,
                    ..Counters::default()
                }),
                links: vec![ItemLink {
                    id: "agenda".into(),
                    title: "Agenda".into(),
                    url: "https://feed.example.org/files/agenda.pdf".into(),
                    kind: LinkKind::Document,
                    ..ItemLink::default()
                }],
                ..ItemExt::default()
            },
            ..Item::default()
        }
    }

    fn ok(payload: Payload) -> Result<Body, Failure> {
        Ok(Body {
            payload,
            text: "{…}".into(),
        })
    }

    fn http(status: u16, code: &str) -> Failure {
        Failure::Http {
            status,
            error: Some(ErrorDetail {
                code: code.into(),
                message: "the service said no".into(),
                field: None,
            }),
        }
    }

    /// The request of the first `Fetch` among `fx`.
    fn fetched(fx: &[Effect]) -> (Req, String, Option<RequestBody>) {
        fx.iter()
            .find_map(|e| match e {
                Effect::Fetch { req, url, body, .. } => Some((*req, url.clone(), body.clone())),
                _ => None,
            })
            .expect("a request")
    }

    fn emitted(fx: &[Effect]) -> Vec<&HostEvent> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Emit(ev) => Some(ev),
                _ => None,
            })
            .collect()
    }

    /// A started widget and its first request (the content), with its URL.
    fn started(view: &str, resource: Option<&str>) -> (State, Req, String) {
        let mut s = state(view, resource);
        let (req, url, _) = fetched(&update(&mut s, Msg::Start));
        (s, req, url)
    }

    /// The effects of the answer to `req`.
    fn reply(s: &mut State, req: Req, answer: Result<Body, Failure>) -> Vec<Effect> {
        update(s, Msg::Answer { req, answer })
    }

    /// A resource widget showing `item("r", helpful)`.
    fn shown(helpful: u64) -> State {
        let mut s = state("resource", Some("r"));
        let fx = update(&mut s, Msg::Start);
        let (req, url, _) = fetched(&fx);
        assert_eq!(url, "https://feed.example.org/v1/resources/r");
        reply(&mut s, req, ok(Payload::Item(item("r", helpful))));
        s
    }

    fn helpful(s: &State) -> Option<u64> {
        match &s.content {
            Content::Resource(i) => i.casm.counters.as_ref().map(|c| c.helpful_votes),
            _ => None,
        }
    }

    #[test]
    fn a_fresh_resource_is_drawn_saved_counted_and_announced() {
        let mut s = state("resource", Some("r"));
        let fx = update(&mut s, Msg::Start);
        assert!(fx.contains(&Effect::StartTimer(LOADING_DELAY_MS)));
        let (req, _, _) = fetched(&fx);
        let fx = reply(&mut s, req, ok(Payload::Item(item("r", 3))));
        assert_eq!(fx[0], Effect::Render);
        assert!(fx
            .iter()
            .any(|e| matches!(e, Effect::Save { url, .. } if url.ends_with("/v1/resources/r"))));
        assert!(fx
            .iter()
            .any(|e| matches!(e, Effect::Beacon { event, soon: true, .. } if event.kind == EventKind::View)),
            "the view is counted in a later task, after the content is drawn");
        assert_eq!(
            emitted(&fx),
            [&HostEvent::Render(host_event::Rendered {
                resource: Some("r".into()),
                view: "resource",
                lang: "en",
            })]
        );
        // The loading timer fires after the content: nothing to redraw.
        assert!(update(&mut s, Msg::LoadingDelay).is_empty());
    }

    #[test]
    fn a_slow_answer_shows_loading_first() {
        let mut s = state("card", Some("r"));
        update(&mut s, Msg::Start);
        assert_eq!(update(&mut s, Msg::LoadingDelay), [Effect::Render]);
        assert_eq!(s.content, Content::Loading);
    }

    #[test]
    fn the_vote_is_optimistic_then_confirmed() {
        let mut s = shown(3);
        let fx = update(&mut s, Msg::Action(Action::Vote));
        assert_eq!(
            fx[0],
            Effect::ShowVote {
                count: 4,
                voted: true,
                announce: None
            }
        );
        let (req, url, body) = fetched(&fx);
        assert_eq!(url, "https://feed.example.org/v1/resources/r/vote");
        assert_eq!(
            body,
            Some(RequestBody::Vote(VoteRequest {
                visitor: VISITOR.into(),
                helpful: true
            }))
        );
        assert!((s.voted, helpful(&s)) == (true, Some(4)));
        // A second click while the first is on its way changes nothing.
        assert!(update(&mut s, Msg::Action(Action::Vote)).is_empty());

        let answer = ok(Payload::Vote(VoteResponse {
            helpful_votes: 9,
            voted: true,
        }));
        let fx = reply(&mut s, req, answer);
        assert!(fx.contains(&Effect::RememberVote {
            key: "https://feed.example.org/v1/resources/r".into(),
            voted: true
        }));
        assert!(fx.contains(&Effect::ShowVote {
            count: 9,
            voted: true,
            announce: Some("Thank you for your vote. This page has 9 helpful votes.".into())
        }));
        assert_eq!(
            emitted(&fx),
            [&HostEvent::Vote(host_event::Voted {
                resource: "r".into(),
                helpful: true,
                helpful_votes: 9
            })]
        );
        assert_eq!(helpful(&s), Some(9), "the service's count wins");
    }

    #[test]
    fn a_refused_vote_rolls_back_and_says_why() {
        let mut s = shown(3);
        let fx = update(&mut s, Msg::Action(Action::Vote));
        let (req, _, _) = fetched(&fx);
        let fx = reply(&mut s, req, Err(http(429, "vote_limit")));
        assert!(fx.contains(&Effect::ShowVote {
            count: 3,
            voted: false,
            announce: Some(
                "Your vote could not be saved: too many requests, please try again in a moment."
                    .into()
            )
        }));
        assert!(!fx.iter().any(|e| matches!(e, Effect::RememberVote { .. })));
        assert_eq!(
            emitted(&fx),
            [&HostEvent::Error(host_event::Failed {
                code: "vote_limit".into(),
                message: "the service said no".into()
            })]
        );
        assert_eq!((s.voted, helpful(&s)), (false, Some(3)));
        // The next click is a new vote.
        let fx = update(&mut s, Msg::Action(Action::Vote));
        assert!(matches!(
            fx[0],
            Effect::ShowVote {
                count: 4,
                voted: true,
                ..
            }
        ));
    }

    #[test]
    fn undoing_a_vote_sends_helpful_false() {
        let mut s = shown(5);
        s.voted = true;
        let fx = update(&mut s, Msg::Action(Action::Vote));
        assert!(matches!(
            fx[0],
            Effect::ShowVote {
                count: 4,
                voted: false,
                ..
            }
        ));
        let (_, _, body) = fetched(&fx);
        assert!(matches!(
            body,
            Some(RequestBody::Vote(VoteRequest { helpful: false, .. }))
        ));
    }

    #[test]
    fn answers_after_unmount_do_nothing() {
        let (mut s, req, _) = started("resource", Some("r"));
        assert!(update(&mut s, Msg::Unmount).is_empty());
        let answer = ok(Payload::Item(item("r", 1)));
        assert!(reply(&mut s, req, answer).is_empty());
        assert!(update(&mut s, Msg::LoadingDelay).is_empty());
        assert!(update(&mut s, Msg::Action(Action::Vote)).is_empty());
        assert_eq!(s.content, Content::Loading);
    }

    #[test]
    fn answers_to_a_load_replaced_by_a_retry_are_ignored() {
        let (mut s, first, _) = started("resource", Some("r"));
        reply(&mut s, first, Err(http(500, "internal")));
        assert!(matches!(s.content, Content::Problem(_)));
        let fx = update(&mut s, Msg::Action(Action::Retry));
        assert_eq!(fx[0], Effect::Render);
        assert_eq!(s.content, Content::Loading);
        let (second, _, _) = fetched(&fx);
        assert_ne!(first, second);
        // A late duplicate of the first answer finds nobody waiting.
        let late = ok(Payload::Item(item("r", 1)));
        assert!(reply(&mut s, first, late).is_empty());
        let fresh = ok(Payload::Item(item("r", 2)));
        reply(&mut s, second, fresh);
        assert_eq!(helpful(&s), Some(2));
    }

    #[test]
    fn gateway_errors_and_offline_fall_back_to_the_saved_copy() {
        for failure in [
            Failure::Offline,
            http(502, ""),
            http(503, "unavailable"),
            http(504, ""),
        ] {
            let (mut s, req, url) = started("resource", Some("r"));
            let fx = reply(&mut s, req, Err(failure.clone()));
            assert_eq!(
                fx,
                [Effect::ReadSaved {
                    req,
                    url,
                    expect: Expect::Item
                }],
                "{failure:?}"
            );
            let copy = Some(Payload::Item(item("r", 7)));
            let fx = update(&mut s, Msg::Saved { req, copy });
            assert!(fx.contains(&Effect::Render));
            assert!(s.stale, "marked as possibly out of date");
            assert_eq!(helpful(&s), Some(7));
            // A saved copy is neither saved again nor counted as a view.
            assert!(!fx
                .iter()
                .any(|e| matches!(e, Effect::Save { .. } | Effect::Beacon { .. })));
        }
    }

    #[test]
    fn without_a_saved_copy_the_failure_is_shown() {
        let (mut s, req, _) = started("resource", Some("r"));
        reply(&mut s, req, Err(http(503, "unavailable")));
        let fx = update(&mut s, Msg::Saved { req, copy: None });
        assert!(fx.contains(&Effect::Render));
        assert!(matches!(
            &s.content,
            Content::Problem(Problem::Failed(Failure::Http { status: 503, .. }))
        ));
        assert_eq!(emitted(&fx).len(), 1);

        let (mut s, req, _) = started("resource", Some("r"));
        reply(&mut s, req, Err(Failure::Offline));
        update(&mut s, Msg::Saved { req, copy: None });
        assert_eq!(s.content, Content::Problem(Problem::Unreachable));
    }

    #[test]
    fn other_errors_do_not_use_the_saved_copy() {
        for (failure, problem) in [
            (http(404, "not_found"), Problem::NotFound),
            (http(410, "gone"), Problem::NotFound),
            (http(500, ""), Problem::Failed(http(500, ""))),
            (Failure::Invalid, Problem::Failed(Failure::Invalid)),
        ] {
            let (mut s, req, _) = started("resource", Some("r"));
            let fx = reply(&mut s, req, Err(failure));
            assert!(!fx.iter().any(|e| matches!(e, Effect::ReadSaved { .. })));
            assert_eq!(s.content, Content::Problem(problem));
        }
    }

    #[test]
    fn a_list_loads_its_feed_then_the_counters_of_its_items() {
        let (mut s, req, url) = started("list", None);
        assert!(url.starts_with("https://feed.example.org/v1/feed.json?limit=10"));
        let feed = Feed {
            items: vec![item("a", 0), item("b", 0)],
            ..Feed::default()
        };
        let fx = reply(&mut s, req, ok(Payload::Feed(feed)));
        let (stats_req, stats_url, _) = fetched(&fx);
        assert_eq!(stats_url, "https://feed.example.org/v1/stats?ids=a,b");
        assert!(fx.iter().any(|e| matches!(e, Effect::Save { .. })));
        let mut stats = Stats::default();
        stats.resources.insert("b".into(), ResourceStats::default());
        let fx = reply(&mut s, stats_req, ok(Payload::Stats(stats.clone())));
        assert_eq!(fx[0], Effect::Render);
        assert!(matches!(&s.content, Content::List(items, st) if items.len() == 2 && *st == stats));
    }

    /// Stats pushed by the stream with `helpful` votes for each of `ids`.
    fn push(ids: &[&str], helpful: u64) -> Msg {
        let mut stats = Stats::default();
        for id in ids {
            stats.resources.insert(
                (*id).into(),
                ResourceStats {
                    counters: Counters {
                        helpful_votes: helpful,
                        page_views: 7,
                        ..Counters::default()
                    },
                    partners: None,
                },
            );
        }
        Msg::Counts(stats)
    }

    #[test]
    fn pushed_counts_change_the_numbers_in_place_without_an_announcement() {
        let mut s = shown(3);
        assert_eq!(s.live_ids(), ["r"]);
        let fx = update(&mut s, push(&["r", "other"], 5));
        assert_eq!(
            fx,
            [
                Effect::ShowCounts,
                Effect::ShowVote {
                    count: 5,
                    voted: false,
                    announce: None
                }
            ],
            "in place, not a new render; nothing for the live region"
        );
        assert_eq!(helpful(&s), Some(5));
        // The same numbers again: nothing to do.
        assert!(update(&mut s, push(&["r"], 5)).is_empty());
        // Another resource's counters: nothing either.
        assert!(update(&mut s, push(&["other"], 9)).is_empty());
    }

    #[test]
    fn pushed_counts_keep_the_visitors_vote_and_its_optimistic_count() {
        let mut s = shown(3);
        update(&mut s, Msg::Action(Action::Vote));
        assert_eq!((s.voted, helpful(&s)), (true, Some(4)));
        // While the vote is on its way, a push from before it does not undo it.
        let fx = update(&mut s, push(&["r"], 3));
        assert_eq!(
            fx,
            [
                Effect::ShowCounts,
                Effect::ShowVote {
                    count: 4,
                    voted: true,
                    announce: None
                }
            ]
        );
        assert_eq!((s.voted, helpful(&s)), (true, Some(4)));
        match &s.content {
            Content::Resource(i) => assert_eq!(i.casm.counters.as_ref().unwrap().page_views, 7),
            other => panic!("{other:?}"),
        }
        // Once confirmed, later pushes set the count; the button stays pressed.
        let (req, _) = s
            .pending
            .iter()
            .find(|(_, p)| matches!(p, Pending::Vote { .. }))
            .map(|(r, p)| (*r, p.clone()))
            .unwrap();
        let answer = ok(Payload::Vote(VoteResponse {
            helpful_votes: 4,
            voted: true,
        }));
        reply(&mut s, req, answer);
        let fx = update(&mut s, push(&["r"], 6));
        assert!(fx.contains(&Effect::ShowVote {
            count: 6,
            voted: true,
            announce: None
        }));
        assert!(s.voted);
    }

    #[test]
    fn a_list_takes_pushed_counts_of_its_own_items_only() {
        let (mut s, req, _) = started("list", None);
        assert!(s.live_ids().is_empty(), "nothing shown yet");
        let feed = Feed {
            items: vec![item("a", 0), item("b", 0)],
            ..Feed::default()
        };
        let fx = reply(&mut s, req, ok(Payload::Feed(feed)));
        let (stats_req, _, _) = fetched(&fx);
        reply(&mut s, stats_req, ok(Payload::Stats(Stats::default())));
        assert_eq!(s.live_ids(), ["a", "b"]);
        assert_eq!(update(&mut s, push(&["b", "zzz"], 2)), [Effect::ShowCounts]);
        match &s.content {
            Content::List(_, stats) => {
                assert_eq!(stats.get("b").map(|c| c.helpful_votes), Some(2));
                assert!(stats.get("zzz").is_none());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pushed_counts_before_the_content_or_after_unmount_do_nothing() {
        let (mut s, _, _) = started("resource", Some("r"));
        assert!(update(&mut s, push(&["r"], 2)).is_empty());
        let mut s = shown(1);
        update(&mut s, Msg::Unmount);
        assert!(update(&mut s, push(&["r"], 2)).is_empty());
    }

    #[test]
    fn downloads_tell_the_host_page_and_are_counted() {
        let mut s = shown(0);
        let action = Action::Download {
            link: "agenda".into(),
            video: false,
        };
        let fx = update(&mut s, Msg::Action(action));
        assert_eq!(
            emitted(&fx),
            [&HostEvent::Download(host_event::Downloaded {
                resource: "r".into(),
                link: "agenda".into(),
                url: "https://feed.example.org/files/agenda.pdf".into()
            })]
        );
        // A click is counted at once: a download may leave the page.
        assert!(fx
            .iter()
            .any(|e| matches!(e, Effect::Beacon { event, soon: false, .. }
            if event.kind == EventKind::Download && event.link.as_deref() == Some("agenda"))));
    }

    #[test]
    fn comments_are_checked_sent_once_and_failures_explained() {
        let mut s = shown(0);
        let blank = Msg::SubmitFeedback {
            text: "  ".into(),
            contact: None,
        };
        let fx = update(&mut s, blank);
        assert_eq!(
            fx,
            [
                Effect::FeedbackStatus("Please write your comments first.".into()),
                Effect::FocusFeedback
            ]
        );
        let msg = Msg::SubmitFeedback {
            text: " Useful. ".into(),
            contact: Some(" ".into()),
        };
        let fx = update(&mut s, msg.clone());
        let (req, _, body) = fetched(&fx);
        assert_eq!(
            body,
            Some(RequestBody::Feedback(FeedbackRequest {
                visitor: VISITOR.into(),
                text: "Useful.".into(),
                contact: None
            }))
        );
        assert!(update(&mut s, msg).is_empty(), "sent once");
        let fx = reply(&mut s, req, Err(Failure::Offline));
        assert!(fx
            .iter()
            .any(|e| matches!(e, Effect::FeedbackStatus(t) if t.contains("cannot be reached"))));
        assert_eq!(emitted(&fx).len(), 1);
    }
}
