// Cold-load benchmark run by scripts/bench-load.sh (read its header), which sets ISSO_BIN,
// BENCH_DIR (a temp dir it removes) and CASM_FEED_BIN. RUNS (default 15) loads per page.
// SETTLE_MS (default 500) is a pause after each load: without it, work left over from one
// load (renderer teardown, late requests) lands in the next one, and when pages are
// interleaved each page is slowed by a different neighbour (measured: ours 145 ms alone
// against floor, 205–220 ms interleaved with Isso).
// Pass --waterfall to also print each page's resource timings for one cold load.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startFeed, startPartner, partnerPage, launchBrowser, openPage, SOURCE,
} from '../tests/e2e/harness.mjs';

const RUNS = Number(process.env.RUNS ?? 15);
// NET=slow4g emulates the visitors' networks (Chrome DevTools' "Slow 4G": 150 ms latency,
// 1.6 Mbit/s down, 750 kbit/s up); CPU=N slows the CPU N times (a cheap phone, say CPU=4).
const NET = process.env.NET ?? '';
const CPU = Number(process.env.CPU ?? 1);
// NET=slow3g is DevTools' "Slow 3G": 2 s round trips, 400 kbit/s each way.
const NETWORKS = {
  slow4g: { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 },
  slow3g: { offline: false, latency: 2000, downloadThroughput: 400e3 / 8, uploadThroughput: 400e3 / 8 },
};
// PAGES=floor,ours,hints (say) leaves the others out; all by default.
const ALL_PAGES = ['floor', 'ours', 'hints', 'isso'];
const PAGES = (process.env.PAGES ?? ALL_PAGES.join(',')).split(',');
if (!PAGES.every((p) => ALL_PAGES.includes(p))) throw new Error(`PAGES: some of ${ALL_PAGES.join(', ')}`);
if (NET && !NETWORKS[NET]) throw new Error(`NET must be one of: ${Object.keys(NETWORKS).join(', ')}`);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 500);
const { ISSO_BIN, BENCH_DIR } = process.env;
if (!BENCH_DIR) throw new Error('run scripts/bench-load.sh (BENCH_DIR unset)');

async function freePort() {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  return port;
}

