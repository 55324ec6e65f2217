// The CASM team's console (/admin/): numbers, moderation and publishing, over the
// same-origin `/v1/admin/*` API with `Authorization: Bearer <token>`. Plain JavaScript, no
// framework; charts by uPlot (vendored at /admin/vendor/, a classic script: window.uPlot).
// It runs under `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'
// data:` (no inline script or style). Every text that comes from the service — titles,
// partner names, and above all visitors' feedback — is set as textContent only, never as
// HTML, and never as a link's address.
//
// The token lives in sessionStorage (this tab only; never localStorage, never a cookie).
// A partner-scoped token sees the numbers views only (its own partner's numbers).
//
// Views (hash routes): #overview, #partners, #resources, #resource/ID, #moderation.

const TOKEN_KEY = 'casm:console-token';
const PERIODS = [7, 30, 90];
const SPARK_DAYS = 30;
const FEEDBACK_STATUSES = ['new', 'handled', 'archived'];
const LINK_KINDS = ['document', 'presentation', 'photos', 'video', 'comments', 'page'];

/** The five numbers the console shows; "downloads" is attachments + videos. */
const SHOWN = ['page_views', 'helpful_votes', 'downloads', 'pages_emailed', 'metacard_views'];
const LABELS = {
  page_views: 'Page views',
  helpful_votes: 'Helpful votes',
  downloads: 'Downloads',
  pages_emailed: 'Pages emailed',
  metacard_views: 'Meta-card views',
  attachments_downloaded: 'Attachments downloaded',
  videos_downloaded: 'Videos downloaded',
};
/** The series API's counters (downloads is two of them). */
const METRICS = ['page_views', 'helpful_votes', 'pages_emailed', 'metacard_views',
  'attachments_downloaded', 'videos_downloaded'];
const DOWNLOADS = ['attachments_downloaded', 'videos_downloaded'];
const STATUS_LABELS = { new: 'New', handled: 'Handled', archived: 'Archived' };

// ---- What the API's answers hold: casm-model's wire types (model/src/wire.rs) -------------

const A = {
  // GET /v1/admin/whoami
  whoName: (w) => w.token,
  whoScope: (w) => w.scope,
  whoPartner: (w) => w.partner,
  // GET /v1/admin/series
  days: (s) => s.days,
  series: (s) => s.series,
  seriesKey: (x) => x.key,
  seriesName: (x) => x.name,
  seriesValues: (x) => x.values,
  seriesTotal: (x) => x.total,
  // GET /v1/admin/summary
  totals: (m) => m.totals,
  previousTotals: (m) => m.previous_totals,
  previousRange: (m) => m.previous,
  topPartners: (m) => m.top_partners,
  topResources: (m) => m.top_resources,
  partnerKey: (p) => p.key,
  partnerName: (p) => p.name,
  partnerTotals: (p) => p.totals,
  resourceId: (r) => r.id,
  resourceTitle: (r) => r.title,
  resourceTotals: (r) => r.totals,
  // GET /v1/admin/feedback
  feedbackItems: (r) => r.items,
  fbId: (f) => String(f.id),
  fbResource: (f) => f.resource,
  fbPartner: (f) => f.partner,
  fbText: (f) => f.text,
  fbContact: (f) => f.contact ?? '',
  fbStatus: (f) => f.status,
  fbCreated: (f) => f.created_at,
  erased: (r) => r.erased,
  // GET/PUT /v1/admin/resources/{id} (the import format)
  version: (r) => r?.version,
  // GET /v1/stats (public): per-link counts
  statLinks: (stats, id) => stats?.resources?.[id]?.links ?? {},
  // Errors: {"error": {"code", "message", "field"?}}
  errorMessage: (body) => body?.error?.message,
  errorField: (body) => body?.error?.field,
};

function num(v) {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}
function sum(values) {
  return values.reduce((a, b) => a + num(b), 0);
}
/** One of SHOWN from a totals object (downloads: the two download counters). */
function counter(totals, name) {
  if (!totals) return 0;
  if (name === 'downloads') return DOWNLOADS.reduce((a, k) => a + num(totals[k]), 0);
  return num(totals[name]);
}

// ---- Small DOM helpers (text nodes only) ------------------------------------------------

/** An element: `props` are attributes (`class`, `text`, `on` for listeners, booleans for
 * flag attributes); children are nodes or strings (as text nodes). */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === 'value') el.value = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}
/** Replaces `el`'s children (null and false are skipped, strings become text). */
function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}
function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}
const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat('en-GB');
const n = (v) => fmt.format(num(v));
let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

function hashOf(name, arg) {
  return arg == null ? `#${name}` : `#${name}/${encodeURIComponent(arg)}`;
}

// ---- Dates (the API's days are UTC dates) ------------------------------------------------

const today = () => new Date().toISOString().slice(0, 10);
function addDays(day, delta) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + delta);
  return d.toISOString().slice(0, 10);
}
const dayFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const shortDayFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayText = (day) => dayFmt.format(new Date(`${day}T00:00:00Z`));
const shortDay = (day) => shortDayFmt.format(new Date(`${day}T00:00:00Z`));
const timeFmt = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
/** A timestamp (RFC 3339 text, or Unix seconds or milliseconds) as a Date, or null. */
function dateOf(v) {
  if (v == null || v === '') return null;
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}
const isDay = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(new Date(`${s}T00:00:00Z`).getTime());

// ---- State -------------------------------------------------------------------------------

let token = null;
let who = null; // the whoami answer
let range = { days: 30 }; // or { from, to }
let chartMode = 'stacked'; // overview: 'stacked' (all partners) | 'split' (one line per partner)
let moderationStatus = 'new';
let renderSeq = 0;
const charts = new Set(); // live uPlot instances, destroyed on each render

const isStaff = () => who && A.whoScope(who) === 'staff';

function currentRange() {
  if (range.from && range.to) return { from: range.from, to: range.to };
  const to = today();
  return { from: addDays(to, -(range.days - 1)), to };
}
function lastDays(days) {
  const to = today();
  return { from: addDays(to, -(days - 1)), to };
}

