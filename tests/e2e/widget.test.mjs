// The widget end to end: partner pages on their own origin embed the widget with one
// script tag from the real feed service; Chromium renders it; we check what visitors see
// and what the service recorded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  services, startFeed, partnerPage, openPage, screenshot, cleanup,
  SOURCE, HOSTILE,
} from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

const script = () => `${feed.base}/widget/casm-widget.js`;

function resourcePage(path, attrs = '', extra = {}) {
  return partner.page(path, partnerPage({
    scriptSrc: script(),
    body: `<div data-casm-widget data-resource="${SOURCE}" ${attrs}></div>`,
    ...extra,
  }));
}

const stat = (page, name) => page.locator(`[data-stat="${name}"]`).first();

test('the resource view shows every page-information field of the source page', async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(resourcePage('/resource.html', 'data-lazy="false"'));
  await page.locator('button[part="vote"]').waitFor();

  assert.equal(await page.locator('[part="title"]').textContent(),
    'Communities and Small Scale Mining (CASM): A global partnership for action');
  assert.match(await stat(page, 'popularity_rank').textContent(), /#19 of 33 items/);
  assert.equal((await stat(page, 'helpful_votes').textContent()).trim(), '0');
  // The widget shows the count it fetched, then records this visit as one page view,
  // which the live stream (/v1/stream) brings back to it.
  assert.match((await stat(page, 'page_views').textContent()).trim(), /^86[56]$/);
  for (let i = 0; i < 50 && (await feed.stats(SOURCE)).page_views !== 866; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await feed.stats(SOURCE)).page_views, 866);
  await page.locator('[data-stat="page_views"]', { hasText: '866' }).waitFor({ timeout: 2000 });
  for (const name of ['pages_emailed', 'attachments_downloaded', 'relationships_and_highlights', 'videos_downloaded']) {
    assert.equal((await stat(page, name).textContent()).trim(), '0', name);
  }
  assert.equal((await stat(page, 'metacard_views').textContent()).trim(), '1');
  const info = await page.locator('[part="info"]').first().textContent();
  assert.match(info, /Wednesday, February 29, 2012(,| at) 1:47\sPM/);
  for (const label of ['Date Created', 'Date Modified', 'Version Comment', 'Page Views', 'Pages Emailed', 'Meta-card Views']) {
    assert.match(info, new RegExp(label, 'i'), label);
  }
  const links = await page.locator('[part="link"]').allTextContents();
  for (const title of ['Roundtable Agenda', 'Roundtable Summary Report', 'List of Participants',
    'Opening Presentation', 'Final Presentation', 'Roundtable Photos', 'Submit your comments']) {
    assert.ok(links.some((l) => l.includes(title)), title);
  }
  assert.match(await page.locator('[part="partners"]').textContent(), /World Bank, IFC, DFID, CommDev/);
  // The shadow root is open and holds the widget; the host page's DOM does not.
  assert.equal(await page.evaluate(() => document.querySelector('[data-casm-widget]').shadowRoot?.mode), 'open');
  assert.equal(await page.evaluate(() => document.querySelectorAll('[data-stat]').length), 0);
  assert.deepEqual(errors, []);
  await screenshot(page, 'resource-light');
  await context.close();
});

test('on a 360 px phone the widget fits the screen: no sideways scrolling, the vote reachable', async () => {
  const { page, errors, context } = await openPage(browser, { width: 360 });
  await page.goto(resourcePage('/phone.html', 'data-lazy="false"'));
  const vote = page.locator('button[part="vote"]');
  await vote.waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360, 'no horizontal scroll');
  const box = await page.locator('[part="widget"]').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `widget within the screen: ${JSON.stringify(box)}`);
  const button = await vote.boundingBox();
  assert.ok(button.height >= 32 && button.x + button.width <= 360, `a tappable vote button: ${JSON.stringify(button)}`);
  assert.deepEqual(errors, []);
  await screenshot(page, 'resource-360px');
  await context.close();
});

