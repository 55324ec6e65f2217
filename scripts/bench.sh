#!/usr/bin/env bash
# Throughput and latency of the feed service with wrk on this machine, printed as a table.
# Runs a release build on a fresh SQLite file; wrk shares the machine's cores with it.
#   scripts/bench.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh test installs it" >&2; exit 1; }
cargo build -q --profile server -p casm-feed
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
CASM_SECRET=bench target/server/casm-feed serve --listen 127.0.0.1:0 --demo \
  --database "sqlite://$dir/bench.db" --post-rate 0 --vote-cap 0 >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$dir/out")

cat >"$dir/vote.lua" <<'LUA'
local n = 0
local threads = {}
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) tid = id end
function request()
  n = n + 1
  local body = string.format('{"visitor":"bench-%d-%012d","helpful":true}', tid, n)
  return wrk.format("POST", "/v1/resources/casm-global-partnership/vote",
    {["Content-Type"] = "application/json", ["Origin"] = "http://127.0.0.1:8080",
     ["User-Agent"] = "Mozilla/5.0 (bench) Chrome/156.0"}, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
cat >"$dir/get.lua" <<'LUA'
function done(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
etag=$(curl -s -D - -o /dev/null "$url/v1/feed.json" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')

printf '| route | req/s | p99 ms | errors |\n|---|---|---|---|\n'
run() { # name, wrk args...
  local name=$1; shift
  local line
  line=$(wrk -t2 -c32 -d"${secs}s" "$@" | grep '^RESULT')
  set -- $line
  printf '| %s | %s | %s | %s |\n' "$name" "$2" "$3" "$4"
}
run "GET /v1/feed.json (br)" -s "$dir/get.lua" -H 'Accept-Encoding: br' "$url/v1/feed.json"
run "GET /v1/feed.json If-None-Match → 304" -s "$dir/get.lua" -H "If-None-Match: $etag" "$url/v1/feed.json"
run "GET /v1/stats?ids=3 ids (gzip)" -s "$dir/get.lua" -H 'Accept-Encoding: gzip' \
  "$url/v1/stats?ids=casm-global-partnership,women-in-asm-toolkit,casm-knowledge-library"
run "POST vote (new visitor each, durable)" -s "$dir/vote.lua" "$url"
rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
votes=$(curl -s "$url/v1/stats?ids=casm-global-partnership" | grep -o '"helpful_votes":[0-9]*' | cut -d: -f2)
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM votes').fetchone()[0])" "$dir/bench.db")
echo
echo "peak RSS of the service: $((rss / 1024)) MB; after the vote run: $votes helpful votes served, $rows vote rows on disk; WAL: $(du -h "$dir/bench.db-wal" | cut -f1)"
