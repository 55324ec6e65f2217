//! The view model: what each view shows, as a plain tree of [`Node`]s.
//!
//! Built from typed data, options and a language, with no browser involved, so what is
//! shown (and what is *not*: unsafe hrefs, script tags) is tested natively. The DOM layer
//! turns the tree into elements with `createElement` and text nodes; attribute names all
//! come from this file, never from the feed.

use crate::contrast;
use crate::feed::{download_event, Counters, Failure, Item, ItemLink, Stats};
use crate::format;
use crate::i18n::{Key, Lang};
use crate::intl;
use crate::options::{Part, Show, Theme, View};
use casm_model::{is_safe_url, Counter, LinkKind};

/// An element to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub tag: &'static str,
    /// Attributes in order. A name starting with `--` is a CSS custom property, set
    /// through the style object.
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Child>,
    /// The event this element reacts to.
    pub on: Option<On>,
    /// A name the controller uses to update this element in place.
    pub slot: Option<Slot>,
}

/// A child: an element or a text node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Child {
    El(Node),
    Text(String),
}

/// What an element does when its event fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct On {
    /// `click`, `submit` or `keydown`.
    pub event: &'static str,
    pub action: Action,
    /// Whether the browser's default action is cancelled (form submit, comments link).
    pub prevent_default: bool,
}

/// A user action the controller handles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Toggle the helpful vote.
    Vote,
    /// "Email this page" was opened.
    Email,
    /// A download link was opened (counted, never delayed).
    Download {
        link: String,
        video: bool,
    },
    OpenFeedback,
    SubmitFeedback,
    CloseFeedback,
    /// A key was pressed in the comments form; the runner passes on only Escape, which
    /// closes it.
    Escape,
    Retry,
}

/// Elements the controller updates after rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    VoteButton,
    VoteCount,
    HelpfulStat,
    Live,
    Feedback,
    FeedbackText,
    FeedbackContact,
    FeedbackStatus,
    /// What opened the comments form (its link or button), which gets focus back when
    /// the form closes.
    FeedbackOpener,
}

/// A new element.
#[inline(never)]
pub fn el(tag: &'static str) -> Node {
    Node {
        tag,
        attrs: Vec::new(),
        children: Vec::new(),
        on: None,
        slot: None,
    }
}

impl Node {
    /// Adds an attribute.
    #[inline(never)]
    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Node {
        self.attrs.push((name, value.into()));
        self
    }

    /// Marks feed text in the resource's language, its direction taken from the text
    /// (`dir="auto"`): English content in a right-to-left page (or the reverse) keeps its
    /// own direction and punctuation.
    #[inline(never)]
    pub fn content_lang(self, item: &Item) -> Node {
        self.attr("lang", item.language.as_str())
            .attr("dir", "auto")
    }

    /// Adds a `part` name for `::part()` styling.
    #[inline(never)]
    pub fn part(self, part: &'static str) -> Node {
        self.attr("part", part)
    }

    /// Adds a text child.
    #[inline(never)]
    pub fn text(mut self, text: impl Into<String>) -> Node {
        self.children.push(Child::Text(text.into()));
        self
    }

    /// Adds an element child.
    #[inline(never)]
    pub fn child(mut self, node: Node) -> Node {
        self.children.push(Child::El(node));
        self
    }

    /// Adds an element child when there is one.
    #[inline(never)]
    pub fn maybe(self, node: Option<Node>) -> Node {
        match node {
            Some(n) => self.child(n),
            None => self,
        }
    }

    /// Reacts to `event` with `action`.
    #[inline(never)]
    pub fn on(mut self, event: &'static str, action: Action, prevent_default: bool) -> Node {
        self.on = Some(On {
            event,
            action,
            prevent_default,
        });
        self
    }

    /// Names this element for later updates.
    #[inline(never)]
    pub fn slot(mut self, slot: Slot) -> Node {
        self.slot = Some(slot);
        self
    }

    /// The value of an attribute.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every element of the tree, depth first, this one included.
    pub fn all(&self) -> Vec<&Node> {
        let mut out = vec![self];
        let mut i = 0;
        while let Some(node) = out.get(i).copied() {
            out.extend(node.children.iter().filter_map(|c| match c {
                Child::El(n) => Some(n),
                Child::Text(_) => None,
            }));
            i += 1;
        }
        out
    }

