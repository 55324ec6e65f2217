// Partner-ready embedding, against the real feed service and Chromium: a strict Content
// Security Policy, the pinned release with SRI (and a tampered Wasm), a page holding the
// previous release after a rebuild, the partner's own fallback content, and host pages
// whose global CSS attacks the widget's box.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  services, startFeed, partnerPage, openPage, screenshot, cleanup, ROOT, SOURCE,
} from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

const casmLines = (lines) => lines.filter((l) => l.includes('[casm]'));
const release = async (base) => (await fetch(`${base}/widget/release.json`)).json();

/** The vote button of the widget on `host` (a selector), once it is on screen. */
async function voteButton(page, host = '[data-casm-widget]') {
  const button = page.locator(`${host} >> button[part="vote"]`).first();
  await button.waitFor({ state: 'visible' });
  return button;
}

// What a visitor sees of a widget, read from its shadow root: the computed styles that
// make it look like the demo.
function looks(page, host) {
  return page.evaluate((host) => {
    const root = document.querySelector(host).shadowRoot;
    const props = ['font-family', 'font-size', 'line-height', 'color', 'background-color',
      'border-top-width', 'border-top-style', 'border-radius', 'padding-top', 'display'];
    const out = {};
    for (const part of ['widget', 'title', 'vote', 'info', 'links']) {
      const el = root.querySelector(`[part="${part}"]`);
      const style = getComputedStyle(el);
      out[part] = Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)]));
    }
    return out;
  }, host);
}

