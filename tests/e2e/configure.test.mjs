// The site owners' configurator (/configure) against the real service: title search, a
// live preview that follows every choice, a snippet with only the non-default attributes,
// Copy, and that exact snippet pasted into a blank page on another origin rendering the
// same widget. The configurator is served with the strict CSP it promises to work under.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { services, openPage, screenshot, SOURCE } from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

const TITLE = 'Communities and Small Scale Mining (CASM): A global partnership for action';
const PATH = '/configure';

const casmLines = (lines) => lines.filter((l) => l.includes('[casm]'));

/** Opens the configurator (which the service sends with its strict CSP), recording violations. */
async function openConfigurator(options = {}, query = '') {
  const opened = await openPage(browser, options);
  const { page } = opened;
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const feedRequests = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/feed.json')) feedRequests.push(r.url());
  });
  const response = await page.goto(`${feed.base}${PATH}${query}`);
  assert.match(response.headers()['content-security-policy'] ?? '', /style-src 'self'/);
  return { ...opened, feedRequests };
}

const snippetText = (page) => page.locator('#snippet').textContent();

async function snippetHas(page, text) {
  await page.waitForFunction((t) => document.getElementById('snippet').textContent.includes(t), text);
}

async function snippetLacks(page, text) {
  await page.waitForFunction((t) => {
    const s = document.getElementById('snippet').textContent;
    return s !== '' && !s.includes(t);
  }, text);
}

/** The class list of the preview widget's root (`.casm`), or null before it renders. */
const previewClass = (page) => page.evaluate(() => {
  const root = document.querySelector('#preview [data-casm-widget]')?.shadowRoot;
  return root?.querySelector('.casm')?.className ?? null;
});

async function previewClassHas(page, cls) {
  await page.waitForFunction((c) => {
    const root = document.querySelector('#preview [data-casm-widget]')?.shadowRoot;
    return root?.querySelector('.casm')?.classList.contains(c) ?? false;
  }, cls);
}

/** Searches for the source resource and picks it; the preview shows it. */
async function pickSource(page, query = 'CASM') {
  await page.locator('#search').fill(query);
  // The list answers this query (not the popular list shown before typing).
  await page.waitForFunction((q) => document.getElementById('results').dataset.query === q, query);
  const result = page.locator('#results button', { hasText: TITLE });
  await result.waitFor();
  await result.click();
  assert.equal(await result.getAttribute('aria-pressed'), 'true');
  await page.locator('#preview [part="title"]').waitFor();
  assert.equal(await page.locator('#preview [part="title"]').textContent(), TITLE);
}

async function release() {
  const r = await fetch(`${feed.base}/widget/release.json`);
  assert.equal(r.status, 200, '/widget/release.json is served (the release build)');
  return r.json();
}

async function assertClean(page, errors, consoleLines) {
  assert.deepEqual(errors, []);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), [], 'no CSP violation');
  assert.deepEqual(casmLines(consoleLines), []);
}

