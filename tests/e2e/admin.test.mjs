// The CASM team's console (/admin/) against the real service: sign-in with a token made by
// `casm-feed admin token create`, partner pages on two origins (two partners) casting
// views, votes and comments through the widget, and the console showing them (totals,
// chart and its table, partner table, resources with sparklines), moderating and erasing
// comments (a hostile comment shows literally and runs nothing), editing a resource that
// a partner page then shows without a restart, a partner token seeing only its own
// numbers, a 360 px phone, axe-core on every view, and no CSP violation (the console is
// served under `script-src 'self'; style-src 'self'`).
//
// Each area is its own test(); they run in order on one service and share its data.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startFeed, startPartner, launchBrowser, partnerPage, openPage, screenshot, cleanup, axe, ROOT, SOURCE,
} from './harness.mjs';

const BIN = process.env.CASM_FEED_BIN ?? join(ROOT, 'target/debug/casm-feed');
const TITLE = 'Communities and Small Scale Mining (CASM): A global partnership for action';
const E2E_NAME = 'End-to-end partner pages';
const OTHER_NAME = 'Another partner site';
const HOSTILE_TEXT = '<script>window.__pwned="script"</script><img src=x onerror="window.__pwned=\'img\'">'
  + '<a href="javascript:window.__pwned=\'link\'">click</a> & done';
const CONTACT = 'miner@example.org';

let feed;
let partner;
let browser;
let staffToken;
let partnerToken;
let otherOrigin; // the same partner server, as http://localhost:PORT: partner "other"

let dir;

/** Runs the casm-feed command line on the test's database, as startFeed does. */
function cli(args) {
  return execFileSync(BIN, args, {
    env: { ...process.env, CASM_DATABASE: `sqlite://${join(dir, 'casm.db')}`, CASM_SECRET: 'e2e' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).toString().trim();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  // The console's chart library is vendored by scripts/setup.sh; a bare `node --test`
  // run does it here.
  if (!existsSync(join(ROOT, 'www/admin/vendor/uPlot.iife.min.js'))) {
    execFileSync(join(ROOT, 'scripts/vendor-console.sh'));
  }
  // The database as the harness makes it (the demo catalogue, partner e2e on
  // http://127.0.0.1:*), plus a second partner: the same partner server reached as
  // localhost, another origin. On SQLite the service reads partners once, at start.
  dir = mkdtempSync(join(tmpdir(), 'casm-e2e-admin-'));
  cli(['import', join(ROOT, 'data/demo-catalogue.json')]);
  cli(['partner', 'add', 'e2e', '--name', E2E_NAME, '--origin', 'http://127.0.0.1:*']);
  cli(['partner', 'add', 'other', '--name', OTHER_NAME, '--origin', 'http://localhost:*']);
  feed = await startFeed({ dir });
  partner = await startPartner();
  browser = await launchBrowser();
  otherOrigin = partner.origin.replace('127.0.0.1', 'localhost');
  // Tokens are read on each request: made while the service runs.
  staffToken = cli(['admin', 'token', 'create', 'ana']);
  partnerToken = cli(['partner', 'token', 'create', 'e2e']);
});

after(async () => {
  await browser?.close();
  await feed?.stop();
  await partner?.stop();
  cleanup(dir);
});

const api = (path, init = {}) => fetch(`${feed.base}${path}`, {
  ...init,
  headers: { authorization: `Bearer ${staffToken}`, ...(init.headers ?? {}) },
});

// ---- The console in a page -------------------------------------------------------------------

/** Opens the console with CSP violations recorded; signs in with `tokenValue` if given. */
async function openConsole({ width = 1280, hash = '', tokenValue = staffToken, colorScheme = 'light' } = {}) {
  const opened = await openPage(browser, { width, colorScheme });
  const { page } = opened;
  page.setDefaultTimeout(8000);
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const response = await page.goto(`${feed.base}/admin/${hash}`);
  assert.equal(response.status(), 200);
  if (tokenValue) await signIn(page, tokenValue);
  return opened;
}

async function signIn(page, value) {
  await page.locator('#token').fill(value);
  await page.locator('#signin-form button[type="submit"]').click();
  await page.locator('#account').waitFor();
  await page.locator('#view h1').waitFor();
}

/** Goes to a view and waits until it has rendered (no aria-busy). */
async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction(() => !document.getElementById('view').hasAttribute('aria-busy')
    && !document.querySelector('#view .loading'));
}

