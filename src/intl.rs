//! Numbers, dates and plural categories in the visitor's locale, from the browser's
//! `Intl` (`NumberFormat`, `DateTimeFormat`, `PluralRules`): the Wasm carries no locale
//! data. Where `Intl` is missing or refuses the locale, and in native builds, the plain
//! Rust of `src/format.rs` and `src/plural.rs` answers instead.
//!
//! The locale is the page's full tag when the widget chose its language from one
//! ([`use_locale`]): `ar-EG` keeps its Arabic-Indic digits and `pt-PT` its own date
//! order, while the texts come from the `ar` and `pt` tables. One locale per language per
//! page: the first widget to ask sets it.
//!
//! Numbers go through `Number.prototype.toLocaleString`, whose default of three fraction
//! digits shows the one decimal of [`tenths`] exactly.

use crate::i18n::Lang;
use crate::plural::Category;

/// Formats numbers and dates for `lang` in `tag` (e.g. `pt-BR`) from now on, if no
/// widget on the page has set a locale for `lang` yet. A tag `Intl` refuses gives the
/// bare language; a browser without `Intl` gives the Rust fallbacks.
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
    //! The calls into `Intl`. The locale is checked once, when a widget sets it
    //! (`Intl.getCanonicalLocales`, caught): after that nothing here can throw, so the
    //! plain js-sys bindings are safe. No formatter is kept: the browser caches its own
    //! for `toLocaleString`, and a widget formats a handful of numbers per render.

    use super::{Category, Lang};
    use js_sys::{Array, Date, Intl, Number, Object};
    use std::cell::Cell;
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;

    #[wasm_bindgen]
    extern "C" {
        /// Throws for a tag that is not BCP 47, and where there is no `Intl` at all.
        #[wasm_bindgen(catch, js_namespace = Intl, js_name = getCanonicalLocales)]
        fn canonical_locales(tag: &str) -> Result<JsValue, JsValue>;
    }

    thread_local! {
        /// Each language's locale on this page, once checked; `None` while unset, or
        /// where `Intl` refused it (the Rust fallback then answers).
        static TAGS: Cell<[Option<&'static str>; Lang::ALL.len()]> =
            const { Cell::new([None; Lang::ALL.len()]) };
    }

    pub fn use_locale(lang: Lang, tag: &str) {
        let mut tags = TAGS.with(Cell::get);
        if tags[lang as usize].is_some() {
            return;
        }
        // The page's tag, else the bare language (`pt_BR` is no BCP 47 tag, `pt` is).
        let accepted = [tag.trim(), lang.code()]
            .into_iter()
            .find(|t| canonical_locales(t).is_ok());
        // At most one per language per page: leaking it is bounded.
        tags[lang as usize] = accepted.map(|t| &*Box::leak(t.into()));
        TAGS.with(|t| t.set(tags));
    }

    /// Forgets `lang`'s locale (tests that take `Intl` away).
    #[cfg(test)]
    pub fn forget(lang: Lang) {
        let mut tags = TAGS.with(Cell::get);
        tags[lang as usize] = None;
        TAGS.with(|t| t.set(tags));
    }

    /// `lang`'s checked locale (the bare language if no widget set one).
    fn tag(lang: Lang) -> Option<&'static str> {
        use_locale(lang, lang.code());
        TAGS.with(Cell::get)[lang as usize]
    }

    pub fn number(lang: Lang, n: f64) -> Option<String> {
        let tag = tag(lang)?;
        Some(Number::from(n).to_locale_string(tag).into())
    }

    pub fn plural(lang: Lang, n: u64) -> Option<Category> {
        let locales = Array::of1(&JsValue::from_str(tag(lang)?));
        let name = String::from(Intl::PluralRules::new(&locales, &Object::new()).select(n as f64));
        Category::from_name(&name)
    }

    pub fn date(lang: Lang, local: &crate::format::DateTime) -> Option<String> {
        let tag = tag(lang)?;
        // The published wall time as if it were UTC, formatted in UTC: shown as published.
        let mut iso = String::with_capacity(20);
        local.push_iso(&mut iso, 'T');
        iso.push_str(":00Z");
        let date = Date::new(&JsValue::from_str(&iso));
        let options =
            js_sys::JSON::parse(r#"{"dateStyle":"full","timeStyle":"short","timeZone":"UTC"}"#)
                .ok()?;
        Some(date.to_locale_string(tag, &options).into())
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::*;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn without_intl_the_rust_fallbacks_answer() {
        let global = js_sys::global();
        let saved = js_sys::Reflect::get(&global, &JsValue::from_str("Intl")).ok();
        let _ = js_sys::Reflect::delete_property(&global, &JsValue::from_str("Intl"));
        js::forget(Lang::Pt);
        use_locale(Lang::Pt, "pt-BR");
        let date = date(Lang::Pt, "2012-02-29T13:47:00-05:00");
        let (n, one) = (number(Lang::Pt, 1234), plural(Lang::Pt, 0));
        if let Some(intl) = saved {
            let _ = js_sys::Reflect::set(&js_sys::global(), &JsValue::from_str("Intl"), &intl);
        }
        js::forget(Lang::Pt);
        assert_eq!(date.as_deref(), Some("2012-02-29 13:47"));
        assert_eq!((n.as_str(), one), ("1.234", Category::One));
    }
}