test('helpful: +1, remembered across reloads, on the server, and a second click undoes it', async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(resourcePage('/vote.html', 'data-lazy="false"'));
  const button = page.locator('button[part="vote"]');
  await button.waitFor();
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  const before = Number((await stat(page, 'helpful_votes').textContent()).trim());

  await button.click();
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  await page.waitForFunction((n) => {
    const root = document.querySelector('[data-casm-widget]').shadowRoot;
    return root.querySelector('[data-stat="helpful_votes"]').textContent.trim() === String(n);
  }, before + 1);
  // The polite live region announces the new count.
  const live = page.locator('[aria-live="polite"]').first();
  await page.waitForFunction(() => {
    const root = document.querySelector('[data-casm-widget]').shadowRoot;
    return /\d/.test(root.querySelector('[aria-live="polite"]').textContent);
  });
  assert.match(await live.textContent(), new RegExp(String(before + 1)));
  // The vote is on the server.
  for (let i = 0; i < 50 && (await feed.stats(SOURCE)).helpful_votes !== before + 1; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await feed.stats(SOURCE)).helpful_votes, before + 1);

  await page.reload();
  await button.waitFor();
  assert.equal(await button.getAttribute('aria-pressed'), 'true', 'remembered after reload');
  assert.equal((await stat(page, 'helpful_votes').textContent()).trim(), String(before + 1));

  await button.click();
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  await page.waitForFunction((n) => {
    const root = document.querySelector('[data-casm-widget]').shadowRoot;
    return root.querySelector('[data-stat="helpful_votes"]').textContent.trim() === String(n);
  }, before);
  for (let i = 0; i < 50 && (await feed.stats(SOURCE)).helpful_votes !== before; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await feed.stats(SOURCE)).helpful_votes, before);
  // No cookie was set on either origin.
  assert.deepEqual(await context.cookies(), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('card and list views render with counts, and the card records a meta-card view', async () => {
  const before = (await feed.stats(SOURCE)).metacard_views;
  const url = partner.page('/views.html', partnerPage({
    scriptSrc: script(),
    body: `<div style="max-width:420px" data-casm-widget data-view="card" data-resource="${SOURCE}" data-lazy="false"></div>
           <div data-casm-widget data-view="list" data-limit="5" data-sort="popular" data-lazy="false"></div>`,
  }));
  for (const scheme of ['light', 'dark']) {
    const { page, errors, context } = await openPage(browser, { colorScheme: scheme });
    await page.goto(url);
    await page.locator('[part="card"]').waitFor();
    const card = await page.locator('[part="card"]').textContent();
    assert.match(card, /Communities and Small Scale Mining/);
    assert.match(card, /#19 of 33/);
    await page.locator('[part="item"]').first().waitFor();
    const items = page.locator('[part="item"]');
    assert.equal(await items.count(), 5);
    // Counts come from /v1/stats: the most popular item shows its helpful votes.
    const first = await items.first().locator('[data-stat="helpful_votes"]').textContent();
    assert.match(first.trim(), /^\d+$/);
    assert.deepEqual(errors, []);
    await screenshot(page, `card-and-list-${scheme}`);
    await context.close();
  }
  for (let i = 0; i < 50 && (await feed.stats(SOURCE)).metacard_views < before + 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await feed.stats(SOURCE)).metacard_views, before + 2);
});

test('dark theme and French render translated, formatted page information', async () => {
  const url = resourcePage('/fr.html', 'data-lazy="false" data-theme="dark" data-lang="fr"');
  const { page, errors, context } = await openPage(browser);
  await page.goto(url);
  await page.locator('button[part="vote"]').waitFor();
  const info = await page.locator('[part="info"]').first().textContent();
  assert.match(info, /mercredi 29 février 2012/);
  assert.match(await stat(page, 'popularity_rank').textContent(), /19/);
  const bg = await page.locator('[part="widget"]').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 200, `dark background, got ${bg}`);
  assert.deepEqual(errors, []);
  await screenshot(page, 'resource-dark-fr');
  await context.close();
  const light = await openPage(browser, { colorScheme: 'dark' });
  await light.page.goto(resourcePage('/auto-dark.html', 'data-lazy="false"'));
  await light.page.locator('button[part="vote"]').waitFor();
  await screenshot(light.page, 'resource-dark');
  await light.context.close();
});

