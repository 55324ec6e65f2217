/*! CASM Embed loader — https://FEED-HOST/widget/casm-widget.js
 *
 *   <script src="https://FEED-HOST/widget/casm-widget.js" async></script>
 *   <div data-casm-widget data-resource="casm-global-partnership"></div>
 *
 * Mounts every element carrying data-casm-widget (and renders in place when this script
 * tag itself carries data-resource or data-view). Plain JavaScript, no dependencies: it
 * loads the Wasm widget (casm_widget_bg.wasm, next to this file) once per page, starts
 * each resource's data request while the Wasm compiles, mounts widgets as they come near
 * the viewport, and follows elements added, changed or removed later.
 * Script API: CasmWidget.mount(element, options), CasmWidget.unmount(element).
 *
 * This is the loader's source. scripts/build-widget.sh puts the wasm-bindgen glue where
 * the marker below stands and minifies the whole into pkg/casm-widget.js: one script, so
 * the Wasm and data requests start as soon as it runs (no import() of a second file).
 */
(function () {
  'use strict';

  var ATTR = 'data-casm-widget';
  var OPTIONS = ['feed', 'view', 'resource', 'show', 'tag', 'partner', 'sort', 'limit',
    'theme', 'accent', 'lang', 'lazy'];
  var FAILED = {
    en: 'The CASM widget could not be loaded.',
    fr: 'Le widget CASM n’a pas pu être chargé.',
    es: 'No se pudo cargar el widget de CASM.',
    pt: 'Não foi possível carregar o widget do CASM.'
  };

  function log(message, detail) {
    if (window.console) console.warn('[casm] ' + message, detail === undefined ? '' : detail);
  }

  var script = document.currentScript;
  if (!script || !/casm-widget\.js/.test(script.src || '')) {
    script = document.querySelector('script[src*="casm-widget.js"]');
  }

  // <script ... data-resource="x"> renders right where it stands.
  if (script && script.parentNode &&
      (script.hasAttribute('data-resource') || script.hasAttribute('data-view'))) {
    var here = document.createElement('div');
    OPTIONS.forEach(function (name) {
      var value = script.getAttribute('data-' + name);
      if (value != null) here.setAttribute('data-' + name, value);
    });
    here.setAttribute(ATTR, '');
    script.parentNode.insertBefore(here, script.nextSibling);
  }

  // Included twice: the first copy already watches the page (and mounts the element above).
  if (window.CasmWidget) return;

  var base, origin;
  try {
    base = new URL('.', script.src).href;
    origin = new URL(script.src).origin;
  } catch (e) {
    log('cannot tell where casm-widget.js was loaded from; no widget will render', e);
    return;
  }

  var ready = null;           // Promise of the instantiated Wasm
  var widgets = new Map();    // element -> { handle } once started
  var waiting = new Set();    // elements waiting to come near the viewport
  var given = new WeakMap();  // element -> options passed to CasmWidget.mount
  var io = 'IntersectionObserver' in window
    ? new IntersectionObserver(onIntersect, { rootMargin: '200px' })
    : null;

  // The wasm-bindgen glue (--target web, its exports made local), inserted by the build.
  // It defines mount() (shadowing the loader's own mount inside this function only),
  // __wbg_get_imports(), __wbg_load() and __wbg_finalize_init().
  var wasmBindgen = (function () {
    /* @wasm-bindgen-glue@ */
    return {
      // Compiles the Wasm while it downloads (WebAssembly.instantiateStreaming), falling
      // back to an ArrayBuffer when the server does not send application/wasm.
      init: function (response) {
        return __wbg_load(response, __wbg_get_imports()).then(function (r) {
          __wbg_finalize_init(r.instance, r.module);
        });
      },
      mount: mount
    };
  })();

  // One request for the Wasm, started the first time a widget is seen.
  function load() {
    if (!ready) {
      ready = fetch(base + 'casm_widget_bg.wasm').then(wasmBindgen.init);
      ready.catch(function (e) { log('could not load the widget from ' + base, e); });
    }
    return ready;
  }

  function optionsOf(el) {
    var own = given.get(el) || {};
    var o = { defaultFeed: origin };
    OPTIONS.forEach(function (name) {
      var value = Object.prototype.hasOwnProperty.call(own, name)
        ? own[name] : el.getAttribute('data-' + name);
      if (value != null) o[name] = String(value);
    });
    return o;
  }

  // Resource and card widgets: start the data request now rather than after the Wasm is
  // ready. The widget uses it only if it wants exactly this URL, and reports failures.
  function prefetch(o) {
    var id = (o.resource || '').trim();
    var view = (o.view || (id ? 'resource' : 'list')).trim().toLowerCase();
    var feed = (o.feed || o.defaultFeed).trim().replace(/\/+$/, '');
    if (!id || (view !== 'resource' && view !== 'card') || !/^https?:\/\//i.test(feed)) {
      return undefined;
    }
    var url = feed + '/v1/resources/' + encodeURIComponent(id);
    var response = fetch(url);
    response.catch(function () {});
    return { url: url, response: response };
  }

  function failed(el, o) {
    try {
      var root = el.shadowRoot || el.attachShadow({ mode: 'open' });
      var lang = (o.lang && o.lang !== 'auto' ? o.lang
        : (el.closest('[lang]') || {}).lang || navigator.language || 'en');
      var p = document.createElement('p');
      p.setAttribute('part', 'error');
      p.textContent = FAILED[String(lang).slice(0, 2).toLowerCase()] || FAILED.en;
      root.replaceChildren(p);
    } catch (e) {
      // This element cannot hold a shadow root: the console line is all there is.
    }
  }

  function start(el) {
    var entry = {};
    var o = optionsOf(el);
    widgets.set(el, entry);
    var pending = prefetch(o);
    load().then(function () {
      if (widgets.get(el) !== entry) return; // unmounted or re-rendered meanwhile
      try {
        entry.handle = wasmBindgen.mount(el, o, pending);
      } catch (e) {
        log('cannot mount a widget on <' + el.localName + '>', e);
      }
    }, function () {
      if (widgets.get(el) === entry) failed(el, o);
    });
  }

  function mount(el) {
    if (widgets.has(el) || waiting.has(el)) return;
    load(); // the Wasm downloads and compiles while the widget waits to be seen
    var lazy = (optionsOf(el).lazy || '').trim().toLowerCase() !== 'false';
    if (lazy && io) {
      waiting.add(el);
      io.observe(el);
    } else {
      start(el);
    }
  }

  function onIntersect(entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting && waiting.delete(e.target)) {
        io.unobserve(e.target);
        start(e.target);
      }
    });
  }

  function unmount(el) {
    if (waiting.delete(el)) io.unobserve(el);
    var entry = widgets.get(el);
    widgets.delete(el);
    if (entry && entry.handle) {
      try {
        entry.handle.unmount();
      } catch (e) {
        log('could not unmount a widget', e);
      }
    }
  }

  function scan(node) {
    if (!node.querySelectorAll) return;
    if (node.hasAttribute && node.hasAttribute(ATTR)) mount(node);
    var found = node.querySelectorAll('[' + ATTR + ']');
    for (var i = 0; i < found.length; i++) mount(found[i]);
  }

  new MutationObserver(function (records) {
    var changed = new Set();
    var added = [];
    records.forEach(function (r) {
      if (r.type === 'attributes') changed.add(r.target);
      else for (var i = 0; i < r.addedNodes.length; i++) added.push(r.addedNodes[i]);
    });
    // Removed from the page (a move is a removal then an insertion, hence isConnected).
    widgets.forEach(function (_, el) { if (!el.isConnected) unmount(el); });
    waiting.forEach(function (el) { if (!el.isConnected) unmount(el); });
    // A changed option re-renders the widget.
    changed.forEach(function (el) {
      unmount(el);
      if (el.isConnected && (el.hasAttribute(ATTR) || given.has(el))) mount(el);
    });
    added.forEach(scan);
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: [ATTR].concat(OPTIONS.map(function (n) { return 'data-' + n; }))
  });

  window.CasmWidget = {
    /** Mounts (or re-renders) a widget; options override the element's data- attributes. */
    mount: function (element, options) {
      if (!element || element.nodeType !== 1) {
        log('CasmWidget.mount needs an element');
        return;
      }
      given.set(element, options && typeof options === 'object' ? options : {});
      unmount(element);
      mount(element);
    },
    /** Removes a widget's content and listeners. */
    unmount: function (element) {
      if (!element) return;
      given.delete(element);
      unmount(element);
    }
  };

  scan(document);
})();
