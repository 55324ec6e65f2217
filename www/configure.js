// The site owners' configurator (/configure): search the live catalogue, choose the
// widget's options, watch a live preview, copy the exact tag. Plain JavaScript, no
// dependencies; it runs under `default-src 'self'; script-src 'self' 'wasm-unsafe-eval';
// style-src 'self'` (no inline script or style; feed text is only ever set as textContent).
//
// The snippet carries only the options that differ from the widget's defaults (README,
// "Embedding"), and pins this release's loader and Wasm with their SRI hashes, read from
// /widget/release.json:
//   {"version", "loader": {"path", "integrity"}, "wasm": {"path", "integrity"}}
// (paths relative to /widget/).

const FEED = location.origin;
const PARTS = ['summary', 'body', 'links', 'info', 'votes', 'share', 'feedback'];
// The parts each view can show (src/options.rs, Show::fitting); all of them is the default.
const FITTING = { resource: PARTS, card: ['summary', 'info'], list: ['summary', 'info'] };
const DEFAULT_LIMIT = 10;
const DEFAULT_ACCENT = '#0b5cad'; // the widget's own (src/style.css), shown while "default" is ticked
const SEARCH_LIMIT = 20;
const SEARCH_DEBOUNCE_MS = 250;

const STRINGS = {
  en: {
    docTitle: 'CASM Embed — configurator',
    title: 'Put CASM resources on your site',
    intro: 'Choose what to show and how it looks; the preview follows your choices. '
      + 'Copy the code into your page where the widget should appear.',
    pickLegend: '1. Resource',
    searchLabel: 'Search the catalogue by title',
    resultsLabel: 'Resources',
    popular: 'The most popular resources. Type part of a title to search.',
    searching: 'Searching…',
    found: (n, more) => (n === 1 ? '1 resource' : `${n} resources`)
      + (more ? ` shown; type more of the title to narrow it down.` : '.'),
    none: (q) => `No resource’s title contains “${q}”.`,
    searchFailed: (why) => `The catalogue could not be searched: ${why}`,
    picked: 'Selected:',
    notPicked: 'No resource selected yet: pick one above.',
    viewLegend: '2. View',
    viewResource: 'Resource (the full page)',
    viewCard: 'Card (short)',
    viewList: 'List (no resource needed)',
    listLegend: 'List options',
    tagLabel: 'Only this tag',
    sortLabel: 'Order',
    sortPopular: 'Most popular',
    sortRecent: 'Most recent',
    limitLabel: 'How many (1–100)',
    partsLegend: '3. Parts to show',
    partSummary: 'Summary',
    partBody: 'Full text',
    partLinks: 'Links and downloads',
    partInfo: 'Page Information',
    partVotes: '“Helpful” vote',
    partShare: 'Email this page',
    partFeedback: 'Comments form',
    partsNarrow: 'A card or a list shows the summary and Page Information only.',
    partsOne: 'Keep at least one part.',
    lookLegend: '4. Look and behaviour',
    themeLabel: 'Theme',
    themeAuto: 'Automatic',
    themeLight: 'Light',
    themeDark: 'Dark',
    accentLabel: 'Accent colour',
    accentDefault: 'Default (CASM blue)',
    accentPick: 'Choose the accent colour',
    langLabel: 'Widget language',
    langAuto: 'Automatic (your page’s language)',
    lazyLabel: 'Load when it comes near the screen (recommended)',
    previewHeading: 'Preview',
    previewHint: 'Pick a resource to see it here.',
    previewBroken: 'The preview could not start: the widget (/widget/casm-widget.js) did not load.',
    codeHeading: 'Your code',
    codeNote: 'Paste it into your page’s HTML where the widget should appear. '
      + 'It holds only the options you changed.',
    snippetPick: 'Pick a resource first, or choose the List view.',
    releaseError: (why) => 'The code cannot be written: this service’s widget release '
      + `(/widget/release.json) could not be read (${why}). Try again later.`,
    copy: 'Copy',
    copied: 'Copied',
    copyManual: 'The code is selected: press Ctrl+C (⌘C on a Mac) to copy it.',
    // Resource kinds as the widget names them (src/i18n.rs, Kind*).
    kinds: { online_resource: 'Online Resource', report: 'Report', toolkit: 'Toolkit',
      presentation: 'Presentation', photo_set: 'Photo Set', video: 'Video', event: 'Event' },
  },
  fr: {
    docTitle: 'CASM Embed — configurateur',
    title: 'Affichez les ressources CASM sur votre site',
    intro: 'Choisissez ce qui s’affiche et son apparence ; l’aperçu suit vos choix. '
      + 'Copiez le code dans votre page, là où le widget doit apparaître.',
    pickLegend: '1. Ressource',
    searchLabel: 'Chercher dans le catalogue par titre',
    resultsLabel: 'Ressources',
    popular: 'Les ressources les plus populaires. Tapez une partie d’un titre pour chercher.',
    searching: 'Recherche…',
    found: (n, more) => (n === 1 ? '1 ressource' : `${n} ressources`)
      + (more ? ' affichées ; précisez le titre pour affiner.' : '.'),
    none: (q) => `Aucun titre de ressource ne contient « ${q} ».`,
    searchFailed: (why) => `La recherche dans le catalogue a échoué : ${why}`,
    picked: 'Sélection :',
    notPicked: 'Aucune ressource sélectionnée : choisissez-en une ci-dessus.',
    viewLegend: '2. Affichage',
    viewResource: 'Ressource (la page complète)',
    viewCard: 'Fiche (courte)',
    viewList: 'Liste (sans ressource à choisir)',
    listLegend: 'Options de la liste',
    tagLabel: 'Seulement ce mot-clé',
    sortLabel: 'Ordre',
    sortPopular: 'Les plus populaires',
    sortRecent: 'Les plus récentes',
    limitLabel: 'Combien (1 à 100)',
    partsLegend: '3. Éléments à afficher',
    partSummary: 'Résumé',
    partBody: 'Texte complet',
    partLinks: 'Liens et téléchargements',
    partInfo: 'Informations sur la page',
    partVotes: 'Vote « Utile »',
    partShare: 'Envoyer cette page par e-mail',
    partFeedback: 'Formulaire de commentaires',
    partsNarrow: 'Une fiche ou une liste n’affiche que le résumé et les informations sur la page.',
    partsOne: 'Gardez au moins un élément.',
    lookLegend: '4. Apparence et comportement',
    themeLabel: 'Thème',
    themeAuto: 'Automatique',
    themeLight: 'Clair',
    themeDark: 'Sombre',
    accentLabel: 'Couleur d’accent',
    accentDefault: 'Par défaut (bleu CASM)',
    accentPick: 'Choisir la couleur d’accent',
    langLabel: 'Langue du widget',
    langAuto: 'Automatique (la langue de votre page)',
    lazyLabel: 'Charger à l’approche de l’écran (recommandé)',
    previewHeading: 'Aperçu',
    previewHint: 'Choisissez une ressource pour la voir ici.',
    previewBroken: 'L’aperçu n’a pas pu démarrer : le widget (/widget/casm-widget.js) ne s’est pas chargé.',
    codeHeading: 'Votre code',
    codeNote: 'Collez-le dans le HTML de votre page, là où le widget doit apparaître. '
      + 'Il ne contient que les options que vous avez changées.',
    snippetPick: 'Choisissez d’abord une ressource, ou l’affichage Liste.',
    releaseError: (why) => 'Le code ne peut pas être écrit : la version du widget de ce service '
      + `(/widget/release.json) n’a pas pu être lue (${why}). Réessayez plus tard.`,
    copy: 'Copier',
    copied: 'Copié',
    copyManual: 'Le code est sélectionné : appuyez sur Ctrl+C (⌘C sur Mac) pour le copier.',
    kinds: { online_resource: 'Ressource en ligne', report: 'Rapport', toolkit: 'Boîte à outils',
      presentation: 'Présentation', photo_set: 'Album photo', video: 'Vidéo', event: 'Événement' },
  },
};

