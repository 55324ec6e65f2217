// Part of build-widget.sh: makes pkg/casm-widget.js, the one script a page loads.
//
//   node scripts/bundle-widget.js NAMES WASM GLUE LOADER OUT
//
// 1. Renames the wasm-bindgen glue's imports, exports and module name as
//    `wasm-opt --minify-imports-and-exports-and-modules` renamed them in the Wasm (NAMES is
//    the map it printed, WASM the renamed module).
// 2. Makes the glue (--target web, an ES module) a plain function body: its `export`s
//    become local declarations, and initSync/default init (unused) lose their only
//    `import.meta` so the whole is a classic script; terser then drops them.
// 3. Puts it where LOADER has its `/* @wasm-bindgen-glue@ */` marker and minifies the
//    whole with terser into OUT (or, with NO_MINIFY=1, writes it as it is, to debug).
'use strict';
const fs = require('fs');
const { minify } = require('terser');

const [names, wasmFile, glue, loader, out] = process.argv.slice(2);
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

// ES module → function body.
js = replaceOnce(js, '\nexport { initSync, __wbg_init as default };', '\n');
js = js.replace(/^export (class|function|const|let) /gm, '$1 ');
js = replaceOnce(js, 'import.meta.url', 'location.href');
if (/^\s*(import|export)\b/m.test(js)) fail('the glue still has an import or export');

const MARKER = '/* @wasm-bindgen-glue@ */';
const source = replaceOnce(fs.readFileSync(loader, 'utf8'), MARKER, js);

if (process.env.NO_MINIFY) {
  fs.writeFileSync(out, source);
  return;
}
minify(source, {
  ecma: 2017,
  compress: { passes: 3 },
  mangle: true,
  format: {
    comments: false,
    preamble: '/*! CASM Embed widget: www/casm-widget.js + wasm-bindgen glue */',
  },
}).then((result) => {
  fs.writeFileSync(out, `${result.code}\n`);
});