// ---- The API -------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message, code, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** Calls `/v1/admin/…` (or a public route) with the token; an error answer becomes an
 * ApiError carrying the service's own message. A 401 on a signed-in session signs out. */
async function api(path, { method = 'GET', body, raw = false, auth = true } = {}) {
  const headers = {};
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'The feed service could not be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    let message = `The service answered ${response.status} ${response.statusText}`.trim();
    let code;
    let field;
    try {
      const json = await response.json();
      if (typeof A.errorMessage(json) === 'string') message = A.errorMessage(json);
      code = json?.error?.code;
      field = A.errorField(json);
    } catch {
      // not the service's JSON error: keep the status line
    }
    const error = new ApiError(response.status, message, code, field);
    if (response.status === 401 && auth && who) {
      signOut(`You were signed out: ${message}`);
    }
    throw error;
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

const query = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  return q.toString();
};
const getSeries = (params) => api(`/v1/admin/series?${query(params)}`);
const getSummary = (params) => api(`/v1/admin/summary?${query(params)}`);

/** Series for `metric` where "downloads" adds the two download counters, series by
 * series (matched on key) and day by day. */
async function seriesOf(metric, params) {
  if (metric !== 'downloads') return getSeries({ ...params, metric });
  const [a, b] = await Promise.all(DOWNLOADS.map((m) => getSeries({ ...params, metric: m })));
  const days = A.days(a); // the same days in both: one period
  const merged = new Map();
  for (const s of [...A.series(a), ...A.series(b)]) {
    const key = A.seriesKey(s);
    const values = A.seriesValues(s);
    const had = merged.get(key);
    if (!had) {
      merged.set(key, { key, name: A.seriesName(s), values: days.map((_, i) => num(values[i])) });
    } else {
      had.values = had.values.map((v, i) => v + num(values[i]));
    }
  }
  const series = [...merged.values()].map((s) => ({ ...s, total: sum(s.values) }));
  return { ...a, metric: 'downloads', days, series };
}

// ---- Sign-in --------------------------------------------------------------------------------

async function signIn(candidate) {
  const error = $('signin-error');
  error.hidden = true;
  token = candidate;
  try {
    who = await api('/v1/admin/whoami');
  } catch (e) {
    token = null;
    who = null;
    sessionStorage.removeItem(TOKEN_KEY);
    error.textContent = e.status === 401
      ? `This token was not accepted (401: ${e.message}). Check that you pasted all of it, or ask for a new one.`
      : e.message;
    error.hidden = false;
    showSignIn();
    return false;
  }
  sessionStorage.setItem(TOKEN_KEY, candidate);
  showConsole();
  return true;
}

function signOut(message = '') {
  token = null;
  who = null;
  sessionStorage.removeItem(TOKEN_KEY);
  destroyCharts();
  $('view').replaceChildren();
  setStatus('');
  const error = $('signin-error');
  error.textContent = message;
  error.hidden = !message;
  showSignIn();
}

function showSignIn() {
  $('signin').hidden = false;
  $('account').hidden = true;
  $('nav').hidden = true;
  $('view').hidden = true;
  $('token').value = '';
  $('token').focus();
}

function showConsole() {
  $('signin').hidden = true;
  $('account').hidden = false;
  $('nav').hidden = false;
  $('view').hidden = false;
  const partner = A.whoPartner(who);
  $('who').textContent = isStaff()
    ? `Signed in as ${A.whoName(who)} (CASM staff)`
    : `Signed in as ${A.whoName(who)} (partner ${partner}: its own numbers, read-only)`;
  for (const a of document.querySelectorAll('#nav [data-staff]')) a.hidden = !isStaff();
  document.body.dataset.scope = isStaff() ? 'staff' : 'partner';
  route(true);
}

function setStatus(text) {
  $('status').textContent = text;
}

// ---- Routing ------------------------------------------------------------------------------

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || 'overview';
  const at = raw.indexOf('/');
  const name = at < 0 ? raw : raw.slice(0, at);
  let arg = at < 0 ? null : raw.slice(at + 1);
  try {
    arg = arg == null ? null : decodeURIComponent(arg);
  } catch {
    arg = null;
  }
  return { name, arg };
}

const VIEWS = {
  overview: { title: 'Overview', render: renderOverview },
  partners: { title: 'Partners', render: renderPartners },
  resources: { title: 'Resources', render: renderResources },
  resource: { title: 'Resource', render: renderResource, nav: 'resources' },
  moderation: { title: 'Moderation', render: renderModeration, staff: true },
};

