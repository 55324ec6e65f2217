//! The widget's options (its `data-` attributes) parsed into typed values.
//!
//! An invalid value never stops the widget: the default is used and a [`Warning`] says
//! which attribute was ignored, for one `[casm]` console line.

use crate::i18n::Lang;
use casm_model::validate;

/// Which view the widget renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// One resource with its Page Information panel.
    Resource,
    /// Resources of the feed.
    List,
    /// A compact meta-card of one resource.
    Card,
}

impl View {
    /// The attribute value, e.g. `card`.
    pub const fn name(self) -> &'static str {
        match self {
            View::Resource => "resource",
            View::List => "list",
            View::Card => "card",
        }
    }
}

/// A part of a view that `data-show` can turn on or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Summary,
    Body,
    Links,
    Info,
    Votes,
    Share,
    Feedback,
}

impl Part {
    /// Every part.
    pub const ALL: [Part; 7] = [
        Part::Summary,
        Part::Body,
        Part::Links,
        Part::Info,
        Part::Votes,
        Part::Share,
        Part::Feedback,
    ];

    /// The `data-show` token.
    pub const fn name(self) -> &'static str {
        match self {
            Part::Summary => "summary",
            Part::Body => "body",
            Part::Links => "links",
            Part::Info => "info",
            Part::Votes => "votes",
            Part::Share => "share",
            Part::Feedback => "feedback",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`Part`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Show(u8);

impl Show {
    /// The parts a view can show, which is also its default.
    pub fn fitting(view: View) -> Show {
        let parts: &[Part] = match view {
            View::Resource => &Part::ALL,
            View::Card => &[Part::Summary, Part::Info],
            View::List => &[Part::Summary, Part::Info],
        };
        Show(parts.iter().fold(0, |acc, p| acc | p.bit()))
    }

    /// Whether `part` is in the set.
    pub const fn has(self, part: Part) -> bool {
        self.0 & part.bit() != 0
    }

    fn with(self, part: Part) -> Show {
        Show(self.0 | part.bit())
    }
}

/// The colour scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    /// Follows `prefers-color-scheme`.
    Auto,
}

impl Theme {
    /// The attribute value (also the wrapper's class).
    pub const fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

/// The list order: the service's own `sort`, one definition for both.
pub use casm_model::Sort;

/// `data-lang`: a fixed language, or found from the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LangChoice {
    /// The element's closest `lang`, then `navigator.language`, then English.
    Auto,
    /// The language, and the tag it was given as (`pt-BR`: the locale of its formats).
    Fixed(Lang, String),
}

/// The options as given: attribute strings, absent when not set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawOptions {
    pub feed: Option<String>,
    pub view: Option<String>,
    pub resource: Option<String>,
    pub show: Option<String>,
    pub tag: Option<String>,
    pub partner: Option<String>,
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub theme: Option<String>,
    pub accent: Option<String>,
    pub lang: Option<String>,
    pub lazy: Option<String>,
    /// The feed to use without `data-feed`: the origin the loader came from.
    pub default_feed: String,
}

/// The options, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Feed base URL without a trailing slash.
    pub feed: String,
    pub view: View,
    /// A valid resource id (a slug); always set for the resource and card views.
    pub resource: Option<String>,
    pub show: Show,
    pub tag: Option<String>,
    pub partner: Option<String>,
    pub sort: Sort,
    /// Within [`casm_model::api::FEED_LIMIT`].
    pub limit: u32,
    pub theme: Theme,
    /// An opaque hex colour, `#rgb` or `#rrggbb` (see [`crate::contrast`]).
    pub accent: Option<String>,
    pub lang: LangChoice,
    pub lazy: bool,
}

/// Items a list shows without `data-limit`.
pub const DEFAULT_LIMIT: u32 = 10;

/// An option that was ignored: the console line (without the `[casm]` prefix), e.g.
/// `data-view="grid" is not valid; using list`.
pub type Warning = String;

fn warn(warnings: &mut Vec<Warning>, option: &str, value: &str, instead: &str) {
    warnings.push(crate::format::cat(&[
        option,
        "=\"",
        value,
        "\" is not valid; using ",
        instead,
    ]));
}

/// The index of `raw` (trimmed, any case) in `names`; `default` when absent, and with a
/// warning when not one of them.
fn choice(
    warnings: &mut Vec<Warning>,
    option: &str,
    raw: &Option<String>,
    names: &[&str],
    default: usize,
) -> usize {
    let Some(value) = raw else { return default };
    let value = value.trim().to_ascii_lowercase();
    match names.iter().position(|n| *n == value) {
        Some(i) => i,
        None => {
            warn(
                warnings,
                option,
                &value,
                names.get(default).copied().unwrap_or_default(),
            );
            default
        }
    }
}

