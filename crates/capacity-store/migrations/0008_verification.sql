-- commune-capacity schema, version 8: what the independent verification
-- of 0006 needs besides its tables.
--
-- A completed verification reopened by an administrator (with a reason,
-- kept in the audit trail) is marked until it is completed again.
ALTER TABLE verification ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0;

-- Verified results kept beside the data, like `assessment_result` (0004):
-- the core's score tree of the assessment with the verified levels in
-- place of the consensus, keyed by the assessment's revision (which moves
-- with every verification write too), the verification's version and the
-- rubric version. A row is current while all three are those of now and
-- its scorer is the one the app writes; anything else is ignored and
-- computed again. A derived table: losing it loses nothing.
CREATE TABLE verified_result (
    assessment_id        INTEGER PRIMARY KEY REFERENCES verification (assessment_id) ON DELETE CASCADE,
    revision             INTEGER NOT NULL,
    verification_version INTEGER NOT NULL,
    rubric_version       TEXT NOT NULL,
    scorer               TEXT NOT NULL,
    result               TEXT NOT NULL,     -- JSON of the core's `Scored`
    computed_at          TEXT NOT NULL
);

-- Who verifies what: the verifier's list of assignments.
CREATE INDEX verification_assignment_account ON verification_assignment (account_id);