/** Renders the view the hash names; `moved` (a new hash) moves focus to its heading. */
async function route(moved = false) {
  if (!who) return;
  const { name, arg } = parseHash();
  const view = VIEWS[name] ?? VIEWS.overview;
  const key = VIEWS[name] ? name : 'overview';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.route === (view.nav ?? key)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${view.title} — CASM console`;
  destroyCharts();
  const seq = ++renderSeq;
  const root = $('view');
  root.setAttribute('aria-busy', 'true');
  const ctx = {
    root,
    seq,
    live: () => seq === renderSeq && Boolean(who),
    heading: null,
  };
  try {
    if (view.staff && !isStaff()) {
      fill(root, h('h1', { tabindex: '-1', text: view.title }),
        h('p', { class: 'note', text: 'Moderation is for CASM staff tokens. A partner token reads its own numbers only.' }));
    } else {
      await view.render(ctx, arg);
    }
  } catch (e) {
    if (!ctx.live()) return;
    fill(root, h('h1', { tabindex: '-1', text: view.title }), errorBox(e));
  } finally {
    if (ctx.live()) root.removeAttribute('aria-busy');
  }
  if (moved && ctx.live()) root.querySelector('h1')?.focus();
}

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert', text: e?.message || String(e) });
}

// ---- Shared pieces: the period, the chart, tables ---------------------------------------------

/** The period chooser: 7 / 30 / 90 days, or a custom from–to. */
function rangeBar() {
  const r = currentRange();
  const buttons = PERIODS.map((days) => h('button', {
    type: 'button',
    class: 'seg',
    'aria-pressed': String(!range.from && range.days === days),
    on: { click: () => { range = { days }; route(); } },
  }, `${days} days`));
  const fromId = nextId('from');
  const toId = nextId('to');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form = h('form', { class: 'custom', on: {
    submit: (e) => {
      e.preventDefault();
      const from = form.elements.from.value;
      const to = form.elements.to.value;
      if (!isDay(from) || !isDay(to) || from > to) {
        error.textContent = 'Choose a start date on or before the end date.';
        error.hidden = false;
        return;
      }
      range = { from, to };
      route();
    },
  } },
  h('label', { for: fromId }, 'From'),
  h('input', { id: fromId, name: 'from', type: 'date', value: r.from, required: true }),
  h('label', { for: toId }, 'to'),
  h('input', { id: toId, name: 'to', type: 'date', value: r.to, required: true }),
  h('button', { type: 'submit', class: 'seg', 'aria-pressed': String(Boolean(range.from)) }, 'Show'),
  error);
  return h('div', { class: 'rangebar', role: 'group', 'aria-label': 'Period' },
    h('div', { class: 'segs' }, buttons), form);
}

const PALETTE = ['#0b5cad', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#1098ad', '#e67700', '#5c940d'];
const METRIC_COLOURS = { page_views: '#0b5cad', helpful_votes: '#2b8a3e', downloads: '#d9480f' };

function cssVar(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

function destroyCharts() {
  for (const c of charts) c.destroy();
  charts.clear();
}

/** A chart with its text alternatives: a summary as the chart's accessible name, and a
 * "Show as a table" disclosure with every number. `lines`: [{name, values, colour}].
 * `stacked` draws each line on top of the ones before it (the top is their total). */
function chart({ title, days, lines, stacked = false, id }) {
  const figure = h('figure', { class: 'chart', 'data-chart': id ?? '' });
  const captionId = nextId('chart');
  figure.append(h('figcaption', { id: captionId, text: title }));
  const total = lines.reduce((a, l) => a + sum(l.values), 0);
  const summaryText = days.length === 0
    ? `${title}: no days in this period.`
    : `${title}, ${dayText(days[0])} to ${dayText(days.at(-1))}: `
      + (lines.length === 0
        ? 'nothing recorded.'
        : lines.map((l) => `${l.name} ${n(sum(l.values))}`).join('; ') + (lines.length > 1 ? `; ${n(total)} in all.` : '.'));
  const plot = h('div', { class: 'plot', role: 'img', 'aria-label': summaryText });
  figure.append(plot);
  if (lines.length === 0 || total === 0) {
    plot.classList.add('empty');
    plot.append(h('p', { text: lines.length === 0 ? 'Nothing recorded in this period.' : 'All zero in this period.' }));
  }
  // The numbers, as a table.
  const table = h('table', { class: 'numbers' },
    h('caption', { text: `${title} (numbers per day)` }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Day' }),
      lines.map((l) => h('th', { scope: 'col', text: l.name })))),
    h('tbody', {}, days.map((day, i) => h('tr', {},
      h('th', { scope: 'row' }, h('time', { datetime: day, text: dayText(day) })),
      lines.map((l) => h('td', { text: n(l.values[i]) }))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', text: 'Total' }),
      lines.map((l) => h('td', { text: n(sum(l.values)) })))));
  figure.append(h('details', { class: 'as-table' }, h('summary', { text: 'Show as a table' }),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': `${title}: table` }, table)));

  if (lines.length && total > 0 && window.uPlot) {
    // Drawn once the figure is in the page (its width is known then).
    requestAnimationFrame(() => drawPlot(plot, days, lines, stacked));
  } else if (lines.length && total > 0) {
    plot.append(h('p', { text: 'The chart library did not load; the numbers are in the table below.' }));
  }
  return figure;
}

function drawPlot(plot, days, lines, stacked) {
  if (!plot.isConnected) return;
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const fg = cssVar('--muted', '#566273');
  const grid = cssVar('--line', '#d3d9e0');
  // Stacked: line k shows the sum of lines 0..k; drawn from the top (the total) down so
  // each band stays visible. The legend and cursor still say each line's own number.
  let shown = lines;
  let values = lines.map((l) => l.values.map(num));
  if (stacked) {
    const cumulative = [];
    values.forEach((v, k) => cumulative.push(v.map((x, i) => x + (k ? cumulative[k - 1][i] : 0))));
    shown = [...lines].reverse();
    values = cumulative.reverse();
  }
  const raw = shown.map((l) => l.values.map(num));
  const opts = {
    width: Math.max(240, plot.clientWidth),
    height: 220,
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    legend: { show: true },
    cursor: { points: { size: 6 } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid },
        values: (u, splits) => splits.map((v) => shortDay(new Date(v * 1000).toISOString().slice(0, 10))) },
      { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 44,
        values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? fmt.format(v) : '')) },
    ],
    series: [
      { label: 'Day', value: (u, v) => (v == null ? '–' : shortDay(new Date(v * 1000).toISOString().slice(0, 10))) },
      ...shown.map((l, k) => ({
        label: l.name,
        stroke: l.colour,
        width: 2,
        fill: stacked ? `${l.colour}55` : undefined,
        points: { show: days.length <= 31 },
        value: (u, v, s, i) => (i == null ? '–' : fmt.format(raw[k][i] ?? 0)),
      })),
    ],
  };
  plot.replaceChildren();
  const u = new window.uPlot(opts, [xs, ...values], plot);
  charts.add(u);
  const resize = new ResizeObserver(() => {
    const w = Math.max(240, plot.clientWidth);
    if (w !== u.width) u.setSize({ width: w, height: 220 });
  });
  resize.observe(plot);
  const destroy = u.destroy.bind(u);
  u.destroy = () => { resize.disconnect(); destroy(); };
}

/** A sortable table: `columns` [{key, label, numeric, cell(row) → node|string, value(row)}]. */
function sortableTable({ caption, columns, rows, sortKey, descending = true, id }) {
  let key = sortKey;
  let desc = descending;
  const table = h('table', { class: 'grid', id });
  const render = () => {
    const col = columns.find((c) => c.key === key);
    const sorted = [...rows].sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return desc ? -order : order;
    });
    const head = h('tr', {}, columns.map((c) => {
      const th = h('th', { scope: 'col', class: c.numeric ? 'num' : '' });
      if (c.key === key) th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      if (c.sortable === false) {
        th.textContent = c.label;
      } else {
        th.append(h('button', { type: 'button', class: 'sort', 'data-sort': c.key, on: { click: () => {
          if (key === c.key) desc = !desc;
          else { key = c.key; desc = c.numeric !== false; }
          render();
          table.querySelector(`button[data-sort="${c.key}"]`)?.focus();
        } } }, c.label, h('span', { class: 'arrow', 'aria-hidden': 'true', text: c.key === key ? (desc ? ' ▼' : ' ▲') : '' })));
      }
      return th;
    }));
    table.replaceChildren(
      h('caption', { text: caption }),
      h('thead', {}, head),
      h('tbody', {}, sorted.map((row, i) => h('tr', {}, columns.map((c) => {
        const content = c.cell ? c.cell(row, i) : c.value(row);
        const tag = c.rowHeader ? 'th' : 'td';
        return h(tag, { class: c.numeric ? 'num' : '', scope: c.rowHeader ? 'row' : null },
          typeof content === 'number' ? n(content) : content);
      })))),
    );
  };
  render();
  return h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': `${caption}: table` }, table);
}

function changeText(now, before) {
  const d = now - before;
  if (d === 0) return { text: 'no change', cls: 'same' };
  const sign = d > 0 ? '+' : '−';
  const pct = before === 0 ? '' : ` (${sign}${fmt.format(Math.round(Math.abs(d) / before * 100))} %)`;
  return { text: `${sign}${fmt.format(Math.abs(d))}${pct}`, cls: d > 0 ? 'up' : 'down' };
}

function periodLine(summary, r) {
  const prev = A.previousRange(summary);
  const text = `${dayText(r.from)} – ${dayText(r.to)} (UTC)`
    + (prev.from && prev.to ? `, compared with ${dayText(prev.from)} – ${dayText(prev.to)}` : '');
  return h('p', { class: 'period', text });
}

function scopeParams() {
  return isStaff() ? {} : { partner: A.whoPartner(who) };
}

// ---- Overview --------------------------------------------------------------------------------

async function renderOverview(ctx) {
  const r = currentRange();
  const { root } = ctx;
  const h1 = h('h1', { tabindex: '-1', text: 'Overview' });
  fill(root, h1, rangeBar(), h('p', { class: 'loading', text: 'Loading…' }));
  const params = { ...r, ...scopeParams() };
  const [summary, ...series] = await Promise.all([
    getSummary(params).catch((e) => e),
    ...['page_views', 'helpful_votes', 'downloads'].map((m) => seriesOf(m, { ...params, by: 'partner' }).catch((e) => e)),
  ]);
  if (!ctx.live()) return;

  const cards = summary instanceof Error
    ? errorBox(summary)
    : h('ul', { class: 'cards', 'aria-label': 'Totals for the period' }, SHOWN.map((name) => {
      const now = counter(A.totals(summary), name);
      const before = counter(A.previousTotals(summary), name);
      const change = changeText(now, before);
      return h('li', { class: 'card', 'data-counter': name },
        h('span', { class: 'label', text: LABELS[name] }),
        h('span', { class: 'value', text: n(now) }),
        h('span', { class: `change ${change.cls}` },
          h('span', { class: 'sr', text: 'Change against the previous period: ' }),
          change.text, h('span', { class: 'vs', text: ` vs ${n(before)} before` })));
    }));

  const modeName = 'mode';
  const toggle = h('fieldset', { class: 'toggle' }, h('legend', { text: 'Partners in the charts' }),
    [['stacked', 'All partners stacked'], ['split', 'Split by partner']].map(([value, label]) => h('label', {},
      h('input', { type: 'radio', name: modeName, value, checked: chartMode === value,
        on: { change: () => { chartMode = value; route(); } } }), ` ${label}`)));

  const chartsBox = h('div', { class: 'charts' });
  ['page_views', 'helpful_votes', 'downloads'].forEach((metric, i) => {
    const s = series[i];
    if (s instanceof Error) {
      chartsBox.append(h('figure', { class: 'chart' }, h('figcaption', { text: `${LABELS[metric]} per day` }), errorBox(s)));
      return;
    }
    const lines = A.series(s).map((x, k) => ({
      name: A.seriesName(x) || A.seriesKey(x),
      values: A.seriesValues(x),
      colour: PALETTE[k % PALETTE.length],
    }));
    chartsBox.append(chart({
      id: metric,
      title: `${LABELS[metric]} per day, ${chartMode === 'stacked' ? 'all partners stacked' : 'by partner'}`,
      days: A.days(s),
      lines,
      stacked: chartMode === 'stacked',
    }));
  });

  fill(root, h1, rangeBar(), summary instanceof Error ? null : periodLine(summary, r),
    cards,
    h('section', { 'aria-labelledby': 'per-day' }, h('h2', { id: 'per-day', text: 'Per day' }), toggle, chartsBox),
    csvBox(params));
}

/** "Download CSV": the export of one counter over the period (per partner if asked),
 * fetched with the token and saved from a Blob URL. */
function csvBox(params) {
  const metricId = nextId('csv-metric');
  const byId = nextId('csv-by');
  const status = h('p', { class: 'status', role: 'status' });
  const select = h('select', { id: metricId }, METRICS.map((m) => h('option', { value: m, text: LABELS[m] })));
  const by = h('select', { id: byId },
    h('option', { value: '', text: 'All partners together' }),
    h('option', { value: 'partner', text: 'One column per partner' }),
    h('option', { value: 'resource', text: 'One column per resource' }));
  const button = h('button', { type: 'button', class: 'primary', id: 'csv' }, 'Download CSV');
  button.addEventListener('click', async () => {
    const p = { ...params, metric: select.value, by: by.value || null };
    button.disabled = true;
    status.textContent = 'Preparing the file…';
    try {
      const name = `casm-${p.metric}-${p.from}-to-${p.to}${p.by ? `-by-${p.by}` : ''}.csv`;
      await download(`/v1/admin/export.csv?${query(p)}`, name);
      status.textContent = `Saved ${name}.`;
    } catch (e) {
      status.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'csv', 'aria-labelledby': 'csv-heading' },
    h('h2', { id: 'csv-heading', text: 'Export' }),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: metricId, text: 'Counter' }), select),
      h('div', {}, h('label', { for: byId, text: 'Columns' }), by),
      button),
    status);
}

async function download(url, fallbackName) {
  const response = await api(url, { raw: true });
  const disposition = response.headers.get('content-disposition') ?? '';
  const m = disposition.match(/filename="?([^";]+)"?/i);
  const name = m ? m[1] : fallbackName;
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = h('a', { href, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 30_000);
}

// ---- Partners ----------------------------------------------------------------------------------

/** Partner rows: the summary's top partners. */
async function partnerRows(params) {
  const summary = await getSummary(params);
  const rows = A.topPartners(summary)
    .map((p) => ({ key: A.partnerKey(p), name: A.partnerName(p), totals: A.partnerTotals(p) }));
  return { summary, rows };
}

async function renderPartners(ctx) {
  const r = currentRange();
  const { root } = ctx;
  const h1 = h('h1', { tabindex: '-1', text: 'Partners' });
  fill(root, h1, rangeBar(), h('p', { class: 'loading', text: 'Loading…' }));
  const params = { ...r, ...scopeParams() };
  const { summary, rows } = await partnerRows(params);
  if (!ctx.live()) return;
  const intro = h('p', { class: 'note', text: isStaff()
    ? 'Which partner sites drive views and votes. Click a column heading to sort by it.'
    : 'Your site’s numbers for the period.' });
  const table = rows.length === 0
    ? h('p', { class: 'note', text: 'No partner site recorded anything in this period.' })
    : sortableTable({
      id: 'partners-table',
      caption: `Partner sites, ${dayText(r.from)} – ${dayText(r.to)}`,
      sortKey: 'page_views',
      rows,
      columns: [
        { key: 'name', label: 'Partner', numeric: false, rowHeader: true, value: (p) => p.name.toLowerCase(),
          cell: (p) => [h('span', { text: p.name }), p.name !== p.key ? h('span', { class: 'key', text: p.key }) : null] },
        ...SHOWN.map((c) => ({ key: c, label: LABELS[c], numeric: true, value: (p) => counter(p.totals, c) })),
      ],
    });
  fill(root, h1, rangeBar(), periodLine(summary, r), intro, table);
}

// ---- Resources ----------------------------------------------------------------------------------

/** A 30-day sparkline (inline SVG) whose accessible name says every number. */
function sparkline(values, label) {
  const w = 120;
  const hgt = 28;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(hgt - 2 - (v / max) * (hgt - 4)).toFixed(1)}`).join(' ');
  const el = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, class: 'spark', role: 'img',
    'aria-label': `${label}, last ${values.length} days: ${values.map((v) => fmt.format(v)).join(', ')}, total ${fmt.format(sum(values))}` });
  el.append(svg('line', { x1: 0, y1: hgt - 2, x2: w, y2: hgt - 2, class: 'base' }));
  if (values.length) el.append(svg('polyline', { points, class: 'line' }));
  return el;
}

