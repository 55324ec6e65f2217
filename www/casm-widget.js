/*! CASM Embed loader — https://FEED-HOST/widget/casm-widget.js
 *
 *   <script src="https://FEED-HOST/widget/casm-widget.js" async></script>
 *   <div data-casm-widget data-resource="casm-global-partnership"></div>
 *
 * Mounts every element carrying data-casm-widget (and renders in place when this script
 * tag itself carries data-resource or data-view). Plain JavaScript, no dependencies: it
 * loads the Wasm widget (casm_widget_bg.<hash>.wasm, checked against its SRI hash) once
 * per page, starts
 * each resource's data request while the Wasm compiles, mounts widgets as they come near
 * the viewport, and follows elements added, changed or removed later.
 * It also holds the page's live counts: one /v1/stream per feed for the widgets on screen.
 * Script API: CasmWidget.mount(element, options), CasmWidget.unmount(element).
 *
 * This is the loader's source. scripts/build-widget.sh puts the wasm-bindgen glue where
 * the marker below stands and minifies the whole into pkg/casm-widget.js: one script, so
 * the Wasm and data requests start as soon as it runs (no import() of a second file).
 * The loader uses only the glue's public exports, those of the npm package's
 * casm_widget.js: its init function (`default`), `mount`, and the methods of the Widget
 * it returns (`unmount`, `ids`, `counts`).
 */
