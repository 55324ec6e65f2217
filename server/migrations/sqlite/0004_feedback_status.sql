-- Moderation of "Submit your comments": each message is `new` until the CASM team marks
-- it `handled` or `archived` (`/v1/admin/feedback`).
ALTER TABLE feedback ADD COLUMN status TEXT NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'handled', 'archived'));

-- The queue: one status, newest first.
CREATE INDEX feedback_by_status ON feedback (status, created_at DESC, id DESC);
-- One resource's messages (`casm-feed feedback --resource`, `?resource=`).
CREATE INDEX feedback_by_resource ON feedback (resource_id, created_at DESC, id DESC);