async function renderResources(ctx) {
  const r = lastDays(SPARK_DAYS);
  const { root } = ctx;
  const h1 = h('h1', { tabindex: '-1', text: 'Resources' });
  fill(root, h1, h('p', { class: 'loading', text: 'Loading…' }));
  const params = { ...r, ...scopeParams() };
  const [summary, spark] = await Promise.all([
    getSummary(params),
    getSeries({ ...params, metric: 'page_views', by: 'resource' }).catch((e) => e),
  ]);
  if (!ctx.live()) return;
  const lines = new Map();
  if (!(spark instanceof Error)) {
    for (const x of A.series(spark)) lines.set(A.seriesKey(x), { name: A.seriesName(x), values: A.seriesValues(x) });
  }
  const days = spark instanceof Error ? [] : A.days(spark);
  const top = A.topResources(summary);
  const rows = top.map((x, i) => ({ rank: i + 1, id: A.resourceId(x), title: A.resourceTitle(x), totals: A.resourceTotals(x) }));
  // Resources the sparkline series knows but the summary's ranking leaves out.
  for (const [id, line] of lines) {
    if (!rows.some((row) => row.id === id)) {
      rows.push({ rank: rows.length + 1, id, title: line.name || id, totals: { page_views: sum(line.values) } });
    }
  }
  const zeros = days.map(() => 0);
  const table = rows.length === 0
    ? h('p', { class: 'note', text: 'No resource was viewed, voted on or downloaded in the last 30 days.' })
    : sortableTable({
      id: 'resources-table',
      caption: `Resources, last ${SPARK_DAYS} days (${dayText(r.from)} – ${dayText(r.to)})`,
      sortKey: 'rank',
      descending: false,
      rows,
      columns: [
        { key: 'rank', label: 'Rank', numeric: true, value: (x) => x.rank },
        { key: 'title', label: 'Resource', numeric: false, rowHeader: true, value: (x) => x.title.toLowerCase(),
          cell: (x) => h('a', { href: hashOf('resource', x.id), text: x.title }) },
        ...SHOWN.map((c) => ({ key: c, label: LABELS[c], numeric: true, value: (x) => counter(x.totals, c) })),
        { key: 'spark', label: 'Page views, last 30 days', sortable: false, value: () => 0,
          cell: (x) => (spark instanceof Error ? '—' : sparkline(lines.get(x.id)?.values ?? zeros, 'page views')) },
      ],
    });
  fill(root, h1,
    h('p', { class: 'note', text: 'Ranked by the service’s order for the last 30 days. Open a resource for its chart, downloads, comments and editor.' }),
    spark instanceof Error ? errorBox(spark) : null,
    table);
}

