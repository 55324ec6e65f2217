-- The maintained counters per UTC day, resource and partner: what /v1/admin/series,
-- /v1/admin/summary and `casm-feed stats --csv` read, so a year of numbers never scans
-- votes or events. The writer keeps it in the same transaction as partner_counters
-- (store/counts.rs, apply_deltas), so the sum of a resource's and partner's rows over all
-- days equals its partner_counters row.
--
-- `day` is the UTC day number, days since 1970-01-01 (`created_at / 86400`), like
-- vote_caps.day; ISO dates (YYYY-MM-DD) are made only at the API's edge. An integer rather
-- than a DATE or ISO text because both databases compute it from the stored Unix seconds
-- with the same integer division (no date functions, which differ between SQLite and
-- PostgreSQL, and no time zone setting to get wrong), the Any driver has no DATE type common
-- to both, and a period is an integer range on the primary key's first column.
--
-- Helpful votes are net per day: an undone vote is subtracted on the day of the undo, not
-- the day it was cast, so a day (or a period) can show fewer than zero.
CREATE TABLE daily_counters (
    day                    BIGINT NOT NULL,
    resource_id            TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    partner                TEXT NOT NULL,
    helpful_votes          BIGINT NOT NULL DEFAULT 0,
    page_views             BIGINT NOT NULL DEFAULT 0,
    pages_emailed          BIGINT NOT NULL DEFAULT 0,
    metacard_views         BIGINT NOT NULL DEFAULT 0,
    attachments_downloaded BIGINT NOT NULL DEFAULT 0,
    videos_downloaded      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, resource_id, partner)
);

-- Data work a migration asks for that needs the service's own rules. The back-fill of
-- daily_counters from the events and votes already stored maps each event kind to its
-- counter, and that mapping has one definition, `EventKind::counter()` in casm-model; so
-- instead of repeating it here, this row asks `Store::connect` to run the back-fill right
-- after the migrations (store/series.rs, run_pending_backfills). The back-fill deletes the
-- row in its own transaction, so it runs exactly once, even if the process stops between.
CREATE TABLE pending_backfills (
    name TEXT PRIMARY KEY
);
INSERT INTO pending_backfills (name) VALUES ('daily_counters');
