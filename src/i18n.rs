//! The widget's languages and the table of its visible strings.
//!
//! The texts are translation files, one per language, in Fluent (`src/lang/<code>.ftl`).
//! `build.rs` turns them into one table per language and the [`Lang`] and [`Key`] enums,
//! and fails the build when a file lacks a message of `en.ftl`, has one it does not, or
//! gives plural forms its language does not have. Each table is one string, the texts
//! separated by U+001F, rather than an array of string slices: that saves the Wasm build a
//! table of pointers and lengths (eight bytes per string) that compresses poorly.
//!
//! Only English is inside the Wasm. The other tables are files the build writes
//! (`lang/fr.<hash>.txt`, `examples/lang-tables.rs`), named by a hash of their text, so a
//! Wasm can only ever load the tables it was built with; a page fetches just the one it
//! needs (the loader starts that request while the Wasm downloads) and [`install`]s it.
//! Until then, or if it cannot be had, the texts are English. Native builds (the tests)
//! read every table directly.

use crate::plural::Category;
use casm_model::{Counter, ResourceKind};

include!(concat!(env!("OUT_DIR"), "/strings.rs"));

impl Lang {
    /// The language of a tag such as `fr-CA`, `PT_br`, `es-419`, `zh-Hans` or `ar-SD`, if
    /// the widget speaks it: its primary subtag decides (`in`, the old code of
    /// Indonesian, counts as `id`). Chinese in any script or region gets the Simplified
    /// table, the only one there is.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().as_bytes();
        let end = tag
            .iter()
            .position(|&b| b == b'-' || b == b'_')
            .unwrap_or(tag.len());
        let primary = tag.get(..end)?;
        let primary = if primary.eq_ignore_ascii_case(b"in") {
            b"id"
        } else {
            primary
        };
        Lang::ALL
            .into_iter()
            .find(|l| l.code().as_bytes().eq_ignore_ascii_case(primary))
    }

    /// The string for `key` in this language (English while its table is not installed).
    /// For a key with plural forms, use [`Lang::plural`].
    pub fn t(self, key: Key) -> &'static str {
        let table = match self {
            Lang::En => TABLES[0],
            // Only in native builds: in the Wasm this branch is gone, and so are the tables.
            _ if !cfg!(target_arch = "wasm32") => self.table(),
            _ => INSTALLED
                .with(|t| t.get()[self as usize])
                .unwrap_or(TABLES[0]),
        };
        table.split(SEP).nth(key as usize).unwrap_or_default()
    }

    /// The form of `key` for the count `n`, by the language's plural rule
    /// ([`crate::intl::plural`]); the `other` form when the table has no form for it.
    pub fn plural(self, key: Key, n: u64) -> &'static str {
        let text = self.t(key);
        let Some(forms) = text.strip_prefix(PLURAL) else {
            return text;
        };
        // The table is English's until this language's arrives: English's rule then.
        let lang = if self.is_installed() { self } else { Lang::En };
        let want = char::from(b'0' + crate::intl::plural(lang, n) as u8);
        let other = char::from(b'0' + Category::Other as u8);
        let mut fallback = "";
        for form in forms.split(PLURAL) {
            if let Some(text) = form.strip_prefix(want) {
                return text;
            }
            if let Some(text) = form.strip_prefix(other) {
                fallback = text;
            }
        }
        fallback
    }

    /// This language's whole table, as the build writes it to its file.
    pub fn table(self) -> &'static str {
        TABLES[self as usize]
    }

    /// The file holding this language's table, relative to the widget folder:
    /// `lang/fr.0123456789abcdef.txt`. `None` for English, which is built in.
    pub fn table_file(self) -> Option<&'static str> {
        Some(FILES[self as usize]).filter(|f| !f.is_empty())
    }

    /// Whether this language's texts are at hand (English always is).
    pub fn is_installed(self) -> bool {
        self == Lang::En
            || !cfg!(target_arch = "wasm32")
            || INSTALLED.with(|t| t.get()[self as usize].is_some())
    }

    /// A template with its `{name}` placeholder replaced by `value`.
    pub fn fill(self, key: Key, name: &str, value: &str) -> String {
        fill(self.t(key), name, value)
    }
}