    /// The first element with this attribute value.
    pub fn find(&self, name: &str, value: &str) -> Option<&Node> {
        self.all().into_iter().find(|n| n.get(name) == Some(value))
    }

    /// The concatenated text of the tree.
    pub fn text_content(&self) -> String {
        let mut s = String::new();
        for child in &self.children {
            match child {
                Child::Text(t) => s.push_str(t),
                Child::El(n) => s.push_str(&n.text_content()),
            }
        }
        s
    }
}

/// What the views need besides the data.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    pub lang: Lang,
    pub show: Show,
    /// The host page's origin, to tell other-origin links apart.
    pub page_origin: &'a str,
    /// Whether this visitor's helpful vote stands.
    pub voted: bool,
}

/// Why there is nothing to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    NotFound,
    Unreachable,
    Failed(Failure),
}

/// The outer wrapper of every view: theme, accent colour, language and direction, and the
/// "possibly out of date" notice when the content came from the offline copy.
pub fn frame(
    view: View,
    theme: Theme,
    accent: Option<&str>,
    (lang, rtl): (Lang, bool),
    stale: bool,
    content: Node,
) -> Node {
    let mut class = "casm ".to_owned();
    class.push_str(theme.name());
    class.push(' ');
    class.push_str(view.name());
    let mut node = el("div")
        .attr("class", class)
        .attr("lang", lang.code())
        .attr("dir", if rtl { "rtl" } else { "ltr" })
        .part("widget");
    if let Some((accent, rgb)) = accent.and_then(|a| Some((a, contrast::parse(a)?))) {
        // The accent as a background, the text on it, and the accent as text on the light
        // and the dark panel: each readable (see `contrast`).
        node = node
            .attr("--casm-accent", accent)
            .attr("--casm-on", contrast::on(rgb))
            .attr(
                "--casm-tl",
                contrast::css(contrast::text(rgb, contrast::LIGHT_PANEL)),
            )
            .attr(
                "--casm-td",
                contrast::css(contrast::text(rgb, contrast::DARK_PANEL)),
            );
    }
    if stale {
        node = node.child(
            el("p")
                .part("notice")
                .attr("role", "status")
                .text(lang.t(Key::Stale)),
        );
    }
    node.child(content)
}

/// The loading state: the host's own children (the partner's fallback content) when it
/// has any, else "Loading…" (a slot's own content shows only when nothing is slotted).
pub fn loading(lang: Lang) -> Node {
    el("slot").child(
        el("p")
            .part("loading")
            .attr("role", "status")
            .text(lang.t(Key::Loading)),
    )
}

/// A problem instead of content, with a retry button.
pub fn problem(lang: Lang, problem: &Problem) -> Node {
    let text = match problem {
        Problem::NotFound => lang.t(Key::NotFound).to_owned(),
        Problem::Unreachable => lang.t(Key::Unreachable).to_owned(),
        Problem::Failed(f) => lang.fill(Key::Failed, "reason", &reason(lang, f)),
    };
    el("div")
        .part("error")
        .attr("role", "alert")
        .child(el("p").text(text))
        .child(
            el("button")
                .part("retry")
                .attr("type", "button")
                .on("click", Action::Retry, false)
                .text(lang.t(Key::Retry)),
        )
        // The partner's own fallback content, if the host has any, under the message.
        .child(el("slot"))
}

/// Why a request failed, for people, in `lang`.
pub fn reason(lang: Lang, failure: &Failure) -> String {
    match failure {
        Failure::Offline => lang.t(Key::ReasonOffline).to_owned(),
        Failure::Invalid => lang.t(Key::ReasonInvalid).to_owned(),
        Failure::Http { status: 429, .. } => lang.t(Key::ReasonRateLimited).to_owned(),
        Failure::Http { status: 404, .. } => lang.t(Key::ReasonNotFound).to_owned(),
        // A 400/422 message names the field at fault; it is only in English.
        Failure::Http {
            status: 400 | 413 | 422,
            error: Some(e),
        } if !e.message.is_empty() => e.message.clone(),
        Failure::Http { status, .. } => lang.fill(
            Key::ReasonServer,
            "status",
            &format::int(u64::from(*status)),
        ),
    }
}

