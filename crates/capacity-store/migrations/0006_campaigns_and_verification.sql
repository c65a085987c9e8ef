-- commune-capacity schema, version 6: assessment campaigns and the
-- independent verification of self-assessments.
--
-- A campaign is what planners declare: one rubric version, a date window
-- (inclusive, YYYY-MM-DD), the communes in scope, and whether a verified
-- result is required before an assessment counts in comparisons and
-- grants. Every assessment belongs to one campaign (`assessment.campaign_id`;
-- the store fills it for rows written before this version, see
-- `Store::attach_to_campaigns`). The round label of an assessment is its
-- campaign's label.
CREATE TABLE campaign (
    id                    TEXT PRIMARY KEY,   -- short, chosen by the planner: '2025', 'mopti-2026'
    label                 TEXT NOT NULL,      -- what pages show: '2025'
    rubric_id             TEXT NOT NULL,
    rubric_version        TEXT NOT NULL,
    starts                TEXT NOT NULL,      -- YYYY-MM-DD, first day of the window
    ends                  TEXT NOT NULL,      -- YYYY-MM-DD, last day of the window
    verification_required INTEGER NOT NULL DEFAULT 0,
    -- Declared by a planner (0), or made by the store for assessments that
    -- came without one (1: files, imports, rows older than campaigns).
    implicit              INTEGER NOT NULL DEFAULT 0,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    FOREIGN KEY (rubric_id, rubric_version) REFERENCES rubric (id, version),
    CHECK (starts <= ends)
);
CREATE INDEX campaign_rubric ON campaign (rubric_id, ends);

-- The communes in a campaign's scope (an explicit list: a planner picks
-- regions, cercles or communes and the app stores the communes).
CREATE TABLE campaign_commune (
    campaign_id TEXT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    commune_id  TEXT NOT NULL REFERENCES commune (id),
    PRIMARY KEY (campaign_id, commune_id)
);

ALTER TABLE assessment ADD COLUMN campaign_id TEXT REFERENCES campaign (id);
CREATE UNIQUE INDEX assessment_campaign ON assessment (campaign_id, commune_id);

-- The verifier assigned to a commune in a campaign (an account holding
-- the verifier role over that commune).
CREATE TABLE verification_assignment (
    campaign_id TEXT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    commune_id  TEXT NOT NULL REFERENCES commune (id),
    account_id  INTEGER NOT NULL REFERENCES account (id),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, commune_id)
);

-- The verification of one finalised self-assessment. `status` is
-- 'in_progress' until the verifier completes it; a completed verification
-- is locked like a finalised assessment.
CREATE TABLE verification (
    assessment_id INTEGER PRIMARY KEY REFERENCES assessment (id) ON DELETE CASCADE,
    account_id    INTEGER NOT NULL REFERENCES account (id),
    status        TEXT NOT NULL DEFAULT 'in_progress'
                  CHECK (status IN ('in_progress', 'completed')),
    comment       TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    started_at    TEXT NOT NULL,
    completed_at  TEXT,
    updated_at    TEXT NOT NULL
);

-- The verifier's level for one indicator: equal to the self-assessed
-- level it was given beside (`self_level`, kept as it was then) when
-- confirmed, another level with a mandatory reason when changed.
CREATE TABLE verified_answer (
    assessment_id INTEGER NOT NULL REFERENCES verification (assessment_id) ON DELETE CASCADE,
    indicator_id  TEXT NOT NULL,
    self_level    TEXT,                -- the consensus level when verified (NULL: none)
    level         TEXT NOT NULL,       -- level code, NA or NI
    reason        TEXT,                -- required when level <> self_level
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, indicator_id),
    CHECK ((self_level IS NOT NULL AND level = self_level) OR (reason IS NOT NULL AND reason <> ''))
);