thread_local! {
    /// The tables fetched on this page, by `Lang as usize`.
    static INSTALLED: std::cell::Cell<[Option<&'static str>; Lang::ALL.len()]> =
        const { std::cell::Cell::new([None; Lang::ALL.len()]) };
}

/// Installs `lang`'s table from its file's text. Refused (false) unless it holds exactly
/// one text per key; a table is installed once per page and kept for the page's life
/// (at most one per language, so leaking it is bounded and saves a copy per widget).
pub fn install(lang: Lang, text: String) -> bool {
    let fits = text.split(SEP).count() == Key::ALL.len() + 1 && text.ends_with(SEP);
    if fits && lang != Lang::En && !lang.is_installed() {
        let text: &'static str = Box::leak(text.into_boxed_str());
        INSTALLED.with(|t| {
            let mut tables = t.get();
            tables[lang as usize] = Some(text);
            t.set(tables);
        });
    }
    fits
}

/// Replaces `{name}` in `template` by `value`.
pub fn fill(template: &str, name: &str, value: &str) -> String {
    // By hand rather than `str::replace`: a substring search costs the Wasm build ~3 KB.
    let mut out = String::with_capacity(template.len() + value.len());
    for (i, part) in template.split('{').enumerate() {
        let rest = part
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix('}'))
            .filter(|_| i > 0);
        match rest {
            Some(rest) => {
                out.push_str(value);
                out.push_str(rest);
            }
            None => {
                if i > 0 {
                    out.push('{');
                }
                out.push_str(part);
            }
        }
    }
    out
}

/// Separates the texts of one language in its table.
const SEP: char = '\u{1f}';

/// Starts a text with plural forms, and separates its forms (see `build.rs`).
const PLURAL: char = '\u{1e}';

impl Key {
    /// The label of a resource kind.
    pub const fn kind(kind: ResourceKind) -> Key {
        match kind {
            ResourceKind::OnlineResource => Key::KindOnlineResource,
            ResourceKind::Report => Key::KindReport,
            ResourceKind::Toolkit => Key::KindToolkit,
            ResourceKind::Presentation => Key::KindPresentation,
            ResourceKind::PhotoSet => Key::KindPhotoSet,
            ResourceKind::Video => Key::KindVideo,
            ResourceKind::Event => Key::KindEvent,
        }
    }

    /// The Page Information label of a counter (the total shares the rank's row).
    pub const fn counter(counter: Counter) -> Key {
        match counter {
            Counter::HelpfulVotes => Key::HelpfulVotes,
            Counter::PageViews => Key::PageViews,
            Counter::PagesEmailed => Key::PagesEmailed,
            Counter::MetacardViews => Key::MetacardViews,
            Counter::AttachmentsDownloaded => Key::AttachmentsDownloaded,
            Counter::VideosDownloaded => Key::VideosDownloaded,
            Counter::RelationshipsAndHighlights => Key::RelationshipsAndHighlights,
            Counter::PopularityRank | Counter::PopularityTotal => Key::Popularity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every form of `key` in `lang`, or its one text.
    fn forms(lang: Lang, key: Key) -> Vec<&'static str> {
        match lang.t(key).strip_prefix(PLURAL) {
            Some(forms) => forms.split(PLURAL).map(|f| &f[1..]).collect(),
            None => vec![lang.t(key)],
        }
    }

    #[test]
    fn the_languages_are_the_eight_files() {
        let codes: Vec<_> = Lang::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes, ["en", "ar", "es", "fr", "id", "pt", "sw", "zh"]);
        let rtl: Vec<_> = Lang::ALL.into_iter().filter(|l| l.is_rtl()).collect();
        assert_eq!(rtl, [Lang::Ar]);
    }

