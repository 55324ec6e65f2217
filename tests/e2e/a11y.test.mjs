// Accessibility end to end, against the real feed service: axe-core (WCAG 2.1 A/AA rules)
// on every widget view in light and dark, left to right and right to left, and on the
// configurator; hostile accent colours under axe's color-contrast rule; the keyboard path
// through the resource view (links, vote, the comments form); a visible focus outline;
// and no motion under prefers-reduced-motion.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  services, startFeed, partnerPage, openPage, screenshot, cleanup, axe, WCAG21AA, SOURCE,
} from './harness.mjs';

let feed;
let partner;
let browser;
services((s) => ({ feed, partner, browser } = s));

const AA = { runOnly: { type: 'tag', values: WCAG21AA } };
const CONTRAST = { runOnly: { type: 'rule', values: ['color-contrast'] } };
const script = () => `${feed.base}/widget/casm-widget.js`;

/** Text of the first element matching `sel` inside the widget host `#id`. */
const inWidget = (page, id, sel) => page.locator(`#${id} ${sel}`).first();

/** What has focus: a descriptor of the element focused inside a widget's shadow root, or
 * the page's own focused element. */
const focused = (page) => page.evaluate(() => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return null;
  const s = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    part: el.getAttribute('part'),
    text: el.textContent.trim().slice(0, 40),
    id: el.id,
    outline: s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth),
  };
});

test('axe: every widget view, light and dark, left to right and right to left, has no WCAG 2.1 A/AA violation', async () => {
  // A feed that goes down after this page saw the resource once: the saved copy, and an
  // unreachable message for a resource it never saw.
  const down = await startFeed();
  const { page, errors, context } = await openPage(browser);
  try {
    await page.goto(partner.page('/a11y-prime.html', partnerPage({
      scriptSrc: script(),
      body: `<div data-casm-widget data-feed="${down.base}" data-resource="${SOURCE}" data-lazy="false"></div>`,
    })));
    await page.locator('button[part="vote"]').waitFor();
    // The offline copy is saved in a later task, after the content is drawn.
    await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('casm:cache:')));
    await down.stop();

    for (const dir of ['ltr', 'rtl']) {
      const lang = dir === 'rtl' ? 'ar' : 'en';
      const w = (id, attrs) => `<section><h2 style="font-size:16px">${id}</h2>
        <div id="${id}" data-casm-widget data-lazy="false" data-lang="${lang}" ${attrs}></div></section>`;
      await page.goto(partner.page(`/a11y-views-${dir}.html`, partnerPage({
        scriptSrc: script(),
        lang,
        dir: dir === 'rtl' ? 'rtl' : '',
        body: [
          w('resource', `data-resource="${SOURCE}"`),
          w('card', `data-view="card" data-resource="${SOURCE}"`),
          w('list', 'data-view="list" data-limit="3"'),
          w('empty', 'data-view="list" data-tag="no-such-tag"'),
          w('missing', 'data-resource="no-such-resource"'),
          w('stale', `data-feed="${down.base}" data-resource="${SOURCE}"`),
          w('unreachable', `data-feed="${down.base}" data-resource="mercury-free-gold-processing-toolkit"`),
        ].join('\n'),
      })));
      await inWidget(page, 'resource', 'button[part="vote"]').waitFor();
      await inWidget(page, 'card', '[part="card"]').waitFor();
      await inWidget(page, 'list', '[part="item"]').waitFor();
      await inWidget(page, 'empty', '[part="empty"]').waitFor();
      await inWidget(page, 'missing', '[part="error"] [part="retry"]').waitFor();
      await inWidget(page, 'stale', '[part="notice"]').waitFor();
      await inWidget(page, 'unreachable', '[part="error"] [part="retry"]').waitFor();
      assert.equal(await inWidget(page, 'resource', '[part="widget"]').evaluate((el) => getComputedStyle(el).direction), dir);

      const comments = inWidget(page, 'resource', '[part="link"]:has-text("Submit your comments")');
      const vote = inWidget(page, 'resource', 'button[part="vote"]');
      const live = inWidget(page, 'resource', '[part="live"]');
      // Light: the views as drawn, then with the comments form open and the vote cast;
      // dark: the same two states the other way round, so no reload is needed.
      await page.emulateMedia({ colorScheme: 'light' });
      await axe(page, `views, light, ${dir}`, AA);
      await comments.click();
      await inWidget(page, 'resource', '[part="feedback-form"]').waitFor();
      await vote.click();
      // Any text: the Arabic forms for one and two votes spell the number out.
      await page.waitForFunction((el) => el.textContent.trim() !== "", await live.elementHandle());
      assert.equal(await vote.getAttribute('aria-pressed'), 'true');
      await axe(page, `feedback form open and voted, light, ${dir}`, AA);
      await page.emulateMedia({ colorScheme: 'dark' });
      await axe(page, `feedback form open and voted, dark, ${dir}`, AA);
      if (dir === 'rtl') await screenshot(page, 'a11y-views-dark-rtl');
      await inWidget(page, 'resource', '[part="feedback-form"] button[type="button"]').click();
      await live.evaluate((el) => { el.textContent = ''; });
      await vote.click();
      // Any text: the Arabic forms for one and two votes spell the number out.
      await page.waitForFunction((el) => el.textContent.trim() !== "", await live.elementHandle());
      assert.equal(await vote.getAttribute('aria-pressed'), 'false');
      await axe(page, `views, dark, ${dir}`, AA);

      // Loading: the resource request is held until axe has looked.
      const held = [];
      await page.route('**/v1/resources/**', (route) => { held.push(route); });
      await page.goto(partner.page(`/a11y-loading-${dir}.html`, partnerPage({
        scriptSrc: script(), lang, dir: dir === 'rtl' ? 'rtl' : '', body: w('loading', `data-resource="${SOURCE}"`),
      })));
      await inWidget(page, 'loading', '[part="loading"]').waitFor();
      for (const colorScheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme });
        await axe(page, `loading, ${colorScheme}, ${dir}`, AA);
      }
      await page.unroute('**/v1/resources/**');
      for (const route of held) await route.abort().catch(() => {});
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    cleanup(down.dir);
  }
});

