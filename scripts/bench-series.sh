#!/usr/bin/env bash
# Times GET /v1/admin/series over a year: a SQLite database holding daily_counters for
# 365 days x 33 resources (the demo catalogue) x 5 partners (60,225 rows, filled with direct
# SQL), served by the release build; by=partner and by=resource, and the CSV export. With
# wrk (one connection, so each figure is one request's latency) for SECONDS each; without
# wrk, a Python loop of 200 requests on one kept-alive connection.
#   scripts/bench-series.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
cargo build -q --profile server -p casm-feed
bin=${CARGO_TARGET_DIR:-target}/server/casm-feed
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
db="sqlite://$work/casm.db"
export CASM_DATABASE=$db
$bin import data/demo-catalogue.json 2>/dev/null
for p in 1 2 3 4 5; do
  $bin partner add "partner-$p" --name "Partner $p" --origin "https://p$p.example.org" 2>/dev/null
done
token=$($bin admin token create bench 2>/dev/null)
python3 - "$work/casm.db" <<'PY'
import random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
ids = [r[0] for r in db.execute("SELECT id FROM resources")]
partners = [r[0] for r in db.execute("SELECT key FROM partners")]
assert (len(ids), len(partners)) == (33, 5), (len(ids), len(partners))
today = int(time.time()) // 86400
rng = random.Random(9)
rows = [(day, r, p, rng.randint(0, 3), rng.randint(0, 60), rng.randint(0, 2), rng.randint(0, 9),
         rng.randint(0, 5), rng.randint(0, 1))
        for day in range(today - 364, today + 1) for r in ids for p in partners]
db.executemany("INSERT INTO daily_counters (day, resource_id, partner, helpful_votes, page_views, "
               "pages_emailed, metacard_views, attachments_downloaded, videos_downloaded) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
db.commit()
print(f"daily_counters: {db.execute('SELECT COUNT(*) FROM daily_counters').fetchone()[0]} rows "
      f"(365 days x {len(ids)} resources x {len(partners)} partners)")
PY
CASM_SECRET=bench $bin serve --listen 127.0.0.1:0 --data-dir "$work" >"$work/out" 2>/dev/null &
pid=$!
for _ in $(seq 200); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.02; done
url=$(grep -o 'http://[0-9.:]*' "$work/out")
day() { python3 -c "import time, datetime as d; print(d.date(1970, 1, 1) + d.timedelta(days=int(time.time()) // 86400 - $1))"; }
from=$(day 364)
to=$(day 0)
paths=(
  "/v1/admin/series?from=$from&to=$to&by=partner"
  "/v1/admin/series?from=$from&to=$to&by=resource"
  "/v1/admin/series?from=$from&to=$to"
  "/v1/admin/summary?from=$from&to=$to"
  "/v1/admin/export.csv?from=$from&to=$to&by=resource"
)
# Each answer is checked once: 365 days, 5 or 33 groups.
python3 - "$url" "$token" "$from" "$to" <<'PY'
import json, sys, urllib.request
url, token, f, t = sys.argv[1:]
for by, groups in [("partner", 5), ("resource", 33)]:
    req = urllib.request.Request(f"{url}/v1/admin/series?from={f}&to={t}&by={by}",
                                 headers={"Authorization": f"Bearer {token}"})
    body = urllib.request.urlopen(req).read()
    s = json.loads(body)
    assert len(s["days"]) == 365 and len(s["series"]) == groups, (by, len(s["days"]), len(s["series"]))
    assert all(len(g["values"]) == 365 for g in s["series"])
    print(f"by={by}: {groups} series x 365 days, {len(body)} bytes")
PY
printf '| request (365 days) | requests | p50 ms | p99 ms |\n|---|---|---|---|\n'
if command -v wrk >/dev/null; then
  cat >"$work/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %.3f %.3f\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
  for path in "${paths[@]}"; do
    set -- $(wrk -t1 -c1 -d"${secs}s" -s "$work/get.lua" "$url$path" | grep '^RESULT')
    printf '| `%s` | %s | %s | %s |\n' "${path/from=$from&to=$to/…}" "$2" "$3" "$4"
  done
else
  python3 - "$url" "$token" "${paths[@]}" <<'PY'
import http.client, statistics, sys, time, urllib.parse
url, token, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
host = urllib.parse.urlparse(url).netloc
conn = http.client.HTTPConnection(host)
for path in paths:
    times = []
    for i in range(210):
        t = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse(); r.read(); assert r.status == 200, r.status
        if i >= 10:
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    shown = path.split("?")[0] + "?…" + ("&" + path.split("&", 2)[2] if path.count("&") > 1 else "")
    print(f"| `{shown}` | {len(times)} | {statistics.median(times):.3f} | {times[int(len(times) * 0.99) - 1]:.3f} |")
PY
fi