// ---- One resource ---------------------------------------------------------------------------------

async function renderResource(ctx, id) {
  const { root } = ctx;
  if (!id) {
    location.hash = '#resources';
    return;
  }
  const r = currentRange();
  const params = { ...r, ...scopeParams(), resource: id };
  const h1 = h('h1', { tabindex: '-1', text: id });
  const back = h('p', { class: 'back' }, h('a', { href: '#resources', text: '← All resources' }));
  fill(root, back, h1, h('p', { class: 'loading', text: 'Loading…' }));

  const staff = isStaff();
  const [doc, pub, stats, ...series] = await Promise.all([
    staff ? api(`/v1/admin/resources/${encodeURIComponent(id)}`).catch((e) => e) : null,
    api(`/v1/resources/${encodeURIComponent(id)}`, { auth: false }).catch((e) => e),
    staff ? api(`/v1/stats?ids=${encodeURIComponent(id)}`, { auth: false }).catch((e) => e) : null,
    ...['page_views', 'helpful_votes', 'downloads'].map((m) => seriesOf(m, params).catch((e) => e)),
  ]);
  if (!ctx.live()) return;
  // The public item names it (and its links) for partner tokens, and if the admin read fails.
  const known = doc && !(doc instanceof Error) ? doc
    : pub && !(pub instanceof Error) ? { title: pub.title, links: pub._casm?.links ?? [], version: pub._casm?.version } : null;
  if (known?.title) h1.textContent = known.title;
  document.title = `${h1.textContent} — CASM console`;

  const parts = [back, h1, h('p', { class: 'meta' }, h('span', { text: `id ${id}` }),
    known && A.version(known) != null ? h('span', { class: 'version', text: ` · version ${A.version(known)}` }) : null)];
  parts.push(rangeBar());

  // Its numbers per day.
  const failed = series.find((s) => s instanceof Error);
  if (failed) {
    parts.push(errorBox(failed));
  } else {
    const lines = ['page_views', 'helpful_votes', 'downloads'].map((m, i) => ({
      name: LABELS[m],
      // One series ("all") without `by`; added up in case the service splits it anyway.
      values: A.series(series[i]).reduce((acc, x) => acc.map((v, k) => v + num(A.seriesValues(x)[k])),
        A.days(series[i]).map(() => 0)),
      colour: METRIC_COLOURS[m],
    }));
    parts.push(h('section', { 'aria-labelledby': 'res-chart' }, h('h2', { id: 'res-chart', text: 'Per day' }),
      chart({ id: 'resource', title: 'Page views, helpful votes and downloads per day', days: A.days(series[0]), lines })));
  }

  if (staff) {
    // Downloads per link (all time, every partner: the public counters).
    const linkCounts = stats instanceof Error ? null : A.statLinks(stats, id);
    // The counted links (downloads), named by the resource's own titles when it loaded.
    const links = known?.links ?? [];
    const downloadable = Object.keys(linkCounts ?? {}).map((lid) => links.find((l) => l.id === lid) ?? { id: lid });
    parts.push(h('section', { 'aria-labelledby': 'res-links' }, h('h2', { id: 'res-links', text: 'Downloads per link' }),
      stats instanceof Error ? errorBox(stats)
        : downloadable.length === 0 ? h('p', { class: 'note', text: 'This resource has no downloadable links.' })
          : h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Downloads per link: table' },
            h('table', { class: 'grid', id: 'links-table' },
              h('caption', { text: 'Downloads per link (all time)' }),
              h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Link' }), h('th', { scope: 'col', text: 'Kind' }),
                h('th', { scope: 'col', class: 'num', text: 'Downloads' }))),
              h('tbody', {}, downloadable.map((l) => h('tr', {},
                h('th', { scope: 'row', text: l.title ?? l.id }), h('td', { text: l.kind ?? '' }),
                h('td', { class: 'num', text: n(linkCounts[l.id]) }))))))));

    // Its comments, with the moderation actions.
    const fbBox = h('div', { class: 'feedback-box' });
    parts.push(h('section', { 'aria-labelledby': 'res-feedback' }, h('h2', { id: 'res-feedback', text: 'Comments' }), fbBox));

    // The editor.
    parts.push(doc instanceof Error
      ? h('section', {}, h('h2', { text: 'Edit' }), errorBox(doc))
      : editor(id, doc));
    fill(root, ...parts);
    await feedbackList(ctx, fbBox, { resource: id });
    return;
  }
  fill(root, ...parts);
}