test('strict CSP (no unsafe-inline styles): fully styled as without it, zero violations', async () => {
  const css = partner.page('/partner.css', 'body { margin: 0; padding: 16px; font-family: Georgia, serif; }',
    'text/css');
  const body = `<link rel="stylesheet" href="${css}">
    <h1>A partner page with a strict policy</h1>
    <div id="en" data-casm-widget data-resource="${SOURCE}"></div>
    <div id="fr" data-casm-widget data-resource="${SOURCE}" data-lang="fr" data-show="summary,votes"></div>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict</title></head>
    <body>${body}<script src="${feed.base}/widget/casm-widget.js" async></script></body></html>`;
  const policy = `default-src 'self'; script-src ${feed.base} 'wasm-unsafe-eval'; ` +
    `style-src 'self'; connect-src ${feed.base}; img-src 'self' data:`;
  const strict = partner.page('/csp-strict.html', html, 'text/html; charset=utf-8',
    { 'content-security-policy': policy });
  const open = partner.page('/csp-none.html', html);

  const seen = {};
  for (const [name, url] of [['strict', strict], ['none', open]]) {
    const { page, errors, consoleLines, context } = await openPage(browser);
    // Init scripts run before the page's own and are not subject to its policy.
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener('securitypolicyviolation',
        (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(url);
    await voteButton(page, '#en');
    await page.locator('#fr >> [part="vote-prompt"]').waitFor();
    seen[name] = await looks(page, '#en');
    await page.waitForTimeout(200);
    const violations = await page.evaluate(() => window.violations);
    const cspLines = consoleLines.filter((l) => /Content Security Policy/i.test(l));
    if (name === 'strict') {
      assert.deepEqual(violations, [], 'no CSP violation');
      assert.deepEqual(cspLines, []);
      // One constructed sheet for the page, adopted by both widgets; no <style> element.
      assert.deepEqual(await page.evaluate(() => {
        const [a, b] = ['en', 'fr'].map((id) => document.getElementById(id).shadowRoot);
        return [a.adoptedStyleSheets.length, a.adoptedStyleSheets[0] === b.adoptedStyleSheets[0],
          a.querySelectorAll('style').length + b.querySelectorAll('style').length];
      }), [1, true, 0]);
      // The French table came from the feed under connect-src.
      assert.match(await page.locator('#fr >> [part="vote-prompt"]').textContent(),
        /^Cette page vous a-t-elle été utile\s\?$/u);
      await screenshot(page, 'csp-strict');
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(casmLines(consoleLines), []);
    await context.close();
  }
  assert.deepEqual(seen.strict, seen.none, 'the strict page shows the widget as the open one');
  assert.equal(seen.strict.widget['border-top-style'], 'solid', 'the panel is styled');
  assert.match(seen.strict.widget['font-family'], /system-ui/);
  assert.notEqual(seen.strict.vote['background-color'], 'rgba(0, 0, 0, 0)');
});

test('pinned release: versioned URLs are immutable, the alias is short-lived, release.json names them', async () => {
  const r = await release(feed.base);
  assert.match(r.loader.path, /^v\d+\.\d+\.\d+[^/]*\/casm-widget\.js$/);
  assert.match(r.wasm.path, /^casm_widget_bg\.[0-9a-f]{16}\.wasm$/);
  const cache = async (path) => {
    const res = await fetch(`${feed.base}/widget/${path}`);
    await res.arrayBuffer();
    return [res.status, res.headers.get('cache-control')];
  };
  const immutable = 'public, max-age=31536000, immutable';
  assert.deepEqual(await cache(r.loader.path), [200, immutable]);
  assert.deepEqual(await cache(r.wasm.path), [200, immutable]);
  assert.deepEqual(await cache('casm-widget.js'), [200, 'public, max-age=300, stale-while-revalidate=86400']);
  const [status, control] = await cache('v0.0.0-never/casm-widget.js');
  assert.equal(status, 404);
  assert.notEqual(control, immutable, 'a release not yet deployed is not cached for a year');
  // The pinned loader is the alias's build, and its hash is the one release.json prints.
  const pinned = readFileSync(join(ROOT, 'pkg', r.loader.path));
  assert.ok(pinned.equals(readFileSync(join(ROOT, 'pkg/casm-widget.js'))));
  const { createHash } = await import('node:crypto');
  assert.equal(r.loader.integrity, `sha384-${createHash('sha384').update(pinned).digest('base64')}`);
});

/** The README's snippet for release `r` of the feed at `base`, with the resource hints. */
function snippet(base, r, attrs = `data-resource="${SOURCE}"`) {
  return `<link rel="preconnect" href="${base}" crossorigin>
<link rel="preload" href="${base}/widget/${r.wasm.path}" as="fetch" type="application/wasm" crossorigin="anonymous" integrity="${r.wasm.integrity}">
<link rel="preload" href="${base}/v1/resources/${SOURCE}" as="fetch" crossorigin="anonymous">
<script src="${base}/widget/${r.loader.path}" integrity="${r.loader.integrity}" crossorigin="anonymous" async></script>
<div data-casm-widget ${attrs}></div>`;
}

test('the SRI snippet renders; the preloaded Wasm and data are the ones the loader uses', async () => {
  const r = await release(feed.base);
  const url = partner.page('/sri.html', `<!doctype html><html lang="en"><head><meta charset="utf-8">
    <title>SRI</title></head><body>${snippet(feed.base, r)}</body></html>`);
  const { page, errors, consoleLines, context } = await openPage(browser);
  const wasm = [];
  const data = [];
  page.on('request', (req) => {
    if (req.url().endsWith('.wasm')) wasm.push(req.url());
    if (req.url().includes('/v1/resources/')) data.push(req.url());
  });
  await page.goto(url);
  await voteButton(page);
  assert.equal(await page.locator('[part="title"]').textContent(),
    'Communities and Small Scale Mining (CASM): A global partnership for action');
  // Chromium warns when a preload is not used (or fetched twice because its request
  // differs from the loader's); that takes a few seconds to show. (It also says that it
  // ignores `integrity` on a fetch preload: the loader's own request checks the hash.)
  await page.waitForTimeout(3500);
  assert.deepEqual(wasm, [`${feed.base}/widget/${r.wasm.path}`], 'one Wasm request, the preload');
  assert.deepEqual(data, [`${feed.base}/v1/resources/${SOURCE}`], 'one data request, the preload');
  assert.deepEqual(consoleLines.filter((l) => /preload/i.test(l) && !/integrity. attribute is currently ignored/i.test(l)), []);
  assert.deepEqual(errors, []);
  assert.deepEqual(casmLines(consoleLines), []);
  await screenshot(page, 'sri-snippet');
  await context.close();
});

test('a tampered Wasm is refused: a clear message in the widget, no page error', async () => {
  const r = await release(feed.base);
  const bytes = Buffer.from(readFileSync(join(ROOT, 'pkg', r.wasm.path)));
  bytes[bytes.length - 100] ^= 0xff; // one flipped byte: still a file, no longer the release's
  partner.page(`/tampered/${r.wasm.path}`, bytes, 'application/wasm');
  const loader = partner.page('/tampered/casm-widget.js', readFileSync(join(ROOT, 'pkg/casm-widget.js')),
    'text/javascript');
  const url = partner.page('/tampered.html', partnerPage({
    scriptSrc: loader,
    body: `<div id="w" data-casm-widget data-resource="${SOURCE}" data-feed="${feed.base}"></div>`,
  }));
  const { page, errors, consoleLines, context } = await openPage(browser);
  await page.addInitScript(() => {
    window.casmErrors = [];
    document.addEventListener('casm:error', (e) => window.casmErrors.push(e.detail.code));
  });
  await page.goto(url);
  await page.locator('#w >> [part="error"]').waitFor();
  assert.equal(await page.locator('#w >> [part="error"] p').textContent(), 'The CASM widget could not be loaded.');
  assert.match(await page.locator('#w >> [part="fallback-link"]').getAttribute('href'),
    new RegExp(`^${feed.base}/resource\\.html\\?id=${SOURCE}$`));
  assert.deepEqual(await page.evaluate(() => window.casmErrors), ['widget_unavailable']);
  const lines = casmLines(consoleLines);
  assert.equal(lines.length, 1, lines.join(' | '));
  assert.match(lines[0], /integrity hash/);
  assert.deepEqual(errors, []);
  await screenshot(page, 'sri-tampered-wasm');
  await context.close();
});

// A deploy while pages are open: the feed serves a rebuilt widget (another Wasm, another
// version) from a copy of pkg/ that still holds the previous release.
test('after a rebuild that changes the Wasm, a page holding the previous pinned loader still works', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casm-skew-'));
  const pkg = join(dir, 'pkg');
  let next;
  try {
    cpSync(join(ROOT, 'pkg'), pkg, { recursive: true });
    const previous = await release(feed.base);
    // A real rebuild: the serde decoder variant is another Wasm with other imports.
    execFileSync(join(ROOT, 'scripts/build-widget.sh'), {
      cwd: ROOT,
      env: { ...process.env, OUT: pkg, VERSION: `${previous.version}-next`, FEATURES: 'serde-decode',
        STRIP: 'none', BUDGET: 'none' },
      stdio: 'pipe',
      timeout: 300_000,
    });
    next = await startFeed({ pkg });
    const current = await release(next.base);
    assert.equal(current.version, `${previous.version}-next`);
    assert.notEqual(current.wasm.path, previous.wasm.path, 'the rebuild made another Wasm');

    for (const [name, r] of [['previous', previous], ['current', current]]) {
      const url = partner.page(`/skew-${name}.html`, `<!doctype html><html lang="en"><head>
        <meta charset="utf-8"><title>skew</title></head><body>${snippet(next.base, r)}</body></html>`);
      const { page, errors, context } = await openPage(browser);
      const wasm = [];
      page.on('request', (req) => { if (req.url().endsWith('.wasm')) wasm.push(req.url()); });
      await page.goto(url);
      const button = await voteButton(page);
      assert.equal(await button.getAttribute('aria-pressed'), 'false', name);
      assert.deepEqual(wasm, [`${next.base}/widget/${r.wasm.path}`], `${name}: its own Wasm`);
      assert.deepEqual(errors, [], name);
      await context.close();
    }
  } finally {
    await next?.stop();
    cleanup(next?.dir);
    cleanup(dir);
  }
});

test('the partner\'s own content shows until the widget renders, when it cannot, and without JavaScript', async () => {
  const body = `<div id="w" data-casm-widget data-resource="${SOURCE}">
      <a id="own" href="/our-copy">Read it on our site</a></div>
    <div id="missing" data-casm-widget data-resource="no-such-resource">
      <a id="own-missing" href="/our-copy">Read it on our site</a></div>`;
  const url = partner.page('/own-content.html', partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`, body,
  }));
  const { page, errors, context } = await openPage(browser);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  // The Wasm is held back until the test has looked.
  await page.route(/\.wasm$/, async (route) => { await held; await route.continue(); });
  await page.goto(url);
  await page.waitForTimeout(300);
  assert.ok(await page.locator('#own').isVisible(), 'visible while the widget loads');
  await screenshot(page, 'own-content-while-loading');
  release();
  await voteButton(page, '#w');
  assert.equal(await page.locator('#own').isVisible(), false, 'replaced by the widget');
  await page.locator('#missing >> [part="error"]').waitFor();
  assert.ok(await page.locator('#own-missing').isVisible(), 'shown under the widget\'s own message');
  assert.deepEqual(errors, []);
  await screenshot(page, 'own-content-not-found');
  await context.close();

  const noScript = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noScript.newPage();
  await plain.goto(url);
  assert.ok(await plain.locator('#own').isVisible(), 'visible without JavaScript');
  await noScript.close();
});

// Global CSS a partner's site might carry, each on its own page around a resource widget.
const HOSTILE_CSS = {
  'squeezed-divs': 'div { width: 4px !important; height: 4px !important; max-width: 4px !important; overflow: hidden !important; }',
  'all-unset': '* { all: unset !important; }',
  'all-revert': '* { all: revert !important; }',
  'display-contents': '[data-casm-widget] { display: contents !important; }',
  'huge-font-tight-lines': 'html, body, div, p, button { font-size: 40px !important; line-height: 0.6 !important; }',
  'box-sizing': '*, *::before, *::after { box-sizing: content-box !important; padding: 30px !important; }',
  'no-buttons': 'button { display: none !important; } [data-casm-widget] { font: 6px/1 serif !important; }',
};

async function hostBox(css, name, { body, host = '#w', width = 900 } = {}) {
  const url = partner.page(`/hostile-${name}.html`, `<!doctype html><html lang="en"><head>
    <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${name}</title><style>${css}</style></head><body>
    <h1>A partner page: ${name}</h1>
    ${body ?? `<div id="w" data-casm-widget data-resource="${SOURCE}"></div>`}
    <p>Text after the widget.</p>
    <script src="${feed.base}/widget/casm-widget.js" async></script></body></html>`);
  const { page, errors, context } = await openPage(browser, { width });
  await page.goto(url);
  const button = await voteButton(page, host);
  const box = await button.boundingBox();
  const widget = await page.locator(`${host} >> [part="widget"]`).boundingBox();
  const text = await page.evaluate((host) => {
    const root = document.querySelector(host).shadowRoot;
    const style = getComputedStyle(root.querySelector('[part="summary"]'));
    return { size: parseFloat(style.fontSize), line: parseFloat(style.lineHeight) };
  }, host);
  await screenshot(page, `hostile-${name}`);
  return { page, errors, context, button, box, widget, text };
}

test('a host box that holds: hostile global CSS leaves the widget readable and its button usable', async () => {
  for (const [name, css] of Object.entries(HOSTILE_CSS)) {
    console.log(`hostile host page: ${name}`);
    const { page, errors, context, button, box, widget, text } = await hostBox(css, name);
    assert.ok(widget.width >= 200, `${name}: the widget is ${widget.width} px wide`);
    assert.ok(box.width >= 60 && box.height >= 28 && box.height <= 60,
      `${name}: the vote button is ${box.width}×${box.height}`);
    assert.ok(text.size >= 14 && text.size <= 16, `${name}: text at ${text.size} px`);
    assert.ok(text.line >= 1.3 * text.size, `${name}: line height ${text.line} px`);
    // A real click where the button is on screen: nothing lies on top of it.
    // Each click waits for its answer: a click while a vote is in flight is ignored.
    const voted = () => page.waitForResponse((r) => r.url().includes('/vote') && r.request().method() === 'POST');
    await Promise.all([voted(), button.click()]);
    assert.equal(await button.getAttribute('aria-pressed'), 'true', `${name}: the vote registers`);
    await Promise.all([voted(), button.click()]);
    assert.equal(await button.getAttribute('aria-pressed'), 'false', `${name}: and undoes`);
    assert.deepEqual(errors, [], name);
    await context.close();
  }
});

test('a partner\'s deliberate width is kept: a 300 px sidebar, a 300 px element', async () => {
  for (const [name, body, host] of [
    ['sidebar', `<aside style="width:300px;float:right"><div id="w" data-casm-widget
      data-resource="${SOURCE}"></div></aside>`, '#w'],
    ['element', `<div id="w" data-casm-widget data-resource="${SOURCE}" style="width:300px"></div>`, '#w'],
  ]) {
    const { errors, context, widget, box } = await hostBox('', `width-${name}`, { body, host });
    assert.ok(Math.abs(widget.width - 300) <= 1, `${name}: ${widget.width} px`);
    assert.ok(box.height >= 28, name);
    assert.deepEqual(errors, [], name);
    await context.close();
  }
});
