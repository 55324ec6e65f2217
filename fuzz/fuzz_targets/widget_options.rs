//! The widget's option parser on any attribute values (fields split at 0xFF bytes):
//! usable options, never a panic.
#![no_main]

use casm_widget::options::{is_css_color, parse, RawOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut fields = data
        .split(|b| *b == 0xFF)
        .map(|f| (!f.is_empty()).then(|| String::from_utf8_lossy(f).into_owned()));
    let mut next = || fields.next().flatten();
    let raw = RawOptions {
        feed: next(),
        view: next(),
        resource: next(),
        show: next(),
        tag: next(),
        partner: next(),
        sort: next(),
        limit: next(),
        theme: next(),
        accent: next(),
        lang: next(),
        lazy: next(),
        default_feed: "https://feed.example.org".into(),
    };
    let (options, _) = parse(&raw);
    assert!(casm_model::api::FEED_LIMIT.contains(&options.limit));
    if let Some(accent) = &options.accent {
        assert!(is_css_color(accent) && !accent.contains([';', '{', '}', '<', '"']));
    }
});
