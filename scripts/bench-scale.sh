#!/usr/bin/env bash
# Shows that counter reads do not grow with the event log: the same stats request is
# measured with wrk against a database holding 1 thousand events and one holding 1 million.
# Counts are read from maintained aggregate rows (and served from memory), never counted
# from events; this prints the figures that show it.
#   scripts/bench-scale.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh test installs it" >&2; exit 1; }
cargo build -q --profile server -p casm-feed
bin=target/server/casm-feed
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
cat >"$work/get.lua" <<'LUA'
function done(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %.3f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
printf '| events in the log | start-up ms | stats req/s | p50 ms | p99 ms |\n|---|---|---|---|---|\n'
for n in 1000 1000000; do
  db="$work/events-$n.db"
  CASM_DATABASE="sqlite://$db" $bin import data/demo-catalogue.json 2>/dev/null
  python3 - "$db" "$n" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
ids = [r[0] for r in db.execute("SELECT id FROM resources")]
db.execute("CREATE TEMP TABLE ids(i INTEGER PRIMARY KEY, id TEXT)")
db.executemany("INSERT INTO ids VALUES (?, ?)", list(enumerate(ids)))
db.execute(f"""WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < {n - 1})
  INSERT INTO events (resource_id, kind, link_id, partner, created_at)
  SELECT (SELECT id FROM ids WHERE i = x % {len(ids)}), 'view', NULL, 'bench', 1700000000 + x FROM c""")
db.executemany("INSERT INTO partner_counters (partner, resource_id, helpful_votes, page_views, "
  "pages_emailed, metacard_views, attachments_downloaded, videos_downloaded) VALUES ('bench', ?, 0, ?, 0, 0, 0, 0)",
  [(i, n // len(ids)) for i in ids])
db.commit()
assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == n
PY
  start=$(date +%s%N)
  CASM_SECRET=bench $bin serve --listen 127.0.0.1:0 --database "sqlite://$db" --data-dir "$work" \
    >"$work/out" 2>/dev/null &
  pid=$!
  for _ in $(seq 200); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.02; done
  startup=$(( ($(date +%s%N) - start) / 1000000 ))
  url=$(grep -o 'http://[0-9.:]*' "$work/out")
  set -- $(wrk -t2 -c32 -d"${secs}s" -s "$work/get.lua" \
    "$url/v1/stats?ids=casm-global-partnership,women-in-asm-toolkit,casm-knowledge-library" | grep '^RESULT')
  printf '| %s | %s | %s | %s | %s |\n' "$n" "$startup" "$2" "$3" "$4"
  kill $pid; wait $pid 2>/dev/null || true; pid=
done
