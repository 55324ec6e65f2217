// What the first render needs from the network, checked without throttling. On a slow
// network every request the render waits on in series costs a round trip (2 s on
// DevTools' Slow 3G; scripts/bench-load.sh, README "Load speed"), so:
// - the configurator's code starts all of them from the page's HTML: two in series (the
//   page, then the loader, the Wasm, the data and a fixed language's table together),
//   each fetched once (the loader is handed the preloaded answers, no second download),
//   with no CORS preflight and no redirect;
// - the plain tag needs three (page, loader, then the Wasm and data together), no more.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { services, openPage, partnerPage, SOURCE } from './harness.mjs';
import { recordNetwork, depth, configuratorSnippet } from './netlog.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

/** Loads `url` cold; returns the feed requests the widget's first render (casm:render)
 * had in hand — every request for a URL the page had received by then — each as
 * `{path, depth, ...}`. */
async function beforeFirstRender(url) {
  const { page, context, errors } = await openPage(browser);
  try {
    const requests = await recordNetwork(await context.newCDPSession(page));
    await page.addInitScript(() => document.addEventListener('casm:render', () => {
      window.casmReceived ??= performance.getEntriesByType('resource').map((e) => e.name);
    }));
    await page.goto(url);
    await page.locator('[part="vote"]').waitFor();
    const received = await page.evaluate(() => window.casmReceived);
    assert.ok(received, 'casm:render was sent');
    assert.deepEqual(errors, []);
    return requests
      .filter((r) => r.url.startsWith(feed.base) && received.includes(r.url))
      .map((r) => ({ ...r, path: r.url.slice(feed.base.length), depth: depth(r, requests) }));
  } finally {
    await context.close();
  }
}

const release = async () => (await fetch(`${feed.base}/widget/release.json`)).json();

/** Each of `paths` requested exactly once, by the page's HTML, with a plain 200 GET. */
function startedByThePage(requests, paths) {
  const summary = requests.map((r) => `${r.method} ${r.path} ${r.status} by ${r.initiator} (depth ${r.depth})`);
  assert.deepEqual(requests.map((r) => r.path).sort(), [...paths].sort(), summary.join('\n'));
  for (const r of requests) {
    assert.equal(r.method, 'GET', `no preflight: ${summary.join('\n')}`);
    assert.equal(r.status, 200, `no redirect: ${summary.join('\n')}`);
    assert.equal(r.initiator, 'parser', `started by the page's HTML: ${summary.join('\n')}`);
    assert.equal(r.depth, 2, summary.join('\n'));
  }
}

test("the configurator's code: the first render waits on two requests in series, each fetched once", async () => {
  const rel = await release();
  const snippet = await configuratorSnippet(browser, feed.base, { id: SOURCE, query: 'global partnership' });
  const url = partner.page('/hinted.html', partnerPage({ scriptSrc: 'data:text/javascript,', body: snippet }));
  startedByThePage(await beforeFirstRender(url), [
    `/widget/${rel.loader.path}`, `/widget/${rel.wasm.path}`, `/v1/resources/${SOURCE}`,
  ]);
});

test("the configurator's code in French: the language table is preloaded too", async () => {
  const rel = await release();
  const snippet = await configuratorSnippet(browser, feed.base,
    { id: SOURCE, query: 'global partnership', lang: 'fr' });
  const url = partner.page('/hinted-fr.html',
    partnerPage({ scriptSrc: 'data:text/javascript,', body: snippet, lang: 'fr' }));
  startedByThePage(await beforeFirstRender(url), [
    `/widget/${rel.loader.path}`, `/widget/${rel.wasm.path}`, `/v1/resources/${SOURCE}`,
    `/widget/${rel.lang.fr}`,
  ]);
});

test('the plain tag: three requests in series, no more, each fetched once', async () => {
  const rel = await release();
  const url = partner.page('/plain.html', partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`,
    body: `<div data-casm-widget data-resource="${SOURCE}"></div>`,
  }));
  const requests = await beforeFirstRender(url);
  const summary = requests.map((r) => `${r.method} ${r.path} by ${r.initiator} (depth ${r.depth})`).join('\n');
  assert.deepEqual(requests.map((r) => [r.path, r.method, r.depth]).sort(), [
    ['/v1/resources/casm-global-partnership', 'GET', 3],
    ['/widget/casm-widget.js', 'GET', 2],
    [`/widget/${rel.wasm.path}`, 'GET', 3],
  ], summary);
});
