-- Tokens for the CASM team's console and API (`/v1/admin/*`). Only a SHA-256 hash of
-- each token is kept; the token itself is printed once, when it is made. `partner` is
-- NULL for staff tokens, else the one partner whose numbers the token may read.
CREATE TABLE admin_tokens (
    name       TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    partner    TEXT,
    created_at BIGINT NOT NULL
);
