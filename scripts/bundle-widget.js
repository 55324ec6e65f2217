// Part of build-widget.sh: keeps pkg/ a consistent npm package after wasm-opt renamed the
// Wasm's imports and exports, and makes pkg/casm-widget.js, the one script a page loads.
//
//   node scripts/bundle-widget.js NAMES WASM GLUE LOADER OUT VERSION LANGS MESSAGES
//
// 1. Renames the wasm-bindgen glue's imports, exports and module name as
//    `wasm-opt --minify-imports-and-exports-and-modules` renamed them in the Wasm (NAMES is
//    the map it printed, WASM the renamed module), and writes GLUE back (it stays the ES
//    module wasm-pack made: pkg/casm_widget.js), with its .d.ts files renamed alike.
// 2. Makes a copy of the glue a function that returns its public exports: each `export`ed
//    declaration becomes local, and `return { default: …, initSync, mount, Widget }` lists
//    every exported name (read from the `export` statements, `default` for the init
//    function). `import.meta.url` becomes the loader's `base` (the URL of the folder the
//    loader came from), so the whole is a classic script.
// 3. Puts that where LOADER has its `/* @wasm-bindgen-glue@ */` marker and minifies the
//    whole with terser into OUT (or, with NO_MINIFY=1, writes it as it is, to debug).
//    The loader's markers get VERSION, the Wasm's content-hashed name and SRI hash, and
//    LANGS, the language tables' files ({"fr": "lang/fr.<hash>.txt", ...}, JSON), and
//    MESSAGES, the loader's own texts by language ({"en": [failed, view one, view all]}).
// 4. The release, next to OUT: the Wasm copied to casm_widget_bg.<hash>.wasm (the first 16
//    hex digits of its SHA-384), the loader to v<VERSION>/casm-widget.js, and
//    release.json: {version, loader: {path, integrity}, wasm: {path, integrity}, lang: LANGS}, paths
//    relative to the widget folder, for the configurator and the README's snippet.
// The loader calls only the returned object's members; build-widget.sh fails if the loader
// or this file names a private glue function.
'use strict';
const fs = require('fs');
const { minify } = require('terser');

const crypto = require('crypto');
const path = require('path');

const [names, wasmFile, glue, loader, out, version, langs, messages] = process.argv.slice(2);
if (!messages) throw new Error('usage: bundle-widget.js NAMES WASM GLUE LOADER OUT VERSION LANGS MESSAGES');
const fail = (msg) => {
  throw new Error(`bundle-widget: ${msg}`);
};
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rename = (src, from, to) => src.replace(new RegExp(from, 'g'), () => to);

// Replaces `from` (a string), which must occur exactly once in `src`.
function replaceOnce(src, from, to) {
  const n = src.split(from).length - 1;
  if (n !== 1) fail(`expected ${JSON.stringify(from)} once, found it ${n} times`);
  return src.split(from).join(to);
}

// 1. The new names, in the glue and its types.
const map = JSON.parse(fs.readFileSync(names, 'utf8'));
let js = fs.readFileSync(glue, 'utf8');
const modules = new Set(map.imports.map((i) => i[0]));
const newModules = new Set(
  WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(wasmFile))).map((i) => i.module),
);
if (modules.size !== 1 || newModules.size !== 1) {
  fail(`expected one import module, got ${[...modules]} -> ${[...newModules]}`);
}
const [oldModule] = modules;
const [newModule] = newModules;
js = rename(js, `"${escape(oldModule)}":`, `"${newModule}":`);
for (const [, name, short] of map.imports) js = rename(js, `\\b${escape(name)}\\b`, short);
for (const [name, short] of map.exports) js = rename(js, `\\bwasm\\.${escape(name)}\\b`, `wasm.${short}`);
if (js.includes(oldModule)) fail(`${oldModule} is still named in the glue`);
fs.writeFileSync(glue, js);

// The types of what init returns (the Wasm's exports): `readonly NAME:` in GLUE's .d.ts,
// `export const NAME:` in the Wasm's .d.ts.
const exportName = new Map(map.exports);
const renameTypes = (file, re) => {
  if (!fs.existsSync(file)) return;
  const src = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, src.replace(re, (all, pre, name, post) =>
    (exportName.has(name) ? `${pre}${exportName.get(name)}${post}` : all)));
};
renameTypes(glue.replace(/\.js$/, '.d.ts'), /^(\s*readonly )([A-Za-z0-9_$]+)(:)/gm);
renameTypes(`${wasmFile}.d.ts`, /^(export const )([A-Za-z0-9_$]+)(:)/gm);