/// `#19 of 33 items` (or "Not ranked" for rank 0).
pub fn rank_text(lang: Lang, rank: u64, total: u64) -> String {
    if rank == 0 {
        return lang.t(Key::NotRanked).to_owned();
    }
    let template = lang.plural(Key::RankValue, total);
    let s = crate::i18n::fill(template, "rank", &intl::number(lang, rank));
    crate::i18n::fill(&s, "total", &intl::number(lang, total))
}

/// A resource's link, or its title as plain text when the URL is not safe to follow.
pub fn link(l: &ItemLink, ctx: &Ctx) -> Node {
    if !is_safe_url(&l.url) {
        return el("span")
            .part("link")
            .attr("dir", "auto")
            .text(l.title.as_str());
    }
    // `dir="auto"`: the feed's title keeps its direction (an English title inside an
    // Arabic widget) and stays apart from the file type after it.
    let mut a = external(
        el("a").part("link").attr("dir", "auto"),
        &l.url,
        ctx.page_origin,
    );
    if l.kind == LinkKind::Comments && ctx.show.has(Part::Feedback) {
        a = a
            .on("click", Action::OpenFeedback, true)
            .slot(Slot::FeedbackOpener);
    } else if let Some(event) = download_event(l) {
        let video = event == casm_model::EventKind::VideoDownload;
        a = a.on(
            "click",
            Action::Download {
                link: l.id.clone(),
                video,
            },
            false,
        );
    }
    a.text(l.title.as_str())
}

/// Sets `href`, and for another origin opens a new tab without opener or referrer.
fn external(a: Node, url: &str, page_origin: &str) -> Node {
    let a = a.attr("href", url);
    if format::same_origin(url, page_origin) || url.starts_with("mailto:") {
        a
    } else {
        a.attr("target", "_blank")
            .attr("rel", "noopener noreferrer")
    }
}

/// A title that links to `url` when it is safe.
fn title_link(tag: &'static str, item: &Item, ctx: &Ctx) -> Node {
    let inner = if is_safe_url(&item.url) {
        external(el("a"), &item.url, ctx.page_origin)
    } else {
        el("span")
    };
    el(tag)
        .part("title")
        .content_lang(item)
        .child(inner.text(item.title.as_str()))
}

fn kind(item: &Item, lang: Lang) -> Node {
    el("p").part("kind").text(lang.t(Key::kind(item.casm.kind)))
}

fn summary(item: &Item, ctx: &Ctx) -> Option<Node> {
    let summary = item.summary.as_deref().filter(|s| !s.is_empty())?;
    ctx.show
        .has(Part::Summary)
        .then(|| el("p").part("summary").content_lang(item).text(summary))
}

fn row(lang: Lang, label: Key, value: Node) -> Node {
    el("div").child(el("dt").text(lang.t(label))).child(value)
}

fn stat(lang: Lang, counter: Counter, counters: Option<&Counters>) -> Node {
    let text = match (counter, counters) {
        (_, None) => "—".to_owned(),
        (Counter::PopularityRank, Some(c)) => rank_text(
            lang,
            c.get(Counter::PopularityRank),
            c.get(Counter::PopularityTotal),
        ),
        (_, Some(c)) => intl::number(lang, c.get(counter)),
    };
    let dd = el("dd").attr("data-stat", counter.name()).text(text);
    if counter == Counter::HelpfulVotes {
        dd.slot(Slot::HelpfulStat)
    } else {
        dd
    }
}

/// The rank and helpful count, as cards and list items show them.
fn short_info(lang: Lang, counters: Option<&Counters>) -> Node {
    el("dl")
        .part("info")
        .child(row(
            lang,
            Key::Popularity,
            stat(lang, Counter::PopularityRank, counters),
        ))
        .child(row(
            lang,
            Key::HelpfulVotes,
            stat(lang, Counter::HelpfulVotes, counters),
        ))
}

