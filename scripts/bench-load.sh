#!/usr/bin/env bash
# Cold-load time from navigation to a visible vote button: our widget against Isso (the
# peer: a self-hosted comment server whose embed has up/down-vote buttons), in the harness
# of tests/e2e (Debian's Chromium via playwright-core, partner pages on their own origin).
# Each load is a new browser context; `page.goto(…, {waitUntil: 'commit'})`, then a
# check on every animation frame returns performance.now() once the vote button has a
# non-zero box (ours: button[part="vote"] in the shadow root; Isso: a.isso-upvote).
# Four pages (PAGES picks some), the same partner page around each: floor (a static button
# in the HTML), ours (release casm-feed, the plain tag), hints (the configurator's snippet:
# pinned loader with SRI, preconnect and Wasm preload), Isso (`pip install isso` in a throwaway venv, its built-in
# server, sqlite, one thread seeded with three comments through its API). RUNS (default
# 15) loads each, interleaved floor/ours/Isso with a pause after each (SETTLE_MS, 500),
# after one untimed load each (screenshots in /tmp/bench-load-*.png). Prints
# median/min/max and the ratios, raw and with the floor subtracted from both.
#   scripts/bench-load.sh [--waterfall]     (RUNS, SETTLE_MS; ISSO_VERSION=x.y.z pins Isso)
#   NET=slow4g CPU=4 scripts/bench-load.sh  (a visitor's slow network and cheap phone)
#   NET=slow3g CPU=4 RUNS=5 PAGES=floor,ours,hints scripts/bench-load.sh
#                     (the resource hints of the configurator's snippet: preconnect, and a
#                     preload of the pinned release's Wasm, against the plain tag)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q --profile server -p casm-feed
[ -f pkg/casm-widget.js ] || scripts/build-widget.sh >/dev/null

dir=$(mktemp -d)
stop_isso() {
  if [ -f "$dir/isso.pid" ]; then kill "$(cat "$dir/isso.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap stop_isso EXIT

if [[ ",${PAGES:-isso}," == *,isso,* ]]; then
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install -q --disable-pip-version-check "isso${ISSO_VERSION:+==$ISSO_VERSION}" >&2
  echo "Isso $("$dir/venv/bin/pip" show isso | awk '/^Version:/ { print $2 }')"
fi
"${CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || true

CASM_FEED_BIN=target/server/casm-feed ISSO_BIN="$dir/venv/bin/isso" BENCH_DIR="$dir" \
  node scripts/bench-load.mjs "$@"