test('aggressive global CSS on the partner page does not restyle the widget', async () => {
  const hostile = `<style>
    * { font-family: "Comic Sans MS", cursive !important; color: #f0f !important; font-size: 31px !important;
        text-transform: uppercase !important; letter-spacing: 3px !important; line-height: 3 !important; }
    button { display: none !important; } a { color: lime !important; text-decoration: line-through !important; }
    p, li, ul, span { margin: 40px !important; padding: 30px !important; border: 4px dotted red !important; }
    [part], .casm { display: none !important; }
  </style>`;
  const { page, errors, context } = await openPage(browser);
  await page.goto(resourcePage('/hostile-css.html', 'data-lazy="false"', { head: hostile }));
  const button = page.locator('button[part="vote"]');
  await button.waitFor({ state: 'visible' });
  const style = await button.evaluate((el) => {
    const s = getComputedStyle(el);
    return { fontSize: s.fontSize, transform: s.textTransform, color: s.color, display: s.display };
  });
  assert.notEqual(style.display, 'none');
  assert.notEqual(style.fontSize, '31px');
  assert.notEqual(style.transform, 'uppercase');
  assert.notEqual(style.color, 'rgb(255, 0, 255)');
  const title = await page.locator('[part="title"]').evaluate((el) => {
    const s = getComputedStyle(el);
    return { transform: s.textTransform, color: s.color, border: s.borderTopStyle };
  });
  assert.notEqual(title.transform, 'uppercase');
  assert.notEqual(title.color, 'rgb(255, 0, 255)');
  assert.notEqual(title.border, 'dotted');
  assert.deepEqual(errors, []);
  await screenshot(page, 'hostile-css');
  await context.close();
});

test('hostile feed text renders as inert text and runs nothing', async () => {
  const hostileFeed = await startFeed({ hostile: true });
  try {
    const url = partner.page('/xss.html', partnerPage({
      scriptSrc: `${hostileFeed.base}/widget/casm-widget.js`,
      body: `<div data-casm-widget data-resource="${HOSTILE.id}" data-lazy="false"></div>
             <div data-casm-widget data-view="list" data-tag="hostile" data-lazy="false"></div>`,
    }));
    const { page, errors, context } = await openPage(browser);
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs++; d.dismiss(); });
    await page.goto(url);
    await page.locator('[part="title"]').first().waitFor();
    await page.locator('[part="item"]').first().waitFor();
    assert.match(await page.locator('[part="title"]').first().textContent(), /<script>window.__pwned="title"<\/script>Hostile <b>title<\/b>/);
    assert.match(await page.locator('[part="summary"]').first().textContent(), /<img src=x onerror=/);
    const found = await page.evaluate(() => [...document.querySelectorAll('[data-casm-widget]')].map((host) => {
      const root = host.shadowRoot;
      return {
        injected: root.querySelectorAll('script, img, iframe, svg, b').length,
        hrefs: [...root.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
      };
    }));
    for (const f of found) {
      assert.equal(f.injected, 0, 'no element was created from feed text');
      for (const href of f.hrefs) assert.match(href, /^(https?:|mailto:)/i, href);
    }
    // The unsafe links are shown as plain text, the safe one as a link.
    const evil = page.locator('[part="link"]', { hasText: 'Evil link' }).first();
    assert.equal(await evil.evaluate((el) => el.tagName), 'SPAN');
    const fine = page.locator('a[part="link"]', { hasText: 'Fine link' }).first();
    assert.equal(await fine.getAttribute('rel'), 'noopener noreferrer');
    await evil.click();
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(dialogs, 0);
    assert.deepEqual(errors, []);
    await screenshot(page, 'hostile-feed');
    await context.close();
  } finally {
    await hostileFeed.stop();
    cleanup(hostileFeed.dir);
  }
});

test('with the service down: the saved copy is shown marked out of date, or an offline message; no uncaught error', async () => {
  const down = await startFeed();
  const body = `<div data-casm-widget data-feed="${down.base}" data-resource="${SOURCE}" data-lazy="false"></div>`;
  // The widget is self-hosted on the partner's origin, so it loads while the feed is down.
  const url = partner.page('/offline.html', partnerPage({ scriptSrc: `${partner.origin}/self-hosted/casm-widget.js`, body }));
  const neverSeen = partner.page('/offline-new.html', partnerPage({
    scriptSrc: `${partner.origin}/self-hosted/casm-widget.js`,
    body: `<div data-casm-widget data-feed="${down.base}" data-resource="mercury-free-gold-processing-toolkit" data-lazy="false"></div>`,
  }));
  const { page, errors, context } = await openPage(browser);
  await page.goto(url);
  await page.locator('button[part="vote"]').waitFor();
  await down.stop();
  cleanup(down.dir);

  await page.reload();
  await page.locator('[part="notice"]').waitFor();
  assert.match(await page.locator('[part="notice"]').textContent(), /cannot be reached/);
  assert.match(await page.locator('[part="title"]').textContent(), /A global partnership for action/);
  await screenshot(page, 'offline-saved-copy');

  await page.goto(neverSeen);
  await page.locator('[part="error"]').waitFor();
  assert.match(await page.locator('[part="error"]').textContent(), /cannot be reached/);
  await screenshot(page, 'offline-never-seen');
  assert.deepEqual(errors, []);
  await context.close();
});

