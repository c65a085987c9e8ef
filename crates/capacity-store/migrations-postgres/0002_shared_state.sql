-- What several servers on one database must share instead of keeping in
-- their own memory: the PostgreSQL counterpart of the SQLite set's
-- 0009_shared_state.sql (same tables, same meaning; every integer BIGINT).

-- The write counter: every write of data adds one, so a cache keyed on it
-- is current on every server once the write is visible. (On PostgreSQL,
-- whose write transactions run side by side and serialisable, adding one
-- inside each would make every pair of concurrent writes conflict on this
-- row: add one right after the commit instead, in its own statement —
-- a reader that sees the new number then sees the new data.)
CREATE TABLE store_state (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO store_state (id, generation) VALUES (1, 0);

-- Flash values: what a plain form post hands to the page its redirect
-- opens, under an unguessable token. JSON in `value`; times are RFC 3339
-- UTC text of one width, compared as text.
CREATE TABLE flash_value (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX flash_value_expiry ON flash_value (expires_at);
CREATE INDEX flash_value_kind ON flash_value (kind, created_at);