function uiLang() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked === 'en' || asked === 'fr') return asked;
  return String(navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

const LANG = uiLang();
const T = STRINGS[LANG];

const $ = (id) => document.getElementById(id);
const form = $('controls');
const search = $('search');
const results = $('results');
const searchStatus = $('search-status');
const pickedLine = $('picked');
const previewBox = $('preview');
const previewHint = $('preview-hint');
const snippetBox = $('snippet-box');
const snippetCode = $('snippet');
const snippetHint = $('snippet-hint');
const releaseError = $('release-error');
const copyButton = $('copy');
const copyStatus = $('copy-status');

let picked = null;        // { id, title } of the chosen resource
let release = null;       // the validated release.json
let releaseProblem = null;
let previewEl = null;     // the preview's widget element
let snippet = '';         // the code as shown and copied ('' when none can be written)
let previewBroken = false;

// ---- Page language ------------------------------------------------------------------

function translatePage() {
  document.documentElement.lang = LANG;
  document.title = T.docTitle;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const text = T[el.dataset.i18n];
    if (typeof text === 'string') el.textContent = text;
  }
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    const text = T[el.dataset.i18nLabel];
    if (typeof text === 'string') el.setAttribute('aria-label', text);
  }
  for (const a of document.querySelectorAll('[data-ui-lang]')) {
    if (a.dataset.uiLang === LANG) a.setAttribute('aria-current', 'true');
    else a.removeAttribute('aria-current');
  }
}