async function assertClean(page, errors) {
  assert.deepEqual(errors, [], 'no page errors');
  assert.deepEqual(await page.evaluate(() => window.cspViolations), [], 'no CSP violation');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'nothing hostile ran');
}

async function noSidewaysScroll(page, width) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= width, `no horizontal scroll: scrollWidth ${w} > ${width}`);
}

const text = (page, sel) => page.locator(sel).first().textContent();
/** The UTC day `offset` days from today, as YYYY-MM-DD. */
const isoDay = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

// ---- Partner pages ---------------------------------------------------------------------------

function resourcePage(path) {
  return partner.page(path, partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`,
    body: `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>`,
  }));
}

async function until(fn, what, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${typeof what === 'function' ? await what() : what}`);
    await sleep(100);
  }
}

/** One visitor (a fresh context) on a partner page: a view, and a vote if asked. */
async function visit(url, { vote = false } = {}) {
  const { page, context } = await openPage(browser);
  await page.goto(url);
  await page.locator('[part="title"]').waitFor();
  if (vote) {
    const before = (await feed.stats(SOURCE)).helpful_votes;
    await page.locator('button[part="vote"]').click();
    await until(async () => (await feed.stats(SOURCE)).helpful_votes === before + 1, 'the vote');
  }
  await context.close();
}

// ---- Tests ------------------------------------------------------------------------------------

