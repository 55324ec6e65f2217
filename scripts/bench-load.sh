#!/usr/bin/env bash
# Cold-load time from navigation to a visible vote button: our widget against Isso (the
# peer: a self-hosted comment server whose embed has up/down-vote buttons), in the harness
# of tests/e2e (Debian's Chromium via playwright-core, partner pages on their own origin).
# Each load is a new browser context; `page.goto(…, {waitUntil: 'commit'})`, then a
# check on every animation frame returns performance.now() once the vote button has a
# non-zero box (ours: button[part="vote"] in the shadow root; Isso: a.isso-upvote).
# The pages (PAGES picks some), the same partner page around each: floor (a static button
# in the HTML), ours (release casm-feed, the README's shortest tag), hints (the code the
# configurator at /configure writes by default, read from the page itself: preconnect,
# preloads of the pinned release's Wasm and of the resource's data, the pinned loader with
# SRI), Isso (`pip install isso` in a throwaway venv, its built-in server, sqlite, one
# thread seeded with three comments through its API); `fr`, not by default, is hints on a
# French page. RUNS (default 15) loads each, interleaved, with a pause after each
# (SETTLE_MS, 500), after one untimed load each (screenshots in /tmp/bench-load-*.png).
# Prints median/min/max, each page's time above the floor, that time ÷ Isso's, and issue
# 11's goal (ours above the floor ≤ half of Isso's) as PASS/FAIL.
#   scripts/bench-load.sh [--waterfall]     (RUNS, SETTLE_MS; ISSO_VERSION=x.y.z pins Isso)
#   NET=slow3g CPU=4 RUNS=5 scripts/bench-load.sh --waterfall
#                     (DevTools' Slow 3G: 2 s latency a request, 400 kbit/s; a CPU 4× slower.
#                     --waterfall prints each page's requests as CDP saw them, the bytes
#                     before the first render, and what it waited on in series)
#   NET=slow4g CPU=4 scripts/bench-load.sh  (150 ms, 1.6 Mbit/s)
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
  source scripts/isso-venv.sh
  isso_venv "$dir"
fi
"${CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null || true

CASM_FEED_BIN=target/server/casm-feed ISSO_BIN="$dir/venv/bin/isso" BENCH_DIR="$dir" \
  node scripts/bench-load.mjs "$@"