async function startIsso(hostOrigin) {
  const port = await freePort();
  const cfg = join(BENCH_DIR, 'isso.cfg');
  writeFileSync(cfg, `[general]
dbpath = ${join(BENCH_DIR, 'comments.db')}
host = ${hostOrigin}
[server]
listen = http://127.0.0.1:${port}
[guard]
enabled = false
`);
  const proc = spawn(ISSO_BIN, ['-c', cfg, 'run'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (c) => { log += c; });
  writeFileSync(join(BENCH_DIR, 'isso.pid'), String(proc.pid)); // the shell's trap stops it too
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`isso exited:\n${log}`);
    try { if ((await fetch(`${base}/config`)).ok) break; } catch { /* not up yet */ }
    if (i > 100) throw new Error(`isso did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    stop: async () => { if (proc.exitCode === null) { proc.kill('SIGTERM'); await once(proc, 'exit'); } },
  };
}

// The same partner page for all; only the body, the head's hints and the script tag differ.
function pages(partner, feedBase, issoBase, release) {
  const floor = partner.page('/floor.html', partnerPage({
    scriptSrc: 'data:text/javascript,',
    body: '<div data-casm-widget><button part="vote">Helpful 0</button></div>',
  }));
  const ours = partner.page('/ours.html', partnerPage({
    scriptSrc: `${feedBase}/widget/casm-widget.js`,
    body: `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>`,
  }));
  // The configurator's snippet: the pinned loader with SRI, and the hints that start the
  // Wasm and data downloads with the page instead of after the loader.
  const hints = partner.page('/hints.html', partnerPage({
    head: `<link rel="preconnect" href="${feedBase}" crossorigin>
<link rel="preload" href="${feedBase}/widget/${release.wasm.path}" as="fetch" type="application/wasm" crossorigin="anonymous" integrity="${release.wasm.integrity}">
<link rel="preload" href="${feedBase}/v1/resources/${SOURCE}" as="fetch" crossorigin="anonymous">`,
    scriptSrc: `${feedBase}/widget/${release.loader.path}`,
    scriptAttrs: ` integrity="${release.loader.integrity}" crossorigin="anonymous"`,
    body: `<div data-casm-widget data-resource="${SOURCE}" data-lazy="false"></div>`,
  }));
  // Isso finds its server from data-isso on its script tag (also needed when async).
  const issoSrc = `${issoBase}/js/embed.min.js`;
  const issoHtml = partnerPage({ scriptSrc: issoSrc, body: '<section id="isso-thread"></section>' })
    .replace(`<script src="${issoSrc}"`, `<script data-isso="${issoBase}/" src="${issoSrc}"`);
  const isso = partner.page('/isso.html', issoHtml);
  return { floor, ours, hints, isso };
}

// Polled on every animation frame in the page; returns performance.now() (ms since
// navigation start) once the vote button has a non-zero box.
const casmButton = () => {
  const host = document.querySelector('[data-casm-widget]');
  const b = (host?.shadowRoot ?? host)?.querySelector('button[part="vote"]');
  return b && b.getBoundingClientRect().height > 0 && performance.now();
};
const VISIBLE = {
  floor: casmButton,
  ours: casmButton,
  hints: casmButton,
  isso: () => {
    const b = document.querySelector('#isso-thread a.isso-upvote');
    return b && b.getBoundingClientRect().height > 0 && performance.now();
  },
};

async function coldLoad(browser, url, name, after) {
  const { page, context, errors } = await openPage(browser);
  try {
    if (NET || CPU > 1) {
      const cdp = await context.newCDPSession(page);
      if (NET) {
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', NETWORKS[NET]);
      }
      if (CPU > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU });
    }
    await page.goto(url, { waitUntil: 'commit' });
    const at = await page.waitForFunction(VISIBLE[name], null, { polling: 'raf', timeout: 30000 });
    const ms = await at.jsonValue();
    if (after) await after(page);
    if (errors.length) throw new Error(`${name}: page errors: ${errors.join('; ')}`);
    return ms;
  } finally {
    await context.close();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  }
}

async function waterfall(page) {
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return [nav, ...performance.getEntriesByType('resource')].map((e) => ({
      url: e.name, type: e.initiatorType, start: e.startTime, end: e.responseEnd,
    }));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let feed; let partner; let browser; let isso;
try {
  const feedDir = join(BENCH_DIR, 'feed'); // inside the shell's temp dir, removed on exit
  mkdirSync(feedDir);
  feed = await startFeed({ dir: feedDir });
  partner = await startPartner();
  isso = PAGES.includes('isso') ? await startIsso(partner.origin) : null;
  const release = await (await fetch(`${feed.base}/widget/release.json`)).json();
  const urls = pages(partner, feed.base, isso?.base, release);

  // One thread of three comments on the Isso page, through Isso's own API.
  for (const [i, author] of (isso ? ['Ana', 'Ben', 'Chidi'] : []).entries()) {
    const r = await fetch(`${isso.base}/new?uri=${encodeURIComponent('/isso.html')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: partner.origin, referer: urls.isso },
      body: JSON.stringify({ text: `Comment number ${i + 1}.`, author, title: 'Partner page' }),
    });
    if (r.status !== 201 && r.status !== 202) throw new Error(`isso seeding: ${r.status} ${await r.text()}`);
  }

  browser = await launchBrowser();
  // Untimed first loads: a screenshot each to check what is measured, and warm-up for
  // both servers alike.
  const falls = {};
  for (const name of PAGES) {
    let entries;
    const at = await coldLoad(browser, urls[name], name, async (page) => {
      entries = await waterfall(page);
      await page.screenshot({ path: `/tmp/bench-load-${name}.png`, fullPage: true });
    });
    falls[name] = { at, entries };
  }

  const times = Object.fromEntries(PAGES.map((name) => [name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const name of PAGES) times[name].push(await coldLoad(browser, urls[name], name));
  }

  const f = (x) => x.toFixed(0).padStart(6);
  const rows = {
    floor: 'floor (static button)', ours: 'CASM Embed widget', hints: 'widget + hints, SRI', isso: 'Isso',
  };
  const conditions = [NET && `network ${NET}`, CPU > 1 && `CPU ${CPU}× slower`].filter(Boolean);
  console.log(`navigation → visible vote button, ${RUNS} cold loads each, interleaved` +
    (conditions.length ? ` (${conditions.join(', ')})` : ' (loopback, full speed)'));
  console.log(`${'page'.padEnd(24)}| median |    min |    max`);
  for (const name of PAGES) {
    const t = times[name];
    console.log(`${rows[name].padEnd(24)}| ${f(median(t))} | ${f(Math.min(...t))} | ${f(Math.max(...t))}`);
  }
  const m = Object.fromEntries(PAGES.map((n) => [n, median(times[n])]));
  const over = (n) => (m[n] - (m.floor ?? 0)).toFixed(0);
  const floorNote = m.floor === undefined ? '' : ' over the floor';
  if (m.ours !== undefined && m.hints !== undefined) {
    console.log(`widget: ${over('ours')} ms${floorNote} without the hints, ${over('hints')} ms with them ` +
      `(the hints save ${(m.ours - m.hints).toFixed(0)} ms, median)`);
  }
  if (m.ours !== undefined && m.isso !== undefined) {
    console.log(`ours is ${(m.isso / m.ours).toFixed(1)}× faster than Isso (median)`);
    if (m.floor !== undefined) {
      console.log(`ours is ${((m.isso - m.floor) / (m.ours - m.floor)).toFixed(1)}× faster than Isso ` +
        `(median minus floor: ${over('ours')} ms vs ${over('isso')} ms)`);
    }
  }

  if (process.argv.includes('--waterfall')) {
    for (const name of PAGES.filter((n) => n !== 'floor')) {
      console.log(`\n${name}: one cold load, vote button visible at ${falls[name].at.toFixed(1)} ms;` +
        ' resources (start, end in ms since navigation start; CORS preflights are not listed):');
      for (const e of falls[name].entries) {
        console.log(`  ${e.start.toFixed(1).padStart(7)} ${e.end.toFixed(1).padStart(7)}  ${e.type.padEnd(14)} ${e.url}`);
      }
    }
  }
} finally {
  await browser?.close();
  await isso?.stop();
  await feed?.stop();
  await partner?.stop();
}