/// A free-text filter (`data-tag`, `data-partner`): trimmed, at most 200 bytes.
fn filter(warnings: &mut Vec<Warning>, option: &str, raw: &Option<String>) -> Option<String> {
    let v = raw.as_deref()?.trim();
    if v.len() > 200 || v.chars().any(char::is_control) {
        warn(warnings, option, v, "no filter");
        return None;
    }
    (!v.is_empty()).then(|| v.to_owned())
}

/// Checks the raw options. Never fails: every invalid value falls back to its default,
/// with a warning.
pub fn parse(raw: &RawOptions) -> (Options, Vec<Warning>) {
    let mut w = Vec::new();

    let default_feed = without_trailing_slashes(raw.default_feed.trim()).to_owned();
    let feed = match raw.feed.as_deref().map(str::trim) {
        Some(f) if is_feed_url(f) => without_trailing_slashes(f).to_owned(),
        Some(f) => {
            warn(&mut w, "data-feed", f, &default_feed);
            default_feed
        }
        None => default_feed,
    };

    let resource = match raw.resource.as_deref().map(str::trim) {
        Some(r) if validate::slug("resource", r).is_ok() => Some(r.to_owned()),
        Some(r) => {
            warn(&mut w, "data-resource", r, "no resource");
            None
        }
        None => None,
    };

    const VIEWS: [View; 3] = [View::Resource, View::List, View::Card];
    let default_view = usize::from(resource.is_none());
    let names = VIEWS.map(View::name);
    let mut view = VIEWS[choice(&mut w, "data-view", &raw.view, &names, default_view)];
    if view != View::List && resource.is_none() {
        warn(
            &mut w,
            "data-view",
            view.name(),
            "list (it needs a valid data-resource)",
        );
        view = View::List;
    }

    let fitting = Show::fitting(view);
    let mut show = Show::default();
    for token in raw.show.as_deref().unwrap_or_default().split(',') {
        let token = token.trim().to_ascii_lowercase();
        match Part::ALL.into_iter().find(|p| p.name() == token) {
            Some(part) if fitting.has(part) => show = show.with(part),
            Some(_) => {}
            None if token.is_empty() => {}
            None => warn(&mut w, "data-show", &token, "the other parts"),
        }
    }
    if show == Show::default() {
        show = fitting;
    }

    let tag = filter(&mut w, "data-tag", &raw.tag);
    let partner = filter(&mut w, "data-partner", &raw.partner);
    let sort = Sort::ALL[choice(
        &mut w,
        "data-sort",
        &raw.sort,
        &Sort::ALL.map(Sort::name),
        0,
    )];

    let limit = match raw.limit.as_deref().map(str::trim) {
        None => DEFAULT_LIMIT,
        Some(v) => match v.parse::<u32>() {
            Ok(n) if casm_model::api::FEED_LIMIT.contains(&n) => n,
            _ => {
                warn(&mut w, "data-limit", v, "10");
                DEFAULT_LIMIT
            }
        },
    };

    let theme = [Theme::Light, Theme::Dark, Theme::Auto][choice(
        &mut w,
        "data-theme",
        &raw.theme,
        &["light", "dark", "auto"],
        2,
    )];

    let accent = match raw.accent.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) if is_css_color(v) => Some(v.to_owned()),
        Some(v) => {
            warn(&mut w, "data-accent", v, "the default colour");
            None
        }
    };

    let lang = match raw.lang.as_deref().map(str::trim) {
        None => LangChoice::Auto,
        Some(v) if v.eq_ignore_ascii_case("auto") => LangChoice::Auto,
        Some(v) => match Lang::from_tag(v) {
            Some(l) => LangChoice::Fixed(l, v.to_owned()),
            None => {
                warn(&mut w, "data-lang", v, "auto");
                LangChoice::Auto
            }
        },
    };

    let lazy = choice(&mut w, "data-lazy", &raw.lazy, &["true", "false"], 0) == 0;

    let options = Options {
        feed,
        view,
        resource,
        show,
        tag,
        partner,
        sort,
        limit,
        theme,
        accent,
        lang,
        lazy,
    };
    (options, w)
}

/// `s` without the `/`s it ends with (by bytes: smaller in the Wasm build than a pattern).
fn without_trailing_slashes(s: &str) -> &str {
    let n = s.bytes().rev().take_while(|&b| b == b'/').count();
    s.get(..s.len() - n).unwrap_or(s)
}

/// An absolute http(s) URL without query or fragment.
fn is_feed_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && casm_model::is_safe_url(url)
        && !url.bytes().any(|b| b == b'?' || b == b'#')
}