test('search lists the resource, picking it previews it, and the snippet has only what changed', async () => {
  const rel = await release();
  const { page, errors, consoleLines, context, feedRequests } = await openConfigurator({ width: 1280 });
  // Before any typing: the most popular resources, already pickable.
  await page.locator('#results button').first().waitFor();
  assert.equal(await page.locator('#copy').isDisabled(), true, 'nothing to copy before a pick');

  // Typing is debounced: one search for the word, not one per key.
  const before = feedRequests.length;
  await page.locator('#search').pressSequentially('casm', { delay: 40 });
  await page.locator('#results button', { hasText: TITLE }).waitFor();
  await page.waitForTimeout(400);
  const searches = feedRequests.slice(before).filter((u) => u.includes('q='));
  assert.ok(searches.length >= 1 && searches.length <= 2, searches.join(' '));
  assert.match(searches.at(-1), /[?&]q=casm(&|$)/);
  for (const title of await page.locator('#results .result-title').allTextContents()) {
    assert.match(title, /casm/i);
  }
  await pickSource(page, 'global partnership');

  // Defaults only: the pinned loader and Wasm, and the one attribute that matters.
  const base = feed.base;
  assert.equal(await snippetText(page), [
    `<link rel="preconnect" href="${base}" crossorigin>`,
    `<link rel="preload" href="${base}/widget/${rel.wasm.path}" as="fetch" type="application/wasm" crossorigin="anonymous" integrity="${rel.wasm.integrity}">`,
    `<link rel="preload" href="${base}/v1/resources/${SOURCE}" as="fetch" crossorigin="anonymous">`,
    `<script src="${base}/widget/${rel.loader.path}" integrity="${rel.loader.integrity}" crossorigin="anonymous" async></script>`,
    `<div data-casm-widget data-resource="${SOURCE}"></div>`,
  ].join('\n'));
  assert.match(await previewClass(page), /\bauto\b/);
  assert.equal(await page.locator('#preview [part="info"]').count(), 1);

  // Theme → dark: the preview and the snippet follow.
  await page.locator('input[name="theme"][value="dark"]').check();
  await previewClassHas(page, 'dark');
  await snippetHas(page, `<div data-casm-widget data-resource="${SOURCE}" data-theme="dark"></div>`);

  // View → card, then without Page Information.
  await page.locator('input[name="view"][value="card"]').check();
  await previewClassHas(page, 'card');
  await snippetHas(page, `<div data-casm-widget data-view="card" data-resource="${SOURCE}" data-theme="dark"></div>`);
  assert.equal(await page.locator('input[name="part"][value="body"]').isDisabled(), true);
  await page.locator('#preview [part="info"]').waitFor();
  await page.locator('input[name="part"][value="info"]').uncheck();
  await page.locator('#preview [part="title"]').waitFor();
  await page.waitForFunction(() => {
    const root = document.querySelector('#preview [data-casm-widget]').shadowRoot;
    return root.querySelector('[part="title"]') && !root.querySelector('[part="info"]');
  });
  await snippetHas(page, 'data-show="summary"');
  // The last part cannot be unticked (none would mean all).
  await page.locator('input[name="part"][value="summary"]').uncheck().catch(() => {});
  assert.equal(await page.locator('input[name="part"][value="summary"]').isChecked(), true);

  // Language, accent and lazy loading appear only when changed from their defaults.
  await page.locator('#lang').selectOption('fr');
  await snippetHas(page, 'data-lang="fr"');
  await page.waitForFunction(() => document.querySelector('#preview [data-casm-widget]')
    .shadowRoot.querySelector('.casm')?.getAttribute('lang') === 'fr');
  // Every language the widget speaks can be chosen; Arabic previews right to left.
  assert.deepEqual(await page.locator('#lang option').evaluateAll((o) => o.map((x) => x.value)),
    ['auto', 'en', 'fr', 'es', 'pt', 'sw', 'id', 'ar', 'zh']);
  await page.locator('#lang').selectOption('ar');
  await snippetHas(page, 'data-lang="ar"');
  await page.waitForFunction(() => document.querySelector('#preview [data-casm-widget]')
    .shadowRoot.querySelector('.casm')?.getAttribute('dir') === 'rtl');
  await page.locator('#lang').selectOption('auto');
  await snippetLacks(page, 'data-lang');
  await page.locator('#accent').fill('#ff8800');
  await snippetHas(page, 'data-accent="#ff8800"');
  assert.equal(await page.locator('#accent-default').isChecked(), false);
  await page.locator('#accent-default').check();
  await snippetLacks(page, 'data-accent');
  await page.locator('#lazy').uncheck();
  await snippetHas(page, 'data-lazy="false"');
  await page.locator('#lazy').check();
  await snippetLacks(page, 'data-lazy');

  // A list needs no resource: sort and limit, defaults omitted (and info shown again).
  await page.locator('input[name="part"][value="info"]').check();
  await snippetLacks(page, 'data-show');
  await page.locator('input[name="view"][value="list"]').check();
  await page.locator('#sort').selectOption('recent');
  await page.locator('#limit').fill('3');
  await snippetHas(page, '<div data-casm-widget data-sort="recent" data-limit="3" data-theme="dark"></div>');
  await page.waitForFunction(() => document.querySelector('#preview [data-casm-widget]')
    .shadowRoot.querySelectorAll('[part="item"]').length === 3);
  await previewClassHas(page, 'list');
  // Values are attribute-escaped.
  await page.locator('#tag').fill('women & "mining" <x>');
  await snippetHas(page, 'data-tag="women &amp; &quot;mining&quot; &lt;x&gt;"');
  await page.locator('#tag').fill('');
  await page.locator('#limit').fill('10');
  await page.locator('#sort').selectOption('popular');
  await snippetHas(page, '<div data-casm-widget data-theme="dark"></div>');

  // Back to the full resource for the screenshot.
  await page.locator('input[name="view"][value="resource"]').check();
  await page.locator('#preview [part="vote"]').waitFor();
  await screenshot(page, 'configure-desktop');
  // Two columns: the preview sits beside the controls.
  const controls = await page.locator('#controls').boundingBox();
  const output = await page.locator('.output').boundingBox();
  assert.ok(output.x >= controls.x + controls.width, 'controls | preview side by side');
  await assertClean(page, errors, consoleLines);
  await context.close();
});

