// End-to-end harness: the real feed service (target/debug/casm-feed) on port 0 with a fresh
// SQLite file and the demo catalogue, a partner site on another origin, and Debian's
// Chromium driven by playwright-core. Nothing here stands in for our own service.

import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'tests/e2e/artifacts');
const BIN = process.env.CASM_FEED_BIN ?? join(ROOT, 'target/debug/casm-feed');
export const SOURCE = 'casm-global-partnership';

/** A resource whose text is hostile, written straight into the database the way a
 * compromised catalogue would be: `import` refuses javascript: links, the widget must too. */
export const HOSTILE = {
  id: 'hostile-test',
  kind: 'report',
  title: '<script>window.__pwned="title"</script>Hostile <b>title</b>',
  summary: '<img src=x onerror="window.__pwned=\'summary\'">A summary',
  body: ['<iframe src="javascript:window.__pwned=\'body\'"></iframe>Body text'],
  links: [
    { id: 'evil', title: 'Evil link', url: 'javascript:window.__pwned="link"', kind: 'page' },
    { id: 'data', title: 'Data link', url: 'data:text/html,<script>alert(1)</script>', kind: 'document', mime_type: 'text/html' },
    { id: 'fine', title: 'Fine link', url: 'https://example.org/report.pdf', kind: 'page' },
  ],
  partners: ['<svg onload="window.__pwned=\'partner\'">'],
  tags: ['hostile'],
  language: 'en',
  related: [],
  highlights: [],
  created: '2012-02-29T13:47:00Z',
  modified: '2012-02-29T13:47:00Z',
  version: 1,
  version_comment: '<script>window.__pwned="comment"</script>',
};

function insertHostile(dbFile) {
  const script = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
doc = sys.argv[2]
rid = json.loads(doc)["id"]
db.execute("INSERT INTO resources (id, position, doc, updated_at) VALUES (?, 999, ?, 0)", (rid, doc))
db.commit()
`;
  execFileSync('python3', ['-c', script, dbFile, JSON.stringify(HOSTILE)]);
}

/** Starts the feed service. `hostile` adds HOSTILE to the catalogue; `pkg` is the widget
 * build it serves at /widget/ (default: this checkout's pkg/). */
export async function startFeed({ hostile = false, dir, pkg = join(ROOT, 'pkg') } = {}) {
  dir ??= mkdtempSync(join(tmpdir(), 'casm-e2e-'));
  const dbFile = join(dir, 'casm.db');
  const database = `sqlite://${dbFile}`;
  const env = { ...process.env, CASM_DATABASE: database, CASM_SECRET: 'e2e', RUST_LOG: 'warn' };
  if (!existsSync(dbFile)) {
    execFileSync(BIN, ['import', join(ROOT, 'data/demo-catalogue.json')], { env, stdio: 'pipe' });
    // Partner pages in these tests are served from loopback origins on random ports.
    execFileSync(BIN, ['partner', 'add', 'e2e', '--name', 'End-to-end partner pages',
      '--origin', 'http://127.0.0.1:*'], { env, stdio: 'pipe' });
    if (hostile) insertHostile(dbFile);
  }
  const proc = spawn(
    BIN,
    ['serve', '--listen', '127.0.0.1:0', '--www', join(ROOT, 'www'), '--pkg', pkg,
      '--data-dir', dir, '--post-rate', '0', '--vote-cap', '0',
      // Headless Chromium's events are not counted unless a harness opts in.
      '--count-headless'],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const base = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`casm-feed exited with ${code}`)));
  });
  return {
    base,
    dir,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
    },
    async stats(id) {
      const r = await fetch(`${base}/v1/stats?ids=${id}`);
      return (await r.json()).resources[id];
    },
  };
}

const TYPES = {
  '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.txt': 'text/plain',
};

/** A partner website on its own origin: pages (or scripts, given their type) registered by
 * tests, and a self-hosted copy
 * of the widget build under /self-hosted/ (for the offline test, where the feed is down). */