/** The resource editor: title, summary, body (paragraphs split on blank lines), links
 * (editable rows), version comment; PUT, then the new version. Retire, after a dialog. */
function editor(id, doc) {
  const form = h('form', { class: 'editor', id: 'editor', novalidate: true });
  const field = (label, input, hint) => {
    const fid = nextId('f');
    input.id = fid;
    const hintId = hint ? `${fid}-hint` : null;
    if (hintId) input.setAttribute('aria-describedby', hintId);
    return h('div', { class: 'field' }, h('label', { for: fid, text: label }), input,
      hint ? h('p', { class: 'hint', id: hintId, text: hint }) : null);
  };
  const title = h('input', { name: 'title', type: 'text', value: doc.title ?? '', required: true, maxlength: '300' });
  const summary = h('textarea', { name: 'summary', rows: '3' });
  summary.value = doc.summary ?? '';
  const body = h('textarea', { name: 'body', rows: '10' });
  body.value = (doc.body ?? []).join('\n\n');
  const comment = h('input', { name: 'version_comment', type: 'text', value: '', maxlength: '500' });

  const linkRows = h('ol', { class: 'links', 'aria-label': 'Links' });
  const addRow = (link = {}) => {
    const li = h('li', { class: 'link-row' });
    li.original = link;
    const kind = h('select', { name: 'kind' }, LINK_KINDS.map((k) => h('option', { value: k, text: k })));
    kind.value = LINK_KINDS.includes(link.kind) ? link.kind : 'document';
    const remove = h('button', { type: 'button', class: 'quiet small', on: { click: () => {
      const next = li.nextElementSibling ?? li.previousElementSibling;
      li.remove();
      renumber();
      (next?.querySelector('input') ?? addButton).focus();
    } } });
    li.append(
      field('Link id', h('input', { name: 'id', type: 'text', value: link.id ?? '', spellcheck: 'false', maxlength: '100' })),
      field('Title', h('input', { name: 'link_title', type: 'text', value: link.title ?? '', maxlength: '300' })),
      field('URL', h('input', { name: 'url', type: 'text', value: link.url ?? '', spellcheck: 'false', inputmode: 'url' })),
      field('Kind', kind),
      remove);
    linkRows.append(li);
    renumber();
    return li;
  };
  const renumber = () => {
    [...linkRows.children].forEach((li, i) => {
      li.querySelector('button').textContent = `Remove link ${i + 1}`;
    });
  };
  const addButton = h('button', { type: 'button', class: 'quiet', on: { click: () => addRow().querySelector('input').focus() } }, 'Add a link');
  for (const l of doc.links ?? []) addRow(l);

  const status = h('p', { class: 'status', role: 'status', id: 'editor-status' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save a new version');
  const version = h('p', { class: 'meta', id: 'editor-version', text: `Current version: ${A.version(doc) ?? '—'}` });
  let current = doc;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const links = [...linkRows.children].map((li) => {
      const get = (name) => li.querySelector(`[name="${name}"]`).value.trim();
      const original = li.original ?? {};
      const next = { ...original, id: get('id'), title: get('link_title'), url: get('url'), kind: get('kind') };
      // A changed address no longer has the old file's type and size.
      if (original.url !== next.url) { delete next.mime_type; delete next.size; }
      return next;
    });
    const paragraphs = body.value.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
    const payload = {
      ...current,
      title: title.value.trim(),
      summary: summary.value.trim(),
      body: paragraphs,
      links,
      version_comment: comment.value.trim(),
    };
    save.disabled = true;
    status.textContent = 'Saving…';
    status.classList.remove('error');
    try {
      const answer = await api(`/v1/admin/resources/${encodeURIComponent(id)}`, { method: 'PUT', body: payload });
      const saved = answer && (answer.resource ?? answer);
      const v = A.version(answer) ?? A.version(saved);
      if (saved && saved.id) current = saved;
      else current = { ...payload, version: v ?? payload.version };
      version.textContent = `Current version: ${v ?? '—'}`;
      status.textContent = `Saved: version ${v ?? '(new)'} is live; partner pages show it on their next load.`;
      comment.value = '';
      const h1 = document.querySelector('#view h1');
      if (h1) h1.textContent = payload.title;
      const tag = document.querySelector('#view .meta .version');
      if (tag && v != null) tag.textContent = ` · version ${v}`;
    } catch (err) {
      status.textContent = `Not saved: ${err.message}${err.field ? ` (${err.field})` : ''}`;
      status.classList.add('error');
    } finally {
      save.disabled = false;
    }
  });

  const retire = h('button', { type: 'button', class: 'danger', id: 'retire' }, 'Retire this resource');
  const retireStatus = h('p', { class: 'status', role: 'status' });
  retire.addEventListener('click', async () => {
    const ok = await ask({
      title: 'Retire this resource?',
      text: `“${title.value}” will no longer be shown: partner pages that embed it will say it is not available. Its numbers are kept.`,
      confirm: 'Retire',
    });
    if (!ok) return;
    try {
      await api(`/v1/admin/resources/${encodeURIComponent(id)}/retire`, { method: 'POST' });
      retireStatus.textContent = 'Retired: partner pages now say this resource is not available.';
      retire.hidden = true;
      restore.hidden = false;
      restore.focus();
    } catch (err) {
      retireStatus.textContent = `Not retired: ${err.message}`;
    }
  });
  // Undo: served again, with its counts.
  const restore = h('button', { type: 'button', id: 'restore', hidden: true }, 'Restore this resource');
  restore.addEventListener('click', async () => {
    try {
      await api(`/v1/admin/resources/${encodeURIComponent(id)}/restore`, { method: 'POST' });
      retireStatus.textContent = 'Restored: partner pages show it again.';
      restore.hidden = true;
      retire.hidden = false;
      retire.focus();
    } catch (err) {
      retireStatus.textContent = `Not restored: ${err.message}`;
    }
  });

  append(form, [
    field('Title', title),
    field('Summary', summary),
    field('Body', body, 'One paragraph per block; leave a blank line between paragraphs.'),
    h('fieldset', { class: 'links-box' }, h('legend', { text: 'Links' }), linkRows, addButton),
    field('Version comment', comment, 'What changed, for the Page Information (“Version Comment”).'),
    h('div', { class: 'actions' }, save), status]);
  return h('section', { 'aria-labelledby': 'res-edit' },
    h('h2', { id: 'res-edit', text: 'Edit' }), version, form,
    h('h2', { text: 'Retire' }), h('p', { class: 'note', text: 'Retiring takes the resource off every partner page.' }),
    retire, restore, retireStatus);
}

