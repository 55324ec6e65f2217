//! Property tests of the widget's parsers of outside input, run natively: the option
//! parser (the partner's `data-*` attributes), the URL checks, the URLs built from
//! what they let through, and the contrast of the colours derived from an accent. proptest's default 256 cases each.
#![cfg(not(target_arch = "wasm32"))]

use casm_model::api::FEED_LIMIT;
use casm_model::is_safe_url;
use casm_widget::contrast::{self, exact_ratio, Rgb};
use casm_widget::format::{encode_component, same_origin};
use casm_widget::options::{is_css_color, parse, RawOptions, View};
use casm_widget::urls::{feed_url, resource_url};
use proptest::prelude::*;

/// An attribute value: absent, or any text (some near-valid values mixed in).
fn attr(near: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        ".{0,80}".prop_map(Some),
        prop::sample::select(near).prop_map(|s| Some(s.to_owned())),
    ]
}

fn raw_options() -> impl Strategy<Value = RawOptions> {
    (
        (
            attr(&[
                "https://feed.example.org/",
                "http://x/?a",
                "javascript:alert(1)",
                "HTTPS://A.B",
            ]),
            attr(&["resource", "list", "card", "LIST "]),
            attr(&["casm-global-partnership", "-bad", "Ünï", "a/b"]),
            attr(&["title,info,vote", "links, sources", ",,,", "vote"]),
            attr(&["roundtable", "a\u{7}b"]),
            attr(&["World Bank"]),
        ),
        (
            attr(&["popular", "recent", "title"]),
            attr(&["0", "1", "100", "101", "-5", "10 "]),
            attr(&["dark", "light", "auto", "neon"]),
            attr(&[
                "#0a6",
                "rgb(0 90 180 / 50%)",
                "red;}body{x",
                "url(x)",
                "oklch(70% .1 200)",
            ]),
            attr(&["fr", "pt-BR", "auto", "xx", "AR"]),
            attr(&["true", "false", "maybe"]),
        ),
        // The loader's own origin: the page cannot choose it.
        "https?://[a-z0-9.-]{1,20}(:[0-9]{1,5})?/?",
    )
        .prop_map(
            |(
                (feed, view, resource, show, tag, partner),
                (sort, limit, theme, accent, lang, lazy),
                default_feed,
            )| {
                RawOptions {
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
                    default_feed,
                }
            },
        )
}

/// Characters that could end a CSS declaration or an attribute, or start markup.
const BREAKS_OUT: &[char] = &[';', '{', '}', '<', '>', '"', '\'', '\\', '\n', '@', ':'];

