-- Publishing (issue 9). A retired resource keeps its row, its counts and its votes, but
-- is no longer served: the feed and stats leave it out and GET /v1/resources/{id} answers
-- 410. Retirement is the service's state, not the resource's content, so it is a column
-- here and not a field of the catalogue document (export/import do not carry it).
ALTER TABLE resources ADD COLUMN retired_at INTEGER;

-- One row counting catalogue changes: every import, edit, retirement and restoration adds
-- one in the same transaction, and running services poll it to reload their catalogue.
-- Writers update this row first, which also serialises them (a row lock on PostgreSQL,
-- the write lock at once on SQLite).
CREATE TABLE catalogue_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO catalogue_state (id, version) VALUES (1, 0);