// ---- The choices and what they make ---------------------------------------------------

function choices() {
  const f = form.elements;
  const view = f.view.value || 'resource';
  const limitValue = Number.parseInt($('limit').value, 10);
  const limitOk = Number.isInteger(limitValue) && limitValue >= 1 && limitValue <= 100;
  $('limit').setAttribute('aria-invalid', String(!limitOk));
  return {
    view,
    resource: picked,
    parts: [...form.querySelectorAll('input[name="part"]')].filter((c) => c.checked).map((c) => c.value),
    tag: $('tag').value.trim(),
    sort: $('sort').value,
    limit: limitOk ? limitValue : DEFAULT_LIMIT,
    theme: f.theme.value || 'auto',
    accent: $('accent-default').checked ? null : $('accent').value,
    lang: $('lang').value,
    lazy: $('lazy').checked,
  };
}

/** The widget's data- attributes that differ from its defaults, in the README's order;
 * `null` when the view needs a resource and none is picked. */
function attributes(c) {
  if (c.view !== 'list' && !c.resource) return null;
  const a = [];
  // Without data-resource the default view is list; with it, resource.
  if (c.view === 'card') a.push(['data-view', 'card']);
  if (c.view !== 'list') a.push(['data-resource', c.resource.id]);
  const fitting = FITTING[c.view];
  const shown = fitting.filter((p) => c.parts.includes(p));
  if (shown.length > 0 && shown.length < fitting.length) a.push(['data-show', shown.join(',')]);
  if (c.view === 'list') {
    if (c.tag) a.push(['data-tag', c.tag]);
    if (c.sort !== 'popular') a.push(['data-sort', c.sort]);
    if (c.limit !== DEFAULT_LIMIT) a.push(['data-limit', String(c.limit)]);
  }
  if (c.theme !== 'auto') a.push(['data-theme', c.theme]);
  if (c.accent) a.push(['data-accent', c.accent]);
  if (c.lang !== 'auto') a.push(['data-lang', c.lang]);
  if (!c.lazy) a.push(['data-lazy', 'false']);
  return a;
}