proptest! {
    /// Whatever a partner page writes, the options are usable: never a panic, every
    /// value within its rules, and each value that fell back said so.
    #[test]
    fn any_attributes_give_usable_options(raw in raw_options()) {
        let (o, warnings) = parse(&raw);
        let default_feed = raw.default_feed.trim().trim_end_matches('/');
        prop_assert!(!o.feed.ends_with('/'));
        if o.feed != default_feed {
            let lower = o.feed.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://"), "{}", o.feed);
            prop_assert!(is_safe_url(&o.feed) && !o.feed.contains(['?', '#']), "{}", o.feed);
        }
        prop_assert!(FEED_LIMIT.contains(&o.limit));
        if let Some(id) = &o.resource {
            prop_assert!(casm_model::validate::slug("resource", id).is_ok());
        }
        prop_assert!(o.view == View::List || o.resource.is_some());
        if let Some(accent) = &o.accent {
            prop_assert!(is_css_color(accent) && !accent.contains(BREAKS_OUT), "{accent}");
        }
        for filter in [&o.tag, &o.partner].into_iter().flatten() {
            prop_assert!(filter.len() <= 200 && !filter.chars().any(char::is_control));
        }
        let refused_limit = raw.limit.as_deref().is_some_and(|l| l.trim().parse::<u32>().map_or(true, |n| !FEED_LIMIT.contains(&n)));
        prop_assert!(!refused_limit || warnings.iter().any(|w| w.starts_with("data-limit=")));
        for w in &warnings {
            prop_assert!(w.starts_with("data-") && w.contains("is not valid; using"), "{w}");
        }
    }

    /// A colour that passes the check cannot break out of the declaration it is put in.
    #[test]
    fn accepted_colours_cannot_break_out(v in ".{0,70}") {
        if is_css_color(&v) {
            prop_assert!(!v.contains(BREAKS_OUT) && v.len() <= 64, "{v:?}");
        }
    }

    /// Only http(s) and mailto URLs without spaces or control characters are links.
    #[test]
    fn safe_urls_are_http_https_or_mailto_only(url in prop_oneof![
        ".{0,60}",
        "(javascript|data|vbscript|https?|mailto|HTTP|JaVaScRiPt):.{0,30}",
    ]) {
        if is_safe_url(&url) {
            let lower = url.to_ascii_lowercase();
            prop_assert!(
                lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:"),
                "{url:?}"
            );
            prop_assert!(!url.chars().any(|c| c.is_control() || c.is_whitespace()));
        }
    }

    /// A URL is on an origin only if it starts with it and the origin ends there.
    #[test]
    fn same_origin_needs_the_whole_origin(url in ".{0,40}", origin in "https?://[a-z.]{1,12}(:[0-9]{1,5})?") {
        if same_origin(&url, &origin) {
            prop_assert!(url.to_ascii_lowercase().starts_with(&origin.to_ascii_lowercase()));
            prop_assert!(matches!(url.as_bytes().get(origin.len()), None | Some(b'/' | b'?' | b'#')));
        }
        let next = format!("{origin}.evil.example/x");
        prop_assert!(!same_origin(&next, &origin));
    }

    /// Filters and ids are percent-encoded: the URLs the widget requests stay on the
    /// feed's path, with one query, whatever the attributes held.
    #[test]
    fn request_urls_keep_their_shape(raw in raw_options(), id in ".{0,40}") {
        let (o, _) = parse(&raw);
        let url = feed_url(&o);
        let head = format!("{}/v1/feed.json?limit=", o.feed);
        prop_assert!(url.starts_with(&head), "{url}");
        prop_assert_eq!(url.matches('?').count(), 1 + o.feed.matches('?').count());
        prop_assert!(!url.contains('#') && !url.contains(' '));
        let encoded = encode_component(&id);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()%".contains(&b)));
        prop_assert_eq!(resource_url(&o.feed, &id), format!("{}/v1/resources/{encoded}", o.feed));
    }
}

/// A colour the frame sets: `#rgb`, `#rrggbb` or `rgb(r,g,b)`.
fn rgb(v: &str) -> Option<Rgb> {
    if let Some(hex) = contrast::parse(v) {
        return Some(hex);
    }
    let inner = v.strip_prefix("rgb(")?.strip_suffix(')')?;
    let n: Vec<u8> = inner
        .split(',')
        .map(|c| c.parse().ok())
        .collect::<Option<_>>()?;
    n.try_into().ok()
}

proptest! {
    /// Whatever accent a partner picks, every text the widget draws on it, and the accent
    /// as text on the light and the dark panel, contrasts 4.5:1 or more: checked on the
    /// custom properties the frame really sets.
    #[test]
    fn any_accepted_accent_keeps_text_readable(accent in prop_oneof![
        "#[0-9a-fA-F]{3}",
        "#[0-9a-fA-F]{6}",
        ".{0,12}",
    ]) {
        let (o, _) = parse(&RawOptions { accent: Some(accent.clone()), ..RawOptions::default() });
        let Some(accepted) = o.accent else {
            prop_assert!(contrast::parse(&accent).is_none());
            return Ok(());
        };
        let frame = casm_widget::view::frame(
            View::List,
            casm_widget::options::Theme::Auto,
            Some(&accepted),
            (casm_widget::i18n::Lang::En, false),
            false,
            casm_widget::view::el("p"),
        );
        let colour = |name: &str| frame.get(name).and_then(rgb);
        let bg = colour("--casm-accent");
        prop_assert!(bg.is_some(), "{accepted}");
        let bg = bg.unwrap_or_default();
        let on = colour("--casm-on").unwrap_or(bg);
        prop_assert!(exact_ratio(bg, on) >= 4.5, "{accepted}: {on:?} on it");
        for (name, panel) in [("--casm-tl", contrast::LIGHT_PANEL), ("--casm-td", contrast::DARK_PANEL)] {
            let text = colour(name).unwrap_or(panel);
            prop_assert!(exact_ratio(text, panel) >= 4.5, "{accepted}: {name} {text:?}");
        }
    }
}