    #[test]
    fn every_key_is_translated_in_every_language() {
        for &key in Key::ALL {
            let english: Vec<_> = forms(Lang::En, key)
                .into_iter()
                .flat_map(placeholders)
                .collect();
            for lang in Lang::ALL {
                for text in forms(lang, key) {
                    assert!(!text.trim().is_empty(), "{key:?} is empty in {lang:?}");
                    for name in placeholders(text) {
                        assert!(english.contains(&name), "{key:?} {{{name}}} in {lang:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn no_text_holds_the_separator() {
        for lang in Lang::ALL {
            assert_eq!(lang.table().split(SEP).count(), Key::ALL.len() + 1);
        }
    }

    #[test]
    fn translations_are_not_english_copies() {
        for lang in Lang::ALL.into_iter().skip(1) {
            let copies: Vec<_> = Key::ALL
                .iter()
                .filter(|&&k| lang.t(k) == Lang::En.t(k))
                .collect();
            // "Links", "Video"… can be the same word; nothing else should be left in English.
            assert!(copies.len() <= 2, "{lang:?}: {copies:?}");
        }
    }

    #[test]
    fn every_resource_kind_and_counter_has_a_label() {
        for kind in ResourceKind::ALL {
            assert!(!Lang::Ar.t(Key::kind(kind)).is_empty());
        }
        for counter in Counter::ALL {
            assert!(!Lang::Zh.t(Key::counter(counter)).is_empty());
        }
    }

    #[test]
    fn table_files_are_named_by_their_text() {
        assert_eq!(Lang::En.table_file(), None);
        let fnv = |text: &str| {
            text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        };
        for lang in Lang::ALL.into_iter().skip(1) {
            let want = format!("lang/{}.{:016x}.txt", lang.code(), fnv(lang.table()));
            assert_eq!(lang.table_file(), Some(want.as_str()));
        }
    }

    #[test]
    fn only_a_whole_table_installs() {
        assert!(install(Lang::Fr, Lang::Fr.table().to_owned()));
        assert!(!install(Lang::Fr, "Rapport\u{1f}".to_owned()));
        assert!(!install(Lang::Es, Lang::Es.table().replace(SEP, ";")));
    }

    #[test]
    fn tags_map_to_languages() {
        for (tag, lang) in [
            ("fr-CA", Some(Lang::Fr)),
            ("PT_br", Some(Lang::Pt)),
            ("pt-BR", Some(Lang::Pt)),
            ("es-419", Some(Lang::Es)),
            ("zh-CN", Some(Lang::Zh)),
            ("zh-Hans", Some(Lang::Zh)),
            ("ar-SD", Some(Lang::Ar)),
            ("sw-KE", Some(Lang::Sw)),
            ("in", Some(Lang::Id)),
            ("id-ID", Some(Lang::Id)),
            (" es ", Some(Lang::Es)),
            ("de", None),
            ("arx", None),
            ("", None),
        ] {
            assert_eq!(Lang::from_tag(tag), lang, "{tag}");
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let rank = |lang: Lang, total: u64| lang.plural(Key::RankValue, total);
        assert_eq!(rank(Lang::En, 1), "#{rank} of {total} item");
        assert_eq!(rank(Lang::En, 0), "#{rank} of {total} items");
        assert_eq!(rank(Lang::Fr, 0), "n°\u{a0}{rank} sur {total} élément");
        assert_eq!(
            rank(Lang::Fr, 2_000_000),
            "n°\u{a0}{rank} sur {total} d’éléments"
        );
        assert_eq!(rank(Lang::Zh, 1), "第 {rank} 名，共 {total} 项");
        let vote = |n| Lang::Ar.plural(Key::VoteDone, n);
        let six: Vec<_> = [0, 1, 2, 3, 11, 100].into_iter().map(vote).collect();
        let mut distinct = six.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 6, "{six:?}");
        assert!(vote(2).contains("صوتان"), "{}", vote(2));
        assert_eq!(Lang::En.plural(Key::Vote, 3), "Helpful");
    }

    #[test]
    fn fill_replaces_placeholders() {
        let rank = fill(Lang::En.plural(Key::RankValue, 33), "rank", "19");
        assert_eq!(fill(&rank, "total", "33"), "#19 of 33 items");
        assert_eq!(fill("{a} {b} {a}", "a", "1"), "1 {b} 1");
        assert_eq!(fill("{", "a", "1"), "{");
    }
}
