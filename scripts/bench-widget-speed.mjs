// Run by scripts/bench-widget-speed.sh (read its header), which sets CASM_FEED_BIN,
// BENCH_DIR (a temp dir it removes), OLD_PKG and NEW_PKG (two widget builds), OLD_NAME and
// NEW_NAME. RUNS (default 9) cold loads per build, interleaved; SETTLE_MS (default 500) is
// a pause after each load, as in bench-load.mjs (work left over from one load otherwise
// lands in the next).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startFeed, startPartner, partnerPage, launchBrowser, openPage, SOURCE,
} from '../tests/e2e/harness.mjs';

const RUNS = Number(process.env.RUNS ?? 9);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 500);
const { BENCH_DIR, OLD_PKG, NEW_PKG } = process.env;
if (!BENCH_DIR || !OLD_PKG || !NEW_PKG) throw new Error('run scripts/bench-widget-speed.sh');
const NAMES = { old: process.env.OLD_NAME ?? 'old', new: process.env.NEW_NAME ?? 'new' };

// Polled on every animation frame in the page; performance.now() (ms since navigation
// start) once the vote button has a non-zero box. The same check as the e2e test.
const visibleButton = () => {
  const host = document.querySelector('[data-casm-widget]');
  const b = (host?.shadowRoot ?? host)?.querySelector('button[part="vote"]');
  return b && b.getBoundingClientRect().height > 0 && performance.now();
};

async function coldLoad(browser, url, label) {
  const { page, context, errors } = await openPage(browser);
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const at = await page.waitForFunction(visibleButton, null, { polling: 'raf', timeout: 30000 });
    const ms = await at.jsonValue();
    if (errors.length) throw new Error(`${label}: page errors: ${errors.join('; ')}`);
    return ms;
  } finally {
    await context.close();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const feeds = {};
let partner; let browser;
try {
  for (const [name, pkg] of [['old', OLD_PKG], ['new', NEW_PKG]]) {
    const dir = join(BENCH_DIR, `feed-${name}`); // inside the shell's temp dir
    mkdirSync(dir);
    feeds[name] = await startFeed({ dir, pkg });
  }
  partner = await startPartner();
  // The same partner page for both; only the feed (and so the widget build) differs.
  const urls = {};
  for (const name of ['old', 'new']) {
    urls[name] = partner.page(`/${name}.html`, partnerPage({
      scriptSrc: `${feeds[name].base}/widget/casm-widget.js`,
      body: `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>`,
    }));
  }
  browser = await launchBrowser();
  for (const name of ['old', 'new']) await coldLoad(browser, urls[name], name); // untimed warm-up
  const times = { old: [], new: [] };
  // Rounds alternate the order (old new, new old, ...) so neither build always follows
  // the other's leftovers.
  for (let i = 0; i < RUNS; i++) {
    for (const name of i % 2 ? ['new', 'old'] : ['old', 'new']) {
      times[name].push(await coldLoad(browser, urls[name], name));
    }
  }
  const f = (x) => x.toFixed(0).padStart(6);
  console.log(`navigation → visible vote button, ${RUNS} cold loads each, interleaved old/new, new/old, ... (loopback)`);
  console.log(`${'build'.padEnd(28)}| median |    min |    max`);
  for (const name of ['old', 'new']) {
    const t = times[name];
    console.log(`${`${name}: ${NAMES[name]}`.padEnd(28)}| ${f(median(t))} | ${f(Math.min(...t))} | ${f(Math.max(...t))}`);
  }
  const [o, n] = [median(times.old), median(times.new)];
  console.log(`median old ${o.toFixed(1)} ms, new ${n.toFixed(1)} ms: new − old = ${(n - o).toFixed(1)} ms ` +
    `(${(((n - o) / o) * 100).toFixed(1)} %)`);
  // Each round's new − old: less sensitive to load that drifts during the run (other work
  // on the machine) than the difference of the two medians.
  const paired = times.new.map((t, i) => t - times.old[i]);
  console.log(`median of the ${RUNS} paired differences (new − old, round by round): ${median(paired).toFixed(1)} ms`);
  console.log(`all times (ms): old ${times.old.map((x) => x.toFixed(0)).join(' ')}; new ${times.new.map((x) => x.toFixed(0)).join(' ')}`);
} finally {
  await browser?.close();
  for (const feed of Object.values(feeds)) await feed.stop();
  await partner?.stop();
}