// 2. ES module → a function body that returns its public exports.
const exported = []; // [exported name, local name]
js = js.replace(/^export \{([^}]*)\};?[ \t]*$/gm, (_, list) => {
  for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = item.match(/^([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/);
    if (!m) fail(`cannot read the export ${JSON.stringify(item)}`);
    exported.push([m[2] ?? m[1], m[1]]);
  }
  return '';
});
js = js.replace(/^export (?:async )?(class|function\*?|const|let|var) +([A-Za-z_$][\w$]*)/gm, (all, kind, name) => {
  exported.push([name, name]);
  return all.slice('export '.length);
});
if (/^\s*(import|export)\b/m.test(js)) fail('the glue still has an import or export');
for (const name of ['default', 'mount']) {
  if (!exported.some(([e]) => e === name)) fail(`the glue exports no ${name}`);
}
// The loader's variable holding the URL of its folder (`base = new URL('.', script.src)`).
const BASE = 'base';
if (new RegExp(`\\b(var|let|const|function|class)\\s+${BASE}\\b`).test(js)) {
  fail(`the glue declares its own ${BASE}, which would hide the loader's`);
}
js = replaceOnce(js, 'import.meta.url', BASE);
// initSync (compile from bytes already in memory) is the one export the loader has no use
// for: it always streams. Leaving it out lets terser drop it and its helpers (~0.3 KB).
const UNUSED = new Set(['initSync']);
const kept = exported.filter(([e]) => !UNUSED.has(e));
const members = kept.map(([e, local]) => `${JSON.stringify(e)}: ${local}`).join(', ');
js += `\nreturn { ${members} };\n`;
console.error(`bundle-widget: the loader's glue returns { ${kept.map(([e]) => e).join(', ')} }`);

// 3. Into the loader, with the release's facts.
if (!/^[0-9A-Za-z.+-]+$/.test(version)) fail(`${JSON.stringify(version)} is not a version`);
const sri = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;
const wasmBytes = fs.readFileSync(wasmFile);
const wasmHash = crypto.createHash('sha384').update(wasmBytes).digest('hex').slice(0, 16);
const wasmName = `casm_widget_bg.${wasmHash}.wasm`;
const MARKER = '/* @wasm-bindgen-glue@ */';
let loaderSource = fs.readFileSync(loader, 'utf8');
if (!new RegExp(`\\bvar ${BASE}\\b`).test(loaderSource)) fail(`the loader declares no var ${BASE}`);
loaderSource = replaceOnce(loaderSource, "'@casm-version@'", JSON.stringify(version));
loaderSource = replaceOnce(loaderSource, "'@casm-wasm@'", JSON.stringify(wasmName));
loaderSource = replaceOnce(loaderSource, "'@casm-wasm-integrity@'", JSON.stringify(sri(wasmBytes)));
loaderSource = replaceOnce(loaderSource, "'@casm-langs@'", JSON.stringify(JSON.parse(langs)));
loaderSource = replaceOnce(loaderSource, "'@casm-messages@'", JSON.stringify(JSON.parse(messages)));
const source = replaceOnce(loaderSource, MARKER, js);

// 4. The release.
function release(code) {
  fs.writeFileSync(out, code);
  const dir = path.dirname(out);
  const pinned = path.join(dir, `v${version}`, path.basename(out));
  if (fs.existsSync(pinned) && !fs.readFileSync(pinned).equals(Buffer.from(code))) {
    // Partners pin v<version> with its integrity hash: a deployed one must never change.
    console.error(`bundle-widget: warning: v${version} held another build; replaced here. ` +
      'Bump the version in Cargo.toml before deploying: pinned pages would refuse it.');
  }
  fs.mkdirSync(path.dirname(pinned), { recursive: true });
  fs.writeFileSync(pinned, code);
  fs.copyFileSync(wasmFile, path.join(dir, wasmName));
  const facts = {
    version,
    loader: { path: `v${version}/${path.basename(out)}`, integrity: sri(Buffer.from(code)) },
    wasm: { path: wasmName, integrity: sri(wasmBytes) },
    lang: JSON.parse(langs),
  };
  fs.writeFileSync(path.join(dir, 'release.json'), `${JSON.stringify(facts, null, 2)}\n`);
  console.log(`release v${version}: loader ${facts.loader.path} integrity ${facts.loader.integrity}`);
  console.log(`release v${version}: wasm ${facts.wasm.path} integrity ${facts.wasm.integrity}`);
}

if (process.env.NO_MINIFY) {
  release(source);
  return;
}
minify(source, {
  ecma: 2017,
  compress: { passes: 3 },
  mangle: true,
  format: {
    comments: false,
    preamble: `/*! CASM Embed widget v${version}: www/casm-widget.js + wasm-bindgen glue */`,
  },
}).then((result) => release(`${result.code}\n`));
