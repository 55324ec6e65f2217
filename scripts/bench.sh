#!/usr/bin/env bash
# Throughput and latency of the feed service with wrk on this machine (wrk -t2 -c32, SECS
# seconds a run, default 10), printed as a table; wrk shares the machine's cores with the
# server. Each server runs alone, on a fresh database, and is stopped after its runs.
#   scripts/bench.sh [SECS]
#   BASELINE_BIN=/path/to/casm-feed BASELINE=<git rev> scripts/bench.sh   (either or both)
#   ROUNDS=3 …   runs ours' and the baselines' votes 3 times, interleaved, each run on a
#                fresh server; their rows are the medians (take an odd number: on a busy
#                machine two runs of one binary differ by tens of percent)
#
# Rows: ours (this tree's release build: the reads, then durable votes), each baseline's
# votes, Isso's votes, and a bare axum route's. Every vote is a real write:
# - ours and the baselines: `casm-feed serve --demo` on a fresh SQLite file
#   (synchronous=FULL), `--post-rate 0 --vote-cap 0`, a new visitor each vote. After the
#   run the votes served must equal the rows on disk, and cover every vote answered 2xx.
#   BASELINE_BIN is a saved binary; BASELINE=<rev> builds that revision's casm-feed once
#   (a git worktree under target/bench-baseline, removed after; `--target-dir
#   target/bench-baseline`, seeded from target/server so the dependencies are built
#   already) into target/bench-baseline/casm-feed-<commit>. Both must understand today's
#   serve flags.
# - Isso (the peer; PyPI, a throwaway venv, ISSO_VERSION=x.y.z pins it), run as a real
#   deployment here would: gunicorn, 2 sync workers (one a core), its default config
#   but for `[server] trusted-proxies = 127.0.0.1`, so it takes the client's address
#   from X-Forwarded-For as behind a reverse proxy. `POST /id/N/like`. Isso keeps one
#   vote per comment and address (/24, in a bloom filter per comment), refuses votes on
#   one's own comment and takes at most 142 votes a comment, so the bench seeds
#   max(1000, 100 × SECS) comments (one through its API, the rest copies of that row)
#   and gives each vote its own /24. Its writes are durable: Isso sets no pragma, so
#   each commit runs in SQLite's defaults, journal_mode=DELETE and synchronous=FULL
#   (checked below). After the run every answer must be a counted like ("likes" with no
#   "message"), and the likes on disk must cover them.
# - bare axum (server/examples/bare_vote.rs): our runtime, accept loop and JSON body
#   extractor, no database: the ceiling.
# Then ours ÷ each, and issue 12's goals as PASS/FAIL: ours ≥ 20 × Isso's votes/s;
# ours ≥ 2 × the baseline's with a p99 ≤ 10 ms. A row with errors (non-2xx, socket
# errors) is marked ⚠ and, like a failed check, makes the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${ROUNDS:-1}
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh test installs it" >&2; exit 1; }
source scripts/isso-venv.sh

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "${baseline_src:-}" ]; then git worktree remove --force "$baseline_src" || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

# Builds revision $1's casm-feed once; sets baseline_bin to the cached binary's path.
# (Not in a subshell: the EXIT trap removes the worktree if the build fails.)
build_baseline() {
  local sha bin
  sha=$(git rev-parse --verify "$1^{commit}")
  bin=target/bench-baseline/casm-feed-$sha
  if [ ! -x "$bin" ]; then
    echo "building $1 ($sha) into target/bench-baseline (once; a cold build takes minutes)" >&2
    mkdir -p target/bench-baseline
    if [ ! -d target/bench-baseline/server ] && [ -d target/server/deps ]; then
      # Seeded from this tree's build: the dependencies the revision shares are then fresh.
      mkdir target/bench-baseline/server
      cp -a target/server/build target/server/deps target/server/.fingerprint target/bench-baseline/server/
    fi
    baseline_src=$PWD/target/bench-baseline/src-$sha
    git worktree add -q --detach "$baseline_src" "$sha" >&2
    (cd "$baseline_src" && cargo build -q --profile server -p casm-feed \
      --target-dir "$OLDPWD/target/bench-baseline") >&2
    cp target/bench-baseline/server/casm-feed "$bin"
    git worktree remove --force "$baseline_src"
    baseline_src=
  fi
  baseline_bin=$bin
}

