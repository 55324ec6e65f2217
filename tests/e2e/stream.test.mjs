// Live counts (`/v1/stream`) end to end: real service, real Chromium, partner pages on
// their own origin. A vote in one browser context shows in another's widget without a
// reload; a page keeps one stream for all its widgets; a widget off screen or in a hidden
// tab closes it (seen in the service's own open-streams gauge at /metrics); a stream a
// proxy blocks leaves the widget showing its counts, with no error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  services, partnerPage, openPage, ROOT, SOURCE,
} from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

const BIN = process.env.CASM_FEED_BIN ?? join(ROOT, 'target/debug/casm-feed');
const OTHER = 'mercury-free-gold-processing-toolkit';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let staff;
function staffToken() {
  staff ??= execFileSync(BIN, ['admin', 'token', 'create', 'e2e-stream'], {
    env: { ...process.env, CASM_DATABASE: `sqlite://${join(feed.dir, 'casm.db')}`, CASM_SECRET: 'e2e' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString().trim().split('\n').pop();
  return staff;
}

/** The service's open-streams gauge. */
async function openStreams() {
  const text = await (await fetch(`${feed.base}/metrics`, {
    headers: { authorization: `Bearer ${staffToken()}` },
  })).text();
  const m = text.match(/^casm_streams_open (\d+)/m);
  return m ? Number(m[1]) : 0;
}

/** Waits until the gauge reads `n` (within `ms`). */
async function streamsBecome(n, ms = 3000) {
  const end = Date.now() + ms;
  let now;
  while ((now = await openStreams()) !== n && Date.now() < end) await sleep(50);
  assert.equal(now, n, `open streams: ${now}, expected ${n}`);
}

function page(path, body) {
  return partner.page(path, partnerPage({ scriptSrc: `${feed.base}/widget/casm-widget.js`, body }));
}

const helpful = (p) => p.locator('[data-stat="helpful_votes"]').first().textContent();

test('a vote in one browser shows in another\'s widget within 2 s, without reload', async () => {
  const url = page('/live.html', `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>`);
  const a = await openPage(browser);
  const b = await openPage(browser);
  await Promise.all([a.page.goto(url), b.page.goto(url)]);
  await a.page.locator('button[part="vote"]').waitFor();
  await b.page.locator('button[part="vote"]').waitFor();
  await streamsBecome(2);
  const before = (await feed.stats(SOURCE)).helpful_votes;
  assert.equal(await helpful(b.page), String(before));

  const started = Date.now();
  await a.page.locator('button[part="vote"]').click();
  await b.page.locator('[data-stat="helpful_votes"]', { hasText: String(before + 1) }).waitFor({ timeout: 2000 });
  const took = Date.now() - started;
  assert.ok(took < 2000, `took ${took} ms`);
  // B did not vote: its button is not pressed, and nothing was announced to B.
  assert.equal(await b.page.locator('button[part="vote"]').getAttribute('aria-pressed'), 'false');
  assert.equal(await b.page.locator('[part="live"]').textContent(), '');
  assert.match(await b.page.locator('[part="vote-count"]').textContent(), new RegExp(String(before + 1)));
  // A's own vote is announced, once, with the count.
  assert.match(await a.page.locator('[part="live"]').textContent(), new RegExp(String(before + 1)));
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.context.close();
  await b.context.close();
  await streamsBecome(0);
});

test('many widgets on a page share one stream', async () => {
  // All on screen (a widget off screen would rightly not subscribe).
  const url = page('/many.html', `
    <div data-casm-widget data-resource="${OTHER}" data-view="card" data-lazy="false"></div>
    <div data-casm-widget data-view="list" data-limit="3" data-show="info" data-lazy="false"></div>
    <div data-casm-widget data-resource="${SOURCE}" data-show="votes" data-lazy="false"></div>`);
  const { page: p, errors, context } = await openPage(browser);
  await p.goto(url);
  await p.locator('[part="list"]').waitFor();
  await p.locator('[part="card"]').waitFor();
  await sleep(300);
  await streamsBecome(1);
  // A vote on the card's resource (from elsewhere) reaches the card.
  const before = (await feed.stats(OTHER)).helpful_votes;
  const r = await fetch(`${feed.base}/v1/resources/${OTHER}/vote`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: partner.origin },
    body: JSON.stringify({ visitor: 'stream-e2e-visitor-0001', helpful: true }),
  });
  assert.equal(r.status, 200);
  await p.locator('[part="card"] [data-stat="helpful_votes"]', { hasText: String(before + 1) })
    .waitFor({ timeout: 2000 });
  assert.deepEqual(errors, []);
  await context.close();
  await streamsBecome(0);
});

test('a widget scrolled off screen or in a hidden tab closes its stream', async () => {
  const url = page('/scroll.html', `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>
    <div style="height:4000px"></div><p id="end">end</p>`);
  const { page: p, errors, context } = await openPage(browser);
  await p.goto(url);
  await p.locator('button[part="vote"]').waitFor();
  await streamsBecome(1);
  await p.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await streamsBecome(0);
  await p.evaluate(() => window.scrollTo(0, 0));
  await streamsBecome(1);
  // The tab is hidden, then shown again (as the browser says when the visitor switches).
  const setHidden = (hidden) => p.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { value: h, configurable: true });
    Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await streamsBecome(0);
  await setHidden(false);
  await streamsBecome(1);
  assert.deepEqual(errors, []);
  await context.close();
  await streamsBecome(0);
});

test('a stream a proxy blocks leaves the counts shown, with no error', async () => {
  const url = page('/blocked.html', `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>`);
  for (const block of ['abort', 'html403']) {
    const { page: p, errors, context, consoleLines } = await openPage(browser);
    let tries = 0;
    await context.route('**/v1/stream**', (route) => {
      tries += 1;
      return block === 'abort'
        ? route.abort()
        : route.fulfill({ status: 403, contentType: 'text/html', body: '<html><h1>Blocked by policy</h1></html>' });
    });
    await p.goto(url);
    await p.locator('button[part="vote"]').waitFor();
    // The browser retries by itself (about 3 s) or gives up and the widget retries (1 s).
    for (let i = 0; i < 100 && tries < 2; i++) await sleep(50);
    const expected = String((await feed.stats(SOURCE)).helpful_votes);
    assert.equal(await helpful(p), expected, block);
    assert.ok(tries >= 2, `${block}: the stream was tried again (${tries})`);
    assert.equal(await p.locator('[part="error"], [part="notice"]').count(), 0, block);
    assert.deepEqual(errors, [], block);
    const ours = consoleLines.filter((l) => l.includes('[casm]'));
    assert.ok(ours.length <= 1, `${block}: ${ours.join(' | ')}`);
    await context.close();
  }
});