/// Whether `v` is an accepted accent colour: an opaque hex colour, `#rgb` or `#rrggbb`.
/// Only those, because the widget evaluates the accent to keep every text on it, and the
/// accent as text, readable (see [`crate::contrast`]); nothing that could end a
/// declaration passes.
pub fn is_css_color(v: &str) -> bool {
    crate::contrast::parse(v).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawOptions {
        RawOptions {
            default_feed: "https://feed.example.org/".into(),
            ..RawOptions::default()
        }
    }

    #[test]
    fn defaults_are_a_list_from_the_loader_origin() {
        let (o, w) = parse(&raw());
        assert!(w.is_empty());
        assert_eq!(o.feed, "https://feed.example.org");
        assert_eq!(o.view, View::List);
        assert_eq!(o.show, Show::fitting(View::List));
        assert_eq!(o.sort, Sort::Popular);
        assert_eq!(o.limit, DEFAULT_LIMIT);
        assert_eq!(o.theme, Theme::Auto);
        assert_eq!(o.lang, LangChoice::Auto);
        assert!(o.lazy);
    }

    #[test]
    fn a_resource_makes_the_resource_view_the_default() {
        let (o, w) = parse(&RawOptions {
            resource: Some(" casm-global-partnership ".into()),
            ..raw()
        });
        assert!(w.is_empty());
        assert_eq!(o.view, View::Resource);
        assert_eq!(o.resource.as_deref(), Some("casm-global-partnership"));
        assert!(Part::ALL.iter().all(|&p| o.show.has(p)));
    }

    #[test]
    fn every_valid_value_is_taken() {
        let (o, w) = parse(&RawOptions {
            feed: Some("http://127.0.0.1:8080/".into()),
            view: Some("CARD".into()),
            resource: Some("abc".into()),
            show: Some("summary, votes".into()),
            tag: Some("roundtable".into()),
            partner: Some("World Bank".into()),
            sort: Some("recent".into()),
            limit: Some("5".into()),
            theme: Some("dark".into()),
            accent: Some("#0a7".into()),
            lang: Some("fr-CA".into()),
            lazy: Some("false".into()),
            ..raw()
        });
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.feed, "http://127.0.0.1:8080");
        assert_eq!(o.view, View::Card);
        // votes do not fit a card, so only the summary is kept
        assert!(o.show.has(Part::Summary) && !o.show.has(Part::Votes));
        assert_eq!(o.tag.as_deref(), Some("roundtable"));
        assert_eq!(o.partner.as_deref(), Some("World Bank"));
        assert_eq!((o.sort, o.limit, o.theme), (Sort::Recent, 5, Theme::Dark));
        assert_eq!(o.accent.as_deref(), Some("#0a7"));
        assert_eq!(o.lang, LangChoice::Fixed(Lang::Fr, "fr-CA".into()));
        assert!(!o.lazy);
    }

    #[test]
    fn invalid_values_fall_back_with_one_warning_each() {
        let (o, w) = parse(&RawOptions {
            feed: Some("javascript:alert(1)".into()),
            view: Some("grid".into()),
            resource: Some("Not A Slug".into()),
            show: Some("summary,bogus".into()),
            sort: Some("random".into()),
            limit: Some("1000".into()),
            theme: Some("neon".into()),
            accent: Some("red;background:url(x)".into()),
            lang: Some("de".into()),
            lazy: Some("maybe".into()),
            ..raw()
        });
        let options: Vec<_> = w
            .iter()
            .map(|w| w.split('=').next().unwrap_or_default())
            .collect();
        assert_eq!(
            options,
            [
                "data-feed",
                "data-resource",
                "data-view",
                "data-show",
                "data-sort",
                "data-limit",
                "data-theme",
                "data-accent",
                "data-lang",
                "data-lazy"
            ]
        );
        assert_eq!(o.feed, "https://feed.example.org");
        assert_eq!(o.view, View::List);
        assert!(o.show.has(Part::Summary));
        assert_eq!((o.sort, o.limit, o.theme), (Sort::Popular, 10, Theme::Auto));
        assert_eq!(o.accent, None);
        assert_eq!(o.lang, LangChoice::Auto);
        assert!(o.lazy);
        assert_eq!(w[2], "data-view=\"grid\" is not valid; using list");
    }

    #[test]
    fn a_resource_view_without_a_resource_becomes_a_list() {
        let (o, w) = parse(&RawOptions {
            view: Some("resource".into()),
            ..raw()
        });
        assert_eq!(o.view, View::List);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn feed_urls_must_be_absolute_http() {
        for bad in [
            "ftp://x.org",
            "//x.org",
            "/v1",
            "https://x.org/?a=1",
            "mailto:a@b",
        ] {
            assert!(!is_feed_url(bad), "{bad}");
        }
        assert!(is_feed_url("HTTPS://feed.example.org/casm"));
    }

    #[test]
    fn accents_are_opaque_hex_colours() {
        for ok in ["#fff", "#0A7CFF", "#0b5cad"] {
            assert!(is_css_color(ok), "{ok}");
        }
        // Colours whose contrast the widget could not promise fall back to the default.
        for bad in [
            "#ggg",
            "#0a7cff80",
            "rebeccapurple",
            "rgb(0 90 180 / 50%)",
            "oklch(0.6 0.15 250)",
            "red;x:y",
            "url(x)",
            "expression(alert(1))",
            "",
            "var(--x)",
        ] {
            assert!(!is_css_color(bad), "{bad}");
        }
    }
}
