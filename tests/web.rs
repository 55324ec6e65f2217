//! The DOM layer and the mounted widget in headless Chromium:
//! `cargo test -p casm-widget --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use casm_model::wire::ItemExt;
use casm_model::{Counters, LinkKind, ResourceKind, VoteResponse};
use casm_widget::dom::{self, Handler};
use casm_widget::feed::{Feed, Item, ItemLink, Stats};
use casm_widget::i18n::Lang;
use casm_widget::intl;
use casm_widget::options::{Show, Theme, View};
use casm_widget::view::{self, Ctx};
use js_sys::{Object, Promise, Reflect};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

/// Nothing listens here: requests to it fail at once, like an unreachable service.
const DEAD_FEED: &str = "http://127.0.0.1:9";

const RESOURCE_JSON: &str = r#"{
  "id": "casm-global-partnership",
  "url": "http://127.0.0.1:9/resource.html?id=casm-global-partnership",
  "title": "CASM Global Partnership Roundtable",
  "summary": "A roundtable on artisanal and small-scale mining.",
  "content_text": "First paragraph.\n\nSecond paragraph.",
  "date_published": "2012-02-29T13:47:00-05:00",
  "date_modified": "2012-02-29T13:47:00-05:00",
  "language": "en",
  "tags": ["roundtable"],
  "_casm": {
    "kind": "online_resource",
    "partners": ["World Bank", "IFC", "DFID", "CommDev"],
    "body": ["First paragraph.", "Second paragraph."],
    "links": [
      {"id": "agenda", "title": "Roundtable Agenda", "url": "http://127.0.0.1:9/files/agenda.pdf",
       "kind": "document", "mime_type": "application/pdf", "size": 1234}
    ],
    "related": [], "highlights": [], "version": 1, "version_comment": "",
    "counters": {"helpful_votes": 2, "page_views": 865, "pages_emailed": 0, "metacard_views": 1,
      "attachments_downloaded": 0, "videos_downloaded": 0, "relationships_and_highlights": 0,
      "popularity_rank": 19, "popularity_total": 33, "links": {"agenda": 0}}
  }
}"#;

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect_throw("unreachable: no document")
}

fn host() -> Element {
    let doc = document();
    let el = doc.create_element("div").expect_throw("unreachable: div");
    doc.body()
        .expect_throw("unreachable: no body")
        .append_child(&el)
        .expect_throw("unreachable: append");
    el
}

fn shadow(el: &Element) -> ShadowRoot {
    el.shadow_root()
        .expect_throw("the widget has no shadow root")
}

