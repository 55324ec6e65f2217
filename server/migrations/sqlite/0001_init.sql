-- The catalogue: each resource as its catalogue JSON (the import/export format).
CREATE TABLE resources (
    id         TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    doc        TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Partner sites: POSTs are accepted only from their origins, and every vote and event
-- records the partner it came from. `origins` is a JSON array of origin patterns.
CREATE TABLE partners (
    key        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    origins    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Live counts per (partner, resource), maintained in the same transaction as the rows
-- that change them, so reading a count never scans votes or events. A resource's totals
-- are the sum of its rows; baselines live in `resources.doc`.
CREATE TABLE partner_counters (
    partner                TEXT NOT NULL,
    resource_id            TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    helpful_votes          INTEGER NOT NULL DEFAULT 0,
    page_views             INTEGER NOT NULL DEFAULT 0,
    pages_emailed          INTEGER NOT NULL DEFAULT 0,
    metacard_views         INTEGER NOT NULL DEFAULT 0,
    attachments_downloaded INTEGER NOT NULL DEFAULT 0,
    videos_downloaded      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (partner, resource_id)
) WITHOUT ROWID;

CREATE TABLE link_counters (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    link_id     TEXT NOT NULL,
    downloads   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (resource_id, link_id)
) WITHOUT ROWID;

-- Tables keyed by text are WITHOUT ROWID: one B-tree per insert instead of a table and an
-- index, which halves the pages a batch of votes dirties.

-- One row per (resource, visitor): the uniqueness constraint is what makes a vote count once.
-- `visitor` is a keyed hash of the token the widget sends, never the token itself; the row
-- lives as long as the vote stands.
CREATE TABLE votes (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    visitor     TEXT NOT NULL,
    partner     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (resource_id, visitor)
) WITHOUT ROWID;

-- When a visitor's view of a resource last counted: one view per 30 minutes. Rows older
-- than the window are deleted.
CREATE TABLE view_marks (
    resource_id TEXT NOT NULL,
    visitor     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    counted_at  INTEGER NOT NULL,
    PRIMARY KEY (resource_id, visitor, kind)
) WITHOUT ROWID;

-- Votes per network per resource per UTC day. `network` is a hash of the address's
-- network with a salt that changes daily and is never stored; rows of past days are deleted.
CREATE TABLE vote_caps (
    day         INTEGER NOT NULL,
    network     TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    votes       INTEGER NOT NULL,
    PRIMARY KEY (day, network, resource_id)
) WITHOUT ROWID;

-- The event log: what was counted, when, from which partner. No visitor, address or agent.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    link_id     TEXT,
    partner     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- "Submit your comments": kept for moderation, never served by the API.
CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id TEXT NOT NULL,
    partner     TEXT NOT NULL,
    text        TEXT NOT NULL,
    contact     TEXT,
    created_at  INTEGER NOT NULL
);