test('/admin/ is served under the strict CSP, its HTML never stored; /admin redirects', async () => {
  const r = await fetch(`${feed.base}/admin/`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-security-policy'),
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('access-control-allow-origin'), null, 'no CORS on the console');
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /\sstyle=|<style/, 'no inline style');
  const js = await fetch(`${feed.base}/admin/admin.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  const vendor = await fetch(`${feed.base}/admin/vendor/uPlot.iife.min.js`);
  assert.equal(vendor.status, 200, 'uPlot is vendored (scripts/vendor-console.sh)');
  const bare = await fetch(`${feed.base}/admin`, { redirect: 'manual' });
  assert.ok([301, 307, 308].includes(bare.status), `/admin redirects (${bare.status})`);
  assert.equal(new URL(bare.headers.get('location'), feed.base).pathname, '/admin/');
});

test('sign-in: a bad token gets a clear 401 message; a staff token signs in, kept in sessionStorage only; Sign out forgets it', async () => {
  const { page, errors, context } = await openConsole({ tokenValue: null });
  await page.locator('#token').waitFor();
  await page.locator('#token').fill('not-a-real-token');
  await page.locator('#signin-form button[type="submit"]').click();
  const error = page.locator('#signin-error');
  await error.waitFor();
  assert.match(await error.textContent(), /not accepted \(401/);
  assert.equal(await page.locator('#nav').isHidden(), true);
  await axe(page, 'sign-in');
  await screenshot(page, 'admin-signin-401');

  await signIn(page, staffToken);
  assert.match(await text(page, '#who'), /ana \(CASM staff\)/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('casm:console-token')), staffToken);
  assert.equal(await page.evaluate(() => JSON.stringify(localStorage)), '{}', 'nothing in localStorage');
  assert.deepEqual(await context.cookies(), [], 'no cookie');
  // A reload in the same tab stays signed in.
  await page.reload();
  await page.locator('#account').waitFor();
  assert.equal(await page.locator('#nav a[data-route="moderation"]').isVisible(), true);

  await page.locator('#signout').click();
  await page.locator('#token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('casm:console-token')), null);
  assert.equal(await page.locator('#nav').isHidden(), true);
  await assertClean(page, errors);
  await context.close();
});

test('partner pages cast views, votes and comments (widget, two partner origins)', async () => {
  const e2ePage = resourcePage('/res.html');
  const otherPage = resourcePage('/other.html').replace(partner.origin, otherOrigin);
  const views = (await feed.stats(SOURCE)).page_views;
  await visit(e2ePage, { vote: true });
  await visit(e2ePage, { vote: true });
  await visit(e2ePage);
  await visit(otherPage);
  const statsByPartner = async () => (await fetch(`${feed.base}/v1/stats?ids=${SOURCE}&by=partner`)).json();
  await until(async () => (await feed.stats(SOURCE)).page_views === views + 4,
    async () => `four page views: ${JSON.stringify((await statsByPartner()).resources[SOURCE].partners)}`);
  const byPartner = await statsByPartner();
  assert.equal(byPartner.resources[SOURCE].partners.e2e.page_views, 3);
  assert.equal(byPartner.resources[SOURCE].partners.e2e.helpful_votes, 2);
  assert.equal(byPartner.resources[SOURCE].partners.other.page_views, 1);

  // A comment through the widget's "Submit your comments" form.
  const { page, context } = await openPage(browser);
  await page.goto(e2ePage);
  await page.locator('[part="link"]', { hasText: 'Submit your comments' }).click();
  await page.locator('[part="feedback-form"] textarea[name="text"]').fill('The agenda link is broken.');
  await page.locator('[part="feedback-form"] input[name="contact"]').fill(CONTACT);
  await page.locator('[part="feedback-form"] button[type="submit"]').click();
  await page.locator('[part="feedback-status"][role="status"]').waitFor();
  // Two more straight from the partner page (its Origin): one hostile, one from the same
  // contact (to be erased), and one from another contact.
  const post = (body) => page.evaluate(async ({ url, body }) => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return r.status;
  }, { url: `${feed.base}/v1/resources/${SOURCE}/feedback`, body });
  const visitor = 'e2e-visitor-console-0001';
  assert.equal(await post({ visitor, text: HOSTILE_TEXT, contact: 'javascript:alert(1)' }), 202);
  assert.equal(await post({ visitor, text: 'Second message from the same person.', contact: CONTACT }), 202);
  assert.equal(await post({ visitor, text: 'Please add the French version.' }), 202);
  await context.close();
  // The commenting visitor was one more view from e2e: 4 + 1 in all.
  const after = (await statsByPartner()).resources[SOURCE].partners;
  assert.equal(after.e2e.page_views, 4);
  assert.equal(after.other.page_views, 1);
});

test('overview: totals with the change, the chart (stacked / split) and its table, CSV', async () => {
  const { page, errors, context } = await openConsole();
  await go(page, '#overview');
  await page.locator('button.seg', { hasText: '7 days' }).click();
  await page.waitForFunction(() => document.querySelector('.card[data-counter="page_views"] .value'));
  await page.waitForFunction(() => !document.querySelector('#view .loading'));
  const views = Number((await text(page, '.card[data-counter="page_views"] .value')).replace(/\D/g, ''));
  assert.equal(views, 5, 'five page views this week');
  assert.equal(await text(page, '.card[data-counter="helpful_votes"] .value'), '2');
  assert.match(await text(page, '.card[data-counter="page_views"] .change'), /\+5/);
  for (const c of ['downloads', 'pages_emailed', 'metacard_views']) {
    assert.equal(await page.locator(`.card[data-counter="${c}"]`).count(), 1, c);
  }

  // The chart has a text alternative and a table.
  const fig = page.locator('figure[data-chart="page_views"]');
  const label = await fig.locator('.plot').getAttribute('aria-label');
  assert.match(label, new RegExp(`${E2E_NAME} 4`));
  assert.match(label, new RegExp(`${OTHER_NAME} 1`));
  await fig.locator('canvas').first().waitFor();
  await fig.locator('summary', { hasText: 'Show as a table' }).click();
  const headers = await fig.locator('table thead th').allTextContents();
  assert.ok(headers.includes(E2E_NAME) && headers.includes(OTHER_NAME), headers.join('|'));
  const todayRow = await fig.locator('table tbody tr').last().locator('td').allTextContents();
  assert.equal(todayRow.map(Number).reduce((a, b) => a + b, 0), 5, 'today: 5 views in the table');
  const votes = page.locator('figure[data-chart="helpful_votes"] .plot');
  assert.match(await votes.getAttribute('aria-label'), new RegExp(`${E2E_NAME} 2`));
  await screenshot(page, 'admin-overview');

  await page.locator('input[name="mode"][value="split"]').check();
  await page.waitForFunction(() => document.querySelector('figure[data-chart="page_views"] figcaption')?.textContent.includes('by partner'));
  await page.locator('figure[data-chart="page_views"] canvas').first().waitFor();
  await axe(page, 'overview');

  // Download CSV: fetched with the token, saved from a Blob URL.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /page_views|day|date/i);
  assert.match(download.suggestedFilename(), /\.csv$/);
  await assertClean(page, errors);
  await context.close();
});

test('partners: which sites drive views and votes, sortable by column', async () => {
  const { page, errors, context } = await openConsole();
  await go(page, '#partners');
  const table = page.locator('#partners-table');
  await table.waitFor();
  const rows = await table.locator('tbody tr').allTextContents();
  assert.match(rows[0], new RegExp(E2E_NAME), 'most page views first');
  const e2eRow = table.locator('tbody tr', { hasText: E2E_NAME });
  const cells = await e2eRow.locator('td').allTextContents();
  assert.equal(cells[0], '4', 'page views');
  assert.equal(cells[1], '2', 'helpful votes');
  assert.equal(await table.locator('th[aria-sort]').count(), 1);
  assert.equal(await table.locator('th[aria-sort="descending"] button').getAttribute('data-sort'), 'page_views');
  await table.locator('button[data-sort="name"]').click();
  assert.equal(await table.locator('th[aria-sort]').getAttribute('aria-sort'), 'ascending');
  const names = await table.locator('tbody th').allTextContents();
  assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
  await table.locator('button[data-sort="helpful_votes"]').press('Enter'); // keyboard
  assert.equal(await table.locator('th[aria-sort="descending"] button').getAttribute('data-sort'), 'helpful_votes');
  await axe(page, 'partners');
  await screenshot(page, 'admin-partners');
  await assertClean(page, errors);
  await context.close();
});

test('resources: ranks, counters and a 30-day sparkline with a text alternative; rows link to the resource page', async () => {
  const { page, errors, context } = await openConsole();
  await go(page, '#resources');
  const table = page.locator('#resources-table');
  await table.waitFor();
  const row = table.locator('tbody tr', { hasText: TITLE });
  const spark = row.locator('svg.spark');
  const label = await spark.getAttribute('aria-label');
  assert.match(label, /^page views, last 30 days: (0, ){29}5, total 5$/);
  await axe(page, 'resources');
  await screenshot(page, 'admin-resources');
  await row.locator('a').click();
  await page.waitForFunction(() => location.hash.startsWith('#resource/'));
  await page.locator('#view h1', { hasText: TITLE }).waitFor();
  await assertClean(page, errors);
  await context.close();
});

test('moderation: the queue shows every field as text (a hostile comment runs nothing), mark handled, archive, delete, erase a contact', async () => {
  const { page, errors, context } = await openConsole();
  await go(page, '#moderation');
  const list = page.locator('#view .messages');
  await list.waitFor();
  assert.equal(await list.locator('.message').count(), 4);
  // Newest first.
  const texts = await list.locator('.message .text').allTextContents();
  assert.equal(texts[0], 'Please add the French version.');
  assert.equal(texts.at(-1), 'The agenda link is broken.');
  // The hostile one, literally.
  const hostile = list.locator('.message', { hasText: 'window.__pwned' });
  assert.equal(await hostile.locator('.text').textContent(), HOSTILE_TEXT);
  assert.equal(await hostile.locator('.contact').textContent(), 'javascript:alert(1)');
  assert.equal(await hostile.locator('.text *').count(), 0, 'no element made from the text');
  assert.equal(await page.locator('#view a[href^="javascript:"], #view img, #view script:not([src])').count(), 0);
  const fields = await list.locator('.message').first().locator('dt').allTextContents();
  assert.deepEqual(fields, ['Resource', 'Partner', 'Date', 'Contact']);
  assert.match(await list.locator('.message').first().locator('dd').nth(1).textContent(), /e2e|End-to-end/);
  await axe(page, 'moderation');
  await screenshot(page, 'admin-moderation');

  // Mark handled: it leaves "new" and shows under "handled".
  await list.locator('.message', { hasText: 'French version' }).locator('button[data-action="handled"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#view .message').length === 3);
  await page.locator('button.seg[data-status="handled"]').click();
  await page.waitForFunction(() => document.querySelector('button.seg[data-status="handled"]').getAttribute('aria-pressed') === 'true'
    && document.querySelectorAll('#view .message').length === 1);
  // Archive it from there.
  await page.locator('#view .message button[data-action="archived"]').click();
  await page.waitForFunction(() => document.querySelector('#view .empty'));
  await page.locator('button.seg[data-status="archived"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#view .message').length === 1);
  // Delete, after the dialog.
  await page.locator('#view .message button[data-action="delete"]').click();
  const dialog = page.locator('dialog#confirm');
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.getElementById('confirm').open), true);
  await page.locator('#confirm-ok').click();
  await page.waitForFunction(() => document.querySelector('#view .empty'));

  // Erase everything from the contact: the dialog first; Cancel keeps them.
  await page.locator('button.seg[data-status="new"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#view .message').length === 3);
  const own = list.locator('.message', { hasText: 'agenda link' });
  await own.locator('button[data-action="erase"]').click();
  await dialog.waitFor();
  assert.match(await text(page, '#confirm-text'), new RegExp(CONTACT));
  await screenshot(page, 'admin-erase-dialog');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.getElementById('confirm').open);
  assert.equal(await list.locator('.message').count(), 3);
  await own.locator('button[data-action="erase"]').click();
  await page.locator('#confirm-ok').click();
  await page.waitForFunction(() => document.querySelectorAll('#view .message').length === 1);
  assert.match(await text(page, '#view .feedback-box .status'), /Erased 2 messages/);
  const r = await api(`/v1/admin/feedback?status=new`);
  const left = (await r.json()).items;
  assert.ok(left.every((f) => f.contact !== CONTACT), 'nothing from the contact is left');
  await assertClean(page, errors);
  await context.close();
});

test('the editor: a new title and a link, saved as a new version, shows on the partner page without a restart; Retire asks first', async () => {
  const { page, errors, context } = await openConsole();
  await go(page, `#resource/${SOURCE}`);
  const form = page.locator('#editor');
  await form.waitFor();
  await page.locator('#links-table').waitFor();
  assert.match(await text(page, '#editor-version'), /version: 1$/);
  const title = form.locator('input[name="title"]');
  assert.equal(await title.inputValue(), TITLE);
  await title.fill(`${TITLE} (updated)`);
  const body = form.locator('textarea[name="body"]');
  const paragraphs = (await body.inputValue()).split('\n\n');
  assert.equal(paragraphs.length, 5);
  await body.fill([...paragraphs, 'A new closing paragraph.'].join('\n\n'));
  await form.locator('button', { hasText: 'Add a link' }).click();
  const row = form.locator('.link-row').last();
  await row.locator('input[name="id"]').fill('follow-up');
  await row.locator('input[name="link_title"]').fill('Follow-up note');
  await row.locator('input[name="url"]').fill('https://example.org/follow-up');
  await row.locator('select[name="kind"]').selectOption('page');
  await form.locator('input[name="version_comment"]').fill('Follow-up added');
  await axe(page, 'resource page');
  await form.locator('button[type="submit"]').click();
  await page.waitForFunction(() => /Saved: version 2/.test(document.getElementById('editor-status').textContent));
  assert.match(await text(page, '#editor-version'), /version: 2$/);
  await screenshot(page, 'admin-resource');

  // The partner page, loaded now, shows the new version.
  const { page: p, context: c } = await openPage(browser);
  await p.goto(resourcePage('/after-edit.html'));
  await p.locator('[part="title"]', { hasText: '(updated)' }).waitFor();
  const links = await p.locator('[part="link"]').allTextContents();
  assert.ok(links.some((l) => l.includes('Follow-up note')), links.join('|'));
  assert.match(await p.locator('[part="info"]').first().textContent(), /Follow-up added/);
  await c.close();

  // Retire: the dialog, Cancel changes nothing.
  await page.locator('#retire').click();
  await page.locator('dialog#confirm').waitFor();
  await page.locator('#confirm-cancel').click();
  assert.equal((await fetch(`${feed.base}/v1/resources/${SOURCE}`)).status, 200);
  await assertClean(page, errors);
  await context.close();
});