/** Opens the configurator and picks the first resource, so that the preview shows it. */
async function openConfigurator(page) {
  await page.goto(`${feed.base}/configure`);
  await page.locator('#results button').first().click();
  await page.locator('#preview [part="title"]').waitFor();
}

test('axe: the configurator, light and dark, has no WCAG 2.1 A/AA violation', async () => {
  const { page, errors, context } = await openPage(browser);
  await openConfigurator(page);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await axe(page, `configurator, ${colorScheme}`, AA);
  }
  await screenshot(page, 'a11y-configure-dark');
  assert.deepEqual(errors, []);
  await context.close();
});

test('hostile accent colours keep every text readable (axe color-contrast), light and dark', async () => {
  const accents = ['#ff0', '#777777', '#fafafa', '#0a0a0a', '#f0883e'];
  const url = partner.page('/a11y-accents.html', partnerPage({
    scriptSrc: script(),
    body: accents.map((a, i) => `<div id="a${i}" data-casm-widget data-lazy="false" data-resource="${SOURCE}"
      data-accent="${a}" data-show="links,votes,feedback"></div>`).join('\n'),
  }));
  const { page, errors, context } = await openPage(browser);
  await page.goto(url);
  const first = inWidget(page, 'a0', 'button[part="vote"]');
  await first.click();
  await page.waitForFunction((el) => /\d/.test(el.textContent), await inWidget(page, 'a0', '[part="live"]').elementHandle());
  // Reloaded, every widget shows the vote pressed: text on the accent colour.
  await page.reload();
  for (let i = 0; i < accents.length; i++) {
    assert.equal(await inWidget(page, `a${i}`, 'button[part="vote"]').getAttribute('aria-pressed'), 'true');
    await inWidget(page, `a${i}`, '[part="link"]:has-text("Submit your comments")').click();
    await inWidget(page, `a${i}`, '[part="feedback-form"]').waitFor();
  }
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await axe(page, `accents ${accents.join(', ')}, ${colorScheme}`, CONTRAST);
    await screenshot(page, `a11y-accents-${colorScheme}`);
  }
  await inWidget(page, 'a0', 'button[part="vote"]').click();
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard: Tab reaches every control in order with a visible focus; Enter and Space vote; the comments form opens, sends and closes', async () => {
  const { page, errors, context } = await openPage(browser);
  await page.goto(partner.page('/a11y-keyboard.html', partnerPage({
    scriptSrc: script(),
    body: `<p><a id="before" href="#before">Before the widget</a></p>
      <div id="w" data-casm-widget data-lazy="false" data-resource="${SOURCE}"></div>
      <p><a id="after" href="#after">After the widget</a></p>`,
  })));
  const vote = inWidget(page, 'w', 'button[part="vote"]');
  await vote.waitFor();
  // What Tab should reach: every link and button of the view, in document order.
  const expected = await page.evaluate(() => [...document.getElementById('w').shadowRoot
    .querySelectorAll('a[href], button')].map((el) => el.textContent.trim().slice(0, 40)));
  assert.ok(expected.length >= 10, expected.join(' | '));
  await page.locator('#before').focus();
  const reached = [];
  for (let i = 0; i <= expected.length; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.id === 'after') break;
    assert.ok(f.outline > 0, `a visible focus outline on ${f.text}`);
    reached.push(f.text);
  }
  assert.deepEqual(reached, expected, 'Tab order');
  for (const title of ['Roundtable Agenda', 'Roundtable Photos', 'Submit your comments', 'Email this page']) {
    assert.ok(reached.some((t) => t.includes(title)), title);
  }

  // Vote with Enter, undo with Space: focus stays on the button, the count is announced.
  const live = inWidget(page, 'w', '[part="live"]');
  for (const [key, pressed] of [['Enter', 'true'], [' ', 'false']]) {
    await vote.focus();
    await live.evaluate((el) => { el.textContent = ''; });
    await page.keyboard.press(key);
    assert.equal(await vote.getAttribute('aria-pressed'), pressed, key);
    // Any text: the Arabic forms for one and two votes spell the number out.
      await page.waitForFunction((el) => el.textContent.trim() !== "", await live.elementHandle());
    assert.equal(await live.getAttribute('aria-live'), 'polite');
    const f = await focused(page);
    assert.equal(f.part, 'vote', `focus stays on the vote button after ${key}`);
  }

  // The comments form: opened from its link with Enter, focus in the text; Escape and
  // Cancel close it and give focus back to the link; sent with the keyboard alone.
  const opener = inWidget(page, 'w', 'a[part="link"]:has-text("Submit your comments")');
  const form = inWidget(page, 'w', '[part="feedback-form"]');
  const open = async () => {
    await opener.focus();
    await page.keyboard.press('Enter');
    await form.waitFor();
    assert.equal((await focused(page)).tag, 'textarea', 'focus moves into the form');
  };
  await open();
  await page.keyboard.type('Typed with the keyboard.');
  await page.keyboard.press('Escape');
  await form.waitFor({ state: 'detached' });
  assert.match((await focused(page)).text, /Submit your comments/, 'Escape gives focus back to the link');

  await open();
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).tag, 'input');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const cancel = await focused(page);
  assert.ok(cancel.tag === 'button' && cancel.outline > 0, JSON.stringify(cancel));
  await page.keyboard.press('Enter');
  await form.waitFor({ state: 'detached' });
  assert.match((await focused(page)).text, /Submit your comments/, 'Cancel gives focus back to the link');

  await open();
  await page.keyboard.type('A comment sent with the keyboard alone.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).text, 'Send');
  await page.keyboard.press('Enter');
  const sent = inWidget(page, 'w', '[part="feedback-status"][role="status"]');
  await sent.waitFor();
  assert.match(await sent.textContent(), /thank/i);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Every element of the widget's shadow root (and, for the configurator, the page) with
 * its computed transition and animation durations. */
const durations = (page, hostSel) => page.evaluate((sel) => {
  const roots = sel ? [...document.querySelectorAll(sel)].map((h) => h.shadowRoot) : [document];
  return roots.flatMap((r) => [...r.querySelectorAll('*')]).map((el) => {
    const s = getComputedStyle(el);
    return {
      el: `${el.tagName.toLowerCase()}${el.getAttribute('part') ? `[part=${el.getAttribute('part')}]` : ''}`,
      t: s.transitionDuration.split(',').map(parseFloat),
      a: s.animationDuration.split(',').map(parseFloat),
    };
  });
}, hostSel);

test('prefers-reduced-motion: reduce turns every transition and animation off', async () => {
  const url = partner.page('/a11y-motion.html', partnerPage({
    scriptSrc: script(),
    body: `<div data-casm-widget data-lazy="false" data-resource="${SOURCE}"></div>`,
  }));
  for (const reducedMotion of ['no-preference', 'reduce']) {
    const { page, errors, context } = await openPage(browser, { reducedMotion });
    await page.goto(url);
    await page.locator('button[part="vote"]').waitFor();
    const moving = (await durations(page, '[data-casm-widget]')).filter((d) => [...d.t, ...d.a].some((x) => x > 0));
    if (reducedMotion === 'reduce') {
      assert.deepEqual(moving, [], 'nothing moves');
    } else {
      // So that this test can fail: without the preference the buttons do animate.
      assert.ok(moving.some((d) => d.el === 'button[part=vote]'), JSON.stringify(moving));
    }
    await openConfigurator(page);
    const configurator = [...await durations(page), ...await durations(page, '#preview [data-casm-widget]')]
      .filter((d) => [...d.t, ...d.a].some((x) => x > 0));
    if (reducedMotion === 'reduce') assert.deepEqual(configurator, [], 'nothing moves in the configurator');
    assert.deepEqual(errors, []);
    await context.close();
  }
});
