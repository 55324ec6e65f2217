//! Numbers, dates and plural categories in the visitor's locale, from the browser's
//! `Intl` (`NumberFormat`, `DateTimeFormat`, `PluralRules`): the Wasm carries no locale
//! data. Where `Intl` is missing or refuses the locale, and in native builds, the plain
//! Rust of `src/format.rs` and `src/plural.rs` answers instead.
//!
//! The locale is the page's full tag when the widget chose its language from one
//! ([`use_locale`]): `ar-EG` keeps its Arabic-Indic digits and `pt-PT` its own date
//! order, while the texts come from the `ar` and `pt` tables. One locale per language per
//! page: the first widget to ask sets it.

use crate::i18n::Lang;
use crate::plural::Category;

/// Formats numbers and dates for `lang` in `tag` (e.g. `pt-BR`) from now on, if no
/// widget on the page has set a locale for `lang` yet. Tags that are not BCP 47-shaped
/// are ignored.
pub fn use_locale(lang: Lang, tag: &str) {
    #[cfg(target_arch = "wasm32")]
    js::use_locale(lang, tag);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (lang, tag);
}

/// The plural category of `n` in `lang`.
pub fn plural(lang: Lang, n: u64) -> Category {
    #[cfg(target_arch = "wasm32")]
    if let Some(category) = js::plural(lang, n) {
        return category;
    }
    lang.plural_rule().select(n)
}

/// `n` with the locale's digits and grouping: en `12,345`, fr `12 345`, ar-EG `١٢٬٣٤٥`.
pub fn number(lang: Lang, n: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = js::number(lang, n as f64) {
        return text;
    }
    crate::format::number(lang, n)
}

/// `tenths / 10` with at most one decimal, in the locale (`1.2`, fr `1,2`).
pub fn tenths(lang: Lang, tenths: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = js::number(lang, tenths as f64 / 10.0) {
        return text;
    }
    crate::format::tenths(lang, tenths)
}

/// A published timestamp as a long date and a short time, shown as published (in the
/// timestamp's own offset): en `Wednesday, February 29, 2012 at 1:47 PM`. Without `Intl`,
/// `2012-02-29 13:47`. `None` when the text is not a timestamp.
pub fn date(lang: Lang, timestamp: &str) -> Option<String> {
    let local = crate::format::DateTime::parse(timestamp)?;
    #[cfg(target_arch = "wasm32")]
    if let Some(text) = js::date(lang, &local) {
        return Some(text);
    }
    let _ = lang;
    let mut text = String::with_capacity(16);
    local.push_iso(&mut text, ' ');
    Some(text)
}

#[cfg(target_arch = "wasm32")]
mod js {
    //! The `Intl` objects, made once per language and kept for the page's life. Every
    //! call that can throw (an unknown locale, a browser without `Intl`) is caught.

    use super::{Category, Lang};
    use std::cell::RefCell;
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Intl, js_name = NumberFormat)]
        type NumberFormat;
        #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = NumberFormat)]
        fn new(tag: &str, options: &JsValue) -> Result<NumberFormat, JsValue>;
        #[wasm_bindgen(method, catch, js_class = NumberFormat)]
        fn format(this: &NumberFormat, n: f64) -> Result<String, JsValue>;

        #[wasm_bindgen(js_namespace = Intl, js_name = DateTimeFormat)]
        type DateTimeFormat;
        #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = DateTimeFormat)]
        fn new(tag: &str, options: &JsValue) -> Result<DateTimeFormat, JsValue>;
        #[wasm_bindgen(method, catch, js_class = DateTimeFormat, js_name = format)]
        fn format_date(this: &DateTimeFormat, date: &js_sys::Date) -> Result<String, JsValue>;

        #[wasm_bindgen(js_namespace = Intl, js_name = PluralRules)]
        type PluralRules;
        #[wasm_bindgen(catch, constructor, js_namespace = Intl, js_class = PluralRules)]
        fn new(tag: &str) -> Result<PluralRules, JsValue>;
        #[wasm_bindgen(method, catch, js_class = PluralRules)]
        fn select(this: &PluralRules, n: f64) -> Result<String, JsValue>;
    }

    /// One language's locale and its formatters, each made on first use (`None` inside
    /// once making it failed: the Rust fallback then answers).
    #[derive(Default)]
    struct Formats {
        tag: Option<String>,
        number: Option<Option<NumberFormat>>,
        date: Option<Option<DateTimeFormat>>,
        plural: Option<Option<PluralRules>>,
    }

    thread_local! {
        static FORMATS: RefCell<Vec<Formats>> = RefCell::new(Vec::new());
    }

    /// Runs `f` on `lang`'s formats.
    fn with<T>(lang: Lang, f: impl FnOnce(&mut Formats, &str) -> T) -> T {
        FORMATS.with(|all| {
            let mut all = all.borrow_mut();
            if all.is_empty() {
                all.resize_with(Lang::ALL.len(), Formats::default);
            }
            let formats = &mut all[lang as usize];
            let tag = formats.tag.clone().unwrap_or_else(|| lang.code().to_owned());
            f(formats, &tag)
        })
    }

    pub fn use_locale(lang: Lang, tag: &str) {
        let tag = tag.trim();
        let shaped = !tag.is_empty()
            && tag.len() <= 35
            && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if shaped && crate::i18n::Lang::from_tag(tag) == Some(lang) {
            with(lang, |formats, _| {
                if formats.tag.is_none() {
                    formats.tag = Some(tag.replace('_', "-"));
                }
            });
        }
    }

    /// `Intl` options, as JSON text (no property-by-property building in the Wasm).
    fn options(json: &str) -> JsValue {
        js_sys::JSON::parse(json).unwrap_or(JsValue::UNDEFINED)
    }

    pub fn number(lang: Lang, n: f64) -> Option<String> {
        with(lang, |formats, tag| {
            let format = formats.number.get_or_insert_with(|| {
                NumberFormat::new(tag, &options(r#"{"maximumFractionDigits":1}"#)).ok()
            });
            format.as_ref()?.format(n).ok()
        })
    }

    pub fn plural(lang: Lang, n: u64) -> Option<Category> {
        with(lang, |formats, tag| {
            let rules = formats
                .plural
                .get_or_insert_with(|| PluralRules::new(tag).ok());
            let name = rules.as_ref()?.select(n as f64).ok()?;
            Category::from_name(&name)
        })
    }

    pub fn date(lang: Lang, local: &crate::format::DateTime) -> Option<String> {
        // The published wall time as if it were UTC, formatted in UTC: shown as published.
        let mut iso = String::with_capacity(20);
        local.push_iso(&mut iso, 'T');
        iso.push_str(":00Z");
        let date = js_sys::Date::new(&JsValue::from_str(&iso));
        with(lang, |formats, tag| {
            let format = formats.date.get_or_insert_with(|| {
                let o = r#"{"dateStyle":"full","timeStyle":"short","timeZone":"UTC"}"#;
                DateTimeFormat::new(tag, &options(o)).ok()
            });
            format.as_ref()?.format_date(&date).ok()
        })
    }
}