test('Copy puts the snippet on the clipboard, and pasted on another origin it renders the same widget', async () => {
  const { page, errors, consoleLines, context } = await openConfigurator({ width: 1280 });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: feed.base });
  await pickSource(page);
  await page.locator('input[name="theme"][value="dark"]').check();
  await page.locator('input[name="view"][value="card"]').check();
  await snippetHas(page, 'data-view="card"');
  await previewClassHas(page, 'card');
  await page.locator('#copy').click();
  await page.waitForFunction(() => document.getElementById('copy-status').textContent === 'Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await snippetText(page));
  const previewed = await previewClass(page);
  await assertClean(page, errors, consoleLines);
  await context.close();

  // The exact snippet in a blank page of a partner site (a fresh browser context: cold).
  const url = partner.page('/pasted.html',
    '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>' + copied + '</body></html>');
  const pasted = await openPage(browser, { width: 1280 });
  const requests = [];
  pasted.page.on('request', (r) => requests.push(r.url()));
  await pasted.page.goto(url);
  const title = pasted.page.locator('[part="title"]');
  await title.waitFor();
  assert.equal(await title.textContent(), TITLE);
  const root = await pasted.page.evaluate(
    () => document.querySelector('[data-casm-widget]').shadowRoot.querySelector('.casm').className);
  assert.equal(root, previewed);
  assert.match(root, /\bdark\b/);
  assert.match(root, /\bcard\b/);
  const rel = await release();
  // The pinned loader, and one Wasm download (the preload, reused by the loader).
  assert.ok(requests.includes(`${feed.base}/widget/${rel.loader.path}`), requests.join(' '));
  assert.equal(requests.filter((u) => u.endsWith('.wasm')).length, 1, requests.join(' '));
  assert.deepEqual(pasted.errors, []);
  assert.deepEqual(casmLines(pasted.consoleLines), []);
  // (Chromium notes that it ignores `integrity` on a fetch preload: the loader's own
  // fetch carries the same integrity and is checked.)
  assert.deepEqual(pasted.consoleLines.filter((l) => /preload/i.test(l) && !/integrity. attribute is currently ignored/.test(l)), []);
  await screenshot(pasted.page, 'configure-pasted');
  await pasted.context.close();
});

test('at 360 px wide: one column, no horizontal scroll', async () => {
  const { page, errors, consoleLines, context } = await openConfigurator({ width: 360 });
  await pickSource(page);
  await snippetHas(page, SOURCE);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.body.scrollWidth]);
  assert.ok(widths.every((w) => w <= 360), `scrollWidth ${widths}`);
  const controls = await page.locator('#controls').boundingBox();
  const output = await page.locator('.output').boundingBox();
  assert.ok(output.y >= controls.y + controls.height, 'the preview comes after the controls');
  for (const sel of ['#search', '#copy', '#lang', 'input[name="theme"][value="dark"]']) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 360, `${sel} within the screen`);
  }
  await page.locator('input[name="theme"][value="dark"]').check();
  await previewClassHas(page, 'dark');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
  await screenshot(page, 'configure-360');
  await assertClean(page, errors, consoleLines);
  await context.close();
});

test('the page speaks French to a French browser (and ?lang= chooses)', async () => {
  const { page, errors, consoleLines, context } = await openConfigurator({ locale: 'fr-FR', width: 1280 });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
  assert.equal(await page.locator('label[for="search"]').textContent(), 'Chercher dans le catalogue par titre');
  assert.equal(await page.locator('#copy').textContent(), 'Copier');
  assert.equal(await page.locator('#preview-heading').textContent(), 'Aperçu');
  await pickSource(page, 'casm');
  // The widget in "automatic" language follows the page: French.
  await page.waitForFunction(() => document.querySelector('#preview [data-casm-widget]')
    .shadowRoot.querySelector('.casm')?.getAttribute('lang') === 'fr');
  await page.locator('#search').fill('zzzz-introuvable');
  await page.waitForFunction(() => document.getElementById('search-status').textContent.includes('Aucun titre'));
  await page.locator('#search').fill('casm');
  await page.waitForFunction(() => document.getElementById('results').dataset.query === 'casm');
  // Keyboard only: arrows from the search box through the results, Enter picks.
  await page.locator('#search').focus();
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('ArrowDown');
    if ((await page.evaluate(() => document.activeElement.textContent)).includes(TITLE)) break;
  }
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#results button', { hasText: TITLE }).getAttribute('aria-pressed'), 'true');
  await page.locator('#preview [part="title"]').waitFor();
  await screenshot(page, 'configure-fr');
  await assertClean(page, errors, consoleLines);
  await context.close();

  const en = await openConfigurator({ locale: 'fr-FR' }, '?lang=en');
  assert.equal(await en.page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await en.page.locator('#copy').textContent(), 'Copy');
  await en.context.close();
});

test('without /widget/release.json the page says the code cannot be written', async () => {
  const opened = await openPage(browser);
  await opened.page.route(`${feed.base}/widget/release.json`, (route) => route.fulfill({ status: 404, body: '{}' }));
  await opened.page.goto(`${feed.base}${PATH}`);
  await opened.page.locator('#release-error').waitFor();
  assert.match(await opened.page.locator('#release-error').textContent(), /release\.json.*HTTP 404/);
  await pickSource(opened.page);
  assert.equal(await opened.page.locator('#copy').isDisabled(), true);
  assert.deepEqual(opened.errors, []);
  await opened.context.close();
});