fn query(root: &ShadowRoot, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

fn text(root: &ShadowRoot, selector: &str) -> String {
    query(root, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect_throw("unreachable: no window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits up to two seconds for `selector` to match in `root`.
async fn wait_for(root: &ShadowRoot, selector: &str) -> Element {
    for _ in 0..100 {
        if let Some(e) = query(root, selector) {
            return e;
        }
        sleep(20).await;
    }
    panic!("{selector} never appeared");
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).expect_throw("unreachable: set");
    }
    o.into()
}

/// Options as the loader passes them, and a prefetched answer carrying `json`.
fn resource_options(json: &str) -> (JsValue, JsValue) {
    let options = object(&[
        ("resource", "casm-global-partnership".into()),
        ("feed", DEAD_FEED.into()),
        ("lazy", "false".into()),
        ("defaultFeed", DEAD_FEED.into()),
    ]);
    let response = web_sys::Response::new_with_opt_str(Some(json)).expect_throw("response");
    let prefetch = object(&[
        (
            "url",
            "http://127.0.0.1:9/v1/resources/casm-global-partnership".into(),
        ),
        ("response", Promise::resolve(&response).into()),
    ]);
    (options, prefetch)
}

fn item() -> Item {
    Item {
        id: "casm-global-partnership".into(),
        url: "https://feed.example.org/resource.html?id=casm-global-partnership".into(),
        title: "CASM Global Partnership".into(),
        summary: Some("A roundtable.".into()),
        language: "en".into(),
        date_published: "2012-02-29T13:47:00-05:00".into(),
        date_modified: "2012-02-29T13:47:00-05:00".into(),
        casm: ItemExt {
            kind: ResourceKind::OnlineResource,
            body: vec!["One.".into()],
            partners: vec!["World Bank".into()],
            links: vec![ItemLink {
                id: "agenda".into(),
                title: "Roundtable Agenda".into(),
                url: "https://feed.example.org/files/agenda.pdf".into(),
                kind: LinkKind::Document,
                mime_type: Some("application/pdf".into()),
                size: Some(1234),
            }],
            counters: Some(Counters {
                helpful_votes: 3,
                page_views: 1865,
                popularity_rank: 19,
                popularity_total: 33,
                ..Counters::default()
            }),
            ..ItemExt::default()
        },
        ..Item::default()
    }
}

/// A new element inside one whose `lang` attribute is `lang`.
fn host_in_lang(lang: &str) -> Element {
    let outer = host();
    outer.set_attribute("lang", lang).expect_throw("lang");
    let el = document().create_element("div").expect_throw("div");
    outer.append_child(&el).expect_throw("append");
    el
}

/// Adds the loader's early request for `lang`'s table to `prefetch`: its text, or a
/// failed request.
fn with_strings(prefetch: &JsValue, lang: Lang, text: Result<&str, ()>) {
    let file = lang.table_file().expect_throw("a table file");
    let response: JsValue = match text {
        Ok(text) => {
            let response = web_sys::Response::new_with_opt_str(Some(text)).expect_throw("response");
            Promise::resolve(&response).into()
        }
        Err(()) => Promise::reject(&JsValue::from_str("offline")).into(),
    };
    let url = format!("http://127.0.0.1:9/widget/{file}");
    let strings = object(&[("url", url.into()), ("response", response)]);
    Reflect::set(prefetch, &JsValue::from_str("strings"), &strings).expect_throw("set");
}

#[wasm_bindgen_test]
async fn a_late_table_holds_the_render_and_its_event_until_it_is_in() {
    let el = host_in_lang("pt");
    let (options, prefetch) = resource_options(RESOURCE_JSON);
    // The data is in at once; the Portuguese table 200 ms later.
    let table = Promise::new(&mut |resolve, _| {
        let response =
            web_sys::Response::new_with_opt_str(Some(Lang::Pt.table())).expect_throw("response");
        let later: JsValue = Promise::resolve(&response).into();
        let resolve_later = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &later);
        });
        let _ = web_sys::window()
            .expect_throw("unreachable: no window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve_later.unchecked_ref(),
                200,
            );
    });
    let file = Lang::Pt.table_file().expect_throw("a table file");
    let strings = object(&[
        ("url", format!("http://127.0.0.1:9/widget/{file}").into()),
        ("response", table.into()),
    ]);
    Reflect::set(&prefetch, &JsValue::from_str("strings"), &strings).expect_throw("set");
    // What the page sees when it hears casm:render.
    let seen = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let root_at_event = {
        let seen = Rc::clone(&seen);
        let el = el.clone();
        wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            let root = el.shadow_root().expect_throw("root");
            seen.borrow_mut().push(text(&root, "[part=vote-prompt]"));
        })
    };
    el.add_event_listener_with_callback("casm:render", root_at_event.as_ref().unchecked_ref())
        .expect_throw("listen");
    let widget = mount(&el, &options, &prefetch);
    let root = shadow(&el);
    sleep(100).await;
    assert!(
        query(&root, "[part=resource]").is_none(),
        "no English first"
    );
    assert!(
        seen.borrow().is_empty(),
        "no casm:render before the content is drawn"
    );
    wait_for(&root, "[part=resource]").await;
    assert_eq!(text(&root, "[part=vote-prompt]"), "Esta página foi útil?");
    assert_eq!(*seen.borrow(), ["Esta página foi útil?"]);
    widget.unmount();
}

#[wasm_bindgen_test]
async fn without_its_table_a_language_falls_back_to_english() {
    let el = host_in_lang("es");
    let (options, prefetch) = resource_options(RESOURCE_JSON);
    with_strings(&prefetch, Lang::Es, Err(()));
    let widget = mount(&el, &options, &prefetch);
    let root = shadow(&el);
    wait_for(&root, "[part=resource]").await;
    assert_eq!(text(&root, "[part=vote-prompt]"), "Was this page helpful?");
    assert_eq!(
        text(&root, "[data-stat=popularity_rank]"),
        "#19 of 33 items"
    );
    widget.unmount();
}