// ---- Moderation ------------------------------------------------------------------------------------

async function renderModeration(ctx) {
  const { root } = ctx;
  const h1 = h('h1', { tabindex: '-1', text: 'Moderation' });
  const box = h('div', { class: 'feedback-box' });
  fill(root, h1,
    h('p', { class: 'note', text: 'Visitors’ “Submit your comments” messages, newest first. They are never published.' }),
    box);
  await feedbackList(ctx, box, {});
}

/** The feedback queue (status filter; newest first) with its actions, in `box`. */
async function feedbackList(ctx, box, { resource }) {
  const filter = h('div', { class: 'segs', role: 'group', 'aria-label': 'Show messages that are' },
    FEEDBACK_STATUSES.map((s) => h('button', { type: 'button', class: 'seg', 'data-status': s,
      'aria-pressed': String(s === moderationStatus),
      on: { click: () => { moderationStatus = s; feedbackList(ctx, box, { resource }); } } }, STATUS_LABELS[s])));
  const status = h('p', { class: 'status', role: 'status' });
  const list = h('ol', { class: 'messages', 'aria-label': `${STATUS_LABELS[moderationStatus]} messages` });
  fill(box, filter, status, h('p', { class: 'loading', text: 'Loading…' }));
  let answer;
  try {
    answer = await api(`/v1/admin/feedback?${query({ status: moderationStatus, resource })}`);
  } catch (e) {
    if (!ctx.live()) return;
    fill(box, filter, errorBox(e));
    return;
  }
  if (!ctx.live()) return;
  const items = [...A.feedbackItems(answer)].sort((a, b) =>
    (dateOf(A.fbCreated(b))?.getTime() ?? 0) - (dateOf(A.fbCreated(a))?.getTime() ?? 0));
  const reload = async (message) => {
    await feedbackList(ctx, box, { resource });
    const s = box.querySelector('.status');
    if (s) s.textContent = message;
  };
  for (const item of items) list.append(message(item, reload, status));
  fill(box, filter, status,
    items.length ? list : h('p', { class: 'note empty', text: `No ${STATUS_LABELS[moderationStatus].toLowerCase()} messages${resource ? ' for this resource' : ''}.` }));
}