/// The Page Information panel: every counter of the source page, then the dates and
/// the version comment.
pub fn info(item: &Item, lang: Lang) -> Node {
    let counters = item.casm.counters.as_ref();
    let mut dl = el("dl");
    for counter in Counter::ALL {
        if counter != Counter::PopularityTotal {
            dl = dl.child(row(
                lang,
                Key::counter(counter),
                stat(lang, counter, counters),
            ));
        }
    }
    for (key, field, stamp) in [
        (Key::DateCreated, "date_created", &item.date_published),
        (Key::DateModified, "date_modified", &item.date_modified),
    ] {
        let text = intl::date(lang, stamp).unwrap_or_else(|| stamp.clone());
        let time = el("time").attr("datetime", stamp.as_str()).text(text);
        dl = dl.child(row(
            lang,
            key,
            el("dd").attr("data-field", field).child(time),
        ));
    }
    let comment = if item.casm.version_comment.is_empty() {
        lang.t(Key::NoComment)
    } else {
        &item.casm.version_comment
    };
    dl = dl.child(row(
        lang,
        Key::VersionComment,
        el("dd")
            .attr("data-field", "version_comment")
            .attr("dir", "auto")
            .text(comment),
    ));
    el("section")
        .part("info")
        .child(el("h3").text(lang.t(Key::PageInformation)))
        .child(dl)
}

/// The vote button's visible count.
pub fn vote_count(lang: Lang, n: u64) -> String {
    intl::number(lang, n)
}

/// `mailto:` with the title as subject and the resource URL as body.
pub fn mailto(title: &str, url: &str) -> String {
    let mut s = "mailto:?subject=".to_owned();
    s.push_str(&format::encode_component(title));
    s.push_str("&body=");
    s.push_str(&format::encode_component(url));
    s
}

/// The resource view.
pub fn resource(item: &Item, ctx: &Ctx) -> Node {
    let lang = ctx.lang;
    let show = ctx.show;
    let mut root = el("article")
        .part("resource")
        .child(kind(item, lang))
        .child(title_link("h2", item, ctx))
        .maybe(summary(item, ctx));

    let ext = &item.casm;
    if show.has(Part::Body) && !ext.body.is_empty() {
        let mut body = el("div").part("body").content_lang(item);
        for p in &ext.body {
            body = body.child(el("p").attr("dir", "auto").text(p.as_str()));
        }
        root = root.child(body);
    }

    let comments_link_shown = show.has(Part::Links)
        && ext
            .links
            .iter()
            .any(|l| l.kind == LinkKind::Comments && is_safe_url(&l.url));
    if show.has(Part::Links) && !ext.links.is_empty() {
        let mut ul = el("ul");
        for l in &ext.links {
            let mut li = el("li").child(link(l, ctx));
            if let Some(meta) = format::file_meta(lang, l.mime_type.as_deref(), l.size) {
                li = li.child(el("span").part("link-meta").text(meta));
            }
            ul = ul.child(li);
        }
        root = root.child(
            el("nav")
                .part("links")
                .attr("aria-label", lang.t(Key::Links))
                .child(ul),
        );
    }

    if !ext.partners.is_empty() {
        // "Partners: {names}", the names as elements rather than filled-in text: each one
        // isolated, so that "World Bank" reads left to right in an Arabic sentence.
        let mut parts = lang.t(Key::Partners).split('{');
        let mut p = el("p")
            .part("partners")
            .text(parts.next().unwrap_or_default());
        for (i, name) in ext.partners.iter().enumerate() {
            if i > 0 {
                p = p.text(lang.t(Key::ListSeparator));
            }
            p = p.child(el("bdi").text(name.as_str()));
        }
        for rest in parts {
            p = p.text(rest.strip_prefix("names}").unwrap_or(rest));
        }
        root = root.child(p);
    }

    if show.has(Part::Votes) || show.has(Part::Share) || show.has(Part::Feedback) {
        let mut actions = el("div").part("actions");
        if show.has(Part::Votes) {
            let n = ext
                .counters
                .as_ref()
                .map_or(0, |c| c.get(Counter::HelpfulVotes));
            actions = actions
                .child(el("span").part("vote-prompt").text(lang.t(Key::VotePrompt)))
                .child(
                    el("button")
                        .part("vote")
                        .attr("type", "button")
                        .attr("aria-pressed", if ctx.voted { "true" } else { "false" })
                        .slot(Slot::VoteButton)
                        .on("click", Action::Vote, false)
                        .text(lang.t(Key::Vote))
                        .child(
                            el("span")
                                .part("vote-count")
                                .slot(Slot::VoteCount)
                                .text(vote_count(lang, n)),
                        ),
                );
        }
        if show.has(Part::Share) && is_safe_url(&item.url) {
            actions = actions.child(
                el("a")
                    .part("share")
                    .attr("href", mailto(&item.title, &item.url))
                    .on("click", Action::Email, false)
                    .text(lang.t(Key::EmailPage)),
            );
        }
        if show.has(Part::Feedback) && !comments_link_shown {
            actions = actions.child(
                el("button")
                    .part("feedback-button")
                    .attr("type", "button")
                    .on("click", Action::OpenFeedback, false)
                    .slot(Slot::FeedbackOpener)
                    .text(lang.t(Key::SubmitComments)),
            );
        }
        root = root.child(actions);
        if show.has(Part::Votes) {
            root = root.child(
                el("p")
                    .part("live")
                    .attr("aria-live", "polite")
                    .slot(Slot::Live),
            );
        }
        if show.has(Part::Feedback) {
            // Escape anywhere in the form closes it (the runner lets only that key through).
            root = root.child(el("div").part("feedback").slot(Slot::Feedback).on(
                "keydown",
                Action::Escape,
                false,
            ));
        }
    }

    if show.has(Part::Info) {
        root = root.child(info(item, lang));
    }
    root
}

