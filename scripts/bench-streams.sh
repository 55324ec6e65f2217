#!/usr/bin/env bash
# Memory of idle live-count streams: the release server's resident memory before and
# with STREAMS idle /v1/stream connections open (each has had its snapshot), and the
# bytes per stream. The client is server/examples/idle_streams.rs.
#   scripts/bench-streams.sh            # STREAMS=5000
set -euo pipefail
cd "$(dirname "$0")/.."
streams=${STREAMS:-5000}
cargo build --profile server -q -p casm-feed --bin casm-feed --example idle_streams
# Both sides hold one socket per stream.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -gt $((streams + 200)) ] || { echo "ulimit -n $(ulimit -n) is too low for $streams streams" >&2; exit 1; }
dir=$(mktemp -d /tmp/casm-bench-streams.XXXXXX)
log="$dir/server.log"
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -n "${client:-}" ] && kill "$client" 2>/dev/null
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
CASM_DATABASE="sqlite://$dir/casm.db" CASM_SECRET=bench RUST_LOG=error \
  target/server/casm-feed serve --demo --listen 127.0.0.1:0 --data-dir "$dir" \
  --max-connections $((streams + 100)) --max-streams-per-client $((streams + 100)) >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$log" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$log")
[ -n "$base" ] || { cat "$log"; exit 1; }
rss() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$pid/status"; }
# Warm: one stream and a few reads, so the first-use allocations are in "before".
STREAMS=1 target/server/examples/idle_streams "$base" </dev/null >/dev/null
curl -s -o /dev/null "$base/v1/stats?ids=casm-global-partnership" || true
sleep 0.5
before=$(rss)
mkfifo "$dir/hold"
target/server/examples/idle_streams "$base" <"$dir/hold" >"$dir/client.out" &
client=$!
exec 3>"$dir/hold"
for _ in $(seq 600); do grep -q '^open ' "$dir/client.out" && break; kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
grep -q '^open ' "$dir/client.out" || { echo "the client did not open its streams" >&2; exit 1; }
sleep 1
with=$(rss)
echo "server $base (release, SQLite); client: $(cat "$dir/client.out")"
awk -v b="$before" -v w="$with" -v n="$streams" 'BEGIN {
  printf "RSS before: %.1f MB; with %d idle streams: %.1f MB; %.0f bytes per stream\n",
    b / 1048576, n, w / 1048576, (w - b) / n }'
