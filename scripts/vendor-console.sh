#!/usr/bin/env bash
# Copies the console's chart library (uPlot, pinned in package.json) from node_modules/
# into www/admin/vendor/ (git-ignored), where /admin/ serves it. Run by scripts/setup.sh
# after npm ci, so run.sh and test.sh always have it before the service starts.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/uplot/dist
out=www/admin/vendor
for f in uPlot.iife.min.js uPlot.min.css; do
  [ -f "$src/$f" ] || { echo "vendor-console: $src/$f is missing: run npm ci" >&2; exit 1; }
done
mkdir -p "$out"
for f in uPlot.iife.min.js uPlot.min.css; do
  cmp -s "$src/$f" "$out/$f" || cp "$src/$f" "$out/$f"
done