/// The card view: kind, linked title, rank and helpful count.
pub fn card(item: &Item, ctx: &Ctx) -> Node {
    el("article")
        .part("card")
        .child(kind(item, ctx.lang))
        .child(title_link("h2", item, ctx))
        .maybe(summary(item, ctx))
        .maybe(
            ctx.show
                .has(Part::Info)
                .then(|| short_info(ctx.lang, item.casm.counters.as_ref())),
        )
}

/// The list view, with each item's counters from one stats answer.
pub fn list(items: &[Item], stats: &Stats, ctx: &Ctx) -> Node {
    if items.is_empty() {
        return el("p").part("empty").text(ctx.lang.t(Key::Empty));
    }
    let mut ul = el("ul").part("list");
    for item in items {
        let li = el("li")
            .part("item")
            .child(kind(item, ctx.lang))
            .child(title_link("h3", item, ctx))
            .maybe(summary(item, ctx))
            .maybe(
                ctx.show
                    .has(Part::Info)
                    .then(|| short_info(ctx.lang, stats.get(&item.id))),
            );
        ul = ul.child(li);
    }
    ul
}

/// The feedback form ("Submit your comments").
pub fn feedback_form(lang: Lang) -> Node {
    let field = |label: Key, input: Node| {
        el("label")
            .child(el("span").text(lang.t(label)))
            .child(input)
    };
    el("form")
        .part("feedback-form")
        .on("submit", Action::SubmitFeedback, true)
        .child(field(
            Key::FeedbackText,
            el("textarea")
                .attr("name", "text")
                .attr("rows", "4")
                .attr("maxlength", "4000")
                .slot(Slot::FeedbackText),
        ))
        .child(field(
            Key::FeedbackContact,
            el("input")
                .attr("name", "contact")
                .attr("type", "text")
                .attr("maxlength", "200")
                .attr("autocomplete", "email")
                .slot(Slot::FeedbackContact),
        ))
        .child(
            el("div")
                .part("form-actions")
                .child(
                    el("button")
                        .attr("type", "submit")
                        .text(lang.t(Key::FeedbackSend)),
                )
                .child(
                    el("button")
                        .attr("type", "button")
                        .on("click", Action::CloseFeedback, false)
                        .text(lang.t(Key::FeedbackCancel)),
                ),
        )
        .child(
            el("p")
                .part("feedback-status")
                .attr("aria-live", "polite")
                .slot(Slot::FeedbackStatus),
        )
}

