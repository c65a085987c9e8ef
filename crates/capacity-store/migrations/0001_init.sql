-- commune-capacity schema, version 1.
-- Portable SQL: TEXT, INTEGER and BOOLEAN-as-INTEGER only, so that a
-- PostgreSQL migration set can mirror it. Decimals are TEXT (exact), lists
-- are JSON arrays in TEXT. Every row a user edits carries `version`, the
-- optimistic-concurrency counter: a save names the version it read and is
-- refused when the row moved on.

CREATE TABLE rubric (
    id          TEXT NOT NULL,
    version     TEXT NOT NULL,
    title_fr    TEXT NOT NULL,
    title_en    TEXT,
    source      TEXT NOT NULL,          -- the rubric file, verbatim
    created_at  TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE commune (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    cercle      TEXT NOT NULL,
    region      TEXT NOT NULL,
    kind        TEXT NOT NULL,          -- commune | cercle
    population  INTEGER,
    setting     TEXT,                   -- urban | rural | NULL (unknown)
    transferred TEXT NOT NULL,          -- JSON array of competence ids
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);
CREATE INDEX commune_region ON commune (region, cercle, name);

CREATE TABLE assessment (
    id              INTEGER PRIMARY KEY,
    commune_id      TEXT NOT NULL REFERENCES commune (id),
    rubric_id       TEXT NOT NULL,
    rubric_version  TEXT NOT NULL,
    round           TEXT NOT NULL,
    date            TEXT NOT NULL,
    fictional       INTEGER NOT NULL DEFAULT 0,
    finalised       INTEGER NOT NULL DEFAULT 0,
    comment         TEXT,
    -- The commune's attributes as they were at the workshop (they drive
    -- applicability rules, and a later change must not rewrite old rounds).
    commune_snapshot TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    FOREIGN KEY (rubric_id, rubric_version) REFERENCES rubric (id, version),
    UNIQUE (commune_id, rubric_id, round)
);
CREATE INDEX assessment_rubric ON assessment (rubric_id, rubric_version, round);

CREATE TABLE rater (
    assessment_id INTEGER NOT NULL REFERENCES assessment (id) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,        -- elected | staff | citizen | facilitator
    position      INTEGER NOT NULL,     -- display order
    PRIMARY KEY (assessment_id, id)
);

CREATE TABLE answer (
    assessment_id   INTEGER NOT NULL REFERENCES assessment (id) ON DELETE CASCADE,
    indicator_id    TEXT NOT NULL,
    consensus_level TEXT,               -- level code, NA, NI or NULL (none recorded)
    justification   TEXT,
    target          TEXT,               -- override of the rubric target
    comment         TEXT,
    position        INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (assessment_id, indicator_id)
);

CREATE TABLE rating (
    assessment_id INTEGER NOT NULL REFERENCES assessment (id) ON DELETE CASCADE,
    indicator_id  TEXT NOT NULL,
    rater_id      TEXT NOT NULL,
    level         TEXT NOT NULL,        -- level code, NA or NI
    evidence      TEXT,
    refs          TEXT NOT NULL,        -- JSON array of strings
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, indicator_id, rater_id),
    FOREIGN KEY (assessment_id, rater_id) REFERENCES rater (assessment_id, id) ON DELETE CASCADE
);

CREATE TABLE plan_adjustment (
    assessment_id INTEGER NOT NULL REFERENCES assessment (id) ON DELETE CASCADE,
    action_key    TEXT NOT NULL,        -- indicator id + level the action starts from + index
    accepted      INTEGER NOT NULL,
    cost_override TEXT,                 -- decimal FCFA, NULL = the rubric's cost
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, action_key)
);
