#!/usr/bin/env bash
# The service at issue 12's scale: 10,000 resources, 100 partners, 10 million events and
# 50,000 votes on SQLite. Prints, as Markdown tables, start-up, read latencies (wrk -t2
# -c32), memory and database size against the issue's targets, then a vote run at that
# scale with feed reads alongside it.
#
# The database is built once by scripts/bench-scale-data.py (about 2 minutes; the skew is
# described there) and cached in target/bench-scale/ (about 1 GB), keyed by a hash of that
# script and the migrations; each run works on a copy, deleted at the end.
# `rm -rf target/bench-scale` frees the space.
#   scripts/bench-scale.sh [seconds per wrk run]
# CASM_FEED_BIN=path measures another build of casm-feed (an earlier commit's) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh test installs it" >&2; exit 1; }
bin=${CASM_FEED_BIN:-target/server/casm-feed}
[ -n "${CASM_FEED_BIN:-}" ] || cargo build -q --profile server -p casm-feed

key=$(cat scripts/bench-scale-data.py server/migrations/sqlite/*.sql | sha256sum | cut -c1-12)
cache=target/bench-scale
cached=$cache/scale-$key.db
if [ ! -f "$cached" ]; then
  rm -rf "$cache"
  mkdir -p "$cache"
  echo "building $cached (once; about 2 minutes)" >&2
  python3 scripts/bench-scale-data.py catalogue "$cache/catalogue.json"
  CASM_DATABASE="sqlite://$cache/building.db" $bin import "$cache/catalogue.json" >/dev/null 2>&1
  python3 scripts/bench-scale-data.py fill "$cache/building.db"
  rm "$cache/catalogue.json"
  mv "$cache/building.db" "$cached"
fi

work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
db=$work/scale.db
cp "$cached" "$db"

# Start-up: from the process's start to the first 200 of /v1/feed.json (the listening
# line comes once the catalogue and counts are in memory; the feed answer proves it serves).
start=$(date +%s%N)
CASM_SECRET=bench RUST_LOG=warn $bin serve --listen 127.0.0.1:0 --database "sqlite://$db" \
  --data-dir "$work" --post-rate 0 --vote-cap 0 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 2000); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.005; done
url=$(grep -o 'http://[0-9.:]*' "$work/out") || { cat "$work/err" >&2; exit 1; }
for _ in $(seq 2000); do curl -sf -o /dev/null "$url/v1/feed.json" && break; sleep 0.005; done
startup=$(( ($(date +%s%N) - start) / 1000000 ))
curl -sf -o /dev/null "$url/v1/feed.json" || { echo "the service does not answer" >&2; exit 1; }

# What the wrk runs cycle through: every tenth resource id, feed pages at the start, the
# middle and the end of both orders and of two filters, and sets of ten ids for the stats.
python3 - "$db" >"$work/ids" <<'PY'
import sqlite3, sys
for (i,) in sqlite3.connect(sys.argv[1]).execute("SELECT id FROM resources ORDER BY position"):
    print(i)
PY
n=$(wc -l <"$work/ids")
lua_list() { # name, then one path per line on stdin
  printf '%s = {\n' "$1"
  sed 's/.*/  "&",/'
  printf '}\n'
}
{
  for sort in popular recent; do
    for offset in 0 50 2500 5000 7500 9950; do echo "/v1/feed.json?sort=$sort&offset=$offset"; done
  done
  echo "/v1/feed.json?tag=mercury"
  echo "/v1/feed.json?tag=mercury&offset=1000"
  echo "/v1/feed.json?partner=World%20Bank&offset=2000"
} | lua_list paths >"$work/feed.lua"
awk 'NR % 10 == 1 { print "/v1/resources/" $0 }' "$work/ids" | lua_list paths >"$work/resource.lua"
awk 'NR % 10 == 1' "$work/ids" | paste -d, - - - - - - - - - - | sed 's|^|/v1/stats?ids=|' \
  | lua_list paths >"$work/stats.lua"