/// A resource widget mounted on a new element, its data prefetched from `RESOURCE_JSON`.
fn mounted_resource() -> (Element, casm_widget::MountedWidget, ShadowRoot) {
    let el = host();
    let (options, prefetch) = resource_options(RESOURCE_JSON);
    let widget = mount(&el, &options, &prefetch);
    let root = shadow(&el);
    (el, widget, root)
}

/// Mounts a widget as the loader does.
fn mount(el: &Element, options: &JsValue, prefetch: &JsValue) -> casm_widget::MountedWidget {
    let prefetch = (!prefetch.is_undefined()).then(|| prefetch.clone().unchecked_into());
    casm_widget::mount(el, options.unchecked_ref(), prefetch).expect_throw("mount")
}

/// The resource view of `item` in its frame, as the controller draws it.
fn resource_tree(item: &Item, lang: Lang) -> view::Node {
    let ctx = Ctx {
        lang,
        show: Show::fitting(View::Resource),
        page_origin: "http://127.0.0.1",
        voted: false,
    };
    view::frame(
        View::Resource,
        Theme::Auto,
        Some("#0a7"),
        (lang, lang.is_rtl()),
        false,
        view::resource(item, &ctx),
    )
}

fn render_item(item: &Item, lang: Lang) -> (Element, dom::Root, dom::Rendered) {
    let el = host();
    let root = dom::attach(&el).expect_throw("attach");
    let tree = resource_tree(item, lang);
    let handler: Handler = Rc::new(|_, _| {});
    let rendered = dom::render(&root, &tree, &handler).expect_throw("render");
    (el, root, rendered)
}

#[wasm_bindgen_test]
fn a_view_model_renders_into_the_shadow_root_with_data_stat_values() {
    let (_el, root, _r) = render_item(&item(), Lang::En);
    let root = root.as_raw();
    assert_eq!(text(root, "[data-stat=popularity_rank]"), "#19 of 33 items");
    assert_eq!(text(root, "[data-stat=page_views]"), "1,865");
    assert_eq!(text(root, "[data-stat=helpful_votes]"), "3");
    // Intl's long date and short time, as published (Chromium: "… 2012 at 1:47 PM").
    let created = text(root, "[data-field=date_created]");
    assert!(
        created.starts_with("Wednesday, February 29, 2012") && created.contains("1:47"),
        "{created}"
    );
    assert_eq!(text(root, "[part=title]"), "CASM Global Partnership");
    let vote = query(root, "button[part=vote]").expect_throw("vote button");
    assert_eq!(vote.get_attribute("aria-pressed").as_deref(), Some("false"));
    // the accent colour is set through the style object, not as markup
    let wrapper = query(root, "[part=widget]")
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .expect_throw("wrapper");
    assert_eq!(
        wrapper
            .style()
            .get_property_value("--casm-accent")
            .ok()
            .as_deref(),
        Some("#0a7")
    );
}

#[wasm_bindgen_test]
fn pushed_counters_change_the_numbers_in_place_and_focus_stays() {
    let mut item = item();
    let (_el, root, rendered) = render_item(&item, Lang::En);
    let shadow = root.as_raw();
    let before = query(shadow, "[data-stat=page_views]").expect_throw("page views");
    let vote = query(shadow, "button[part=vote]")
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .expect_throw("vote button");
    vote.focus().expect_throw("focus");
    let counters = item.casm.counters.get_or_insert_with(Counters::default);
    counters.page_views = 1_866;
    counters.helpful_votes = 4;
    let tree = resource_tree(&item, Lang::En);
    rendered.set_stats(&tree);
    assert_eq!(text(shadow, "[data-stat=page_views]"), "1,866");
    assert_eq!(text(shadow, "[data-stat=helpful_votes]"), "4");
    // The same elements, new text: nothing was rebuilt, so focus did not move.
    let after = query(shadow, "[data-stat=page_views]").expect_throw("page views");
    assert!(before.is_same_node(Some(&after)));
    let focused = shadow.active_element().expect_throw("a focused element");
    assert!(focused.is_same_node(Some(vote.unchecked_ref())));
}

