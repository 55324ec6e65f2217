-- How many votes the last count against this cap admitted. The writer's one statement
-- for the cap (`ADMIT_VOTES` in server/src/store/writes.rs) sets it from the count as it
-- was before (SET expressions see the old row) and reads it back with RETURNING, so a
-- batch learns how many of its votes fit without reading the row first.
ALTER TABLE vote_caps ADD COLUMN admitted INTEGER NOT NULL DEFAULT 0;
