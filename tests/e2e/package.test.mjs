// The widget as an npm package (pkg/, made by wasm-pack): an ES module page imports it the
// way a bundler user does, and the script-tag loader uses only that module's public
// interface, failing loudly (widget and console) when it is not there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  services, partnerPage, openPage, screenshot, translations,
  ROOT, SOURCE,
} from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

const stat = (page, name) => page.locator(`[data-stat="${name}"]`).first();
const casmLines = (lines) => lines.filter((l) => l.includes('[casm]'));

test('the feed service serves the package module as JavaScript and its Wasm as application/wasm', async () => {
  const js = await fetch(`${feed.base}/widget/casm_widget.js`, { headers: { origin: partner.origin } });
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^(text|application)\/javascript\b/);
  // A module imported from another origin needs CORS.
  assert.equal(js.headers.get('access-control-allow-origin'), '*');
  assert.match(await js.text(), /^export function mount\(/m);
  const wasm = await fetch(`${feed.base}/widget/casm_widget_bg.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  const pkg = await (await fetch(`${feed.base}/widget/package.json`)).json();
  assert.equal(pkg.name, 'casm-widget');
  assert.ok(pkg.files.includes('casm_widget.js') && pkg.files.includes('casm_widget_bg.wasm'));
});

test('ES module page: import init, { mount } from the package renders a widget that votes', async () => {
  const { page, errors, consoleLines, context } = await openPage(browser);
  await page.goto(`${feed.base}/esm.html`);
  const button = page.locator('button[part="vote"]');
  await button.waitFor({ state: 'visible' });
  assert.equal(await page.locator('[part="title"]').textContent(),
    'Communities and Small Scale Mining (CASM): A global partnership for action');
  assert.equal(await page.evaluate(() => document.getElementById('widget').shadowRoot?.mode), 'open');
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  const before = Number((await stat(page, 'helpful_votes').textContent()).trim());

  await button.click();
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  await page.waitForFunction((n) => {
    const root = document.getElementById('widget').shadowRoot;
    return root.querySelector('[data-stat="helpful_votes"]').textContent.trim() === String(n);
  }, before + 1);
  for (let i = 0; i < 50 && (await feed.stats(SOURCE)).helpful_votes !== before + 1; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await feed.stats(SOURCE)).helpful_votes, before + 1);
  await screenshot(page, 'esm-module-page');
  // Undo, so other tests see the catalogue's counts.
  await button.click();
  assert.equal(await button.getAttribute('aria-pressed'), 'false');
  await page.waitForFunction((n) => {
    const root = document.getElementById('widget').shadowRoot;
    return root.querySelector('[data-stat="helpful_votes"]').textContent.trim() === String(n);
  }, before);
  // The handle mount() returned unmounts.
  await page.evaluate(() => window.casmWidget.unmount());
  await page.waitForFunction(() => document.getElementById('widget').shadowRoot.innerHTML === '<slot></slot>');
  assert.deepEqual(errors, []);
  assert.deepEqual(casmLines(consoleLines), []);
  await context.close();
});

test('the loader and the bundler name no private wasm-bindgen function', () => {
  for (const file of ['www/casm-widget.js', 'scripts/bundle-widget.js']) {
    const src = readFileSync(join(ROOT, file), 'utf8');
    assert.doesNotMatch(src, /__wbg_|__wbindgen/, file);
  }
});

// The build's language tables, served next to a loader the partner site serves from `dir`
// (where the loader looks for them); returns their map.
function serveTables(dir) {
  const { lang } = JSON.parse(readFileSync(join(ROOT, 'pkg/release.json'), 'utf8'));
  for (const file of Object.values(lang)) {
    partner.page(`${dir}${file}`, readFileSync(join(ROOT, 'pkg', file), 'utf8'), 'text/plain; charset=utf-8');
  }
  return lang;
}

// The loader's source with a stand-in for the glue the build would insert, served from
// `dir` with the language tables, its markers filled as the build fills them.
function loaderWith(dir, glueBody) {
  const src = readFileSync(join(ROOT, 'www/casm-widget.js'), 'utf8');
  const marker = '/* @wasm-bindgen-glue@ */';
  assert.equal(src.split(marker).length, 2, 'one glue marker in the loader');
  // English's own messages, where they start in a table, how many texts a table holds.
  const en = translations('en');
  const ids = Object.keys(en);
  const say = [en['loader-failed'], en['loader-view-resource'], en['loader-view-resources'],
    ids.indexOf('loader-failed'), ids.length + 1];
  const code = src.replace(marker, () => glueBody)
    .replace("'@casm-messages@'", () => JSON.stringify(say))
    .replace("'@casm-langs@'", () => JSON.stringify(serveTables(dir)));
  return partner.page(`${dir}casm-widget.js`, code, 'text/javascript');
}

// Two widgets, one far below the fold (lazy: not yet started when the failure is known).
function failingPage(path, scriptSrc) {
  return partner.page(path, partnerPage({
    scriptSrc,
    body: `<div id="top" data-casm-widget data-resource="${SOURCE}"></div>
           <div style="height:3000px"></div>
           <div id="below" data-casm-widget data-resource="${SOURCE}" data-lang="fr"></div>
           <div id="rtl" data-casm-widget data-resource="${SOURCE}" data-lang="ar-SD"></div>`,
  }));
}

async function expectFailure(url, consoleMatch) {
  const { page, errors, consoleLines, context } = await openPage(browser);
  await page.addInitScript(() => {
    window.casmErrors = [];
    document.addEventListener('casm:error', (e) => window.casmErrors.push([e.target.id, e.detail.code]));
  });
  await page.goto(url);
  await page.locator('#top [part="error"]').waitFor();
  await page.locator('#below [part="error"]').waitFor({ state: 'attached' });
  await page.locator('#rtl [part="error"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('#top [part="error"] p').textContent(), 'The CASM widget could not be loaded.');
  // French and Arabic come from their tables, which the loader fetches.
  await page.locator('#below [part="error"] p', { hasText: 'Le widget CASM' }).waitFor({ state: 'attached' });
  await page.locator('#rtl [part="error"] p', { hasText: 'CASM' }).waitFor({ state: 'attached' });
  assert.equal(await page.locator('#below [part="error"] p').textContent(), 'Le widget CASM n’a pas pu être chargé.');
  // A plain link to the resource's page, in the page's language, stands in for it.
  const link = page.locator('#below [part="fallback-link"]');
  assert.equal(await link.textContent(), 'Voir cette ressource');
  // Arabic, right to left (ar-SD resolves to ar).
  assert.equal(await page.locator('#rtl [part="error"] p').textContent(), 'تعذّر تحميل أداة CASM.');
  assert.equal(await page.locator('#rtl [part="error"]').evaluate((el) => getComputedStyle(el).direction), 'rtl');
  assert.match(await link.getAttribute('href'), new RegExp(`/resource\\.html\\?id=${SOURCE}$`));
  await page.waitForTimeout(100);
  // The page's analytics hear of it too, once per widget.
  assert.deepEqual(await page.evaluate(() => window.casmErrors.sort()),
    [['below', 'widget_unavailable'], ['rtl', 'widget_unavailable'], ['top', 'widget_unavailable']]);
  const lines = casmLines(consoleLines);
  assert.equal(lines.length, 1, `one [casm] console line, got: ${lines.join(' | ')}`);
  assert.match(lines[0], consoleMatch);
  assert.deepEqual(errors, []);
  return { page, context };
}

test('a glue without mount: every widget shows the failure and one console line names it', async () => {
  const script = loaderWith('/no-mount/',
    'return { default: function () { return Promise.resolve({}); }, initSync: function () {} };');
  const { page, context } = await expectFailure(failingPage('/no-mount.html', script), /exports no mount function/);
  await screenshot(page, 'loader-missing-mount');
  await context.close();
});

test('a glue without its init (default) fails the same way, naming default', async () => {
  const script = loaderWith('/no-init/', 'function mount() {} return { mount: mount };');
  const { context } = await expectFailure(failingPage('/no-init.html', script), /exports no default function/);
  await context.close();
});

test('a glue that throws while it runs fails the same way', async () => {
  const script = loaderWith('/throws/', 'throw new Error("glue broke");');
  const { context } = await expectFailure(failingPage('/throws.html', script), /failed to run.*glue broke/);
  await context.close();
});

test('a browser without WebAssembly gets a plain link, the partner\'s own fallback stays, nothing throws', async () => {
  const { page, errors, consoleLines, context } = await openPage(browser);
  await page.addInitScript(() => { delete window.WebAssembly; });
  await page.goto(partner.page('/no-wasm-browser.html', partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`,
    body: `<div id="plain" data-casm-widget data-resource="${SOURCE}"></div>
           <div id="own" data-casm-widget data-resource="${SOURCE}">
             <a id="partner-link" href="/our-copy.html">Read it on our site</a></div>`,
  })));
  const link = page.locator('#plain [part="fallback-link"]');
  await link.waitFor();
  assert.equal(await link.textContent(), 'View this resource');
  assert.equal(await link.getAttribute('href'), `${feed.base}/resource.html?id=${SOURCE}`);
  // The partner's own content is the fallback where there is some: it stays visible.
  await page.locator('#own').locator('slot').waitFor({ state: 'attached' });
  assert.ok(await page.locator('#partner-link').isVisible());
  assert.equal(await page.locator('#own [part="error"]').count(), 0);
  assert.deepEqual(errors, []);
  const lines = casmLines(consoleLines);
  assert.equal(lines.length, 1, lines.join(' | '));
  assert.match(lines[0], /runs no WebAssembly/);
  await screenshot(page, 'no-webassembly');
  await context.close();
});

test('the real build whose init rejects (no Wasm next to the loader) fails the same way', async () => {
  const built = readFileSync(join(ROOT, 'pkg/casm-widget.js'), 'utf8');
  const script = partner.page('/no-wasm/casm-widget.js', built, 'text/javascript');
  serveTables('/no-wasm/');
  const { context } = await expectFailure(failingPage('/no-wasm.html', script), /could not load \S+\/casm_widget_bg\.[0-9a-f]{16}\.wasm/);
  await context.close();
});