#[wasm_bindgen_test]
fn hostile_feed_text_stays_text() {
    let mut it = item();
    it.title = "<script>window.pwned = 1</script>".into();
    it.summary = Some("<img src=x onerror=\"window.pwned = 1\">".into());
    it.casm.body = vec!["<b>bold</b>".into()];
    let (_el, root, _r) = render_item(&it, Lang::En);
    let root = root.as_raw();
    assert!(query(root, "script").is_none());
    assert!(query(root, "img").is_none());
    assert!(query(root, "b").is_none());
    assert_eq!(
        text(root, "[part=title]"),
        "<script>window.pwned = 1</script>"
    );
    assert_eq!(
        text(root, "[part=summary]"),
        "<img src=x onerror=\"window.pwned = 1\">"
    );
    let pwned = Reflect::get(&web_sys::window().expect_throw("window"), &"pwned".into());
    assert!(pwned.map(|v| v.is_undefined()).unwrap_or(true));
}

#[wasm_bindgen_test]
fn a_javascript_link_has_no_href() {
    let mut it = item();
    it.casm.links[0].url = "javascript:alert(1)".into();
    it.url = "javascript:alert(2)".into();
    let (_el, root, _r) = render_item(&it, Lang::En);
    let root = root.as_raw();
    let link = query(root, "[part=link]").expect_throw("link");
    assert_eq!(link.text_content().as_deref(), Some("Roundtable Agenda"));
    assert!(!link.has_attribute("href"));
    assert!(query(root, "[href^=javascript]").is_none());
    assert!(query(root, "[part=share]").is_none());
}