/** Escapes a value for a double-quoted HTML attribute. */
function attr(value) {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The tag: the resource hints, the pinned loader and the element. The hints start with
 * the page what the loader would start only once it has arrived: the Wasm, and the
 * resource's data and the language's table when the choices fix them (the URLs are the
 * loader's own, so the browser hands it the preloaded answers). */
function snippetOf(rel, attrs, c) {
  const widget = `${FEED}/widget/`;
  const div = '<div data-casm-widget'
    + attrs.map(([name, value]) => ` ${name}="${attr(value)}"`).join('')
    + '></div>';
  const fetched = (url) => `<link rel="preload" href="${attr(url)}" as="fetch" crossorigin="anonymous">`;
  const lines = [
    `<link rel="preconnect" href="${attr(FEED)}" crossorigin>`,
    `<link rel="preload" href="${attr(widget + rel.wasm.path)}" as="fetch" type="application/wasm" `
      + `crossorigin="anonymous" integrity="${attr(rel.wasm.integrity)}">`,
  ];
  if (c.view !== 'list' && c.resource) {
    lines.push(fetched(`${FEED}/v1/resources/${encodeURIComponent(c.resource.id)}`));
  }
  const table = Object.hasOwn(rel.lang, c.lang) && rel.lang[c.lang];
  if (table) lines.push(fetched(widget + table));
  lines.push(`<script src="${attr(widget + rel.loader.path)}" integrity="${attr(rel.loader.integrity)}" `
    + 'crossorigin="anonymous" async></script>', div);
  return lines.join('\n');
}

// ---- Rendering --------------------------------------------------------------------------

function update() {
  const c = choices();
  const attrs = attributes(c);

  // Parts a card or list cannot show are disabled (their ticks are kept for later).
  const fitting = FITTING[c.view];
  for (const box of form.querySelectorAll('input[name="part"]')) {
    box.disabled = !fitting.includes(box.value);
  }
  const note = $('parts-note');
  if (note.dataset.kind !== 'one') note.textContent = c.view === 'resource' ? '' : T.partsNarrow;
  $('list-options').disabled = c.view !== 'list';

  pickedLine.replaceChildren();
  if (picked) {
    const strong = document.createElement('strong');
    strong.textContent = picked.title;
    pickedLine.append(`${T.picked} `, strong);
  } else {
    pickedLine.textContent = T.notPicked;
  }

  renderPreview(attrs);

  // The code.
  let next = '';
  releaseError.hidden = !releaseProblem;
  if (releaseProblem) releaseError.textContent = T.releaseError(releaseProblem);
  if (attrs && release) next = snippetOf(release, attrs, c);
  snippetHint.hidden = Boolean(attrs) || Boolean(releaseProblem);
  snippetHint.textContent = attrs ? '' : T.snippetPick;
  if (next !== snippet) {
    snippet = next;
    snippetCode.textContent = snippet;
    copyStatus.textContent = '';
  }
  snippetBox.hidden = !snippet;
  copyButton.disabled = !snippet;
}

function renderPreview(attrs) {
  previewHint.hidden = Boolean(attrs) && !previewBroken;
  previewHint.textContent = previewBroken ? T.previewBroken : T.previewHint;
  if (!attrs) {
    previewEl?.remove();
    previewEl = null;
    return;
  }
  // The preview always renders at once, whatever the snippet says about lazy loading.
  const wanted = new Map(attrs.filter(([name]) => name !== 'data-lazy'));
  wanted.set('data-lazy', 'false');
  if (!previewEl) {
    previewEl = document.createElement('div');
    previewEl.id = 'preview-widget';
    for (const [name, value] of wanted) previewEl.setAttribute(name, value);
    previewEl.setAttribute('data-casm-widget', '');
    previewBox.append(previewEl); // the loader's MutationObserver mounts it
    return;
  }
  // Changing attributes re-renders the mounted widget (once per batch of changes).
  for (const name of previewEl.getAttributeNames()) {
    if (name.startsWith('data-') && name !== 'data-casm-widget' && !wanted.has(name)) {
      previewEl.removeAttribute(name);
    }
  }
  for (const [name, value] of wanted) {
    if (previewEl.getAttribute(name) !== value) previewEl.setAttribute(name, value);
  }
}

// ---- Search -----------------------------------------------------------------------------

let searchSeq = 0;
let searchTimer = 0;
let searchAbort = null;

async function errorText(response) {
  try {
    const body = await response.json();
    if (body && body.error && typeof body.error.message === 'string') return body.error.message;
  } catch {
    // not the service's JSON error
  }
  return `HTTP ${response.status}`;
}

async function runSearch() {
  clearTimeout(searchTimer);
  const q = search.value.trim();
  const mine = ++searchSeq;
  searchAbort?.abort();
  searchAbort = new AbortController();
  searchStatus.textContent = T.searching;
  results.setAttribute('aria-busy', 'true');
  try {
    const params = new URLSearchParams();
    if (q) params.set('q', q);
    params.set('limit', String(SEARCH_LIMIT));
    const response = await fetch(`${FEED}/v1/feed.json?${params}`, { signal: searchAbort.signal });
    if (!response.ok) throw new Error(await errorText(response));
    const feed = await response.json();
    if (mine !== searchSeq) return;
    const items = Array.isArray(feed.items) ? feed.items : [];
    showResults(items.filter((i) => i && typeof i.id === 'string'));
    results.dataset.query = q; // what the list answers (tests wait on it)
    if (!q) searchStatus.textContent = T.popular;
    else if (items.length === 0) searchStatus.textContent = T.none(q);
    else searchStatus.textContent = T.found(items.length, Boolean(feed.next_url));
  } catch (e) {
    if (mine !== searchSeq || e.name === 'AbortError') return;
    showResults([]);
    searchStatus.textContent = T.searchFailed(e.message || String(e));
  } finally {
    if (mine === searchSeq) results.removeAttribute('aria-busy');
  }
}

function showResults(items) {
  const rows = items.map((item) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'result';
    button.dataset.id = item.id;
    button.setAttribute('aria-pressed', String(picked?.id === item.id));
    const title = document.createElement('span');
    title.className = 'result-title';
    title.textContent = typeof item.title === 'string' && item.title ? item.title : item.id;
    const meta = document.createElement('span');
    meta.className = 'result-meta';
    const kind = item._casm && typeof item._casm.kind === 'string' ? item._casm.kind : '';
    const label = T.kinds[kind] || kind.replace(/_/g, ' ');
    meta.textContent = kind ? `${label} · ${item.id}` : item.id;
    button.append(title, meta);
    button.addEventListener('click', () => pick({ id: item.id, title: title.textContent }));
    li.append(button);
    return li;
  });
  results.replaceChildren(...rows);
}

function pick(resource) {
  picked = resource;
  for (const b of results.querySelectorAll('button.result')) {
    b.setAttribute('aria-pressed', String(b.dataset.id === resource.id));
  }
  // A list needs no resource: picking one means showing it.
  if (form.elements.view.value === 'list') form.elements.view.value = 'resource';
  update();
}

// Up and down arrows move between the search box and the results.
function onResultsKey(e) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  if (e.target !== search && !results.contains(e.target)) return;
  const buttons = [...results.querySelectorAll('button.result')];
  if (buttons.length === 0) return;
  const at = buttons.indexOf(document.activeElement);
  let next;
  if (e.target === search) next = e.key === 'ArrowDown' ? 0 : null;
  else if (e.key === 'ArrowDown') next = Math.min(at + 1, buttons.length - 1);
  else next = at - 1;
  e.preventDefault();
  if (next === null || next < 0) search.focus();
  else buttons[next].focus();
}

