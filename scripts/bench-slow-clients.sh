#!/usr/bin/env bash
# Latency of normal requests while 1,000 connections trickle their headers (slowloris),
# against the release server on loopback. Prints p50/p99/max alone and during the flood;
# the target is a p99 under 50 ms during the flood.
#   scripts/bench-slow-clients.sh            # SLOW=1000 REQUESTS=4000 CONCURRENCY=8
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile server -q -p casm-feed --bin casm-feed --example slow_clients
# The flood needs 1,000+ sockets on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
dir=$(mktemp -d /tmp/casm-bench-slow.XXXXXX)
log="$dir/server.log"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
# A header timeout longer than the run, so the trickling connections stay open throughout.
CASM_DATABASE="sqlite://$dir/casm.db" CASM_SECRET=bench RUST_LOG=error \
  target/server/casm-feed serve --demo --listen 127.0.0.1:0 --data-dir "$dir" \
  --header-timeout-secs 60 --idle-timeout-secs 60 --max-connections 4096 >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$log" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$log")
[ -n "$base" ] || { cat "$log"; exit 1; }
echo "server $base (release, SQLite, header timeout 60 s)"
target/server/examples/slow_clients "$base"
