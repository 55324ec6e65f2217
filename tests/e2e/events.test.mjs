// The casm:* events partners feed their own analytics with: real service, real Chromium,
// a partner page on its own origin listening on its document.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  services, partnerPage, openPage, SOURCE,
} from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

// Records every casm:* event that reaches the document, and keeps download clicks on the
// page (the widget counts them before the browser would navigate).
const LISTENER = `<script>
window.casmEvents = [];
for (const type of ['casm:render', 'casm:vote', 'casm:download', 'casm:error']) {
  document.addEventListener(type, (e) => window.casmEvents.push({
    type: e.type, detail: e.detail, bubbles: e.bubbles, composed: e.composed,
    host: e.composedPath()[0].id || e.composedPath()[0].localName,
  }));
}
document.addEventListener('click', (e) => {
  if (e.composedPath().some((n) => n.getAttribute && n.getAttribute('part') === 'link')) e.preventDefault();
});
</script>`;

function page(path, body) {
  return partner.page(path, partnerPage({
    scriptSrc: `${feed.base}/widget/casm-widget.js`,
    head: LISTENER,
    body,
  }));
}

async function events(p, type, n = 1) {
  for (let i = 0; i < 100; i++) {
    const seen = await p.evaluate((t) => window.casmEvents.filter((e) => e.type === t), type);
    if (seen.length >= n) return seen;
    await new Promise((r) => setTimeout(r, 30));
  }
  assert.fail(`no ${type} event reached the page`);
}

test('casm:render, casm:vote and casm:download reach the host page with typed details', async () => {
  const { page: p, errors, context } = await openPage(browser);
  await p.goto(page('/events.html',
    `<div id="w" data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>`));
  const [render] = await events(p, 'casm:render');
  assert.deepEqual(render, {
    type: 'casm:render',
    detail: { resource: SOURCE, view: 'resource', lang: 'en' },
    bubbles: true,
    composed: true,
    host: 'w',
  });

  const before = (await feed.stats(SOURCE)).helpful_votes;
  await p.locator('button[part="vote"]').click();
  const [vote] = await events(p, 'casm:vote');
  assert.deepEqual(vote.detail, { resource: SOURCE, helpful: true, helpful_votes: before + 1 });
  assert.equal((await feed.stats(SOURCE)).helpful_votes, before + 1, 'the count the page heard is the service\'s');

  const downloads = (await feed.stats(SOURCE)).attachments_downloaded;
  await p.locator('[part="link"]', { hasText: 'Roundtable Agenda' }).click();
  const [download] = await events(p, 'casm:download');
  assert.equal(download.detail.resource, SOURCE);
  assert.equal(download.detail.link, 'roundtable-agenda');
  assert.match(download.detail.url, /\/files\/casm-roundtable-agenda\.pdf$/);
  for (let i = 0; i < 50 && (await feed.stats(SOURCE)).attachments_downloaded === downloads; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await feed.stats(SOURCE)).attachments_downloaded, downloads + 1);

  // Undoing the vote is a vote event too.
  await p.locator('button[part="vote"]').click();
  const votes = await events(p, 'casm:vote', 2);
  assert.deepEqual(votes[1].detail, { resource: SOURCE, helpful: false, helpful_votes: before });
  assert.deepEqual(errors, []);
  await context.close();
});

test('casm:error names what failed, and events leave a shadow root the host sits in', async () => {
  const { page: p, errors, context } = await openPage(browser);
  await p.goto(page('/errors.html', `<div id="missing" data-casm-widget data-resource="no-such-resource"
    data-lazy="false"></div><casm-card-holder></casm-card-holder>`));
  const [error] = await events(p, 'casm:error');
  assert.equal(error.host, 'missing');
  assert.equal(error.detail.code, 'not_found');
  assert.equal(typeof error.detail.message, 'string');
  assert.ok(error.detail.message.length > 0);

  // A partner's own web component holds the widget in its shadow root: the events are
  // composed, so the document still hears them.
  await p.evaluate(() => {
    const holder = document.querySelector('casm-card-holder');
    const inner = document.createElement('div');
    inner.id = 'inner';
    holder.attachShadow({ mode: 'open' }).append(inner);
    window.CasmWidget.mount(inner, { resource: 'casm-global-partnership', view: 'card', lazy: 'false' });
  });
  const renders = await events(p, 'casm:render');
  assert.deepEqual(renders.map((r) => [r.host, r.detail.view]), [['inner', 'card']]);
  assert.deepEqual(errors, []);
  await context.close();
});