// Tags for the list filter's suggestions.
async function loadTags() {
  try {
    const response = await fetch(`${FEED}/v1/feed.json?limit=100`);
    if (!response.ok) return;
    const feed = await response.json();
    const tags = new Set();
    for (const item of feed.items || []) {
      for (const tag of item.tags || []) if (typeof tag === 'string') tags.add(tag);
    }
    $('tags').replaceChildren(...[...tags].sort((a, b) => a.localeCompare(b)).map((tag) => {
      const option = document.createElement('option');
      option.value = tag;
      return option;
    }));
  } catch {
    // suggestions only
  }
}

// ---- The release -------------------------------------------------------------------------

const SAFE_PATH = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$/;
const SRI = /^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/;

function checkedRelease(json) {
  const part = (name) => {
    const p = json && json[name];
    if (!p || typeof p.path !== 'string' || !SAFE_PATH.test(p.path) || p.path.split('/').includes('..')) {
      throw new Error(`${name}.path is missing or not a relative path`);
    }
    if (typeof p.integrity !== 'string' || !SRI.test(p.integrity)) {
      throw new Error(`${name}.integrity is missing or not an SRI hash`);
    }
    return { path: p.path, integrity: p.integrity };
  };
  // The language tables ({fr: 'lang/fr.<hash>.txt', …}) only add a preload: one that is
  // missing or odd leaves it out, it does not stop the code being written.
  const lang = {};
  for (const [code, path] of Object.entries(json?.lang ?? {})) {
    if (/^[a-z]{2,3}$/.test(code) && typeof path === 'string' && SAFE_PATH.test(path)
      && !path.split('/').includes('..')) lang[code] = path;
  }
  return { version: String(json?.version ?? ''), loader: part('loader'), wasm: part('wasm'), lang };
}