test('a partner token sees only its own numbers, and no moderation or editor', async () => {
  const { page, errors, context } = await openConsole({ tokenValue: partnerToken });
  assert.match(await text(page, '#who'), /partner e2e/);
  assert.equal(await page.locator('#nav a[data-route="moderation"]').isHidden(), true);
  await go(page, '#partners');
  const table = page.locator('#partners-table');
  await table.waitFor();
  const names = await table.locator('tbody th').allTextContents();
  assert.deepEqual(names.map((s) => s.replace('e2e', '').trim()), [E2E_NAME]);
  await go(page, '#overview');
  await page.locator('.card[data-counter="page_views"]').waitFor();
  // Its own views only: what the staff series gives for partner e2e alone (the partner
  // pages have been loaded by the tests above), less than all partners together.
  const staffSeries = async (partner) => {
    const q = new URLSearchParams({ metric: 'page_views', from: isoDay(-6), to: isoDay(0), ...(partner ? { partner } : {}) });
    const res = await fetch(`${feed.base}/v1/admin/series?${q}`, { headers: { authorization: `Bearer ${staffToken}` } });
    return (await res.json()).series.reduce((t, s) => t + s.total, 0);
  };
  const own = await staffSeries('e2e');
  assert.ok(own > 0 && own < await staffSeries(null), `e2e ${own} of all partners' views`);
  assert.equal(await text(page, '.card[data-counter="page_views"] .value'), String(own), 'its own views only');
  assert.doesNotMatch(await page.locator('figure[data-chart="page_views"] .plot').getAttribute('aria-label'), new RegExp(OTHER_NAME));
  await axe(page, 'overview (partner)');
  await go(page, '#moderation');
  assert.match(await text(page, '#view'), /Moderation is for CASM staff tokens/);
  await go(page, `#resource/${SOURCE}`);
  assert.equal(await page.locator('#editor').count(), 0);
  assert.equal(await page.locator('#retire').count(), 0);
  await screenshot(page, 'admin-partner-token');
  // The service refuses it too.
  const r = await fetch(`${feed.base}/v1/admin/feedback?status=new`, { headers: { authorization: `Bearer ${partnerToken}` } });
  assert.equal(r.status, 403);
  await assertClean(page, errors);
  await context.close();
});