awk 'NR % 10 == 1' "$work/ids" | lua_list ids >"$work/vote.lua"
cat >"$work/common.lua" <<'LUA'
local i = 0
function init(args) i = math.random(#paths) end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
LUA
# Every script prints its figures the same way.
cat >"$work/done.lua" <<'LUA'
function done(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
LUA
for f in feed resource stats; do cat "$work/common.lua" "$work/done.lua" >>"$work/$f.lua"; done
sed -i '1i headers = {["Accept-Encoding"] = "br"}' "$work/feed.lua"
cat >>"$work/vote.lua" <<'LUA'
local n, tid = 0, 0
local threads = {}
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) tid = id end
function request()
  n = n + 1
  local body = string.format('{"visitor":"scale-%d-%012d","helpful":true}', tid, n)
  return wrk.format("POST", "/v1/resources/" .. ids[n % #ids + 1] .. "/vote",
    {["Content-Type"] = "application/json", ["Origin"] = "https://partner-000.example",
     ["User-Agent"] = "Mozilla/5.0 (bench) Chrome/156.0"}, body)
end
LUA
cat "$work/done.lua" >>"$work/vote.lua"

verdict() { # PASS when $1 <= $2 (decimals)
  awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? "PASS" : "FAIL" }'
}
mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
status_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/$pid/status; }
wrk_run() { # wrk arguments; prints "req/s p50 p99 errors"
  wrk "$@" | awk '/^RESULT/ { print $2, $3, $4, $5 }'
}

# Each feed page is built once before the reads (the first request of a page renders and
# compresses it); the vote run below shows what rebuilding pages costs.
grep -o '"/v1/feed.json[^"]*"' "$work/feed.lua" | tr -d '"' | while read -r path; do
  curl -sf -o /dev/null -H 'Accept-Encoding: br' "$url$path"
done

rows=()
read_row() { # name, lua file
  local r
  r=$(wrk_run -t2 -c32 -d"${secs}s" -s "$work/$2" "$url")
  set -- "$1" $r
  rows+=("| $1: p50 / p99 | $3 / $4 ms ($2 req/s, $5 errors) | p99 ≤ 5 ms | $(verdict "$4" 5) |")
}
read_row "GET /v1/feed.json, 15 pages (br)" feed.lua
read_row "GET /v1/resources/{id}, $((n / 10)) ids" resource.lua
read_row "GET /v1/stats, 10 ids a request, $((n / 100)) sets" stats.lua
rss=$(status_kb VmRSS)
hwm=$(status_kb VmHWM)
size=$(stat -c %s "$db")
wal=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)

echo "### $n resources, 100 partners, 10,000,000 events, 50,000 votes (SQLite)"
echo
echo "| measure | figure | target | |"
echo "|---|---|---|---|"
echo "| start-up: process start → first 200 of /v1/feed.json | $startup ms | ≤ 2000 ms | $(verdict "$startup" 2000) |"
printf '%s\n' "${rows[@]}"
echo "| memory after the reads: VmRSS (VmHWM) | $(mb "$rss") MB ($(mb "$hwm") MB) | VmRSS ≤ 40 MB | $(verdict "$(mb "$rss")" 40) |"
echo "| database: file + WAL | $((size / 1048576)) MB + $((wal / 1048576)) MB | | |"

# Writes at this scale: votes on 1,000 resources (each may move ranks and so feed pages)
# with feed page reads alongside, each wrk on one thread and 16 connections.
wrk_run -t1 -c16 -d"${secs}s" -s "$work/feed.lua" "$url" >"$work/feed-during" &
reader=$!
votes=$(wrk_run -t1 -c16 -d"${secs}s" -s "$work/vote.lua" "$url")
wait $reader
set -- $votes $(cat "$work/feed-during")
echo
echo "| under writes (wrk -t1 -c16 each, side by side) | req/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|"
echo "| POST vote, new visitor each, $((n / 10)) resources | $1 | $2 | $3 | $4 |"
echo "| GET /v1/feed.json, 15 pages (br), meanwhile | $5 | $6 | $7 | $8 |"
echo
echo "memory after the votes: VmRSS $(mb "$(status_kb VmRSS)") MB, VmHWM $(mb "$(status_kb VmHWM)") MB;" \
  "WAL $(( $(stat -c %s "$db-wal" 2>/dev/null || echo 0) / 1048576 )) MB"
