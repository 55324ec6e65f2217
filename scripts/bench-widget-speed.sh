#!/usr/bin/env bash
# Load speed, previous build against this one: the median from navigation to a visible
# vote button on a partner page (its own origin) for the widget built at BASE (default
# 940a8d9, the main before wasm-pack) and for this checkout, measured interleaved in one
# run (old, new, then new, old, and so on), RUNS cold loads each (default 9), after one
# untimed load each. Prints both medians, their difference, and the median of the
# round-by-round differences (steadier when other work loads the machine). Each build is served by its own release casm-feed (`--pkg` pointing at a copy of
# that build); the timing is the e2e harness's (see scripts/bench-load.mjs).
#   scripts/bench-widget-speed.sh            BASE=<rev> RUNS=<n> SETTLE_MS=<ms>
# The BASE build runs in a temporary `git worktree` with BASE's own scripts/build-widget.sh;
# its cargo target dir is kept in target/bench-base/ so a second run is quick.
# Not part of scripts/test.sh: it takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
BASE=${BASE:-940a8d9}
rev=$(git rev-parse --short "$BASE^{commit}")

dir=$(mktemp -d)
cleanup() {
  git -C "$root" worktree remove --force "$dir/base" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

echo "== building the widget at $BASE ($rev) with its own build script" >&2
git worktree add -q --detach "$dir/base" "$rev"
mkdir -p target/bench-base
ln -s "$root/target/bench-base" "$dir/base/target"
ln -s "$root/node_modules" "$dir/base/node_modules"
(cd "$dir/base" && scripts/build-widget.sh) | tail -n 4 >&2
cp -r "$dir/base/pkg" "$dir/pkg-old"

echo "== building the widget in this checkout ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- || echo ', with uncommitted changes'))" >&2
scripts/build-widget.sh | tail -n 2 >&2
cp -r pkg "$dir/pkg-new"

cargo build -q --profile server -p casm-feed

CASM_FEED_BIN=target/server/casm-feed BENCH_DIR="$dir" OLD_PKG="$dir/pkg-old" NEW_PKG="$dir/pkg-new" \
  OLD_NAME="$rev$([ "$rev" = "$BASE" ] || echo " ($BASE)")" NEW_NAME="$(git rev-parse --short HEAD) (this checkout)" node scripts/bench-widget-speed.mjs