async function loadRelease() {
  try {
    const response = await fetch(`${FEED}/widget/release.json`, { cache: 'no-cache' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    release = checkedRelease(await response.json());
    releaseProblem = null;
  } catch (e) {
    release = null;
    releaseProblem = e.message || String(e);
  }
  update();
}

// ---- Copy ---------------------------------------------------------------------------------

let copyTimer = 0;

async function copy() {
  if (!snippet) return;
  const text = snippet;
  let message = T.copied;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // No clipboard access (an insecure context, or refused): select the text instead.
    const range = document.createRange();
    range.selectNodeContents(snippetCode);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    let done = false;
    try {
      done = document.execCommand('copy');
    } catch {
      done = false;
    }
    if (!done) message = T.copyManual;
  }
  copyStatus.textContent = message;
  clearTimeout(copyTimer);
  copyTimer = setTimeout(() => { copyStatus.textContent = ''; }, 5000);
}

// ---- Wiring -------------------------------------------------------------------------------

translatePage();
form.addEventListener('submit', (e) => e.preventDefault());
form.addEventListener('input', (e) => {
  if (e.target === search) return;
  if (e.target.id === 'accent') $('accent-default').checked = false;
  // Back to the default: the picker shows the default colour again.
  if (e.target.id === 'accent-default' && e.target.checked) $('accent').value = DEFAULT_ACCENT;
  update();
});
form.addEventListener('change', (e) => {
  if (e.target === search) return;
  const note = $('parts-note');
  if (e.target.name === 'part') {
    const c = choices();
    const fitting = FITTING[c.view];
    if (!fitting.some((p) => c.parts.includes(p))) {
      e.target.checked = true; // at least one part stays
      note.dataset.kind = 'one';
      note.textContent = T.partsOne;
    } else {
      delete note.dataset.kind;
    }
  } else {
    delete note.dataset.kind;
  }
  if (e.target.id === 'limit') $('limit').value = String(choices().limit);
  update();
});
search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, SEARCH_DEBOUNCE_MS);
});
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    runSearch();
  }
});
form.addEventListener('keydown', onResultsKey);
copyButton.addEventListener('click', copy);
window.addEventListener('load', () => {
  if (!window.CasmWidget) {
    previewBroken = true;
    update();
  }
});

update();
runSearch();
loadTags();
loadRelease();