(function () {
  'use strict';

  var ATTR = 'data-casm-widget';
  var OPTIONS = ['feed', 'view', 'resource', 'show', 'tag', 'partner', 'sort', 'limit',
    'theme', 'accent', 'lang', 'lazy'];
  // The loader's own texts, for when the widget cannot run: ['The CASM widget could not
  // be loaded.', 'View this resource', 'View the resources' (a list links to the feed's
  // home page), where the first of them is in a language table, how many texts a table
  // holds]. English is here; other languages read them from their table (below).
  var SAY = '@casm-messages@';

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

  // Set by the build: this release's version, and the name and SRI hash of the one Wasm
  // it works with. The Wasm's name carries its content hash, so a cached loader never
  // meets another build's Wasm (whose minified import names differ).
  var VERSION = '@casm-version@';
  var WASM = '@casm-wasm@';
  var INTEGRITY = '@casm-wasm-integrity@';
  // The language tables that are not built into the Wasm (English is), by language:
  // { fr: 'lang/fr.<hash>.txt', ... }.
  var LANGS = '@casm-langs@';

  // base: the widget folder (the glue's import.meta.url), where the Wasm files are; a
  // pinned release's loader sits one folder down, in v<version>/.
  var base, origin;
  try {
    base = new URL('.', script.src).href;
    var pinned = 'v' + VERSION + '/';
    if (base.slice(-pinned.length) === pinned) base = base.slice(0, -pinned.length);
    origin = new URL(script.src).origin;
  } catch (e) {
    log('cannot tell where casm-widget.js was loaded from; no widget will render', e);
    return;
  }

  var ready = null;           // Promise of the instantiated Wasm
  var broken = false;         // the Wasm could not be loaded: every widget shows why
  var widgets = new Map();    // element -> { handle, feed, ids, seen } once started
  var waiting = new Set();    // elements waiting to come near the viewport
  var given = new WeakMap();  // element -> options passed to CasmWidget.mount
  var io = 'IntersectionObserver' in window
    ? new IntersectionObserver(onIntersect, { rootMargin: '200px' })
    : null;

  // The wasm-bindgen glue (--target web), inserted by the build as a function body that
  // returns the module's exports: { default: init, initSync, mount, Widget }.
  var glue, glueError;
  try {
    glue = (function () {
      /* @wasm-bindgen-glue@ */
    })();
  } catch (e) {
    glueError = e;
  }

  // What the loader needs from the glue and does not find.
  function missing() {
    return ['default', 'mount'].filter(function (name) {
      return !glue || typeof glue[name] !== 'function';
    });
  }

  // One request for the Wasm, started the first time a widget is seen. The glue's public
  // init compiles it while it downloads (WebAssembly.instantiateStreaming), falling back to
  // an ArrayBuffer when the server does not send application/wasm.
  function load() {
    if (!ready) {
      var lacking = missing();
      if (typeof WebAssembly !== 'object' || !WebAssembly) {
        ready = Promise.reject(new Error('no WebAssembly'));
        ready.catch(function () {
          log('this browser (or its policy) runs no WebAssembly; widgets show a link instead');
        });
      } else if (lacking.length) {
        ready = Promise.reject(glueError || new Error('missing: ' + lacking.join(', ')));
        ready.catch(function (e) {
          log(glueError
            ? 'the widget module (wasm-bindgen glue in casm-widget.js) failed to run; no widget will render'
            : 'the widget module (wasm-bindgen glue in casm-widget.js) exports no ' +
              lacking.join(' and no ') + ' function; no widget will render', e);
        });
      } else {
        // The browser checks the Wasm against the hash this loader was built with (and
        // reuses a <link rel="preload"> of it carrying the same integrity).
        var wasm = fetch(base + WASM, { integrity: INTEGRITY });
        ready = new Promise(function (resolve) {
          resolve(glue.default({ module_or_path: wasm }));
        });
        ready.catch(function (e) {
          log('could not load ' + base + WASM + ' (a network error, or the file does not match this loader\'s integrity hash)', e);
        });
      }
      ready.catch(function () {
        broken = true;
        // Widgets still waiting to come near the viewport show the failure now.
        waiting.forEach(function (el) {
          waiting.delete(el);
          if (io) io.unobserve(el);
          start(el);
        });
      });
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

  // An element's resource id and feed base (http or https, no trailing slash; null when
  // not usable), read as the widget reads them.
  function idOf(o) {
    return (o.resource || '').trim();
  }
  function feedOf(o) {
    var feed = (o.feed || o.defaultFeed).trim().replace(/\/+$/, '');
    return /^https?:\/\//i.test(feed) ? feed : null;
  }

  // The element's language, chosen as the widget chooses it (src/widget.rs): the lang
  // option unless 'auto', then the closest lang attribute, then the browser's; the first
  // whose primary subtag is a key of `known` (or English).
  function langOf(el, o, known) {
    var tags = [o.lang && o.lang.trim().toLowerCase() !== 'auto' ? o.lang : '',
      (el.closest('[lang]') || {}).lang, navigator.language];
    for (var i = 0; i < tags.length; i++) {
      var primary = String(tags[i] || '').trim().split(/[-_]/)[0].toLowerCase();
      if (primary === 'in') primary = 'id'; // Indonesian's old code, as src/i18n.rs reads it
      if (primary === 'en' || known[primary]) return primary;
    }
    return 'en';
  }

  var tables = {}; // language -> the one request for its table on this page
  function table(lang) {
    if (!tables[lang]) {
      var url = base + LANGS[lang];
      tables[lang] = { url: url, response: fetch(url) };
      tables[lang].response.catch(function () {});
    }
    // Each widget reads its own copy of the body.
    var shared = tables[lang];
    return { url: shared.url, response: shared.response.then(function (r) { return r.clone(); }) };
  }

  // Start now rather than after the Wasm is ready: the language table the widget will
  // need, and a resource or card widget's data. The widget uses each only if it wants
  // exactly that URL, and reports failures.
  function prefetch(el, o) {
    var early = {};
    var lang = langOf(el, o, LANGS);
    if (LANGS[lang]) early.strings = table(lang);
    var id = idOf(o);
    var view = (o.view || (id ? 'resource' : 'list')).trim().toLowerCase();
    var feed = feedOf(o);
    if (id && (view === 'resource' || view === 'card') && feed) {
      early.url = feed + '/v1/resources/' + encodeURIComponent(id);
      early.response = fetch(early.url);
      early.response.catch(function () {});
    }
    return early;
  }

  // Where a visitor reads the content without the widget: the service's own page for the
  // resource (the page the feed's items link to, server/src/feed.rs resource_page_url),
  // or its home page for a list.
  function pageOf(o) {
    var id = idOf(o);
    var feed = feedOf(o);
    if (!feed) return null;
    return feed + (id ? '/resource.html?id=' + encodeURIComponent(id) : '/');
  }

  // The widget cannot run here. What the partner put inside the element (its own fallback)
  // shows through a slot; without any, a short message and a plain link to the content.
  function failed(el, o) {
    try {
      var root = el.shadowRoot || el.attachShadow({ mode: 'open' });
      if (el.children.length) {
        root.replaceChildren(document.createElement('slot'));
      } else {
        var box = document.createElement('div');
        box.setAttribute('part', 'error');
        box.dir = 'auto'; // right to left for an Arabic text
        var p = document.createElement('p');
        var a = document.createElement('a');
        var say = function (texts, at) {
          p.textContent = texts[at];
          a.textContent = texts[at + (idOf(o) ? 1 : 2)];
        };
        say(SAY, 0);
        box.append(p);
        var href = pageOf(o);
        if (href) {
          a.setAttribute('part', 'fallback-link');
          a.href = href;
          box.append(a);
        }
        root.replaceChildren(box);
        // In another language, its table (most often already fetched for the widget) has
        // them; English stays if it cannot be had.
        var lang = langOf(el, o, LANGS);
        if (LANGS[lang]) {
          table(lang).response.then(function (r) { return r.ok ? r.text() : ''; }).then(function (t) {
            t = t.split('\x1f');
            if (t.length === SAY[4]) say(t, SAY[3]);
          }).catch(function () {});
        }
      }
    } catch (e) {
      // This element cannot hold a shadow root: the console line is all there is.
    }
    // The same casm:error the widget sends for its own failures, for the page's analytics.
    try {
      el.dispatchEvent(new CustomEvent('casm:error', {
        bubbles: true,
        composed: true,
        detail: { code: 'widget_unavailable', message: 'the CASM widget could not be loaded' }
      }));
    } catch (e) {
      // A listener's exception stays the page's; nothing else can throw here.
    }
  }

  // Live counts. Browsers allow six HTTP/1.1 connections per host, so the widgets share
  // one EventSource per feed, for the union of the ids of those shown on screen in a
  // visible tab (a widget's `ids()`, re-read on each casm:render it sends). Changes within
  // one task make one reopen; the service sends a snapshot first, so reopening with more
  // ids misses nothing. EventSource retries network errors by itself; when it gives up
  // (CLOSED: a proxy's 403 or HTML page) we reopen after 1, 2, 4 … 60 s, reset by the
  // next message, say so once, and the widgets keep the counts they show.
  var hubs = {};       // feed -> { es, url, backoff, retry }
  var soon = 0;        // the pending reopen of every stream
  var warned = false;  // the console line for a blocked stream, once per page
  // On screen exactly (io's margin is for mounting early). Without it: always on screen.
  var onScreen = io && new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      var w = widgets.get(e.target);
      if (w) w.seen = e.isIntersecting;
    });
    changed();
  });
  document.addEventListener('visibilitychange', changed);

  function changed() {
    if (!soon) soon = setTimeout(streams, 0);
  }

  // The widget's ids may have changed (it drew new content).
  function follow(w) {
    try {
      var ids = w.handle ? String(w.handle.ids()) : '';
      w.ids = ids ? ids.split(',') : [];
    } catch (e) {
      w.ids = [];
    }
    changed();
  }

  // Opens, reopens or closes each feed's stream for the ids wanted now.
  function streams() {
    soon = 0;
    try {
      var want = {};
      widgets.forEach(function (w) {
        if (!w.feed || !w.seen || document.visibilityState !== 'visible') return;
        var ids = want[w.feed] = want[w.feed] || [];
        w.ids.forEach(function (id) {
          // The service's limit, as for /v1/stats.
          if (ids.length < 100 && ids.indexOf(id) < 0) ids.push(id);
        });
      });
      Object.keys(want).forEach(function (feed) { hubs[feed] = hubs[feed] || { backoff: 0 }; });
      Object.keys(hubs).forEach(function (feed) {
        var hub = hubs[feed];
        var ids = want[feed] || [];
        var url = ids.length ? feed + '/v1/stream?ids=' + ids.map(encodeURIComponent).join(',') : '';
        if (hub.es && hub.url === url) return;
        if (hub.es) hub.es.close();
        hub.es = null;
        hub.url = url;
        // After a give-up, its timer reopens (with the ids of then).
        if (url && !hub.retry) open(feed, hub);
      });
    } catch (e) {
      // An id that cannot be encoded: the counts stay as loaded.
    }
  }

  function open(feed, hub) {
    var es;
    try {
      es = hub.es = new EventSource(hub.url);
    } catch (e) {
      return; // no EventSource here: the counts stay as loaded
    }
    es.addEventListener('counts', function (e) {
      hub.backoff = 0;
      var data;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      var ids = Object.keys((data && data.resources) || {});
      widgets.forEach(function (w) {
        if (w.handle && w.feed === feed && w.seen &&
            w.ids.some(function (id) { return ids.indexOf(id) >= 0; })) {
          try {
            w.handle.counts(data);
          } catch (err) {
            // The widget ignores what it cannot read; nothing reaches the page.
          }
        }
      });
    });
    es.addEventListener('error', function () {
      if (hub.es !== es || es.readyState !== 2) return; // 2: CLOSED, the browser gave up
      es.close();
      hub.es = null;
      hub.backoff = Math.min(Math.max(hub.backoff * 2, 1000), 60000);
      if (!warned) log('live counts are unavailable here; the numbers shown may be late');
      warned = true;
      hub.retry = setTimeout(function () {
        hub.retry = 0;
        changed();
      }, hub.backoff);
    });
  }

  function start(el) {
    var entry = { ids: [] };
    var o = optionsOf(el);
    widgets.set(el, entry);
    var pending = prefetch(el, o);
    load().then(function () {
      if (widgets.get(el) !== entry) return; // unmounted or re-rendered meanwhile
      try {
        entry.handle = glue.mount(el, o, pending);
      } catch (e) {
        log('cannot mount a widget on <' + el.localName + '>', e);
        return;
      }
      // Live counts, for the ids it shows (it may have drawn a saved copy already).
      // A host with display: contents has no box and never intersects: taken as seen.
      entry.feed = feedOf(o);
      entry.seen = !onScreen || getComputedStyle(el).display === 'contents';
      entry.follow = function () { follow(entry); };
      el.addEventListener('casm:render', entry.follow);
      if (!entry.seen) onScreen.observe(el);
      follow(entry);
    }, function () {
      if (widgets.get(el) === entry) failed(el, o);
    });
  }

  function mount(el) {
    if (widgets.has(el) || waiting.has(el)) return;
    load(); // the Wasm downloads and compiles while the widget waits to be seen
    var lazy = (optionsOf(el).lazy || '').trim().toLowerCase() !== 'false';
    // An element with display: contents has no box of its own, so it never intersects.
    if (lazy && io && !broken && getComputedStyle(el).display !== 'contents') {
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
      el.removeEventListener('casm:render', entry.follow);
      if (onScreen) onScreen.unobserve(el);
      changed();
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
