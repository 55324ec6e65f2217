// The eight languages end to end: each table fetched and installed from the real feed
// service, region tags resolved, plural forms as the visitor's language has them, the
// locale's digits, right to left for Arabic with English feed text isolated inside it,
// and English with one console line for a language the widget does not speak.
// The expected texts are read from the translation files themselves (src/lang/*.ftl).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { services, partnerPage, openPage, screenshot, translations as messages, SOURCE } from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

const fill = (text, values) => text.replace(/\{ \$(\w+) \}/g, (_, name) => values[name]);

function pageWith(path, attrs, { lang = 'en', dir = '' } = {}) {
  return partner.page(path, partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`,
    lang,
    dir,
    body: `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false" ${attrs}></div>`,
  }));
}

async function rootOf(page) {
  await page.locator('button[part="vote"]').waitFor();
  return page.locator('[part="widget"]').first();
}

// A region or script tag for each language, as partner pages write them.
const TAGS = { en: 'en-GB', fr: 'fr-SN', es: 'es-419', pt: 'pt-BR', sw: 'sw-KE', id: 'id-ID', ar: 'ar-SD', zh: 'zh-Hans' };

test('every language renders from its own table, chosen from region and script tags', async () => {
  const { page, errors, consoleLines, context } = await openPage(browser);
  for (const [code, tag] of Object.entries(TAGS)) {
    const texts = messages(code);
    await page.goto(pageWith(`/lang-${code}.html`, `data-lang="${tag}"`));
    const root = await rootOf(page);
    assert.equal(await root.getAttribute('lang'), code, tag);
    assert.equal(await root.getAttribute('dir'), code === 'ar' ? 'rtl' : 'ltr', tag);
    assert.equal((await page.locator('[part="vote-prompt"]').textContent()).trim(), texts['vote-prompt'], tag);
    assert.equal(await page.locator('[part="info"] h3').textContent(), texts['page-information'], tag);
    // "#19 of 33 items": the plural form of 33 in this language, in its own digits.
    const rank = (await page.locator('[data-stat="popularity_rank"]').textContent()).trim();
    const forms = texts['rank-value'];
    const template = typeof forms === 'string' ? forms
      : forms[new Intl.PluralRules(tag).select(33)] ?? forms.other;
    const nf = new Intl.NumberFormat(tag);
    assert.equal(rank, fill(template, { rank: nf.format(19), total: nf.format(33) }), tag);
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleLines.filter((l) => l.includes('[casm]')), []);
  await context.close();
});

test('Arabic lays out right to left, isolates English feed text and counts in six forms', async () => {
  const ar = messages('ar');
  for (const [width, name] of [[900, 'resource-ar'], [360, 'resource-ar-360']]) {
    const { page, errors, context } = await openPage(browser, { width });
    // ar-EG writes Arabic-Indic digits; the texts are the ar table's.
    await page.goto(pageWith(`/ar-${width}.html`, '', { lang: 'ar-EG', dir: 'rtl' }));
    const root = await rootOf(page);
    assert.equal(await root.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    const title = page.locator('[part="title"]').first();
    assert.equal(await title.getAttribute('dir'), 'auto');
    assert.equal(await title.evaluate((el) => getComputedStyle(el).direction), 'ltr',
      'the English title keeps its own direction');
    assert.match(await page.locator('[data-stat="page_views"]').textContent(), /^[٠-٩٬]+$/);
    // The vote button sits at the start (right) of its row in right-to-left layout.
    const box = await page.locator('button[part="vote"]').boundingBox();
    const prompt = await page.locator('[part="vote-prompt"]').boundingBox();
    assert.ok(box.x < prompt.x, 'the prompt is right of the button');
    if (width === 900) {
      const before = Number((await page.locator('[part="vote-count"]').textContent())
        .replace(/[٠-٩]/g, (d) => '٠١٢٣٤٥٦٧٨٩'.indexOf(d)));
      await page.locator('button[part="vote"]').click();
      const live = page.locator('[part="live"]');
      await page.waitForFunction(() => document.querySelector('[data-casm-widget]')
        .shadowRoot.querySelector('[part="live"]')?.textContent.trim());
      const n = before + 1;
      const form = ar['vote-done'][new Intl.PluralRules('ar').select(n)] ?? ar['vote-done'].other;
      assert.equal((await live.textContent()).trim(), fill(form, { n: new Intl.NumberFormat('ar-EG').format(n) }));
      await page.locator('button[part="vote"]').click();
      await page.waitForFunction(() => document.querySelector('[data-casm-widget]')
        .shadowRoot.querySelector('[part="live"]')?.textContent.includes('أُزيل'));
    }
    assert.deepEqual(errors, []);
    await screenshot(page, name);
    await context.close();
  }
});

test('Chinese, and an English widget on a right-to-left page', async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(pageWith('/zh.html', '', { lang: 'zh-CN' }));
  await rootOf(page);
  assert.equal((await page.locator('button[part="vote"]').textContent()).trim().replace(/[\d,]+$/, ''),
    messages('zh').vote);
  await screenshot(page, 'resource-zh');
  await page.goto(pageWith('/rtl-en.html', 'data-lang="en"', { lang: 'he', dir: 'rtl' }));
  const root = await rootOf(page);
  assert.equal(await root.getAttribute('dir'), 'rtl');
  assert.equal(await root.getAttribute('lang'), 'en');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a language the widget does not speak gives English and one console line', async () => {
  const { page, errors, consoleLines, context } = await openPage(browser, { locale: 'de-DE' });
  await page.goto(partner.page('/de.html', partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`,
    lang: 'de-DE',
    body: `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>
           <div data-casm-widget data-resource="${SOURCE}" data-lazy="false" data-view="card"></div>`,
  })));
  const root = await rootOf(page);
  assert.equal(await root.getAttribute('lang'), 'en');
  assert.equal((await page.locator('[part="vote-prompt"]').textContent()).trim(), messages('en')['vote-prompt']);
  await page.locator('[part="card"]').waitFor();
  const lines = consoleLines.filter((l) => l.includes('[casm]'));
  assert.equal(lines.length, 1, lines.join(' | '));
  assert.match(lines[0], /de-DE/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a view is counted only once it is drawn, also while the language table is slow', async () => {
  const { page, errors, context } = await openPage(browser, { locale: 'fr-FR' });
  // The table arrives late: the widget holds its first render for it (no English flash).
  await page.route('**/lang/fr.*.txt', async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  await page.addInitScript(() => {
    window.drawnAt = null;
    document.addEventListener('casm:render', () => { window.drawnAt ??= performance.now(); });
  });
  await page.goto(pageWith('/fr-slow.html', '', { lang: 'fr' }));
  await rootOf(page);
  await page.waitForFunction(() => performance.getEntriesByType('resource')
    .some((e) => e.name.includes('/v1/events')));
  const { drawnAt, beaconAt } = await page.evaluate(() => ({
    drawnAt: window.drawnAt,
    beaconAt: performance.getEntriesByType('resource').find((e) => e.name.includes('/v1/events')).startTime,
  }));
  assert.ok(drawnAt !== null && beaconAt >= drawnAt, `view beacon at ${beaconAt} ms, drawn at ${drawnAt} ms`);
  assert.equal((await page.locator('[part="vote-prompt"]').textContent()).trim(), messages('fr')['vote-prompt']);
  assert.deepEqual(errors, []);
  await context.close();
});
