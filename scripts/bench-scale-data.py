#!/usr/bin/env python3
"""Builds the database scripts/bench-scale.sh measures: 10,000 resources, 100 partners,
10 million events and 50,000 votes, with the aggregate tables consistent with them.

    scripts/bench-scale-data.py catalogue OUT.json   # the catalogue, for `casm-feed import`
    scripts/bench-scale-data.py fill DB               # partners, events, votes, counters

The catalogue goes through `casm-feed import` (the real schema and validation); the rest
is written with SQL straight into that database, because the service only reads counts
from the aggregate tables (partner_counters, link_counters, daily_counters), never from
events. They are computed here from the generated rows with GROUP BY, so they agree.

The skew (the catalogue is seeded; the SQL draws use SQLite's random(), so two builds
differ in detail, not in shape):
- resources: the 33 demo resources copied in blocks (ids `<demo id>-<block>`, related ids
  within the block); baselines scaled by a per-resource factor.
- which resource: the product of three uniform draws (times the catalogue size), spread
  over the catalogue by a multiplier prime to its size: a long tail. The busiest resource
  gets ~53,000 events, the median one ~240, ~2,400 get over 1,000 and ~400 get none.
- which partner: each resource is seen through 1–6 partner sites (a fixed function of the
  resource), the first always one of 10 big partners; uniform among those.
- when: over 730 days ending 2026-11-30, denser towards the end (√u).
- what: 85 % views, 8 % metacard views, 2 % emails, 5 % downloads of the resource's first
  download link (a video download when that link is a video; a view without one).
"""
import json
import sqlite3
import sys
import time
import random

RESOURCES = 10_000
PARTNERS = 100
BIG_PARTNERS = 10
EVENTS = 10_000_000
VOTES = 50_000
DAYS = 730
END = 1_796_083_200  # 2026-12-01T00:00:00Z
SPREAD = 7919  # prime, so r -> r * SPREAD % RESOURCES is a permutation


def catalogue(out):
    demo = json.load(open("data/demo-catalogue.json"))["resources"]
    rng = random.Random(12)
    resources = []
    for i in range(RESOURCES):
        block, t = divmod(i, len(demo))
        r = json.loads(json.dumps(demo[t]))
        r["id"] = f"{r['id']}-{block}"
        r["title"] = f"{r['title']} ({block})"
        r["related"] = [
            f"{rel}-{block}"
            for rel in r.get("related", [])
            if block * len(demo) + next(j for j, d in enumerate(demo) if d["id"] == rel)
            < RESOURCES
        ]
        day = END - 86_400 * (1 + rng.randrange(3650))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(day))
        r["created"] = stamp
        r["modified"] = stamp
        factor = rng.random() * 2
        r["baseline"] = {k: int(v * factor) for k, v in r.get("baseline", {}).items()}
        resources.append(r)
    json.dump({"format": "casm-catalogue", "version": 1, "resources": resources}, open(out, "w"))