test('one Wasm download per page, compressed; late elements mount; attribute changes re-render; unmount cleans up', async () => {
  const url = partner.page('/spa.html', partnerPage({
    scriptSrc: script(),
    body: `<div id="a" data-casm-widget data-view="card" data-resource="${SOURCE}" data-lazy="false"></div>
           <div id="b" data-casm-widget data-view="card" data-resource="women-in-asm-toolkit" data-lazy="false"></div>
           <div id="c" data-casm-widget data-view="list" data-limit="2" data-lazy="false"></div>`,
  }));
  const { page, errors, context } = await openPage(browser);
  const wasm = [];
  page.on('response', (r) => {
    if (r.url().endsWith('.wasm')) wasm.push(r);
  });
  await page.goto(url);
  await page.locator('#a [part="card"]').waitFor();
  await page.locator('#b [part="card"]').waitFor();
  await page.locator('#c [part="item"]').first().waitFor();
  assert.equal(wasm.length, 1, 'the Wasm is fetched once for three widgets');
  const headers = await wasm[0].allHeaders();
  assert.equal(headers['content-type'], 'application/wasm');
  assert.match(headers['content-encoding'] ?? '', /^(br|gzip)$/);

  // A single-page site adds a widget later.
  await page.evaluate((id) => {
    const el = document.createElement('div');
    el.id = 'late';
    el.setAttribute('data-casm-widget', '');
    el.setAttribute('data-resource', id);
    el.setAttribute('data-lazy', 'false');
    document.body.append(el);
  }, SOURCE);
  await page.locator('#late button[part="vote"]').waitFor();

  // Changing an option re-renders: French.
  await page.evaluate(() => document.getElementById('late').setAttribute('data-lang', 'fr'));
  await page.waitForFunction(() => /Informations|Popularit/.test(
    document.getElementById('late').shadowRoot.querySelector('[part="info"]')?.textContent ?? ''));

  // The script API mounts with options and unmounts.
  await page.evaluate(() => window.CasmWidget.mount(document.getElementById('a'), { view: 'resource' }));
  await page.locator('#a button[part="vote"]').waitFor();
  await page.evaluate(() => window.CasmWidget.unmount(document.getElementById('a')));
  await page.waitForFunction(() => document.getElementById('a').shadowRoot.innerHTML === '<slot></slot>');
  assert.equal(wasm.length, 1, 'still one Wasm download');
  assert.deepEqual(errors, []);
  await context.close();
});

test('navigation to visible vote button on a cold load: medians printed', async () => {
  const widgetPage = resourcePage('/timing.html', 'data-lazy="false"');
  // The floor of this harness: the same partner page with a plain button in its HTML.
  const floorPage = partner.page('/timing-floor.html', partnerPage({
    scriptSrc: 'data:text/javascript,',
    body: '<div data-casm-widget><button part="vote">Helpful 0</button></div>',
  }));
  async function coldLoads(url, n) {
    const times = [];
    for (let i = 0; i < n; i++) {
      const { page, context } = await openPage(browser);
      await page.goto(url, { waitUntil: 'commit' });
      // Checked on every animation frame inside the page: the time is when the button
      // was first on screen, not when the test noticed.
      const at = await page.waitForFunction(() => {
        const host = document.querySelector('[data-casm-widget]');
        const button = (host?.shadowRoot ?? host)?.querySelector('button[part="vote"]');
        return button && button.getBoundingClientRect().height > 0 && performance.now();
      }, null, { polling: 'raf' });
      times.push(await at.jsonValue());
      await context.close();
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  }
  const floor = await coldLoads(floorPage, 9);
  const widget = await coldLoads(widgetPage, 9);
  console.log(`navigation-to-visible-vote-button median over 9 cold loads: ${widget.toFixed(0)} ms ` +
    `(a static button on the same page: ${floor.toFixed(0)} ms; the widget adds ${(widget - floor).toFixed(0)} ms)`);
  // A coarse guard, not the speed target (that is the printed figure, see the README):
  // the same build measured 100–176 ms here from one run to the next on a busy host, so
  // a tighter bound failed builds that had not changed. Round trips made one after
  // another are what load.test.mjs checks, by counting them; this catches a widget that
  // got several times slower.
  assert.ok(widget - floor < 300, `the widget adds ${widget - floor} ms over a static button`);
});
