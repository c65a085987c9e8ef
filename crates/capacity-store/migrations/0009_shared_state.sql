-- What several servers on one database must share instead of keeping in
-- their own memory.

-- The write counter: every write transaction of data adds one, just before
-- it commits, so a cache keyed on it (header lists, pages spanning
-- assessments) is current on every server once the write is visible.
CREATE TABLE store_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO store_state (id, generation) VALUES (1, 0);

-- Flash values: what a plain form post hands to the page its redirect
-- opens (a form's error and typed fields, refused entries, a plan save's
-- outcome, a set-password link, a register import's preview), under an
-- unguessable token carried in the redirect. JSON in `value`; times are
-- RFC 3339 UTC text, compared as text. Expired rows are ignored by reads
-- and deleted by the next write of a flash value.
CREATE TABLE flash_value (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX flash_value_expiry ON flash_value (expires_at);
CREATE INDEX flash_value_kind ON flash_value (kind, created_at);