test('on a 360 px phone every view fits (no sideways scroll), in dark mode too, with no axe violation', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors, context } = await openConsole({ width: 360, colorScheme });
    for (const hash of ['#overview', '#partners', '#resources', `#resource/${SOURCE}`, '#moderation']) {
      await go(page, hash);
      await page.waitForTimeout(100); // charts draw on the next frame
      await noSidewaysScroll(page, 360);
      if (colorScheme === 'light') await axe(page, `${hash} at 360 px`);
      const name = hash.replace('#', '').replace(/\/.*/, '');
      await screenshot(page, `admin-360-${colorScheme}-${name}`);
    }
    await assertClean(page, errors);
    await context.close();
  }
});

test('keyboard: the nav, the period buttons and the sign-out are reachable with Tab', async () => {
  const { page, errors, context } = await openConsole();
  await go(page, '#overview');
  const seen = new Set();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    seen.add(await page.evaluate(() => {
      const el = document.activeElement;
      return el.id || el.dataset.route || el.textContent.trim().slice(0, 20);
    }));
  }
  for (const want of ['signout', 'overview', 'partners', 'resources', 'moderation', '7 days']) {
    assert.ok(seen.has(want), `${want} reachable: ${[...seen].join('|')}`);
  }
  await assertClean(page, errors);
  await context.close();
});

test('retire: confirmed in the dialog, the partner page says the resource is not available (410); restore brings it back', async () => {
  const id = 'casm-knowledge-library';
  const widgetPage = partner.page('/retired.html', partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`,
    body: `<div data-casm-widget data-resource="${id}" data-lazy="false"></div>`,
  }));
  const { page, errors, context } = await openConsole();
  await go(page, `#resource/${id}`);
  await page.locator('#retire').click();
  await page.locator('dialog#confirm').waitFor();
  await page.locator('#confirm-ok').click();
  await page.locator('#restore').waitFor();
  assert.equal((await fetch(`${feed.base}/v1/resources/${id}`)).status, 410);

  const visitor = await openPage(browser);
  await visitor.page.goto(widgetPage);
  const problem = visitor.page.locator('[part="error"] p');
  await problem.waitFor();
  assert.equal(await problem.textContent(), 'This resource is not available.');
  assert.deepEqual(visitor.errors, []);
  await screenshot(visitor.page, 'admin-retired-on-partner-page');
  await visitor.context.close();

  await page.locator('#restore').click();
  await page.locator('#retire').waitFor();
  assert.equal((await fetch(`${feed.base}/v1/resources/${id}`)).status, 200);
  await assertClean(page, errors);
  await context.close();
});