#[wasm_bindgen_test]
async fn the_vote_button_toggles_aria_pressed_and_rolls_back_on_failure() {
    let (_el, widget, root) = mounted_resource();
    let vote = wait_for(&root, "button[part=vote]")
        .await
        .dyn_into::<HtmlElement>()
        .expect_throw("button");
    assert_eq!(text(&root, "[data-stat=page_views]"), "865");
    assert_eq!(text(&root, "[data-stat=helpful_votes]"), "2");
    assert_eq!(vote.get_attribute("aria-pressed").as_deref(), Some("false"));

    vote.click();
    // optimistic: pressed and counted before the service answers
    assert_eq!(vote.get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(text(&root, "[data-stat=helpful_votes]"), "3");

    // the service cannot be reached: rolled back, and the live region says why
    for _ in 0..100 {
        if vote.get_attribute("aria-pressed").as_deref() == Some("false") {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(vote.get_attribute("aria-pressed").as_deref(), Some("false"));
    assert_eq!(text(&root, "[data-stat=helpful_votes]"), "2");
    let live = query(&root, "[aria-live=polite][part=live]").expect_throw("live region");
    assert_eq!(
        live.text_content().as_deref(),
        Some("Your vote could not be saved: the service cannot be reached.")
    );
    widget.unmount();
}

#[wasm_bindgen_test]
async fn counts_from_the_loader_stream_change_the_numbers_in_place() {
    let (_el, widget, root) = mounted_resource();
    let vote = wait_for(&root, "button[part=vote]")
        .await
        .dyn_into::<HtmlElement>()
        .expect_throw("button");
    // What the loader asks the page's stream for.
    assert_eq!(widget.ids(), "casm-global-partnership");
    let before = query(&root, "[data-stat=page_views]").expect_throw("page views");
    vote.focus().expect_throw("focus");
    // Malformed messages and other resources' counters change nothing, and never throw.
    widget.counts(&JsValue::NULL);
    widget.counts(&"counts".into());
    widget.counts(&parsed(
        r#"{"resources":{"other":{"helpful_votes":9,"page_views":9}}}"#,
    ));
    assert_eq!(text(&root, "[data-stat=helpful_votes]"), "2");
    widget.counts(&parsed(
        r#"{"resources":{"casm-global-partnership":{"helpful_votes":7,"page_views":1866}}}"#,
    ));
    assert_eq!(text(&root, "[data-stat=page_views]"), "1,866");
    assert_eq!(text(&root, "[data-stat=helpful_votes]"), "7");
    // In place: the same elements, focus kept, the button not pressed, nothing announced.
    let after = query(&root, "[data-stat=page_views]").expect_throw("page views");
    assert!(before.is_same_node(Some(&after)));
    let focused = root.active_element().expect_throw("a focused element");
    assert!(focused.is_same_node(Some(vote.unchecked_ref())));
    assert_eq!(vote.get_attribute("aria-pressed").as_deref(), Some("false"));
    assert_eq!(text(&root, "[part=live]"), "");
    widget.unmount();
}

#[wasm_bindgen_test]
async fn unmount_removes_the_shadow_content() {
    let (el, widget, root) = mounted_resource();
    wait_for(&root, "[part=resource]").await;
    widget.unmount();
    // Only a slot is left: the host shows its own children again.
    assert_eq!(root.inner_html(), "<slot></slot>");
    // remounting reuses the shadow root
    let (options, prefetch) = resource_options(RESOURCE_JSON);
    let again = mount(&el, &options, &prefetch);
    wait_for(&root, "[part=resource]").await;
    again.unmount();
}

#[wasm_bindgen_test]
async fn the_language_comes_from_the_closest_lang_attribute() {
    let el = host_in_lang("fr-CA");
    let (options, prefetch) = resource_options(RESOURCE_JSON);
    // The French table as the loader hands it over: its file, fetched early.
    with_strings(&prefetch, Lang::Fr, Ok(Lang::Fr.table()));
    let widget = mount(&el, &options, &prefetch);
    let root = shadow(&el);
    wait_for(&root, "[part=resource]").await;
    assert_eq!(
        text(&root, "[data-stat=popularity_rank]"),
        "n°\u{a0}19 sur 33 éléments"
    );
    let created = text(&root, "[data-field=date_created]");
    // The page's full tag sets the formats: Canadian French writes "13 h 47".
    assert!(
        created.starts_with("mercredi 29 février 2012") && created.contains("13 h 47"),
        "{created}"
    );
    widget.unmount();
}

#[wasm_bindgen_test]
async fn not_found_and_unreachable_become_messages_in_the_widget() {
    let el = host();
    let options = object(&[
        ("resource", "no-such-resource".into()),
        ("feed", DEAD_FEED.into()),
        ("defaultFeed", DEAD_FEED.into()),
    ]);
    let widget = mount(&el, &options, &JsValue::UNDEFINED);
    let root = shadow(&el);
    let error = wait_for(&root, "[part=error]").await;
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert!(text(&root, "[part=error]").contains("cannot be reached"));
    assert!(query(&root, "button[part=retry]").is_some());
    widget.unmount();

    let el = host();
    let response = web_sys::Response::new_with_opt_str_and_init(
        Some(r#"{"error":{"code":"not_found","message":"no such resource"}}"#),
        &{
            let init = web_sys::ResponseInit::new();
            init.set_status(404);
            init
        },
    )
    .expect_throw("response");
    let prefetch = object(&[
        (
            "url",
            "http://127.0.0.1:9/v1/resources/no-such-resource".into(),
        ),
        ("response", Promise::resolve(&response).into()),
    ]);
    let widget = mount(&el, &options, &prefetch);
    let root = shadow(&el);
    wait_for(&root, "[part=error]").await;
    assert_eq!(
        text(&root, "[part=error] p"),
        "This resource is not available."
    );
    widget.unmount();
}

#[wasm_bindgen_test]
async fn offline_shows_the_last_copy_marked_as_possibly_out_of_date() {
    casm_widget::storage::cache_put(
        "http://127.0.0.1:9/v1/resources/casm-global-partnership",
        RESOURCE_JSON,
    );
    let el = host();
    let options = object(&[
        ("resource", "casm-global-partnership".into()),
        ("view", "card".into()),
        ("feed", DEAD_FEED.into()),
        ("defaultFeed", DEAD_FEED.into()),
    ]);
    let widget = mount(&el, &options, &JsValue::UNDEFINED);
    let root = shadow(&el);
    wait_for(&root, "[part=card]").await;
    assert!(query(&root, "[part=notice]").is_some());
    assert_eq!(
        text(&root, "[data-stat=popularity_rank]"),
        "#19 of 33 items"
    );
    widget.unmount();
}

#[wasm_bindgen_test]
async fn invalid_options_never_break_the_page() {
    let el = host();
    let options = object(&[
        ("view", "grid".into()),
        ("theme", "neon".into()),
        ("accent", "notacolour".into()),
        ("limit", "-4".into()),
        ("feed", DEAD_FEED.into()),
        ("defaultFeed", DEAD_FEED.into()),
    ]);
    let widget = mount(&el, &options, &JsValue::UNDEFINED);
    let root = shadow(&el);
    wait_for(&root, "[part=error]").await;
    let wrapper = query(&root, "[part=widget]").expect_throw("wrapper");
    assert_eq!(
        wrapper.get_attribute("class").as_deref(),
        Some("casm auto list")
    );
    widget.unmount();
}

#[wasm_bindgen_test]
async fn the_feedback_form_opens_inside_the_widget() {
    let (_el, widget, root) = mounted_resource();
    let open = wait_for(&root, "[part=feedback-button]")
        .await
        .dyn_into::<HtmlElement>()
        .expect_throw("button");
    open.click();
    let form = wait_for(&root, "form[part=feedback-form]").await;
    // an empty submission is refused inside the widget
    let submit = form
        .query_selector("button[type=submit]")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
        .expect_throw("submit");
    submit.click();
    assert_eq!(
        text(&root, "[part=feedback-status]"),
        "Please write your comments first."
    );
    widget.unmount();
}

/// Real service output, captured from a running `casm-feed` by
/// `server/tests/wire_fixtures.rs` (which fails when the service's output changes).
mod captured {
    pub const RESOURCE: &str = include_str!("fixtures/wire/resource.json");
    pub const FEED: &str = include_str!("fixtures/wire/feed.json");
    pub const STATS: &str = include_str!("fixtures/wire/stats.json");
    pub const STATS_BY_PARTNER: &str = include_str!("fixtures/wire/stats-by-partner.json");
    pub const VOTE: &str = include_str!("fixtures/wire/vote.json");
    pub const ERROR_404: &str = include_str!("fixtures/wire/error-404.json");
    pub const ERROR_400: &str = include_str!("fixtures/wire/error-400.json");
}

fn parsed(text: &str) -> JsValue {
    casm_widget::decode::parse_json(text).expect_throw("captured JSON parses")
}

/// serde's reading of the same text into the same casm-model type: the reference the
/// widget's own reader must match field for field.
fn serde<T: serde::de::DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).expect_throw("serde reads the captured JSON")
}

/// serde's reading with the fields the widget does not read (`decode::UNREAD`) reset.
fn as_the_widget_reads(mut item: Item) -> Item {
    item.content_text.clear();
    item.tags.clear();
    item.authors.clear();
    item.attachments.clear();
    item.casm.related.clear();
    item.casm.highlights.clear();
    item.casm.version = 0;
    if let Some(c) = item.casm.counters.as_mut() {
        c.links.clear();
    }
    item
}

#[wasm_bindgen_test]
fn the_widget_reads_captured_service_output_as_serde_does() {
    use casm_widget::decode;
    assert_eq!(
        decode::UNREAD.len(),
        17,
        "update as_the_widget_reads with decode::UNREAD"
    );
    let item = decode::item(&parsed(captured::RESOURCE)).expect_throw("item");
    let reference = serde::<Item>(captured::RESOURCE);
    assert!(!reference.attachments.is_empty() && !reference.content_text.is_empty());
    assert_eq!(item, as_the_widget_reads(reference));
    assert_eq!(
        item.casm.counters.as_ref().map(|c| c.helpful_votes),
        Some(1)
    );
    assert_eq!(
        item.casm.counters.as_ref().map(|c| c.popularity_total),
        Some(33)
    );
    assert!(item.casm.links.len() >= 6);

    let feed = decode::feed(&parsed(captured::FEED)).expect_throw("feed");
    let reference = serde::<Feed>(captured::FEED);
    let items: Vec<Item> = reference
        .items
        .into_iter()
        .map(as_the_widget_reads)
        .collect();
    assert_eq!(feed.items, items);
    assert_eq!(feed.items.len(), 3);

    for text in [captured::STATS, captured::STATS_BY_PARTNER] {
        let stats = decode::stats(&parsed(text));
        let mut reference = serde::<Stats>(text);
        for (_, r) in reference.resources.iter_mut() {
            r.partners = None;
            r.counters.links.clear();
        }
        assert_eq!(stats, reference);
        assert_eq!(stats.resources.len(), 2);
        assert!(stats
            .resources
            .values()
            .any(|r| r.counters.helpful_votes == 1));
    }

    let vote = decode::vote(&parsed(captured::VOTE)).expect_throw("vote");
    assert_eq!(vote, serde::<VoteResponse>(captured::VOTE));
    for text in [captured::ERROR_404, captured::ERROR_400] {
        let error = decode::error(&parsed(text)).expect_throw("error body");
        assert_eq!(error, serde::<casm_model::wire::ErrorBody>(text));
    }
    let field = decode::error(&parsed(captured::ERROR_400)).and_then(|e| e.error.field);
    assert_eq!(field.as_deref(), Some("limit"));
}

#[wasm_bindgen_test]
fn hostile_or_broken_answers_are_refused_or_defaulted() {
    use casm_widget::decode;
    assert!(decode::parse_json("{not json").is_err());
    assert!(decode::item(&parsed(r#"{"id": "x"}"#)).is_err(), "no title");
    assert!(decode::item(&parsed("[1, 2]")).is_err());
    assert!(decode::feed(&parsed(r#"{"items": {}}"#)).is_err());
    assert!(decode::vote(&parsed(r#"{"helpful_votes": "many", "voted": true}"#)).is_err());
    // Unknown kinds and wrongly typed optional fields take their defaults.
    let item = decode::item(&parsed(
        r#"{"id": "x", "title": "T", "tags": "oops", "_casm": {"kind": "hologram",
            "links": [{"id": "l", "title": "L", "url": "https://x.org", "kind": "teleport",
            "size": -5}], "counters": {"helpful_votes": -3, "page_views": 1e400}}}"#,
    ))
    .expect_throw("item");
    assert_eq!(item.casm.kind, ResourceKind::OnlineResource);
    assert_eq!(item.casm.links[0].kind, LinkKind::Page);
    assert_eq!(item.casm.links[0].size, None);
    assert!(item.tags.is_empty());
    let counters = item.casm.counters.expect_throw("counters");
    assert_eq!((counters.helpful_votes, counters.page_views), (0, 0));
}

/// Collects the `detail`s of `name` events reaching the document (they bubble out of the
/// host, composed).
fn listen(
    name: &'static str,
) -> (
    Rc<std::cell::RefCell<Vec<JsValue>>>,
    gloo_events::EventListener,
) {
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = Rc::clone(&seen);
    let listener = gloo_events::EventListener::new(&document(), name, move |e| {
        let detail = e
            .dyn_ref::<web_sys::CustomEvent>()
            .map(web_sys::CustomEvent::detail)
            .unwrap_or(JsValue::UNDEFINED);
        sink.borrow_mut().push(detail);
    });
    (seen, listener)
}

fn field(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen_test]
async fn the_host_page_hears_render_and_error_events() {
    let (renders, _a) = listen("casm:render");
    let (errors, _b) = listen("casm:error");
    let (_el, widget, root) = mounted_resource();
    let vote = wait_for(&root, "button[part=vote]")
        .await
        .dyn_into::<HtmlElement>()
        .expect_throw("button");
    {
        let renders = renders.borrow();
        assert_eq!(renders.len(), 1);
        let r = &renders[0];
        assert_eq!(
            field(r, "resource").as_string().as_deref(),
            Some("casm-global-partnership")
        );
        assert_eq!(field(r, "view").as_string().as_deref(), Some("resource"));
        assert_eq!(field(r, "lang").as_string().as_deref(), Some("en"));
    }
    // The vote cannot reach the (dead) service: the page hears why.
    vote.click();
    for _ in 0..100 {
        if !errors.borrow().is_empty() {
            break;
        }
        sleep(20).await;
    }
    let errors = errors.borrow();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        field(&errors[0], "code").as_string().as_deref(),
        Some("offline")
    );
    assert!(field(&errors[0], "message")
        .as_string()
        .is_some_and(|m| !m.is_empty()));
    widget.unmount();
}

#[wasm_bindgen_test]
async fn a_host_listener_that_throws_cannot_break_the_widget() {
    let el = host();
    let thrower = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        wasm_bindgen::throw_str("a partner's listener failed");
    });
    el.add_event_listener_with_callback("casm:render", thrower.as_ref().unchecked_ref())
        .expect_throw("listen");
    let (options, prefetch) = resource_options(RESOURCE_JSON);
    let widget = mount(&el, &options, &prefetch);
    let root = shadow(&el);
    wait_for(&root, "button[part=vote]").await;
    assert_eq!(text(&root, "[data-stat=page_views]"), "865");
    widget.unmount();
    assert_eq!(root.inner_html(), "<slot></slot>");
    let _ = el.remove_event_listener_with_callback("casm:render", thrower.as_ref().unchecked_ref());
}

thread_local! {
    static HELD: std::cell::RefCell<Option<casm_widget::MountedWidget>> =
        const { std::cell::RefCell::new(None) };
}

#[wasm_bindgen_test]
async fn a_host_listener_may_unmount_the_widget_while_it_reports_an_error() {
    let el = host();
    let options = object(&[
        ("resource", "never-saved-here".into()),
        ("feed", DEAD_FEED.into()),
        ("defaultFeed", DEAD_FEED.into()),
    ]);
    // The partner's page unmounts the widget as soon as it hears of the error.
    let unmounter = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        if let Some(w) = HELD.with(|h| h.borrow_mut().take()) {
            w.unmount();
        }
    });
    el.add_event_listener_with_callback("casm:error", unmounter.as_ref().unchecked_ref())
        .expect_throw("listen");
    HELD.with(|h| *h.borrow_mut() = Some(mount(&el, &options, &JsValue::UNDEFINED)));
    let root = shadow(&el);
    for _ in 0..50 {
        if HELD.with(|h| h.borrow().is_none()) {
            break;
        }
        sleep(20).await;
    }
    assert!(
        HELD.with(|h| h.borrow().is_none()),
        "the error was reported"
    );
    sleep(50).await;
    // Nothing was drawn after the unmount: the error state did not come back.
    assert_eq!(root.inner_html(), "<slot></slot>");
    let _ =
        el.remove_event_listener_with_callback("casm:error", unmounter.as_ref().unchecked_ref());
}

#[wasm_bindgen_test]
fn intl_plural_rules_agree_with_the_rust_fallback() {
    // The Rust rules answer where Intl is missing; they must say what Intl says.
    for lang in Lang::ALL {
        for n in (0..=230).chain([1000, 1_000_000, 2_000_000, 1_000_001]) {
            let rust = lang.plural_rule().select(n);
            assert_eq!(intl::plural(lang, n), rust, "{lang:?} {n}");
        }
    }
}

#[wasm_bindgen_test]
fn numbers_and_dates_follow_the_locale() {
    assert_eq!(intl::number(Lang::En, 1_234_567), "1,234,567");
    // Spanish groups from five digits.
    assert_eq!(intl::number(Lang::Es, 12_345), "12.345");
    assert_eq!(intl::number(Lang::Es, 1234), "1234");
    // The page's full tag picks the digits: Egyptian Arabic writes Arabic-Indic digits.
    intl::use_locale(Lang::Ar, "ar-EG");
    assert_eq!(intl::number(Lang::Ar, 1234), "١٬٢٣٤");
    assert_eq!(intl::tenths(Lang::Ar, 12), "١٫٢");
    let date = intl::date(Lang::Zh, "2012-02-29T13:47:00-05:00").unwrap_throw();
    assert!(date.starts_with("2012年2月29日"), "{date}");
    // Shown as published, whatever the browser's own time zone.
    let late = intl::date(Lang::En, "2012-02-29T23:59:00+14:00").unwrap_throw();
    assert!(
        late.contains("February 29") && late.contains("11:59"),
        "{late}"
    );
}

#[wasm_bindgen_test]
fn a_locale_intl_refuses_gives_the_bare_language_without_throwing() {
    // Shaped like a tag, refused by Intl (RangeError): Swahili itself answers.
    intl::use_locale(Lang::Sw, "sw-x-");
    assert_eq!(intl::number(Lang::Sw, 1234), "1,234");
    assert_eq!(
        intl::plural(Lang::Sw, 1),
        casm_widget::plural::Category::One
    );
    let date = intl::date(Lang::Sw, "2012-02-29T13:47:00Z").unwrap_throw();
    assert!(date.contains("2012") && date.contains("13:47"), "{date}");
}
