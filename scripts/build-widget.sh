#!/usr/bin/env bash
# Builds the widget into pkg/, an npm package (ES module) plus the script-tag loader:
#  1. wasm-pack build --release --target web (offline, --mode no-install, its own wasm-opt
#     off in Cargo.toml): Rust → Wasm, wasm-bindgen's glue pkg/casm_widget.js, the .d.ts
#     types, package.json and README;
#  2. on pkg/casm_widget_bg.wasm: the panic/fmt strip, npm binaryen's wasm-opt -Oz, short
#     import/export names; pkg/casm_widget.js and its .d.ts are rewritten to those names;
#  3. the script-tag loader pkg/casm-widget.js: www/casm-widget.js with the glue inside,
#     minified;
#  4. the language tables but English, as lang/<lang>.<hash>.txt (examples/lang-tables.rs);
#     the release (bundle-widget.js): the Wasm also as casm_widget_bg.<hash>.wasm (the name the
#     loader fetches, with its SRI hash), the loader also as v<version>/casm-widget.js
#     (the URL partners pin, with its printed SRI hash), and release.json;
#  5. precompressed .gz/.br siblings, and a size table.
# Earlier releases in pkg/ (v*/ and hashed Wasm files) are kept: a page holding an older
# pinned loader, or a loader cached before a deploy, still finds its own Wasm.
# Fails if the script-tag widget (loader + glue + wasm) is over the gzip budget, or if the
# loader or the bundler use a private wasm-bindgen name.
#
# For measurements (scripts/measure-decoders.sh): OUT=DIR builds elsewhere than pkg/,
# FEATURES=LIST passes cargo features, BUDGET=none prints the sizes without the gate,
# STRIP=none skips the panic/fmt strip (a build whose own code formats text cannot have it).
# VERSION=X names the release (default: the crate's version in Cargo.toml).
set -euo pipefail

cd "$(dirname "$0")/.."
# 49 KB gzip -9: loader (glue inside) + Wasm, what a partner page downloads. It was 44 KB
# until issue 11 (eight languages with Intl formats, readable accents, live counts), which
# the widget no longer fits: README "Widget size" says what each part costs.
BUDGET=${BUDGET:-50176}
OUT=${OUT:-pkg}
FEATURES=${FEATURES:-}
VERSION=${VERSION:-$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)}

die() { echo "build-widget: $*" >&2; exit 1; }

locked=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$locked" ] || die "no wasm-bindgen version in Cargo.lock"
command -v wasm-bindgen >/dev/null \
  || die "wasm-bindgen not found; install it with: cargo install wasm-bindgen-cli --version $locked"
have=$(wasm-bindgen --version | awk '{ print $2 }')
# wasm-pack would otherwise try to download its own (TOOLCHAIN.md trap 4).
[ "$have" = "$locked" ] \
  || die "wasm-bindgen $have does not match Cargo.lock ($locked); run: cargo install wasm-bindgen-cli --version $locked"
command -v wasm-pack >/dev/null || die "wasm-pack not found; run scripts/setup.sh (cargo install wasm-pack --locked)"
OPT=node_modules/.bin/wasm-opt
[ -x "$OPT" ] || die "$OPT missing; run: npm install (npm binaryen; Debian's wasm-opt breaks the module)"

# The loader and the bundler may use only the glue's public exports (default, mount, ...).
if grep -n '__wbg_\|__wbindgen' www/casm-widget.js scripts/bundle-widget.js; then
  die "the loader or the bundler names a private wasm-bindgen function (above)"
fi

BG=$(mktemp -d)
trap 'rm -rf "$BG"' EXIT
# Earlier releases survive the rebuild (see the top).
mkdir -p "$BG/kept"
if [ -d "$OUT" ]; then
  find "$OUT" -maxdepth 1 \( -name 'v*' -type d -o -name lang -type d \
    -o -name 'casm_widget_bg.????????????????.wasm*' \) \
    -exec mv {} "$BG/kept/" \;
fi
rm -rf "$OUT"
# --mode no-install: the wasm-bindgen on PATH, no downloads. Its wasm-bindgen keeps the
# name section, which the panic strip needs (it fails if the names are missing).
# (Its one warning, "failed to get wasm-pack version", is a network look-up: dropped.)
log=$(mktemp)
cargo_args=()
if [ -n "$FEATURES" ]; then cargo_args=(-- --features "$FEATURES"); fi
# wasm-pack takes --out-dir relative to the crate; give it an absolute path.
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if ! wasm-pack --log-level warn build --release --target web --mode no-install \
  --out-dir "$OUT" "${cargo_args[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  die "wasm-pack build failed"
