-- commune-capacity schema: the finalise gate and the council's own actions.
--
-- An assessment finalised below the required completeness is marked
-- provisional, with the facilitator's reason; finalising it complete (or
-- unlocking it) clears the mark.
ALTER TABLE assessment ADD COLUMN provisional_reason TEXT;

-- Actions the council adds to its plan itself, beside the rubric's
-- generated ones. Versioned like every row a person edits; a plan stays
-- the council's working document after the assessment is finalised.
CREATE TABLE council_action (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessment (id) ON DELETE CASCADE,
    indicator     TEXT NOT NULL,        -- indicator id of the assessment's rubric
    title         TEXT NOT NULL,
    cost          TEXT NOT NULL,        -- whole FCFA, a decimal string
    horizon       TEXT NOT NULL,        -- short | medium | long
    responsible   TEXT NOT NULL,        -- the person responsible
    deadline      TEXT,                 -- YYYY-MM-DD
    status        TEXT NOT NULL DEFAULT 'not_started', -- not_started | in_progress | done
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX council_action_assessment ON council_action (assessment_id, id);
