// Part of build-widget.sh. Renames the wasm-bindgen glue's imports, exports and module
// name as `wasm-opt --minify-imports-and-exports-and-modules` renamed them in the Wasm,
// then drops comments, blank lines and indentation from the glue and the loader. Both are
// generated or our own code without multi-line strings, so line-based stripping is safe.
'use strict';
const fs = require('fs');

const [names, wasmFile, glue, loader, loaderOut] = process.argv.slice(2);
const map = JSON.parse(fs.readFileSync(names, 'utf8'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rename = (src, from, to) => src.replace(new RegExp(from, 'g'), () => to);

let js = fs.readFileSync(glue, 'utf8');
const modules = new Set(map.imports.map((i) => i[0]));
const newModules = new Set(
  WebAssembly.Module.imports(new WebAssembly.Module(fs.readFileSync(wasmFile))).map((i) => i.module),
);
if (modules.size !== 1 || newModules.size !== 1) {
  throw new Error(`expected one import module, got ${[...modules]} -> ${[...newModules]}`);
}
const [oldModule] = modules;
const [newModule] = newModules;
js = rename(js, `"${escape(oldModule)}":`, `"${newModule}":`);
for (const [, name, short] of map.imports) js = rename(js, `\\b${escape(name)}\\b`, short);
for (const [name, short] of map.exports) js = rename(js, `\\bwasm\\.${escape(name)}\\b`, `wasm.${short}`);
if (js.includes(oldModule)) throw new Error(`${oldModule} is still named in the glue`);

function strip(src) {
  const out = [];
  let inComment = false;
  for (const line of src.split('\n')) {
    const t = line.trim();
    if (inComment) {
      if (t.endsWith('*/')) inComment = false;
      continue;
    }
    if (t.startsWith('/*')) {
      if (!t.endsWith('*/')) inComment = true;
      continue;
    }
    if (t === '' || t.startsWith('//')) continue;
    out.push(t);
  }
  return out.join('\n') + '\n';
}

fs.writeFileSync(glue, strip(js));
fs.writeFileSync(loaderOut, strip(fs.readFileSync(loader, 'utf8')));
