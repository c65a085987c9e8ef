-- commune-capacity schema, version 3: accounts, settings and the audit trail.
-- Portable SQL as before (TEXT, INTEGER, BOOLEAN-as-INTEGER), except the
-- triggers' syntax and AUTOINCREMENT, which the PostgreSQL set writes its
-- own way. Times are TEXT, UTC, RFC 3339 with milliseconds
-- (`2026-12-06T09:30:00.000Z`), so that comparing the text compares the
-- instants.

-- A person who signs in. `name` is the login, stored lowercased (the store
-- lowercases what it is given, so logins compare case-insensitively on
-- every database). `password_hash` stays NULL until the person sets a
-- password through an invitation link. `version` moves with every change
-- of the account, its grants or its password: a session bound to the
-- version it was opened at ends when it moves.
CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    demo          INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- A role held over a scope: the whole country, a region (by name), a
-- cercle (by name) or one commune (by id). `scope` is '' exactly for the
-- national scope.
CREATE TABLE account_grant (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    role        TEXT NOT NULL
                CHECK (role IN ('admin', 'planner', 'facilitator', 'rater', 'verifier', 'observer')),
    scope_kind  TEXT NOT NULL CHECK (scope_kind IN ('national', 'region', 'cercle', 'commune')),
    scope       TEXT NOT NULL DEFAULT '',
    CHECK ((scope_kind = 'national') = (scope = '')),
    UNIQUE (account_id, role, scope_kind, scope)
);

-- Single-use links to set a password (invitation or reset). Only a hash of
-- the token is stored: the token itself is in the link and nowhere else.
-- A new link supersedes every unused earlier one of the account (they are
-- marked used).
CREATE TABLE password_token (
    token_hash  TEXT PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX password_token_account ON password_token (account_id, used_at);

-- A rater of an assessment may be a person with an account; an account is
-- at most one rater of an assessment.
ALTER TABLE rater ADD COLUMN account_id INTEGER REFERENCES account (id);
CREATE UNIQUE INDEX rater_account ON rater (assessment_id, account_id);

-- Set when a finalised assessment is unlocked (with a reason, in the audit
-- trail), cleared when it is finalised again.
ALTER TABLE assessment ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;

-- Settings of the installation, edited in the web app.
CREATE TABLE setting (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);

-- The audit trail: every write appends its events in its own transaction,
-- and nothing updates or deletes an event (the triggers below refuse it).
-- No foreign keys: events outlive the objects they name. `actor_id` is the
-- account that acted (NULL for the system or an anonymous client), `actor`
-- its display name at the time (or 'system'); `before` and `after` are
-- JSON objects as text, NULL when there was nothing before or after.
CREATE TABLE audit_event (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor_id      INTEGER,
    actor         TEXT NOT NULL,
    request_id    TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    assessment_id INTEGER,
    indicator     TEXT,
    object        TEXT NOT NULL DEFAULT '',
    before        TEXT,
    after         TEXT,
    reason        TEXT
);
-- The history of an assessment or of one indicator of it.
CREATE INDEX audit_event_assessment ON audit_event (assessment_id, indicator, id);
-- Recent failed logins for one name...
CREATE INDEX audit_event_object ON audit_event (kind, object, at);
-- ...and from one client address.
CREATE INDEX audit_event_address ON audit_event (kind, address, at);

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
