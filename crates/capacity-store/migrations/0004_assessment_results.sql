-- commune-capacity schema, version 4: scored results kept beside the data.
--
-- A derived table, not data people edit: each assessment's results as the
-- core computed them, with the assessment revision and rubric version
-- they were computed at, and the format of the result text (`scorer`).
-- A row is current while its revision and rubric version are those of its
-- assessment (every write to an assessment moves its revision in the same
-- transaction) and its scorer is the one the app writes; anything else is
-- ignored and computed again. Pages over many communes read the current
-- rows in one query instead of loading every rating. Losing the table
-- loses nothing: it is filled again from the assessments.
CREATE TABLE assessment_result (
    assessment_id  INTEGER PRIMARY KEY REFERENCES assessment (id) ON DELETE CASCADE,
    revision       INTEGER NOT NULL,
    rubric_version TEXT NOT NULL,
    scorer         TEXT NOT NULL,
    result         TEXT NOT NULL,       -- JSON of the core's `Scored`
    computed_at    TEXT NOT NULL
);
