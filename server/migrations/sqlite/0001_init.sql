-- The catalogue: each resource as its catalogue JSON (the import/export format).
CREATE TABLE resources (
    id         TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    doc        TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Live counts per resource, maintained in the same transaction as the rows that change
-- them, so reading a count never scans votes or events. Baselines live in `doc`.
CREATE TABLE resource_counters (
    resource_id            TEXT PRIMARY KEY REFERENCES resources(id) ON DELETE CASCADE,
    helpful_votes          INTEGER NOT NULL DEFAULT 0,
    page_views             INTEGER NOT NULL DEFAULT 0,
    pages_emailed          INTEGER NOT NULL DEFAULT 0,
    metacard_views         INTEGER NOT NULL DEFAULT 0,
    attachments_downloaded INTEGER NOT NULL DEFAULT 0,
    videos_downloaded      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE link_counters (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    link_id     TEXT NOT NULL,
    downloads   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (resource_id, link_id)
);

-- One row per (resource, visitor): the uniqueness constraint is what makes a vote count once.
-- `visitor` is a keyed hash of the token the widget sends, never the token itself.
CREATE TABLE votes (
    resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    visitor     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (resource_id, visitor)
);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    link_id     TEXT,
    visitor     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- "Submit your comments": kept for moderation, never served by the API.
CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id TEXT NOT NULL,
    visitor     TEXT NOT NULL,
    text        TEXT NOT NULL,
    contact     TEXT,
    created_at  INTEGER NOT NULL
);
