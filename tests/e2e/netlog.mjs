// What a page asks of the network, as Chromium's DevTools protocol reports it, and the
// configurator's snippet. Shared by tests/e2e/load.test.mjs and scripts/bench-load.mjs.
//
// The protocol reports every request that goes to the network, CORS preflights and
// redirects included, and not those a preload answers (the browser hands the loader the
// preloaded response), so "fetched twice" shows as two requests here.

import { openPage } from './harness.mjs';

/** Starts recording the network requests of the page behind `cdp` (a CDP session); returns
 * the list it fills. Times are the protocol's (seconds, monotonic), `wall` is ms since the
 * epoch (to compare with a page's `performance.timeOrigin + performance.now()`), `bytes`
 * what came over the wire (headers included), `initiator` 'parser' (the HTML: a script
 * tag, a preload), 'script' (with `initiatorUrl`, the script that asked), 'preflight'…. */
export async function recordNetwork(cdp) {
  const list = [];
  const byId = new Map();
  const header = (headers, name) => Object.entries(headers ?? {})
    .find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
  cdp.on('Network.requestWillBeSent', (e) => {
    const previous = byId.get(e.requestId);
    if (previous && e.redirectResponse) {
      previous.status = e.redirectResponse.status;
      previous.responseAt = e.timestamp;
      previous.end = e.timestamp;
    }
    const i = e.initiator ?? {};
    const r = {
      url: e.request.url,
      method: e.request.method,
      type: e.type ?? '',
      start: e.timestamp,
      wall: e.wallTime * 1000,
      responseAt: null,
      end: null,
      status: null,
      bytes: 0,
      encoding: '',
      initiator: i.type ?? '',
      initiatorUrl: i.url ?? i.stack?.callFrames?.[0]?.url ?? '',
      cached: false,
      failed: null,
    };
    byId.set(e.requestId, r);
    list.push(r);
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.cached = true;
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.responseAt = e.timestamp;
    r.encoding = header(e.response.headers, 'content-encoding');
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) r.cached = true;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.end = e.timestamp;
    r.bytes = e.encodedDataLength;
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.end = e.timestamp;
    r.failed = e.errorText || 'failed';
  });
  await cdp.send('Network.enable');
  return list;
}

/** How many requests stand in series up to and including `r`, by what started each: the
 * document is 1, what its HTML starts (script tags, preloads) 2, what a script of depth 2
 * starts 3. A request started from a callback (after the Wasm came, say) is counted from
 * the script that made it, so this can undercount, never overcount. */
export function depth(r, list) {
  if (r.type === 'Document') return 1;
  const parent = list.find((p) => p !== r && p.url === r.initiatorUrl && p.start <= r.start);
  return parent ? depth(parent, list) + 1 : 1;
}

/** The requests the page's first render waited on, one after the other, by time: the last
 * to finish before `at` (a protocol timestamp), then the last whose answer had begun
 * before that one started, and so on back to the document. Favicons are left out. */
export function chain(list, at) {
  const usable = list.filter((r) => r.end !== null && !r.failed && !/\/favicon\.ico$/.test(r.url));
  let last = usable.filter((r) => r.end <= at).sort((a, b) => b.end - a.end)[0];
  const out = [];
  while (last) {
    out.unshift(last);
    const t = last.start;
    last = usable.filter((r) => (r.responseAt ?? r.end) <= t && !out.includes(r))
      .sort((a, b) => (b.responseAt ?? b.end) - (a.responseAt ?? a.end))[0];
  }
  return out;
}

/** The code the configurator (`/configure` on the feed at `feedBase`) writes for resource
 * `id`, every other choice left at its default but `lang` ('auto' unless given). */
export async function configuratorSnippet(browser, feedBase, { id, query, lang = 'auto' }) {
  const { page, context } = await openPage(browser, { width: 1280 });
  try {
    await page.goto(`${feedBase}/configure`);
    await page.locator('#search').fill(query);
    await page.waitForFunction((q) => document.getElementById('results').dataset.query === q, query);
    await page.locator(`#results button.result[data-id="${id}"]`).click();
    if (lang !== 'auto') await page.locator('#lang').selectOption(lang);
    await page.waitForFunction(([i, l]) => {
      const s = document.getElementById('snippet').textContent;
      return s.includes(`data-resource="${i}"`) && (l === 'auto' || s.includes(`data-lang="${l}"`));
    }, [id, lang]);
    return await page.locator('#snippet').textContent();
  } finally {
    await context.close();
  }
}