/// What replaces the form once the comments are sent.
pub fn feedback_sent(lang: Lang) -> Node {
    el("p")
        .part("feedback-status")
        .attr("role", "status")
        .text(lang.t(Key::FeedbackSent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use casm_model::wire::{ItemExt, ResourceStats};
    use casm_model::ResourceKind;

    const ORIGIN: &str = "https://partner.example.org";

    fn counters(pairs: &[(Counter, u64)]) -> Counters {
        let mut c = Counters::default();
        for (counter, n) in pairs {
            c.set(*counter, *n);
        }
        c
    }

    fn link(id: &str, title: &str, url: &str, kind: LinkKind) -> ItemLink {
        ItemLink {
            id: id.into(),
            title: title.into(),
            url: url.into(),
            kind,
            ..ItemLink::default()
        }
    }

    fn item() -> Item {
        let agenda = ItemLink {
            mime_type: Some("application/pdf".into()),
            size: Some(1234),
            ..link(
                "agenda",
                "Roundtable Agenda",
                "https://feed.example.org/files/agenda.pdf",
                LinkKind::Document,
            )
        };
        Item {
            id: "casm-global-partnership".into(),
            url: "https://feed.example.org/resource.html?id=casm-global-partnership".into(),
            title: "CASM Global Partnership".into(),
            summary: Some("A roundtable.".into()),
            language: "en".into(),
            date_published: "2012-02-29T13:47:00-05:00".into(),
            date_modified: "2012-03-01T09:05:00-05:00".into(),
            casm: ItemExt {
                kind: ResourceKind::OnlineResource,
                body: vec!["One.".into(), "Two.".into()],
                partners: vec!["World Bank".into(), "IFC".into()],
                links: vec![
                    agenda,
                    link(
                        "film",
                        "Film",
                        "https://partner.example.org/film.mp4",
                        LinkKind::Video,
                    ),
                    link(
                        "comments",
                        "Submit your comments",
                        "mailto:casm@example.org",
                        LinkKind::Comments,
                    ),
                ],
                counters: Some(counters(&[
                    (Counter::HelpfulVotes, 3),
                    (Counter::PageViews, 1865),
                    (Counter::MetacardViews, 1),
                    (Counter::AttachmentsDownloaded, 2),
                    (Counter::RelationshipsAndHighlights, 4),
                    (Counter::PopularityRank, 19),
                    (Counter::PopularityTotal, 33),
                ])),
                ..ItemExt::default()
            },
            ..Item::default()
        }
    }

    fn ctx(view: View) -> Ctx<'static> {
        Ctx {
            lang: Lang::En,
            show: Show::fitting(view),
            page_origin: ORIGIN,
            voted: false,
        }
    }

    fn stat_text(node: &Node, name: &str) -> String {
        node.find("data-stat", name)
            .map(Node::text_content)
            .unwrap_or_default()
    }

    #[test]
    fn the_resource_view_shows_every_page_information_field() {
        let v = resource(&item(), &ctx(View::Resource));
        assert_eq!(stat_text(&v, "popularity_rank"), "#19 of 33 items");
        assert_eq!(stat_text(&v, "page_views"), "1,865");
        assert_eq!(stat_text(&v, "helpful_votes"), "3");
        for counter in Counter::ALL {
            if counter != Counter::PopularityTotal {
                assert!(v.find("data-stat", counter.name()).is_some(), "{counter:?}");
            }
        }
        // Natively, the fallback of browsers without Intl: the date as published.
        let created = v.find("data-field", "date_created").map(Node::text_content);
        assert_eq!(created.as_deref(), Some("2012-02-29 13:47"));
        let comment = v
            .find("data-field", "version_comment")
            .map(Node::text_content);
        assert_eq!(comment.as_deref(), Some("None"));
        assert!(v.text_content().contains("Partners: World Bank, IFC"));
        assert!(v.text_content().contains("Online Resource"));
        // Feed text keeps its own language and direction (English in a right-to-left page).
        for part in ["title", "summary", "body", "link"] {
            assert_eq!(
                v.find("part", part).and_then(|n| n.get("dir")),
                Some("auto"),
                "{part}"
            );
        }
    }

    #[test]
    fn the_vote_button_carries_its_state() {
        let mut c = ctx(View::Resource);
        let v = resource(&item(), &c);
        let button = v.find("part", "vote").cloned();
        assert_eq!(
            button.as_ref().and_then(|b| b.get("aria-pressed")),
            Some("false")
        );
        assert_eq!(
            button.and_then(|b| b.on).map(|o| o.action),
            Some(Action::Vote)
        );
        c.voted = true;
        let v = resource(&item(), &c);
        assert_eq!(
            v.find("part", "vote").and_then(|b| b.get("aria-pressed")),
            Some("true")
        );
        assert!(v.find("aria-live", "polite").is_some());
    }

    #[test]
    fn download_links_say_their_type_and_size() {
        let v = resource(&item(), &ctx(View::Resource));
        let metas: Vec<String> = v
            .all()
            .into_iter()
            .filter(|n| n.get("part") == Some("link-meta"))
            .map(|n| n.text_content())
            .collect();
        assert_eq!(metas, ["PDF · 1.2\u{a0}KB"]);
    }

    #[test]
    fn links_are_counted_by_kind_and_other_origins_open_safely() {
        let v = resource(&item(), &ctx(View::Resource));
        let links: Vec<&Node> = v
            .all()
            .into_iter()
            .filter(|n| n.get("part") == Some("link"))
            .collect();
        assert_eq!(links.len(), 3);
        let agenda = links[0];
        assert_eq!(agenda.get("rel"), Some("noopener noreferrer"));
        assert_eq!(
            agenda.on.as_ref().map(|o| &o.action),
            Some(&Action::Download {
                link: "agenda".into(),
                video: false
            })
        );
        let film = links[1];
        assert_eq!(film.get("rel"), None, "same origin as the page");
        assert_eq!(
            film.on.as_ref().map(|o| &o.action),
            Some(&Action::Download {
                link: "film".into(),
                video: true
            })
        );
        let comments = links[2];
        assert_eq!(
            comments.on.as_ref().map(|o| (&o.action, o.prevent_default)),
            Some((&Action::OpenFeedback, true))
        );
        // the comments link opens the form, so there is no second feedback button
        assert!(v.find("part", "feedback-button").is_none());
        // and focus returns to it when the form closes; Escape in the form closes it
        assert_eq!(comments.slot, Some(Slot::FeedbackOpener));
        let feedback = v.find("part", "feedback").and_then(|f| f.on.as_ref());
        assert_eq!(
            feedback.map(|o| (o.event, &o.action)),
            Some(("keydown", &Action::Escape))
        );
    }

    #[test]
    fn unsafe_urls_leave_plain_text() {
        let mut it = item();
        it.casm.links[0].url = "javascript:alert(1)".into();
        it.url = "data:text/html,x".into();
        let v = resource(&it, &ctx(View::Resource));
        for n in v.all() {
            if let Some(href) = n.get("href") {
                assert!(is_safe_url(href), "{href}");
            }
        }
        let first = v
            .all()
            .into_iter()
            .find(|n| n.get("part") == Some("link"))
            .cloned();
        assert_eq!(first.as_ref().map(|n| n.tag), Some("span"));
        assert_eq!(
            first.map(|n| n.text_content()).as_deref(),
            Some("Roundtable Agenda")
        );
        assert!(v.find("part", "share").is_none());
    }

    #[test]
    fn hostile_text_stays_text() {
        let mut it = item();
        it.title = "<script>alert(1)</script>".into();
        it.summary = Some("<img src=x onerror=alert(1)>".into());
        let v = resource(&it, &ctx(View::Resource));
        assert!(v.all().iter().all(|n| n.tag != "script" && n.tag != "img"));
        assert!(v.text_content().contains("<script>alert(1)</script>"));
        assert!(v.text_content().contains("<img src=x onerror=alert(1)>"));
    }

    #[test]
    fn show_turns_parts_off() {
        let mut c = ctx(View::Resource);
        let (opts, _) = crate::options::parse(&crate::options::RawOptions {
            resource: Some("x".into()),
            show: Some("summary,feedback".into()),
            ..Default::default()
        });
        c.show = opts.show;
        let v = resource(&item(), &c);
        assert!(v.find("part", "summary").is_some());
        assert!(v.find("part", "feedback-button").is_some());
        for gone in ["body", "links", "info", "vote", "share"] {
            assert!(v.find("part", gone).is_none(), "{gone}");
        }
    }

    #[test]
    fn email_this_page_is_a_mailto_with_title_and_url() {
        let v = resource(&item(), &ctx(View::Resource));
        let share = v.find("part", "share").and_then(|n| n.get("href"));
        assert_eq!(
            share,
            Some("mailto:?subject=CASM%20Global%20Partnership&body=https%3A%2F%2Ffeed.example.org%2Fresource.html%3Fid%3Dcasm-global-partnership")
        );
    }

    #[test]
    fn the_card_shows_kind_title_rank_and_helpful_count() {
        let v = card(&item(), &ctx(View::Card));
        assert_eq!(v.get("part"), Some("card"));
        assert_eq!(stat_text(&v, "popularity_rank"), "#19 of 33 items");
        assert_eq!(stat_text(&v, "helpful_votes"), "3");
        let title = v.find("part", "title").map(|t| t.all()[1].get("href"));
        assert_eq!(title, Some(Some(item().url.as_str())));
        assert!(v.find("part", "vote").is_none());
    }

    #[test]
    fn the_list_takes_counters_from_stats() {
        let mut a = item();
        a.casm.counters = None;
        let mut b = a.clone();
        b.id = "other".into();
        let mut stats = Stats::default();
        stats.resources.insert(
            "other".into(),
            ResourceStats {
                counters: counters(&[
                    (Counter::PopularityRank, 1),
                    (Counter::PopularityTotal, 2),
                    (Counter::HelpfulVotes, 12_345),
                ]),
                partners: None,
            },
        );
        let mut c = ctx(View::List);
        c.lang = Lang::Fr;
        let v = list(&[a, b], &stats, &c);
        let items: Vec<&Node> = v
            .all()
            .into_iter()
            .filter(|n| n.get("part") == Some("item"))
            .collect();
        assert_eq!(items.len(), 2);
        assert_eq!(stat_text(items[0], "helpful_votes"), "—");
        assert_eq!(stat_text(items[1], "helpful_votes"), "12\u{202f}345");
        assert_eq!(
            stat_text(items[1], "popularity_rank"),
            "n°\u{a0}1 sur 2 éléments"
        );
        assert_eq!(
            list(&[], &stats, &c).text_content(),
            "Aucune ressource trouvée."
        );
    }

    #[test]
    fn problems_explain_themselves_in_the_language() {
        let p = problem(
            Lang::Es,
            &Problem::Failed(Failure::Http {
                status: 503,
                error: None,
            }),
        );
        assert!(p
            .text_content()
            .contains("el servicio respondió con el error 503"));
        assert_eq!(p.get("role"), Some("alert"));
        assert!(p.find("part", "retry").is_some());
    }

    #[test]
    fn loading_and_problems_show_the_partners_own_content() {
        // The host's children (a partner's fallback link) show through a <slot>; while
        // loading, "Loading…" is the slot's own content, shown only when there are none.
        let l = loading(Lang::En);
        assert_eq!(l.tag, "slot");
        assert_eq!(l.find("part", "loading").map(|n| n.tag), Some("p"));
        let p = problem(Lang::En, &Problem::NotFound);
        assert!(p.all().iter().any(|n| n.tag == "slot"));
    }

    #[test]
    fn the_frame_carries_theme_accent_language_and_staleness() {
        let f = frame(
            View::Card,
            Theme::Dark,
            Some("#0a7"),
            (Lang::Pt, false),
            true,
            loading(Lang::Pt),
        );
        assert_eq!(f.get("class"), Some("casm dark card"));
        assert_eq!(f.get("--casm-accent"), Some("#0a7"));
        assert_eq!(f.get("lang"), Some("pt"));
        assert_eq!(f.get("dir"), Some("ltr"));
        assert!(f.find("part", "notice").is_some());
        let ar = frame(
            View::Card,
            Theme::Auto,
            None,
            (Lang::Ar, true),
            false,
            loading(Lang::Ar),
        );
        assert_eq!((ar.get("lang"), ar.get("dir")), (Some("ar"), Some("rtl")));
    }

    #[test]
    fn the_feedback_form_submits_without_leaving_the_page() {
        let f = feedback_form(Lang::En);
        assert_eq!(
            f.on.as_ref().map(|o| (&o.action, o.prevent_default)),
            Some((&Action::SubmitFeedback, true))
        );
        let slots: Vec<_> = f.all().iter().filter_map(|n| n.slot).collect();
        for slot in [
            Slot::FeedbackText,
            Slot::FeedbackContact,
            Slot::FeedbackStatus,
        ] {
            assert!(slots.contains(&slot), "{slot:?}");
        }
    }
}