# Two builds: with the example, cargo would build ours with the dev-dependencies' features
# too (tokio's "full", parking_lot inside), not the binary that ships.
cargo build -q --profile server -p casm-feed
cargo build -q --profile server -p casm-feed --example bare_vote
baselines=()
baseline_names=()
if [ -n "${BASELINE_BIN:-}" ]; then baselines+=("$BASELINE_BIN") baseline_names+=("$(basename "$BASELINE_BIN")"); fi
if [ -n "${BASELINE:-}" ]; then
  build_baseline "$BASELINE"
  baselines+=("$baseline_bin")
  baseline_names+=("$BASELINE ($(git rev-parse --short "$BASELINE^{commit}"))")
fi
isso_version=$(isso_venv "$dir" gunicorn)

# Every script reports: req/s, p99 ms, errors (non-2xx, socket), 2xx answers, the errors by
# kind, then its own.
result_lua='
function result(summary, latency, extra)
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.2f %d %d non-2xx=%d,connect=%d,read=%d,write=%d,timeout=%d %s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, summary.requests - e.status,
    e.status, e.connect, e.read, e.write, e.timeout, extra or ""))
end'
cat >"$dir/get.lua" <<LUA
$result_lua
function done(summary, latency, requests) result(summary, latency) end
LUA
cat >"$dir/vote.lua" <<LUA
$result_lua
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
function done(summary, latency, requests) result(summary, latency) end
LUA
# Vote g (0, 1, 2, … over both threads) likes comment g mod COMMENTS + 1 from the /24 g.
cat >"$dir/like.lua" <<LUA
$result_lua
local n = 0
local threads = {}
refused = 0
function setup(thread) thread:set("id", #threads); table.insert(threads, thread) end
function init(args) tid = id; comments = tonumber(args[1]) end
function request()
  local g = n * 2 + tid
  n = n + 1
  local addr = string.format("%d.%d.%d.7", 1 + math.floor(g / 65536), math.floor(g / 256) % 256, g % 256)
  return wrk.format("POST", string.format("/id/%d/like", g % comments + 1),
    {["Content-Type"] = "application/json", ["X-Forwarded-For"] = addr}, "")
end
function response(status, headers, body)
  if status == 200 and (not string.find(body, '"likes"', 1, true) or string.find(body, '"message"', 1, true)) then
    refused = refused + 1
  end
end
function done(summary, latency, requests)
  local r = 0
  for _, t in ipairs(threads) do r = r + t:get("refused") end
  result(summary, latency, r)
end
LUA

declare -A rps p99 errs kinds acked label
keys=()
flagged=()
failed=()
checks=()
measure() { # key, label, wrk args…: one run, its figures appended to key's
  local key=$1 line
  [ -n "${label[$key]:-}" ] || keys+=("$key")
  label[$key]=$2
  shift 2
  # A 10 s timeout: a slow answer counts in the latencies rather than as an error (wrk's
  # 2 s would drop it from them).
  line=$(wrk -t2 -c32 -d"${secs}s" --timeout 10s "$@" | grep '^RESULT') ||
    { echo "wrk failed: ${label[$key]}" >&2; exit 1; }
  local _ r p e a k
  read -r _ r p e a k extra <<<"$line"
  rps[$key]+=" $r" p99[$key]+=" $p" errs[$key]=$((${errs[$key]:-0} + e)) acked[$key]=$a
  if [ "$e" != 0 ]; then kinds[$key]+=" $k"; fi
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wait_url() { # log file: the URL once the server prints it
  for _ in $(seq 100); do grep -q listening "$1" 2>/dev/null && break; sleep 0.1; done
  grep -o 'http://[0-9.:]*' "$1" | head -1
}
start_casm() { # name, binary: serves a fresh SQLite file; sets pid and url
  rm -f "$dir/$1".* # the last round's files: its URL, its database
  CASM_SECRET=bench "$2" serve --listen 127.0.0.1:0 --demo --database "sqlite://$dir/$1.db" \
    --post-rate 0 --vote-cap 0 >"$dir/$1.out" 2>"$dir/$1.err" &
  pid=$!
  pids+=("$pid")
  url=$(wait_url "$dir/$1.out")
  [ -n "$url" ] || { echo "$1 did not start:"; cat "$dir/$1.err"; exit 1; } >&2
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
vote_round() { # key, label, round: a vote run, then votes served == rows on disk ≥ answered 2xx
  measure "$1" "$2" -s "$dir/vote.lua" "$url"
  sleep 0.3 # votes still in flight when wrk stopped
  local votes rows
  votes=$(curl -s "$url/v1/stats?ids=casm-global-partnership" | grep -o '"helpful_votes":[0-9]*' | cut -d: -f2)
  rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM votes').fetchone()[0])" "$dir/$1.db")
  local name="${label[$1]%%:*}, round $3"
  checks+=("$name: ${acked[$1]} votes answered 2xx, $votes served, $rows vote rows on disk")
  if [ "$votes" != "$rows" ] || [ "$rows" -lt "${acked[$1]}" ]; then
    failed+=("$name: votes served ≠ rows on disk, or fewer than answered")
  fi
}

# Ours: the reads, then its first vote round on the same process (so the peak RSS has both).
start_casm ours target/server/casm-feed
etag=$(curl -s -D - -o /dev/null "$url/v1/feed.json" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r')
measure feed "ours: GET /v1/feed.json (br)" -s "$dir/get.lua" -H 'Accept-Encoding: br' "$url/v1/feed.json"
measure 304 "ours: GET /v1/feed.json If-None-Match → 304" -s "$dir/get.lua" -H "If-None-Match: $etag" "$url/v1/feed.json"
measure stats "ours: GET /v1/stats?ids=3 ids (gzip)" -s "$dir/get.lua" -H 'Accept-Encoding: gzip' \
  "$url/v1/stats?ids=casm-global-partnership,women-in-asm-toolkit,casm-knowledge-library"
of=; [ "$rounds" = 1 ] || of=", median of $rounds"
for round in $(seq "$rounds"); do
  [ "$round" = 1 ] || start_casm ours target/server/casm-feed
  vote_round ours "ours: POST vote (new visitor each, durable$of)" "$round"
  if [ "$round" = 1 ]; then
    rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    wal=$(du -h "$dir/ours.db-wal" | cut -f1)
  fi
  stop
  for i in "${!baselines[@]}"; do
    start_casm "baseline$i" "${baselines[$i]}"
    vote_round "baseline$i" "baseline ${baseline_names[$i]}: POST vote (same$of)" "$round"
    stop
  done
done

comments=$((secs * 100 > 1000 ? secs * 100 : 1000))
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/isso.cfg" <<CFG
[general]
dbpath = $dir/comments.db
host = http://127.0.0.1:8080
[server]
listen = http://127.0.0.1:$port
trusted-proxies = 127.0.0.1
CFG
ISSO_SETTINGS="$dir/isso.cfg" "$dir/venv/bin/gunicorn" --workers 2 --bind "127.0.0.1:$port" \
  isso.run:application >"$dir/isso.out" 2>"$dir/isso.err" &
pid=$!
pids+=("$pid")
isso="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf -o /dev/null "$isso/config" && break; sleep 0.1; done
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "$isso/new?uri=%2Fbench" \
  -d '{"text": "The comment the bench votes on.", "title": "Bench"}' ||
  { echo "Isso did not take a comment:"; cat "$dir/isso.err"; exit 1; } >&2
isso_sql() { "$dir/venv/bin/python" -c 'import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as c: print(*c.execute(sys.argv[2]).fetchone() or ())' "$dir/comments.db" "$1"; }
isso_sql "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < $comments)
  INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author, email,
    website, likes, dislikes, voters, notification)
  SELECT tid, parent, created, modified, mode, remote_addr, text, author, email, website,
    likes, dislikes, voters, notification FROM comments, n WHERE id = 1" >/dev/null
# One like through the API must be counted on disk, and Isso's connections get these pragmas.
like=$(curl -s -X POST -H 'Content-Type: application/json' -H 'X-Forwarded-For: 203.0.113.7' "$isso/id/$comments/like")
if [ "$like" != '{"likes": 1, "dislikes": 0}' ] || [ "$(isso_sql "SELECT likes FROM comments WHERE id = $comments")" != 1 ]; then
  echo "Isso did not count a like: $like" >&2
  exit 1
fi
pragmas=$(isso_sql "SELECT journal_mode || ', synchronous=' || synchronous FROM pragma_journal_mode, pragma_synchronous")
[ "$pragmas" = "delete, synchronous=2" ] || failed+=("Isso's SQLite is not journal_mode=DELETE, synchronous=FULL: $pragmas")
before=$(isso_sql "SELECT SUM(likes) FROM comments")
measure isso "$isso_version (gunicorn, 2 workers): POST /id/N/like (new address each, durable)" \
  -s "$dir/like.lua" "$isso" -- "$comments"
refused=$extra
sleep 0.3
likes=$(($(isso_sql "SELECT SUM(likes) FROM comments") - before))
checks+=("Isso: ${acked[isso]} likes answered 2xx over $comments comments, $refused of them refused, $likes likes on disk")
if [ "$refused" != 0 ] || [ "$likes" -lt "${acked[isso]}" ]; then failed+=("Isso: likes refused, or fewer on disk than answered"); fi
stop

"target/server/examples/bare_vote" 127.0.0.1:0 >"$dir/bare.out" 2>"$dir/bare.err" &
pid=$!
pids+=("$pid")
url=$(wait_url "$dir/bare.out")
measure bare "bare axum: POST vote (no database)" -s "$dir/vote.lua" "$url"
stop

printf '| row | req/s | p99 ms | errors |\n|---|---|---|---|\n'
for key in "${keys[@]}"; do
  rps[$key]=$(median "${rps[$key]}") p99[$key]=$(median "${p99[$key]}")
  mark=
  if [ "${errs[$key]}" != 0 ]; then mark=" ⚠"; flagged+=("${label[$key]}: ${errs[$key]} errors (${kinds[$key]# })"); fi
  printf '| %s | %s | %s | %s%s |\n' "${label[$key]}" "${rps[$key]}" "${p99[$key]}" "${errs[$key]}" "$mark"
done
echo
echo "peak RSS of the service: $((rss / 1024)) MB; WAL after the vote run: $wal"
printf '%s\n' "${checks[@]}"
echo "Isso's SQLite: journal_mode=$pragmas (2 = FULL)"
echo
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
verdict() { # met (1/0), the other row: FAIL too if either row had errors
  if [ "${errs[ours]}" != 0 ] || [ "${errs[$2]}" != 0 ]; then echo "FAIL (errors: see ⚠)"
  elif [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi
}
r=$(ratio "${rps[ours]}" "${rps[isso]}")
echo "ours ÷ Isso: $r× votes/s (goal ≥ 20×): $(verdict "$(python3 -c "print(int($r >= 20))")" isso)"
for i in "${!baselines[@]}"; do
  r=$(ratio "${rps[ours]}" "${rps[baseline$i]}")
  ok=$(python3 -c "print(int($r >= 2 and ${p99[ours]} <= 10))")
  echo "ours ÷ baseline ${baseline_names[$i]}: $r× votes/s, ours' p99 ${p99[ours]} ms (goal ≥ 2× and ≤ 10 ms): $(verdict "$ok" "baseline$i")"
done
echo "ours ÷ bare axum: $(ratio "${rps[ours]}" "${rps[bare]}") of the ceiling"
for f in "${flagged[@]}" "${failed[@]}"; do echo "⚠ $f"; done
[ ${#flagged[@]} = 0 ] && [ ${#failed[@]} = 0 ]
