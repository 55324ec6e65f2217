// Part of build-widget.sh: the stable-Rust stand-in for `panic = "immediate-abort"`.
//
//   node scripts/strip-panic-fmt.mjs MODULE.wasm      (rewritten in place)
//
// With `panic = "abort"`, std still formats every panic message (core::fmt, Display for
// integers and locations, the payload boxes) before it traps, and on
// wasm32-unknown-unknown that text goes nowhere. This replaces the body of each panic and
// formatting function of the linked module with `unreachable`, so a panic traps at once
// (as it did, minus the unread message) and wasm-opt then drops what only those bodies
// used: about 2 KB of gzipped Wasm, and 0.4 KB more for the texts below.
//
// It is safe only while no code formats text on purpose (no format!, to_string, {} or
// write! outside panics): the widget builds its strings by hand. The check below fails
// the build if any kept function calls a formatting function directly.
import binaryen from 'binaryen';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const file = process.argv[2];
if (!file) throw new Error('usage: strip-panic-fmt.mjs MODULE.wasm');

// The texts only panic messages used, now unread, are zeroed in the data section (their
// addresses stay; zeros compress to nothing): source paths of panic locations and the
// message pieces of core's and std's panics. Texts wasm-bindgen throws as JS errors
// (throw_str) are not in this list and stay.
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const cargoHome = process.env.CARGO_HOME || path.join(os.homedir(), '.cargo');
const PANIC_TEXT = [
  /\/rustc\/[0-9a-f]{40}\/library\/[A-Za-z0-9_/.-]*?\.rs/g,
  new RegExp(`${escapeRe(cargoHome)}/registry/src/[A-Za-z0-9_/.-]*?\\.rs`, 'g'),
  /src\/[a-z_/]+\.rs/g,
  ...[
    'slice index starts at ', ' but ends at ', 'index out of bounds: the len is ',
    ' but the index is ', 'range start index ', ' out of range for slice of length ',
    'range end index ', 'cannot access a Thread Local Storage value during or after destruction: ',
    'RefCell already mutably borrowed', 'RefCell already borrowed', 'capacity overflow',
    'Tried to shrink to a larger capacity', 'internal error: entered unreachable code',
    'FnOnce called more than once', '`async fn` resumed after completion',
  ].map((t) => new RegExp(escapeRe(t), 'g')),
];

function blankPanicText(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[p++];
      r |= (b & 127) << shift;
      shift += 7;
    } while (b & 128);
    return r >>> 0;
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    if (id === 11) {
      const section = bytes.subarray(p, p + size);
      let text = Buffer.from(section).toString('latin1');
      let zeroed = 0;
      for (const re of PANIC_TEXT) {
        text = text.replace(re, (m) => {
          zeroed += m.length;
          return '\0'.repeat(m.length);
        });
      }
      section.set(Buffer.from(text, 'latin1'));
      return zeroed;
    }
    p += size;
  }
  return 0;
}

// Names come from the name section, e.g. `core[c5930c85a12de822]::fmt::write`; the
// bracketed crate hashes are dropped before matching.
const plain = (name) => name.replace(/\[[0-9a-f]+\]/g, '');
const PANIC = [
  /^core::panicking::/,
  /^std::panicking::/,
  /panic_handler::/,
  /begin_panic::/,
  /(^|::)rust_begin_unwind$/,
  /(^|::)rust_panic$/,
  /(^|::)__rust_start_panic$/,
  /^std::alloc::default_alloc_error_hook/,
];
const FMT = [
  /^core::fmt::/,
  /^alloc::fmt::/,
  /^<core::fmt::/,
  / as core::fmt::[A-Za-z]+>::/,
];
const isPanic = (n) => PANIC.some((re) => re.test(n));
const isFmt = (n) => FMT.some((re) => re.test(n));

const input = fs.readFileSync(file);
const blanked = blankPanicText(input);
binaryen.setDebugInfo(true);
const module = binaryen.readBinary(input);

// Direct calls of each function, from the text form: `(func $name` then `(call $callee`.
const calls = new Map();
let current = null;
const nameRe = /\$("(?:[^"\\]|\\.)*"|[^\s()]+)/;
const unquote = (s) => (s.startsWith('"') ? JSON.parse(s) : s);
for (const line of module.emitText().split('\n')) {
  const t = line.trimStart();
  if (t.startsWith('(func $')) {
    current = unquote(t.slice(6).match(nameRe)[1]);
    calls.set(current, new Set());
  } else if (current && (t.startsWith('(call $') || t.startsWith('(return_call $'))) {
    calls.get(current).add(unquote(t.slice(t.indexOf('$')).match(nameRe)[1]));
  }
}

const stub = [];
for (let i = 0; i < module.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
  if (info.module) continue; // an import
  const name = plain(info.name);
  if (isPanic(name) || isFmt(name)) stub.push(info);
}
const stubbed = new Set(stub.map((f) => f.name));
const offenders = [];
for (const [caller, callees] of calls) {
  if (stubbed.has(caller)) continue;
  for (const callee of callees) {
    if (stubbed.has(callee) && isFmt(plain(callee))) offenders.push(`${caller} -> ${callee}`);
  }
}
if (offenders.length) {
  throw new Error(`strip-panic-fmt: code outside panics formats text (use format.rs helpers):\n  ${offenders.join('\n  ')}`);
}
if (!stub.some((f) => /rust_begin_unwind$/.test(f.name))) {
  throw new Error('strip-panic-fmt: no rust_begin_unwind in the module; was it built with names?');
}

for (const f of stub) {
  module.removeFunction(f.name);
  module.addFunction(f.name, f.params, f.results, [], module.unreachable());
}
if (!module.validate()) throw new Error('strip-panic-fmt: the rewritten module does not validate');
fs.writeFileSync(file, module.emitBinary());
console.error(
  `strip-panic-fmt: ${stub.length} panic/fmt functions now trap at once; ${blanked} bytes of panic text zeroed`,
);