def fill(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -400000")
    db.execute("PRAGMA temp_store = MEMORY")
    started = time.time()
    db.executemany(
        "INSERT INTO partners (key, name, origins, created_at) VALUES (?, ?, ?, ?)",
        [
            (f"partner-{p:03}", f"Partner {p}", json.dumps([f"https://partner-{p:03}.example"]), END - 86_400 * DAYS)
            for p in range(PARTNERS)
        ],
    )
    # r: the resource's index; k: how many partner sites see it; dl: its first download link.
    db.execute("CREATE TEMP TABLE r (i INTEGER PRIMARY KEY, id TEXT, k INTEGER, dl TEXT, video INTEGER)")
    rows = []
    for i, (rid, doc) in enumerate(db.execute("SELECT id, doc FROM resources ORDER BY position")):
        links = [l for l in json.loads(doc).get("links", []) if l["kind"] in ("document", "presentation", "photos", "video")]
        dl = links[0] if links else None
        rows.append((i, rid, 1 + (i * 13) % 6, dl and dl["id"], int(bool(dl) and dl["kind"] == "video")))
    assert len(rows) == RESOURCES, len(rows)
    db.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)", rows)
    # The j-th partner of resource i: j = 0 is a big partner, the others spread over all.
    partner_of = f"""printf('partner-%03d', CASE WHEN j = 0 THEN (i * 7) % {BIG_PARTNERS}
                     ELSE (i * 31 + j * 17) % {PARTNERS} END)"""
    uniform = "((random() & 4294967295) / 4294967296.0)"
    # One draw: the resource (a product of three uniforms, spread over the catalogue), what
    # happened, when, which partner.
    pick = (f"CAST({RESOURCES} * {uniform} * {uniform} * {uniform} AS INTEGER) * {SPREAD} % {RESOURCES}, "
            f"abs(random()) % 100, {uniform}, abs(random())")
    db.execute(f"""
      WITH RECURSIVE
      -- The random draws are columns of the recursive table, so each is drawn once per row
      -- (a plain CTE's expressions may be re-evaluated wherever they are used).
      n(x, ri, what, u, pj) AS (SELECT 0, {pick}
        UNION ALL SELECT x + 1, {pick} FROM n WHERE x < {EVENTS - 1}),
      e AS (SELECT r.i AS i, r.id AS id, r.dl AS dl, r.video AS video, what, u, pj % r.k AS j
            FROM n JOIN r ON r.i = n.ri)
      INSERT INTO events (resource_id, kind, link_id, partner, created_at)
      SELECT id,
             CASE WHEN what < 85 THEN 'view' WHEN what < 93 THEN 'metacard_view'
                  WHEN what < 95 THEN 'email' WHEN dl IS NULL THEN 'view'
                  WHEN video THEN 'video_download' ELSE 'download' END,
             CASE WHEN what >= 95 THEN dl END,
             {partner_of},
             {END} - 1 - CAST({DAYS * 86_400} * sqrt(u) AS INTEGER)
      FROM e""")
    print(f"  events: {time.time() - started:.0f} s", file=sys.stderr)
    db.execute(f"""
      WITH RECURSIVE
      n(x, ri, what, u, pj) AS (SELECT 0, {pick}
        UNION ALL SELECT x + 1, {pick} FROM n WHERE x < {VOTES - 1}),
      v AS (SELECT r.i AS i, r.id AS id, u, x, pj % r.k AS j FROM n JOIN r ON r.i = n.ri)
      INSERT INTO votes (resource_id, visitor, partner, created_at)
      SELECT id, printf('bench-%08d', x), {partner_of},
             {END} - 1 - CAST({DAYS * 86_400} * sqrt(u) AS INTEGER) FROM v""")
    # The per-day aggregate first; the totals and links are sums of it.
    db.execute("""
      INSERT INTO daily_counters (day, resource_id, partner, helpful_votes, page_views,
        pages_emailed, metacard_views, attachments_downloaded, videos_downloaded)
      SELECT day, resource_id, partner, SUM(v), SUM(kind IS 'view'), SUM(kind IS 'email'),
             SUM(kind IS 'metacard_view'), SUM(kind IS 'download'), SUM(kind IS 'video_download')
      FROM (SELECT created_at / 86400 AS day, resource_id, partner, kind, 0 AS v FROM events
            UNION ALL
            SELECT created_at / 86400, resource_id, partner, NULL, 1 FROM votes)
      GROUP BY day, resource_id, partner""")
    db.execute("""
      INSERT INTO partner_counters (partner, resource_id, helpful_votes, page_views,
        pages_emailed, metacard_views, attachments_downloaded, videos_downloaded)
      SELECT partner, resource_id, SUM(helpful_votes), SUM(page_views), SUM(pages_emailed),
             SUM(metacard_views), SUM(attachments_downloaded), SUM(videos_downloaded)
      FROM daily_counters GROUP BY partner, resource_id""")
    db.execute("""
      INSERT INTO link_counters (resource_id, link_id, downloads)
      SELECT resource_id, link_id, COUNT(*) FROM events WHERE link_id IS NOT NULL
      GROUP BY resource_id, link_id""")
    db.commit()
    one = lambda sql: db.execute(sql).fetchone()[0]
    assert one("SELECT COUNT(*) FROM events") == EVENTS
    assert one("SELECT SUM(page_views) FROM partner_counters") == one("SELECT COUNT(*) FROM events WHERE kind = 'view'")
    assert one("SELECT SUM(helpful_votes) FROM partner_counters") == VOTES
    print(
        f"  {one('SELECT COUNT(*) FROM partner_counters')} partner_counters rows, "
        f"{one('SELECT COUNT(*) FROM daily_counters')} daily_counters rows, "
        f"{one('SELECT COUNT(DISTINCT resource_id) FROM events')} resources with events; "
        f"{time.time() - started:.0f} s",
        file=sys.stderr,
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


if __name__ == "__main__":
    {"catalogue": catalogue, "fill": fill}[sys.argv[1]](sys.argv[2])