fi
grep -v 'failed to get wasm-pack version' "$log" >&2 || true
rm -f "$log"
for f in package.json casm_widget.js casm_widget.d.ts casm_widget_bg.wasm README.md; do
  [ -f "$OUT/$f" ] || die "wasm-pack did not write $OUT/$f"
done
find "$BG/kept" -mindepth 1 -maxdepth 1 -exec mv {} "$OUT/" \;
# Panics trap without formatting a message first (see the script; needs the name section).
if [ "${STRIP:-}" != none ]; then node scripts/strip-panic-fmt.mjs "$OUT/casm_widget_bg.wasm"; fi
# -Oz until it stops shrinking; memory flags that hold for a module that owns its memory
# (zero-filled at start, nothing below address 1024); no producers or target-features
# sections (read by tools, never by browsers); and short import/export/module names: the
# generated ones carry 16-digit hashes and appear twice, in the Wasm and in the glue. The
# glue (and its types) are then rewritten to the new names, and a copy goes inside the
# loader, minified: script-tag pages load one script and one Wasm file.
"$OPT" -Oz --converge --zero-filled-memory --low-memory-unused \
  -o "$BG/opt.wasm" "$OUT/casm_widget_bg.wasm"
"$OPT" --minify-imports-and-exports-and-modules --strip-producers --strip-target-features \
  -o "$OUT/casm_widget_bg.wasm" "$BG/opt.wasm" > "$BG/names.json"
# The language tables other than English, named by their hash (src/i18n.rs), for the
# Wasm to fetch and the loader to start fetching.
# It also prints the loader's own messages in every language (src/lang/*.ftl, loader-*).
tables=$(cargo run -q --example lang-tables -- "$OUT") || die "could not write the language tables"
langs=$(sed -n 1p <<<"$tables")
messages=$(sed -n 2p <<<"$tables")
node scripts/bundle-widget.js "$BG/names.json" "$OUT/casm_widget_bg.wasm" \
  "$OUT/casm_widget.js" www/casm-widget.js "$OUT/casm-widget.js" "$VERSION" "$langs" "$messages"

have_brotli=false
command -v brotli >/dev/null && have_brotli=true
for f in "$OUT"/*.js "$OUT"/*.wasm "$OUT/release.json" "$OUT/v$VERSION"/*.js "$OUT"/lang/*.txt; do
  gzip -9 -n -k -f "$f"
  if $have_brotli; then brotli -q 11 -k -f "$f"; fi
done

size() { if [ -f "$1" ]; then stat -c %s "$1"; else echo -; fi; }
row() { printf '%-32s %10s %10s %10s\n' "$@"; }
# table TITLE FILE... prints a row per file and a total; sets total_gz.
table() {
  local title=$1 raw gz br f
  shift
  local t_raw=0 t_gz=0 t_br=0
  for f in "$@"; do
    raw=$(size "$f") gz=$(size "$f.gz") br=$(size "$f.br")
    row "  $(basename "$f")" "$raw" "$gz" "$br"
    t_raw=$((t_raw + raw)) t_gz=$((t_gz + gz))
    if [ "$br" != - ]; then t_br=$((t_br + br)); fi
  done
  $have_brotli || t_br=-
  row "$title" "$t_raw" "$t_gz" "$t_br"
  total_gz=$t_gz
}
row file raw gzip brotli
table 'ESM package (glue + wasm)' "$OUT"/casm_widget.js "$OUT"/casm_widget_bg.wasm
esm_gz=$total_gz
table 'script tag (loader + wasm)' "$OUT"/casm-widget.js "$OUT"/casm_widget_bg.wasm
tag_gz=$total_gz

echo "ESM package: glue + wasm $esm_gz bytes gzip (bundlers minify the glue further)"
if [ "$BUDGET" = none ]; then
  echo "script-tag widget: loader + glue + wasm $tag_gz bytes gzip"
  exit 0
fi
if [ "$tag_gz" -gt "$BUDGET" ]; then
  die "script-tag widget: loader + glue + wasm $tag_gz bytes gzip is over the budget of $BUDGET bytes (49 KB)"
fi
echo "script-tag widget: loader + glue + wasm $tag_gz bytes gzip (budget $BUDGET, 49 KB)"