/** One message: every field as text. */
function message(item, reload, status) {
  const id = A.fbId(item);
  const when = dateOf(A.fbCreated(item));
  const contact = A.fbContact(item);
  const resource = A.fbResource(item);
  const act = async (label, fn, done) => {
    try {
      const answer = await fn();
      await reload(typeof done === 'function' ? done(answer) : done);
    } catch (e) {
      status.textContent = `${label} failed: ${e.message}`;
    }
  };
  const buttons = [];
  const st = A.fbStatus(item);
  if (st !== 'handled') {
    buttons.push(h('button', { type: 'button', 'data-action': 'handled', on: { click: () => act('Mark handled',
      () => api(`/v1/admin/feedback/${encodeURIComponent(id)}`, { method: 'POST', body: { status: 'handled' } }),
      'Marked handled.') } }, 'Mark handled'));
  }
  if (st !== 'archived') {
    buttons.push(h('button', { type: 'button', 'data-action': 'archived', on: { click: () => act('Archive',
      () => api(`/v1/admin/feedback/${encodeURIComponent(id)}`, { method: 'POST', body: { status: 'archived' } }),
      'Archived.') } }, 'Archive'));
  }
  if (st !== 'new') {
    buttons.push(h('button', { type: 'button', 'data-action': 'new', on: { click: () => act('Move back',
      () => api(`/v1/admin/feedback/${encodeURIComponent(id)}`, { method: 'POST', body: { status: 'new' } }),
      'Moved back to New.') } }, 'Back to new'));
  }
  buttons.push(h('button', { type: 'button', class: 'danger', 'data-action': 'delete', on: { click: async () => {
    if (!await ask({ title: 'Delete this message?', text: 'It is deleted for good.', confirm: 'Delete' })) return;
    act('Delete', () => api(`/v1/admin/feedback/${encodeURIComponent(id)}`, { method: 'DELETE' }), 'Deleted.');
  } } }, 'Delete'));
  if (contact) {
    buttons.push(h('button', { type: 'button', class: 'danger', 'data-action': 'erase', on: { click: async () => {
      const ok = await ask({
        title: 'Erase everything from this contact?',
        text: `Every message whose contact is “${contact}”, for every resource and status, is deleted for good (a request to be forgotten).`,
        confirm: 'Erase everything',
      });
      if (!ok) return;
      act('Erase', () => api('/v1/admin/feedback/erase', { method: 'POST', body: { contact } }), (answer) => {
        const erased = A.erased(answer);
        return `Erased ${n(erased)} message${erased === 1 ? '' : 's'} from this contact.`;
      });
    } } }, 'Erase everything from this contact'));
  }
  return h('li', { class: 'message', 'data-id': id, 'data-status': st },
    h('dl', { class: 'fields' },
      h('div', {}, h('dt', { text: 'Resource' }), h('dd', {}, resource ? h('a', { href: hashOf('resource', resource), text: resource }) : '—')),
      h('div', {}, h('dt', { text: 'Partner' }), h('dd', { text: A.fbPartner(item) || '—' })),
      h('div', {}, h('dt', { text: 'Date' }), h('dd', {}, when
        ? h('time', { datetime: when.toISOString(), text: `${timeFmt.format(when)} UTC` }) : '—')),
      h('div', {}, h('dt', { text: 'Contact' }), h('dd', { class: 'contact', text: contact || 'none given' }))),
    h('p', { class: 'text', text: A.fbText(item) }),
    h('div', { class: 'actions' }, buttons));
}

// ---- The confirmation dialog (a real <dialog>) -------------------------------------------------------

function ask({ title, text, confirm }) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = confirm;
  const opener = document.activeElement;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-cancel').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (opener?.isConnected) opener.focus();
      resolve(dialog.returnValue === 'ok');
    }, { once: true });
  });
}

// ---- Wiring ------------------------------------------------------------------------------------------

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const value = $('token').value.trim();
  if (!value) return;
  const button = e.target.querySelector('button');
  button.disabled = true;
  await signIn(value);
  button.disabled = false;
});
$('signout').addEventListener('click', () => signOut('Signed out.'));
window.addEventListener('hashchange', () => route(true));

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved);
else showSignIn();
