#!/usr/bin/env bash
# Builds the widget into pkg/: Rust → Wasm (release), wasm-bindgen --target web,
# wasm-opt -Oz, the loader with the glue inside it (pkg/casm-widget.js, minified),
# precompressed .gz/.br siblings, and a size table of everything a page downloads.
# Fails if the whole widget (loader + glue + wasm) is over the gzip budget.
set -euo pipefail

cd "$(dirname "$0")/.."
BUDGET=40960
OUT=pkg
WASM=target/wasm32-unknown-unknown/release/casm_widget.wasm

die() { echo "build-widget: $*" >&2; exit 1; }

locked=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$locked" ] || die "no wasm-bindgen version in Cargo.lock"
command -v wasm-bindgen >/dev/null \
  || die "wasm-bindgen not found; install it with: cargo install wasm-bindgen-cli --version $locked"
have=$(wasm-bindgen --version | awk '{ print $2 }')
[ "$have" = "$locked" ] \
  || die "wasm-bindgen $have does not match Cargo.lock ($locked); run: cargo install wasm-bindgen-cli --version $locked"
OPT=node_modules/.bin/wasm-opt
[ -x "$OPT" ] || die "$OPT missing; run: npm install (npm binaryen; Debian's wasm-opt breaks the module)"

cargo build -p casm-widget --lib --target wasm32-unknown-unknown --release

rm -rf "$OUT"
mkdir -p "$OUT"
BG=$(mktemp -d)
trap 'rm -rf "$BG"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$BG" "$WASM"
# Panics trap without formatting a message first (see the script; needs the name section).
node scripts/strip-panic-fmt.mjs "$BG/casm_widget_bg.wasm"
# -Oz until it stops shrinking; memory flags that hold for a module that owns its memory
# (zero-filled at start, nothing below address 1024); no producers or target-features
# sections (read by tools, never by browsers); and short import/export/module names: the
# generated ones carry 16-digit hashes and appear twice, in the Wasm and in the glue. The
# glue is then rewritten to the new names, put inside the loader and minified: pages load
# one script and one Wasm file.
"$OPT" -Oz --converge --zero-filled-memory --low-memory-unused \
  -o "$BG/opt.wasm" "$BG/casm_widget_bg.wasm"
"$OPT" --minify-imports-and-exports-and-modules --strip-producers --strip-target-features \
  -o "$OUT/casm_widget_bg.wasm" "$BG/opt.wasm" > "$BG/names.json"
node scripts/bundle-widget.js "$BG/names.json" "$OUT/casm_widget_bg.wasm" \
  "$BG/casm_widget.js" www/casm-widget.js "$OUT/casm-widget.js"

have_brotli=false
command -v brotli >/dev/null && have_brotli=true
for f in "$OUT"/*.js "$OUT"/*.wasm; do
  gzip -9 -n -k -f "$f"
  if $have_brotli; then brotli -q 11 -k -f "$f"; fi
done

size() { if [ -f "$1" ]; then stat -c %s "$1"; else echo -; fi; }
total_raw=0 total_gz=0 total_br=0
printf '%-24s %10s %10s %10s\n' file raw gzip brotli
for f in "$OUT"/casm-widget.js "$OUT"/casm_widget_bg.wasm; do
  raw=$(size "$f") gz=$(size "$f.gz") br=$(size "$f.br")
  printf '%-24s %10s %10s %10s\n' "$(basename "$f")" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz))
  if [ "$br" != - ]; then total_br=$((total_br + br)); fi
done
$have_brotli || total_br=-
printf '%-24s %10s %10s %10s\n' TOTAL "$total_raw" "$total_gz" "$total_br"

if [ "$total_gz" -gt "$BUDGET" ]; then
  die "TOTAL gzip $total_gz bytes is over the budget of $BUDGET bytes"
fi
echo "TOTAL gzip $total_gz bytes (budget $BUDGET)"