export async function startPartner() {
  const pages = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (pages.has(url.pathname)) {
      const { body, type, headers } = pages.get(url.pathname);
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
      return;
    }
    if (url.pathname.startsWith('/self-hosted/')) {
      const file = join(ROOT, 'pkg', url.pathname.slice('/self-hosted/'.length).replace(/\.\./g, ''));
      if (existsSync(file)) {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404).end('not found');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    /** Serves `html` (or any body, given its type) at `path`, with extra `headers`. */
    page(path, html, type = 'text/html; charset=utf-8', headers = {}) {
      pages.set(path, { body: html, type, headers });
      return origin + path;
    },
    async stop() {
      server.close();
    },
  };
}

/** A partner page around `body`, loading the widget from `scriptSrc` (with `scriptAttrs`,
 * e.g. ` integrity="…"`); `dir="rtl"` for a right-to-left page. */
export function partnerPage({ scriptSrc, body, head = '', lang = 'en', dir = '', scriptAttrs = '' }) {
  return `<!doctype html><html lang="${lang}"${dir ? ` dir="${dir}"` : ''}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Partner page</title>${head}</head>
<body style="margin:0;padding:16px;font-family:Georgia,serif;background:#f4f1ea">
<h1 style="font-size:20px">A partner website</h1>
${body}
<script src="${scriptSrc}"${scriptAttrs} async></script>
</body></html>`;
}

/** Debian's Chromium with the flags this closed machine needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new page in a fresh context that records uncaught errors and console lines. */
export async function openPage(browser, {
  colorScheme = 'light', locale = 'en-US', width = 900, reducedMotion = 'no-preference',
} = {}) {
  const context = await browser.newContext({ colorScheme, locale, reducedMotion, viewport: { width, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  const consoleLines = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  return { context, page, errors, consoleLines };
}

/** The messages of one translation file (src/lang/<code>.ftl, the simple Fluent we write):
 * id → text, or id → {category: text} for plurals. */
export function translations(code) {
  const out = {};
  let plural = null;
  for (const line of readFileSync(join(ROOT, 'src/lang', `${code}.ftl`), 'utf8').split('\n')) {
    if (plural) {
      const form = line.match(/^\s*\*?\[(\w+)\]\s(.*)$/);
      if (form) plural.forms[form[1]] = form[2].trim();
      else if (line.trim() === '}') plural = null;
      continue;
    }
    const m = line.match(/^([a-z-]+) = (.*)$/);
    if (!m) continue;
    if (/^\{ \$\w+ ->$/.test(m[2])) {
      plural = { forms: {} };
      out[m[1]] = plural.forms;
    } else {
      out[m[1]] = m[2].trim();
    }
  }
  return out;
}

const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');

/** The WCAG 2.1 A and AA rule tags of axe-core. */
export const WCAG21AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core (npm `axe-core`, injected once per document) on the page, open shadow
 * roots included, and asserts no violation; the message lists each rule with its help and
 * targets. `options` are axe's run options (default: every rule), e.g.
 * `{ runOnly: { type: 'tag', values: WCAG21AA } }`. */
export async function axe(page, name, options = {}) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) {
    // evaluate runs through the DevTools protocol, so the page's CSP does not block it.
    await page.evaluate(readFileSync(AXE, 'utf8'));
  }
  const result = await page.evaluate((o) => window.axe.run(document, { ...o, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) — ${
      v.nodes.slice(0, 6).map((x) => x.target.join(' ')).join(', ')}${v.nodes.length > 6 ? ', …' : ''}`)), options);
  assert.deepEqual(result, [], `axe on ${name}:\n  ${result.join('\n  ')}`);
}

/** Saves a screenshot into the git-ignored artifacts folder. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Starts the feed service, a partner site and Chromium before a test file's tests, hands
 * them to `assign` ({feed, partner, browser}), and stops them after. */
export function services(assign, feedOptions) {
  let s;
  before(async () => {
    s = { feed: await startFeed(feedOptions), partner: await startPartner(), browser: await launchBrowser() };
    assign(s);
  });
  after(async () => {
    await s?.browser?.close();
    await s?.feed?.stop();
    await s?.partner?.stop();
    cleanup(s?.feed?.dir);
  });
}

export function cleanup(dir) {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
