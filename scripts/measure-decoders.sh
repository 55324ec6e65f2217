#!/usr/bin/env bash
# JS → Rust decoding, both ways, in one run: the shipped widget (src/decode.rs reads the
# service's answers with js_sys::Reflect into casm-model's types) against the same widget
# decoding them with serde_wasm_bindgen::from_value (feature serde-decode). Prints the
# script-tag total (loader + glue + Wasm, gzip -9) of each and the difference.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/measure-decoders
total() { awk '/^script-tag widget:/ { for (i = 1; i <= NF; i++) if ($i == "bytes") print $(i - 1) }'; }

echo "building the shipped widget (Reflect reader) ..." >&2
reflect=$(OUT=$out/reflect BUDGET=none scripts/build-widget.sh 2>/dev/null | total)
echo "building the same widget with serde_wasm_bindgen::from_value ..." >&2
# Without the panic/fmt strip: serde's deserializer formats its error messages with
# core::fmt, so the strip (which refuses any such caller) cannot apply to it.
serde=$(OUT=$out/serde FEATURES=serde-decode BUDGET=none STRIP=none scripts/build-widget.sh 2>/dev/null | total)

printf '%-52s %8s\n' 'decoder' 'gzip'
printf '%-52s %8s\n' 'js_sys::Reflect reader (src/decode.rs, shipped)' "$reflect"
printf '%-52s %8s\n' 'serde_wasm_bindgen::from_value (feature serde-decode)' "$serde"
printf '%-52s %+8d\n' 'serde - reader' "$((serde - reflect))"
